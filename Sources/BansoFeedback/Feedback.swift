import BansoAggregate
import BansoCore
import Foundation
import Logging

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

    /// The published indicators, the previous wave as published, and the peer groups.
    public static let reads: [RunFileDescriptor] = [RunFiles.indicators, RunFiles.previousWave, RunFiles.groups]

    /// A municipality's peer group: its number and label.
    public typealias Group = (number: Int, label: String)

    /// Builds every row from published indicators, peer groups and the previous wave as published.
    public static func build(
        published: [IndicatorRow], groups: [String: Group], previous: [IndicatorRow], prefectureCode: String
    ) -> [FeedbackRow] {
        let visible: (IndicatorRow) -> Double? = { $0.suppressed ? nil : $0.estimate.value }
        // The distributions are the same for every municipality: build them once per indicator
        // (the prefecture's municipalities) and per indicator and group (the peers).
        struct PeerKey: Hashable {
            let indicator: Indicator
            let group: Int
        }
        struct AreaKey: Hashable {
            let code: String
            let indicator: Indicator
        }
        var prefectureValue: [Indicator: Double] = [:]
        var muniValues: [Indicator: [Double]] = [:]
        var peerValues: [PeerKey: [Double]] = [:]
        for r in published {
            guard let v = visible(r) else { continue }
            if r.code == prefectureCode {
                prefectureValue[r.indicator] = v
                continue
            }
            muniValues[r.indicator, default: []].append(v)
            if let g = groups[r.code]?.number {
                peerValues[PeerKey(indicator: r.indicator, group: g), default: []].append(v)
            }
        }
        for k in muniValues.keys { muniValues[k]!.sort() }
        for k in peerValues.keys { peerValues[k]!.sort() }
        var prev: [AreaKey: IndicatorRow] = [:]
        for r in previous { prev[AreaKey(code: r.code, indicator: r.indicator)] = r }
        var out: [FeedbackRow] = []
        for r in published where r.code != prefectureCode {
            let spec = r.indicator
            let group = groups[r.code]
            let muniValues = muniValues[spec] ?? []
            let peerValues = group.flatMap { peerValues[PeerKey(indicator: spec, group: $0.number)] } ?? []
            let value = visible(r)
            var row = FeedbackRow(
                code: r.code, name: r.name, indicator: spec, value: value,
                ciLow: r.suppressed ? nil : r.estimate.ciLow, ciHigh: r.suppressed ? nil : r.estimate.ciHigh,
                n: r.estimate.n, suppressed: r.suppressed, rule: r.rule, prefectureValue: prefectureValue[spec],
                group: group?.number, groupLabel: group?.label ?? "", peerN: peerValues.count)
            if peerValues.count >= 3 {
                row.peerMedian = quantile(peerValues, 0.5)
                row.peerQ1 = quantile(peerValues, 0.25)
                row.peerQ3 = quantile(peerValues, 0.75)
            }
            if let v = value, muniValues.count >= 4, let q1 = quantile(muniValues, 0.25),
                let q2 = quantile(muniValues, 0.5), let q3 = quantile(muniValues, 0.75)
            {
                row.quartile = v <= q1 ? 1 : v <= q2 ? 2 : v <= q3 ? 3 : 4
            }
            if let p = prev[AreaKey(code: r.code, indicator: spec)] {
                row.previousWave = p.wave
                row.previousValue = p.suppressed ? nil : p.estimate.value
                if let a = value, let b = row.previousValue { row.change = a - b }
            }
            // Totals grow with the municipality's size: comparing them to peers says nothing.
            if let v = value, let q1 = row.peerQ1, let q3 = row.peerQ3, spec.form != .sampleSize,
                spec.form != .countTotal, let (flag, comment) = flag(spec, value: v, q1: q1, q3: q3)
            {
                row.flag = flag
                row.comment = comment
            }
            out.append(row)
        }
        return out.sorted { ($0.code, $0.indicator.rawValue) < ($1.code, $1.indicator.rawValue) }
    }

    /// A flag and a one-line Japanese comment when the value lies outside the peer IQR.
    static func flag(_ spec: Indicator, value: Double, q1: Double, q3: Double) -> (FeedbackFlag, String)? {
        let high = value > q3
        guard high || value < q1 else { return nil }
        let side = high ? "高め" : "低め"
        let name = spec.japanese
        switch (spec.direction, high) {
        case (.higherIsConcern, true), (.higherIsStrength, false):
            return (.concern, "\(name)は類似団体の中ほど半分より\(side)です。背景や要因を話し合うきっかけにしてください。")
        case (.higherIsConcern, false), (.higherIsStrength, true):
            return (.strength, "\(name)は類似団体の中ほど半分より\(side)で、強みといえます。取組を他の団体と共有できるかもしれません。")
        default:
            return (.note, "\(name)は類似団体の中ほど半分より\(side)です（良し悪しを示すものではありません）。")
        }
    }

    public static func run(_ ctx: StageContext) throws -> StageResult {
        let published = try RunFiles.indicators.read(ctx)
        let previous = try RunFiles.previousWave.read(ctx)
        var groups: [String: Group] = [:]
        for r in try RunFiles.groups.read(ctx) { groups[r.code] = (r.group, r.label) }
        let rows = build(
            published: published, groups: groups, previous: previous,
            prefectureCode: ctx.config.prefectureMunicipalityCode)
        try RunLayout.makeDirectory(ctx.layout.feedback)
        try RunFiles.summary.write(rows, in: ctx.layout)
        let flagged = rows.filter { $0.flag != nil }.count
        ctx.logger.info("\(rows.count) rows, \(flagged) flagged")
        return StageResult(counts: ["rows": rows.count, "flagged": flagged])
    }
}
