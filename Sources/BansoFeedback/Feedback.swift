import BansoAggregate
import BansoCore
import Foundation

/// One line of `feedback/summary.csv`: what a municipality is told about one indicator.
public struct FeedbackRow: Sendable, Equatable {
    public var code: String
    public var name: String
    public var indicator: String
    public var value: Double?
    public var ciLow: Double?
    public var ciHigh: Double?
    public var n: Int
    public var suppressed: Bool
    public var rule: String
    public var prefectureValue: Double?
    public var group: Int?
    public var groupLabel: String
    public var peerMedian: Double?
    public var peerQ1: Double?
    public var peerQ3: Double?
    public var peerN: Int
    /// 1–4 in the prefecture's distribution of municipalities (not a rank).
    public var quartile: Int?
    public var previousWave: String
    public var previousValue: Double?
    public var change: Double?
    /// "concern", "strength", "note" or "".
    public var flag: String
    public var comment: String

    public static let header = ["municipality_code", "municipality_name", "indicator", "indicator_ja", "unit", "value", "ci_low", "ci_high",
                                "n", "suppressed", "suppression_rule", "prefecture_value", "peer_group", "peer_group_label",
                                "peer_median", "peer_q1", "peer_q3", "peer_n", "quartile", "previous_wave", "previous_value",
                                "change", "flag", "comment"]

    public var cells: [String] {
        let spec = IndicatorSpec.named(indicator)
        return [code, name, indicator, spec?.japanese ?? indicator, spec?.unit ?? "", formatNumber(value), formatNumber(ciLow),
                formatNumber(ciHigh), String(n), suppressed ? "true" : "false", rule, formatNumber(prefectureValue),
                group.map(String.init) ?? "", groupLabel, formatNumber(peerMedian), formatNumber(peerQ1), formatNumber(peerQ3),
                String(peerN), quartile.map(String.init) ?? "", previousWave, formatNumber(previousValue), formatNumber(change), flag, comment]
    }

    /// Reads `feedback/summary.csv`.
    public static func load(_ path: String) throws -> [FeedbackRow] {
        let t = try CSVTable.read(path)
        return t.rows.map { r in
            func d(_ k: String) -> Double? { Double(t.value(r, k)) }
            return FeedbackRow(code: t.value(r, "municipality_code"), name: t.value(r, "municipality_name"), indicator: t.value(r, "indicator"),
                               value: d("value"), ciLow: d("ci_low"), ciHigh: d("ci_high"), n: Int(t.value(r, "n")) ?? 0,
                               suppressed: t.value(r, "suppressed") == "true", rule: t.value(r, "suppression_rule"),
                               prefectureValue: d("prefecture_value"), group: Int(t.value(r, "peer_group")),
                               groupLabel: t.value(r, "peer_group_label"), peerMedian: d("peer_median"), peerQ1: d("peer_q1"),
                               peerQ3: d("peer_q3"), peerN: Int(t.value(r, "peer_n")) ?? 0, quartile: Int(t.value(r, "quartile")),
                               previousWave: t.value(r, "previous_wave"), previousValue: d("previous_value"), change: d("change"),
                               flag: t.value(r, "flag"), comment: t.value(r, "comment"))
        }
    }
}

/// Quantiles by linear interpolation between order statistics (R type 7, Excel's QUARTILE.INC).
public func quantile(_ sorted: [Double], _ p: Double) -> Double? {
    guard !sorted.isEmpty else { return nil }
    let h = Double(sorted.count - 1) * p
    let lo = Int(h.rounded(.down))
    let hi = min(lo + 1, sorted.count - 1)
    return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
}

/// Stage feedback: each municipality's values against the prefecture, its peers and last wave.
public enum FeedbackStage {
    public static func parameters(_ c: PipelineConfig) -> [String: String] { ["wave": c.wave] }

