import BansoCore

/// The change of the key rates from the previous wave on a matched panel: the establishments that
/// answered both waves (by 事業所番号, in the same municipality), so that a change is not a change
/// of who answered.
///
/// Both waves' rates are taken over the matched establishments with this wave's weights (the panel
/// is a domain of this wave's sample): d = R₁ − R₀ with Rₜ = Σwyₜ ÷ Σwxₜ. Its standard error is the
/// linearised one of the contrast, zᵢ = wᵢ((y₁ᵢ − R₁x₁ᵢ)/X₁ − (y₀ᵢ − R₀x₀ᵢ)/X₀), over this wave's
/// design (R's `svyratio` of both waves on the domain, then `svycontrast`). The pairing is what
/// makes it precise: an establishment's two answers move together.
package enum PanelChanges {
    /// The rates followed on the panel: the key rates.
    package static let indicators = PanelRow.indicators

    /// This wave's respondents' parts of the key rates, for the next wave (`internal/panel.csv`),
    /// in municipality then 事業所番号 order.
    package static func rows(_ inputs: AggregateStage.Inputs) -> [PanelRow] {
        var out: [PanelRow] = []
        for e in inputs.prefecture.establishments {
            guard let id = EstablishmentID(e.id) else { continue }
            let parts = PanelRow.indicators.map { IndicatorComputer.ratioParts($0, e).map { (y: $0.0, x: $0.1) } }
            guard parts.contains(where: { $0 != nil }) else { continue }
            out.append(PanelRow(establishmentID: id, municipality: e.municipality, parts: parts))
        }
        return out.sorted { ($0.municipality, $0.establishmentID.text) < ($1.municipality, $1.establishmentID.text) }
    }

    /// The change of every key rate of every municipality and the prefecture, with disclosure
    /// control: a change over fewer than `minEstablishments` matched establishments, or of a rate
    /// whose value is suppressed in either wave (with the whole panel, the change and the other
    /// wave's value would give it), is suppressed.
    package static func compute(
        _ inputs: AggregateStage.Inputs, previous: [PanelUnit], previousWave: Wave, published: [IndicatorRow],
        earlier: [IndicatorRow], prefectureCode: MunicipalityCode, prefectureName: String, minEstablishments: Int
    ) -> [PanelChangeRow] {
        var before: [Indicator: [String: PanelUnit]] = [:]
        var previousCount: [CellKey: Int] = [:]
        for u in previous {
            before[u.indicator, default: [:]][u.establishmentID.text] = u
            previousCount[CellKey(u.municipality, u.indicator), default: 0] += 1
            previousCount[CellKey(prefectureCode, u.indicator), default: 0] += 1
        }
        var hidden: Set<CellKey> = []
        for r in published where r.suppressed { hidden.insert(CellKey(r.code, r.indicator)) }
        for r in earlier where r.wave == previousWave && r.suppressed { hidden.insert(CellKey(r.code, r.indicator)) }
        var targets = inputs.master.map { (code: $0.code, name: $0.name, data: inputs.areas[$0.code] ?? AreaData()) }
        targets.append((prefectureCode, prefectureName, inputs.prefecture))
        var rows: [PanelChangeRow] = []
        for t in targets.sorted(by: { $0.code < $1.code }) {
            for indicator in indicators {
                var units: [(now: Estimators.WeightedUnit, then: PanelUnit)] = []
                var respondents = 0
                for e in t.data.establishments {
                    guard let (y, x) = IndicatorComputer.ratioParts(indicator, e) else { continue }
                    respondents += 1
                    guard let then = before[indicator]?[e.id], then.municipality == e.municipality else { continue }
                    units.append((Estimators.WeightedUnit(stratum: e.stratum, weight: e.weight, y: y, x: x), then))
                }
                var row = PanelChangeRow(
                    municipality: t.code, name: t.name, indicator: indicator, previousWave: previousWave,
                    matched: units.count, respondents: respondents,
                    previousRespondents: previousCount[CellKey(t.code, indicator)] ?? 0)
                if units.count < minEstablishments {
                    row.suppressed = units.count > 0
                    row.rule = units.count > 0 ? .threshold : nil
                } else if hidden.contains(CellKey(t.code, indicator)) {
                    row.suppressed = true
                    row.rule = .secondary
                } else if let (change, se) = contrast(units, design: t.data.design, frameSize: t.data.frameSize) {
                    row.change = change * 100
                    row.se = se * 100
                    row.ciLow = (change - Estimate.z95 * se) * 100
                    row.ciHigh = (change + Estimate.z95 * se) * 100
                }
                rows.append(row)
            }
        }
        return rows
    }

    /// R₁ − R₀ over the matched units and its linearised standard error (nil when a wave's
    /// denominator is 0).
    ///
    /// Without weighting the units are a simple random sample of the municipality's frame (the
    /// finite-population correction with the matched count, as the unweighted ratio has it).
    package static func contrast(
        _ units: [(now: Estimators.WeightedUnit, then: PanelUnit)], design: DesignSizes?, frameSize: Int?
    ) -> (Double, Double)? {
        var y1 = 0.0, x1 = 0.0, y0 = 0.0, x0 = 0.0
        for (u, p) in units {
            y1 += u.weight * u.y
            x1 += u.weight * u.x
            y0 += u.weight * p.y
            x0 += u.weight * p.x
        }
        guard x1 > 0, x0 > 0 else { return nil }
        let r1 = y1 / x1, r0 = y0 / x0
        let z = units.map { u, p in u.weight * ((u.y - r1 * u.x) / x1 - (p.y - r0 * p.x) / x0) }
        let variance: Double
        if let design {
            var weighted: [Estimators.WeightedUnit] = []
            for (i, (u, _)) in units.enumerated() {
                // The contrast's linearised value stands in `y`, read back through `z`.
                weighted.append(Estimators.WeightedUnit(stratum: u.stratum, weight: 1, y: z[i]))
            }
            variance = Estimators.variance(weighted, z: { $0.y }, sizes: design)
        } else {
            let n = Double(units.count)
            let mean = z.reduce(0, +) / n
            let ss = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            let fpc = frameSize.map { $0 > 0 ? max(0, 1 - n / Double($0)) : 1 } ?? 1
            variance = units.count > 1 ? fpc * n / (n - 1) * ss : 0
        }
        return (r1 - r0, variance.squareRoot())
    }
}
