import BansoAggregate
import BansoCore
import Foundation
import Logging

/// Stage feedback: each municipality's values against the prefecture, its peers and last wave.
package enum FeedbackStage: PipelineStage {
    /// What feedback reads from the pipeline file: the prefecture (its total row and its wording),
    /// and the estimation and disclosure settings the peers' pooled figures are made with
    /// (aggregate's own, so that a pool is estimated as the municipalities are).
    package struct Settings: StageSettings {
        package var prefectureCode: PrefectureCode
        package var estimation: AggregateStage.Settings
        package init(_ c: PipelineConfig) {
            prefectureCode = c.prefectureCode
            estimation = AggregateStage.Settings(c)
        }
    }

    package static let name = StageName.feedback

    /// The published indicators, the previous wave as published, the peer groups and neighbours,
    /// and the clean files the peers' pooled figures are estimated from.
    package static let reads: [RunFileDescriptor] = [
        RunFiles.indicators, RunFiles.areas, RunFiles.panelChanges, RunFiles.earlierWaves, RunFiles.groups,
        RunFiles.neighbours,
        RunFiles.smallArea,
        RunFiles.establishments, RunFiles.workers, RunFiles.master, RunFiles.frame,
    ]

    /// A municipality's peer group: its number and label.
    package typealias Group = (number: Int, label: String)

    /// At most this many values are pointed out per municipality, the surest first.
    package static let maxFlags = 5
    /// A municipality with more than this share of the prefecture's respondents also sees the rest
    /// of the prefecture without itself (otherwise the prefecture figure is mostly its own).
    package static let dominantShare = 1.0 / 3

    /// Builds every row from published indicators, peers and the previous wave as published.
    package static func build(
        published: [IndicatorRow], groups: [MunicipalityCode: Group],
        neighbours: [MunicipalityCode: [MunicipalityCode]] = [:],
        previous: [IndicatorRow], prefectureCode: MunicipalityCode, wording: PrefectureWording,
        smallArea: [SmallAreaEstimate] = [], pooled: [CellKey: PooledPeers.Figure] = [:],
        regions: [MunicipalityCode: Region] = [:], areas: [AreaIndicatorRow] = [], panel: [PanelChangeRow] = []
    ) -> [FeedbackRow] {
        let visible: (IndicatorRow) -> Double? = { $0.suppressed ? nil : $0.estimate.value }
        var byArea: [CellKey: IndicatorRow] = [:]
        var prefecture: [Indicator: IndicatorRow] = [:]
        var muniValues: [Indicator: [Double]] = [:]
        for r in published {
            if r.code == prefectureCode {
                prefecture[r.indicator] = r
                continue
            }
            byArea[CellKey(r.code, r.indicator)] = r
            if let v = visible(r) { muniValues[r.indicator, default: []].append(v) }
        }
        for k in muniValues.keys { muniValues[k]!.sort() }
        let peers = PeerSets(groupOf: groups.mapValues(\.number), neighbours: neighbours)
        // The prefecture's quartiles of each indicator, for every municipality's position.
        let prefectureQuartiles = muniValues.mapValues { Quartiles(sorted: $0, minimum: 4) }
        // The latest earlier wave of each municipality and indicator (the rows come oldest first).
        var prev: [CellKey: IndicatorRow] = [:]
        for r in previous { prev[CellKey(r.code, r.indicator)] = r }
        var modelled: [CellKey: SmallAreaEstimate] = [:]
        for e in smallArea { modelled[CellKey(e.municipality, e.indicator)] = e }
        let z = Estimate.z95
        let prefectureRespondents = prefecture[.respondents]?.estimate.value ?? 0
        var matched: [CellKey: PanelChangeRow] = [:]
        for p in panel { matched[CellKey(p.municipality, p.indicator)] = p }
        var regional: [RegionCode: [Indicator: AreaIndicatorRow]] = [:]
        for a in areas where a.serviceGroup == nil {
            if let code = a.region { regional[code, default: [:]][a.indicator] = a }
        }

        var out: [FeedbackRow] = []
        for r in published where r.code != prefectureCode {
            let spec = r.indicator
            let group = groups[r.code]
            // A group too small to compare with gives way to the nearest municipalities.
            let peerSet = peers.peers(of: r.code)
            let peerCodes = peerSet?.codes ?? []
            let peerValues = peerCodes.compactMap { byArea[CellKey($0, spec)].flatMap(visible) }
                .sorted()
            let value = visible(r)
            var row = FeedbackRow(
                code: r.code, name: r.name, indicator: spec, value: value,
                ciLow: r.suppressed ? nil : r.estimate.ciLow, ciHigh: r.suppressed ? nil : r.estimate.ciHigh,
                n: r.estimate.n, suppressed: r.suppressed, rule: r.rule,
                prefectureValue: prefecture[spec].flatMap(visible),
                group: group?.number, groupLabel: group?.label ?? "", peerN: peerValues.count)
            row.peerBasis = peerSet?.basis
            row.se = r.suppressed ? nil : r.estimate.standardError
            row.reliability = r.suppressed ? nil : r.estimate.reliability
            if !r.suppressed, let e = modelled[CellKey(r.code, spec)] {
                row.smallArea = e.value
                row.smallAreaSE = e.se
            }
            if let f = pooled[CellKey(r.code, spec)] {
                row.peerPooled = f.estimate.value
                row.peerPooledLow = f.estimate.ciLow
                row.peerPooledHigh = f.estimate.ciHigh
                row.peerPooledSE = f.estimate.se
                row.peerPooledN = f.estimate.n
                row.peerPooledWithSelf = f.includesSelf
            }
            if let region = regions[r.code] {
                row.regionName = region.name
                if let a = regional[region.code]?[spec], !a.suppressed {
                    row.regionValue = a.estimate.value
                    row.regionLow = a.estimate.ciLow
                    row.regionHigh = a.estimate.ciHigh
                }
            }
            if let q = Quartiles(sorted: peerValues, minimum: 3) {
                row.peerMedian = q.median
                row.peerQ1 = q.q1
                row.peerQ3 = q.q3
            }
            if let v = value, let q = prefectureQuartiles[spec] ?? nil {
                row.quartile = q.position(of: v)
                // Where the true value may lie: from the interval's lower end to its upper end.
                if r.estimate.reliability != .reference {
                    row.quartileLow = q.position(of: row.ciLow ?? v)
                    row.quartileHigh = q.position(of: row.ciHigh ?? v)
                }
            }
            let respondents = byArea[CellKey(r.code, .respondents)]?.estimate.value ?? 0
            if prefectureRespondents > 0, respondents > dominantShare * prefectureRespondents,
                let p = prefecture[spec], !p.suppressed, !r.suppressed
            {
                row.restOfPrefecture = rest(of: p, without: r)
            }
            // The same change on the establishments that answered both waves, when it is this
            // wave's previous one.
            if let m = matched[CellKey(r.code, spec)], m.previousWave == prev[CellKey(r.code, spec)]?.wave {
                row.panelMatched = m.matched
                row.respondentsChanged = m.respondentTurnover
                if !m.suppressed, let change = m.change {
                    row.panelChange = change
                    row.panelChangeLow = m.ciLow
                    row.panelChangeHigh = m.ciHigh
                }
            }
            if let p = prev[CellKey(r.code, spec)] {
                row.previousWave = p.wave
                row.previousValue = p.suppressed ? nil : p.estimate.value
                if let a = value, let b = row.previousValue {
                    row.change = a - b
                    // Two independent samples: the standard errors add in quadrature.
                    if let se = row.se, let pse = p.estimate.standardError {
                        let changeSE = (se * se + pse * pse).squareRoot()
                        row.changeLow = a - b - z * changeSE
                        row.changeHigh = a - b + z * changeSE
                    }
                }
            }
            out.append(row)
        }
        out = assignFlags(out, wording: wording)
        return out.sorted { ($0.code, $0.indicator.rawValue) < ($1.code, $1.indicator.rawValue) }
    }

    /// The prefecture's value computed without one municipality, from the additive parts.
    static func rest(of p: IndicatorRow, without r: IndicatorRow) -> Double? {
        switch p.indicator.form {
        case .countTotal, .sampleSize, .estimatedTotal:
            guard let a = p.estimate.value, let b = r.estimate.value, p.indicator != .responseRate else { return nil }
            return a - b
        case .ratio, .share, .rate:
            guard let pv = p.estimate.value, let pn = p.estimate.numerator, let pd = p.estimate.denominator,
                let n = r.estimate.numerator, let d = r.estimate.denominator, pd > d, pn > 0
            else { return nil }
            let scale = pv / (pn / pd)
            return (pn - n) / (pd - d) * scale
        case .median:
            return nil
        }
    }

    /// A candidate flag: the row, its direction and how sure the data is (the gap between the
    /// interval and the comparison, in standard errors).
    struct Candidate {
        let index: Int
        let flag: FeedbackFlag
        let comment: String
        let sureness: Double
    }

    /// Flags a value when it differs from its comparison beyond the sampling error — from the
    /// peers' pooled figure, by a difference whose 95% interval leaves out 0 and that is at least
    /// the indicator's smallest difference worth mentioning; else when its whole 95% interval lies
    /// outside the peers' interquartile range, or without peers the prefecture (without the
    /// municipality when it dominates) — then keeps the surest `maxFlags` per municipality.
    static func assignFlags(_ rows: [FeedbackRow], wording: PrefectureWording) -> [FeedbackRow] {
        var rows = rows
        var byCode: [MunicipalityCode: [Candidate]] = [:]
        for (i, r) in rows.enumerated() {
            let spec = r.indicator
            guard let (basis, low, high) = r.comparison, let lo = r.ciLow, let hi = r.ciHigh, let se = r.se else {
                continue
            }
            let against: String
            if case .peers = basis {
                against = basis.japanese(wording) + "の中ほどの半数"
            } else {
                against = basis.japanese(wording)
            }
            let isHigh: Bool
            let sureness: Double
            if basis == .pooledPeers, let value = r.value, let pooledSE = r.peerPooledSE,
                let smallest = spec.smallestDifference
            {
                // The difference of two disjoint samples: beyond its own error, and large enough to
                // be worth a conversation.
                let difference = value - low
                let differenceSE = (se * se + pooledSE * pooledSE).squareRoot()
                guard abs(difference) > Estimate.z95 * differenceSE, abs(difference) >= smallest else { continue }
                isHigh = difference > 0
                sureness =
                    differenceSE > 0 ? (abs(difference) - Estimate.z95 * differenceSE) / differenceSE : .infinity
            } else {
                isHigh = lo > high
                guard isHigh || hi < low else { continue }
                let gap = isHigh ? lo - high : low - hi
                sureness = se > 0 ? gap / se : .infinity
            }
            let (flag, comment) = words(spec, high: isHigh, against: against, wording: wording)
            byCode[r.code, default: []].append(
                Candidate(index: i, flag: flag, comment: comment, sureness: sureness))
        }
        for code in byCode.keys {
            let ranked = byCode[code]!.sorted {
                ($0.sureness, rows[$1.index].indicator.rawValue) > ($1.sureness, rows[$0.index].indicator.rawValue)
            }
            for (n, c) in ranked.prefix(maxFlags).enumerated() {
                rows[c.index].flag = c.flag
                rows[c.index].comment = c.comment
                rows[c.index].flagPriority = n + 1
            }
        }
        return rows
    }

    /// The flag and one sentence, as a prefecture writes to a municipality: polite, supportive,
    /// no instruction, no ranking.
    static func words(_ spec: Indicator, high: Bool, against: String, wording: PrefectureWording) -> (
        FeedbackFlag, String
    ) {
        let name = spec.japanese
        let side = high ? "高く" : "低く"
        let beyond = "\(name)は\(against)より\(side)、その差は調査の誤差を超えています。"
        switch (spec.direction, high) {
        case (.higherIsConcern, true), (.higherIsStrength, false):
            return (.concern, beyond + "背景にあることを、ご一緒に確認できれば幸いです。")
        case (.higherIsConcern, false), (.higherIsStrength, true):
            return (.strength, beyond + "取組の工夫をお聞かせいただければ、他の\(wording.municipalities)の参考になります。")
        default:
            return (.note, "\(name)は\(against)より\(side)なっています（高低が良し悪しを示す指標ではありません）。")
        }
    }

    package static func run(_ ctx: StageContext, _ settings: Settings) throws -> StageResult {
        let published = try RunFiles.indicators.read(ctx)
        let previous = try RunFiles.earlierWaves.read(ctx)
        var groups: [MunicipalityCode: Group] = [:]
        for r in try RunFiles.groups.read(ctx) { groups[r.code] = (r.group, r.label) }
        var neighbours: [MunicipalityCode: [MunicipalityCode]] = [:]
        for r in try RunFiles.neighbours.read(ctx) { neighbours[r.code, default: []].append(r.neighbourCode) }
        let prefectureCode = settings.prefectureCode.municipalityCode
        let inputs = try AggregateStage.loadInputs(ctx, hasWorkers: false, weighting: settings.estimation.weighting)
        var regions: [MunicipalityCode: Region] = [:]
        for m in inputs.master { regions[m.code] = m.region }
        let pooled = PooledPeers.compute(
            inputs, groups: groups.mapValues(\.number), published: published, prefectureCode: prefectureCode,
            minEstablishments: settings.estimation.disclosure.minEstablishments)
        let rows = build(
            published: published, groups: groups, neighbours: neighbours, previous: previous,
            prefectureCode: prefectureCode, wording: PrefectureWording(code: settings.prefectureCode),
            smallArea: try RunFiles.smallArea.read(ctx), pooled: pooled, regions: regions,
            areas: try RunFiles.areas.read(ctx), panel: try RunFiles.panelChanges.read(ctx))
        try RunLayout.makeDirectory(ctx.layout.feedback)
        try RunFiles.summary.write(rows, in: ctx.layout)
        // Every published value over the waves, oldest first, for the trend charts.
        let trends = (previous + published).map(TrendRow.init).sorted {
            ($0.code, $0.indicator.rawValue, $0.wave) < ($1.code, $1.indicator.rawValue, $1.wave)
        }
        try RunFiles.trends.write(trends, in: ctx.layout)
        let flagged = rows.filter { $0.flag != nil }.count
        let withPool = rows.filter { $0.peerPooled != nil }.count
        ctx.logger.info("\(rows.count) rows, \(flagged) flagged, \(withPool) with the peers' pooled figure")
        return StageResult(counts: ["rows": rows.count, "flagged": flagged, "peer_pooled": withPool])
    }
}