    /// Builds every row from published indicators, peer groups and the previous wave as published.
    public static func build(published: [IndicatorRow], groups: [String: (Int, String)], previous: [IndicatorRow],
                             prefectureCode: String) -> [FeedbackRow] {
        let visible: (IndicatorRow) -> Double? = { $0.suppressed ? nil : $0.estimate.value }
        // The distributions are the same for every municipality: build them once per indicator
        // (the prefecture's municipalities) and per indicator and group (the peers).
        var prefectureValue: [String: Double] = [:]
        var muniValues: [String: [Double]] = [:]
        var peerValues: [String: [Double]] = [:]
        for r in published {
            guard let v = visible(r) else { continue }
            if r.code == prefectureCode { prefectureValue[r.indicator] = v; continue }
            muniValues[r.indicator, default: []].append(v)
            if let g = groups[r.code]?.0 { peerValues["\(r.indicator)|\(g)", default: []].append(v) }
        }
        for k in muniValues.keys { muniValues[k]!.sort() }
        for k in peerValues.keys { peerValues[k]!.sort() }
        var prev: [String: IndicatorRow] = [:]
        for r in previous { prev["\(r.code)|\(r.indicator)"] = r }
        var out: [FeedbackRow] = []
        for r in published where r.code != prefectureCode {
            let spec = IndicatorSpec.named(r.indicator)
            let group = groups[r.code]
            let muniValues = muniValues[r.indicator] ?? []
            let peerValues = group.flatMap { peerValues["\(r.indicator)|\($0.0)"] } ?? []
            let value = visible(r)
            var row = FeedbackRow(code: r.code, name: r.name, indicator: r.indicator, value: value,
                                  ciLow: r.suppressed ? nil : r.estimate.ciLow, ciHigh: r.suppressed ? nil : r.estimate.ciHigh,
                                  n: r.estimate.n, suppressed: r.suppressed, rule: r.rule, prefectureValue: prefectureValue[r.indicator],
                                  group: group?.0, groupLabel: group?.1 ?? "", peerMedian: nil, peerQ1: nil, peerQ3: nil,
                                  peerN: peerValues.count, quartile: nil, previousWave: "", previousValue: nil, change: nil,
                                  flag: "", comment: "")
            if peerValues.count >= 3 {
                row.peerMedian = quantile(peerValues, 0.5)
                row.peerQ1 = quantile(peerValues, 0.25)
                row.peerQ3 = quantile(peerValues, 0.75)
            }
            if let v = value, muniValues.count >= 4, let q1 = quantile(muniValues, 0.25), let q2 = quantile(muniValues, 0.5),
               let q3 = quantile(muniValues, 0.75) {
                row.quartile = v <= q1 ? 1 : v <= q2 ? 2 : v <= q3 ? 3 : 4
            }
            if let p = prev["\(r.code)|\(r.indicator)"] {
                row.previousWave = p.wave
                row.previousValue = p.suppressed ? nil : p.estimate.value
                if let a = value, let b = row.previousValue { row.change = a - b }
            }
            if let spec, let v = value, let q1 = row.peerQ1, let q3 = row.peerQ3, spec.form != .sampleSize, spec.form != .countTotal {
                // Totals grow with the municipality's size: comparing them to peers says nothing.
                (row.flag, row.comment) = flag(spec: spec, value: v, q1: q1, q3: q3)
            }
            out.append(row)
        }
        return out.sorted { ($0.code, $0.indicator) < ($1.code, $1.indicator) }
    }

    /// A flag and a one-line Japanese comment when the value lies outside the peer IQR.
    static func flag(spec: IndicatorSpec, value: Double, q1: Double, q3: Double) -> (String, String) {
        let high = value > q3
        guard high || value < q1 else { return ("", "") }
        let side = high ? "高め" : "低め"
        let name = spec.japanese
        switch (spec.direction, high) {
        case (.higherIsConcern, true), (.higherIsStrength, false):
            return ("concern", "\(name)は類似団体の中ほど半分より\(side)です。背景や要因を話し合うきっかけにしてください。")
        case (.higherIsConcern, false), (.higherIsStrength, true):
            return ("strength", "\(name)は類似団体の中ほど半分より\(side)で、強みといえます。取組を他の団体と共有できるかもしれません。")
        default:
            return ("note", "\(name)は類似団体の中ほど半分より\(side)です（良し悪しを示すものではありません）。")
        }
    }

    public static func run(_ ctx: StageContext) throws -> StageResult {
        let published = try loadIndicatorRows(ctx.layout.aggregate + "/indicators.csv")
        let previous = try loadIndicatorRows(ctx.layout.internal + "/previous_wave.csv")
        let g = try CSVTable.read(ctx.layout.peers + "/groups.csv")
        var groups: [String: (Int, String)] = [:]
        for r in g.rows { groups[g.value(r, "municipality_code")] = (Int(g.value(r, "group")) ?? 0, g.value(r, "group_label")) }
        let rows = build(published: published, groups: groups, previous: previous, prefectureCode: ctx.config.prefectureMunicipalityCode)
        try RunLayout.makeDirectory(ctx.layout.feedback)
        try CSVTable.write(ctx.layout.feedback + "/summary.csv", header: FeedbackRow.header, rows: rows.map(\.cells))
        let flagged = rows.filter { !$0.flag.isEmpty }.count
        ctx.log("feedback: \(rows.count) rows, \(flagged) flagged")
        return StageResult(counts: ["rows": rows.count, "flagged": flagged])
    }
}
