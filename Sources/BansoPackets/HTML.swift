import BansoCore
import Foundation

/// HTML escaping and number display for the reports.
public enum HTML {
    /// Escapes text for element content and attribute values (`&`, `<`, `>`, `"`, `'`).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A value for people: thousands separators for counts and yen, one decimal for rates.
    public static func display(_ value: Double?, spec: Indicator?) -> String {
        guard let value else { return "—" }
        return grouped(value, digits: spec?.displayDigits ?? 1)
    }

    /// Formats with `digits` decimals and thousands separators (no locale lookup).
    public static func grouped(_ value: Double, digits: Int) -> String {
        let s = String(format: "%.\(digits)f", value)
        let negative = s.hasPrefix("-")
        let body = negative ? String(s.dropFirst()) : s
        let parts = body.split(separator: ".", maxSplits: 1)
        var whole = ""
        for (i, c) in parts[0].reversed().enumerated() {
            if i > 0 && i % 3 == 0 { whole.append(",") }
            whole.append(c)
        }
        whole = String(whole.reversed())
        return (negative ? "-" : "") + whole + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// The Japanese era year of a wave (2025 → 令和7年度) for titles.
    public static func fiscalYear(_ wave: String) -> String {
        guard let y = Int(wave.prefix(4)) else { return wave }
        if y >= 2019 { return y == 2019 ? "令和元年度" : "令和\(y - 2018)年度" }
        if y >= 1989 { return "平成\(y - 1988)年度" }
        return "\(y)年度"
    }
}

/// Inline SVG charts: nothing external, readable in black and white.
public enum Charts {
    /// A dot/interval chart: the peer group's interquartile range (grey band) and median (bar),
    /// the prefecture (hollow diamond) and the municipality (filled circle) with its 95% interval.
    public static func interval(
        value: Double?, low: Double?, high: Double?, prefecture: Double?, peerQ1: Double?,
        peerMedian: Double?, peerQ3: Double?, label: String
    ) -> String {
        let w = 260.0, h = 34.0, pad = 10.0
        let candidates = [value, low, high, prefecture, peerQ1, peerMedian, peerQ3].compactMap { $0 }
        guard var lo = candidates.min(), var hi = candidates.max() else {
            return
                "<svg class=\"chart\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" width=\"\(Int(w))\" height=\"\(Int(h))\" role=\"img\" aria-label=\"\(HTML.escape(label))：データなし\"><text x=\"\(pad)\" y=\"21\" font-size=\"11\" fill=\"#555\">表示できる値がありません</text></svg>"
        }
        if hi - lo < 1e-9 {
            lo -= 1
            hi += 1
        }
        let span = hi - lo
        lo -= span * 0.08
        hi += span * 0.08
        func x(_ v: Double) -> String { String(format: "%.1f", pad + (v - lo) / (hi - lo) * (w - 2 * pad)) }
        var s =
            "<svg class=\"chart\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" width=\"\(Int(w))\" height=\"\(Int(h))\" role=\"img\" aria-label=\"\(HTML.escape(label))\">"
        s += "<line x1=\"\(pad)\" y1=\"26\" x2=\"\(Int(w - pad))\" y2=\"26\" stroke=\"#999\" stroke-width=\"0.6\"/>"
        if let q1 = peerQ1, let q3 = peerQ3 {
            s +=
                "<rect x=\"\(x(q1))\" y=\"6\" width=\"\(String(format: "%.1f", max(1, Double(x(q3))! - Double(x(q1))!)))\" height=\"20\" fill=\"#d9d9d9\" stroke=\"#7f7f7f\" stroke-width=\"0.6\"/>"
        }
        if let m = peerMedian {
            s += "<line x1=\"\(x(m))\" y1=\"4\" x2=\"\(x(m))\" y2=\"28\" stroke=\"#404040\" stroke-width=\"1.6\"/>"
        }
        if let p = prefecture {
            let px = Double(x(p))!
            s +=
                "<path d=\"M\(String(format: "%.1f", px)) 9 l5 7 l-5 7 l-5 -7 z\" fill=\"#ffffff\" stroke=\"#8c3b00\" stroke-width=\"1.6\"/>"
        }
        if let v = value {
            if let l = low, let hgh = high {
                s += "<line x1=\"\(x(l))\" y1=\"16\" x2=\"\(x(hgh))\" y2=\"16\" stroke=\"#0b3d91\" stroke-width=\"2\"/>"
                s += "<line x1=\"\(x(l))\" y1=\"12\" x2=\"\(x(l))\" y2=\"20\" stroke=\"#0b3d91\" stroke-width=\"1.5\"/>"
                s +=
                    "<line x1=\"\(x(hgh))\" y1=\"12\" x2=\"\(x(hgh))\" y2=\"20\" stroke=\"#0b3d91\" stroke-width=\"1.5\"/>"
            }
            s += "<circle cx=\"\(x(v))\" cy=\"16\" r=\"4.5\" fill=\"#0b3d91\" stroke=\"#ffffff\" stroke-width=\"1\"/>"
        }
        s += "</svg>"
        return s
    }

    /// Four boxes for the prefecture's quartiles, the municipality's one filled (no rank numbers).
    public static func quartileStrip(_ quartile: Int?) -> String {
        let labels = ["低い方の25%", "やや低い25%", "やや高い25%", "高い方の25%"]
        var s =
            "<svg class=\"strip\" viewBox=\"0 0 88 16\" width=\"88\" height=\"16\" role=\"img\" aria-label=\"\(quartile.map { "県内の分布で\(labels[$0 - 1])" } ?? "位置を示せません")\">"
        for q in 1...4 {
            let filled = quartile == q
            s +=
                "<rect x=\"\(1 + (q - 1) * 22)\" y=\"2\" width=\"20\" height=\"12\" fill=\"\(filled ? "#0b3d91" : "#ffffff")\" stroke=\"#404040\" stroke-width=\"0.8\"/>"
        }
        return s + "</svg>"
    }
}
