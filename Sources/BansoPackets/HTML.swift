import BansoCore
import Foundation

/// HTML escaping and number display for the reports.
package enum HTML {
    /// Escapes text for element content and attribute values (`&`, `<`, `>`, `"`, `'`).
    package static func escape(_ text: String) -> String {
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
    package static func display(_ value: Double?, spec: Indicator?) -> String {
        guard let value else { return "—" }
        return grouped(value, digits: spec?.displayDigits ?? 1)
    }

    /// Formats with `digits` decimals and thousands separators (no locale lookup).
    package static func grouped(_ value: Double, digits: Int) -> String {
        // On the bytes of the ASCII text: Characters cost a grapheme check each.
        let s = Array(formatFixed(value, digits: digits).utf8)
        let signEnd = s.first == UInt8(ascii: "-") ? 1 : 0
        let point = s.firstIndex(of: UInt8(ascii: ".")) ?? s.count
        var out = Array(s[..<signEnd])
        out.reserveCapacity(s.count + s.count / 3)
        for i in signEnd..<point {
            if i > signEnd && (point - i) % 3 == 0 { out.append(UInt8(ascii: ",")) }
            out.append(s[i])
        }
        out += s[point...]
        return String(decoding: out, as: UTF8.self)
    }

    /// The span of waves a trend covers: 「令和5〜7年度」, 「平成30〜令和7年度」.
    package static func fiscalYears(_ first: Wave, _ last: Wave) -> String {
        let a = fiscalYear(first).replacingOccurrences(of: "年度", with: "")
        let b = fiscalYear(last)
        let era = b.prefix(2)
        return a.hasPrefix(era) ? "\(a)〜\(b.dropFirst(2))" : "\(a)〜\(b)"
    }

    /// The Japanese era year of a wave (2025 → 令和7年度) for titles.
    package static func fiscalYear(_ wave: Wave) -> String {
        let y = wave.year
        if y >= 2019 { return y == 2019 ? "令和元年度" : "令和\(y - 2018)年度" }
        if y >= 1989 { return "平成\(y - 1988)年度" }
        return "\(y)年度"
    }
}

/// The scale an indicator is drawn on in every report of a prefecture, so that two reports'
/// charts can be laid side by side: the range of the municipalities' values and intervals,
/// widened to round tick values.
package struct ChartScale: Sendable, Equatable {
    package let low: Double
    package let high: Double
    package let ticks: [Double]
    /// Decimals of the tick labels.
    package let digits: Int

    /// A scale covering `values` with 3 to 6 round ticks; nil when there is nothing to draw.
    package init?(covering values: [Double]) {
        guard var lo = values.min(), var hi = values.max() else { return nil }
        if hi - lo < 1e-9 {
            lo -= max(1, abs(lo) * 0.1)
            hi += max(1, abs(hi) * 0.1)
        }
        let raw = (hi - lo) / 4
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        lo = (lo / step).rounded(.down) * step
        hi = (hi / step).rounded(.up) * step
        low = lo
        high = hi
        ticks = stride(from: lo, through: hi + step / 2, by: step).map { $0 }
        digits = step >= 1 ? 0 : step >= 0.1 ? 1 : 2
    }
}

/// Inline SVG charts: nothing external, readable in black and white (shapes, not colours).
package enum Charts {
    /// A dot/interval chart on the indicator's shared scale: the peers' interquartile range (grey
    /// band) and median (bar), the prefecture (hollow diamond) and the municipality (filled circle)
    /// with its 95% interval; tick values under the axis.
    package static func interval(
        scale: ChartScale, value: Double?, low: Double?, high: Double?, prefecture: Double?, peerQ1: Double?,
        peerMedian: Double?, peerQ3: Double?
    ) -> String {
        let w = 260.0, pad = 12.0
        func position(_ v: Double) -> Double {
            pad + (min(max(v, scale.low), scale.high) - scale.low) / (scale.high - scale.low) * (w - 2 * pad)
        }
        func x(_ v: Double) -> String { formatFixed(position(v), digits: 1) }
        var s = "<svg class=\"chart\" viewBox=\"0 0 260 52\" width=\"260\" height=\"52\" aria-hidden=\"true\">"
        s +=
            "<line x1=\"\(Int(pad))\" y1=\"30\" x2=\"\(Int(w - pad))\" y2=\"30\" stroke=\"#777\" stroke-width=\"0.6\"/>"
        for t in scale.ticks {
            s += "<line x1=\"\(x(t))\" y1=\"30\" x2=\"\(x(t))\" y2=\"33\" stroke=\"#777\" stroke-width=\"0.6\"/>"
        }
        // Only the ends are labelled, large enough to read in print: the chart prints about 37 mm
        // wide, where 18 units are 7 pt (five labels at 8.5 units printed at 3 pt). They grow
        // inwards from the box's edges: centred, 「200,000」 would be cut.
        for (anchor, at, t) in [("start", "0", scale.low), ("end", formatFixed(w, digits: 1), scale.high)] {
            s +=
                "<text x=\"\(at)\" y=\"50\" font-size=\"18\" text-anchor=\"\(anchor)\" fill=\"#444\">"
                + "\(HTML.grouped(t, digits: scale.digits))</text>"
        }
        if let q1 = peerQ1, let q3 = peerQ3 {
            let width = formatFixed(max(1, position(q3) - position(q1)), digits: 1)
            s +=
                "<rect x=\"\(x(q1))\" y=\"8\" width=\"\(width)\" height=\"20\" fill=\"#dcdcdc\" stroke=\"#7f7f7f\" "
                + "stroke-width=\"0.6\"/>"
        }
        if let m = peerMedian {
            s += "<line x1=\"\(x(m))\" y1=\"6\" x2=\"\(x(m))\" y2=\"30\" stroke=\"#404040\" stroke-width=\"1.6\"/>"
        }
        if let p = prefecture {
            s +=
                "<path d=\"M\(x(p)) 11 l5 7 l-5 7 l-5 -7 z\" fill=\"#ffffff\" stroke=\"#8c3b00\" stroke-width=\"1.6\"/>"
        }
        if let v = value {
            if let l = low, let h = high {
                s += "<line x1=\"\(x(l))\" y1=\"18\" x2=\"\(x(h))\" y2=\"18\" stroke=\"#0b3d91\" stroke-width=\"2\"/>"
                s += "<line x1=\"\(x(l))\" y1=\"14\" x2=\"\(x(l))\" y2=\"22\" stroke=\"#0b3d91\" stroke-width=\"1.5\"/>"
                s += "<line x1=\"\(x(h))\" y1=\"14\" x2=\"\(x(h))\" y2=\"22\" stroke=\"#0b3d91\" stroke-width=\"1.5\"/>"
            }
            s += "<circle cx=\"\(x(v))\" cy=\"18\" r=\"4.5\" fill=\"#0b3d91\" stroke=\"#ffffff\" stroke-width=\"1\"/>"
        }
        return s + "</svg>"
    }

    /// The last waves of one indicator: each wave's value (dot) and 95% interval (bar), on a scale
    /// of its own; the report names the waves beside it (`HTML.fiscalYears`).
    package static func trend(_ series: [TrendRow], spec: Indicator) -> String {
        let values = series.flatMap { [$0.value, $0.ciLow, $0.ciHigh].compactMap { $0 } }
        guard let scale = ChartScale(covering: values), series.count >= 2 else { return "" }
        let w = 96.0, top = 4.0, bottom = 26.0
        func y(_ v: Double) -> String {
            formatFixed(bottom - (v - scale.low) / (scale.high - scale.low) * (bottom - top), digits: 1)
        }
        func x(_ i: Int) -> String { formatFixed(10 + Double(i) * (w - 20) / Double(series.count - 1), digits: 1) }
        var s = "<svg class=\"trend\" viewBox=\"0 0 96 30\" width=\"96\" height=\"30\" aria-hidden=\"true\">"
        let points = series.enumerated().compactMap { i, t in t.value.map { "\(x(i)),\(y($0))" } }
        s +=
            "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"#7f7f7f\" stroke-width=\"0.8\"/>"
        for (i, t) in series.enumerated() {
            if let lo = t.ciLow, let hi = t.ciHigh {
                s +=
                    "<line x1=\"\(x(i))\" y1=\"\(y(lo))\" x2=\"\(x(i))\" y2=\"\(y(hi))\" stroke=\"#0b3d91\" stroke-width=\"1.2\"/>"
            }
            if let v = t.value { s += "<circle cx=\"\(x(i))\" cy=\"\(y(v))\" r=\"2.5\" fill=\"#0b3d91\"/>" }
        }
        // The waves are named under the drawing in text (`fiscalYears`), which prints at its own size.
        return s + "</svg>"
    }

    /// Four boxes for the prefecture's quartiles, the municipality's one filled (no rank numbers).
    package static func quartileStrip(_ quartile: Int) -> String { quartileStrip(quartile...quartile) }

    /// The four quarters with those the value may lie in filled (its 95% interval's reach).
    package static func quartileStrip(_ quarters: ClosedRange<Int>) -> String {
        var s = "<svg class=\"strip\" viewBox=\"0 0 88 16\" width=\"88\" height=\"16\" aria-hidden=\"true\">"
        for q in 1...4 {
            s +=
                "<rect x=\"\(1 + (q - 1) * 22)\" y=\"2\" width=\"20\" height=\"12\" "
                + "fill=\"\(quarters.contains(q) ? "#0b3d91" : "#ffffff")\" stroke=\"#404040\" stroke-width=\"0.8\"/>"
        }
        return s + "</svg>"
    }

    /// Words for a quartile, beside the strip (the strip alone says nothing to a screen reader).
    package static func quartileWords(_ quartile: Int) -> String {
        ["低い方", "やや低い", "やや高い", "高い方"][quartile - 1]
    }

    /// Words for the quarters a value's interval reaches: what its position may be said to be.
    package static func quartileWords(_ quarters: ClosedRange<Int>) -> String {
        switch (quarters.lowerBound, quarters.upperBound) {
        case (let a, let b) where a == b: quartileWords(a)
        case (2, 3): "中ほど"
        case (1, 2), (1, 3): "低い方〜中ほど"
        case (2, 4), (3, 4): "中ほど〜高い方"
        default: "誤差が大きく定まらない"
        }
    }
}
