import BansoCore

/// The peers' pooled figures: each key rate estimated over the respondents of a municipality's
/// peer group taken together, so that a group whose members are each too small to publish still
/// gives every one of them a figure to compare with.
///
/// The estimator and its standard error are the municipality's own (the same weights and design:
/// the pool is one more domain of the prefecture's sample). Which respondents a pool holds is
/// decided by disclosure control, because pools that overlap can be subtracted from each other:
///
/// - A published member's pool is the group without it (its own value is compared with the rest).
/// - The members whose value is suppressed (S) enter every pool of their group together, or none:
///   a suppressed member's pool is the whole group, itself included, since the group without it
///   subtracted from the group with it would give its own value. What the pools reveal beyond the
///   published cells is then S's union only.
/// - S's union may be revealed when it is `revealable`: at least two municipalities, at least
///   `minEstablishments` respondents, and no member that the others do not protect (they add up to
///   at least `Disclosure.protectionShare` of its numerator and denominator). Otherwise S is left
///   out of every pool of the group, which then pools published members only.
/// - The suppressed members of the groups that leave S out are revealed too, together, by the
///   prefecture total minus everything else; when that remainder is not revealable, groups are
///   made to leave S out, smallest first, until it is.
/// - A pool with fewer than `minEstablishments` respondents gives no figure.
package enum PooledPeers {
    /// The rates pooled: the key rates every municipality needs a comparison for.
    package static let indicators = SmallAreaEstimates.indicators

    /// One municipality's pooled peer figure.
    package struct Figure: Sendable, Equatable {
        package var estimate: Estimate
        /// The municipalities pooled.
        package var members: Int
        /// Which they are, in code order (what the disclosure audit needs; not written).
        package var pool: [MunicipalityCode] = []
        /// The pool holds the municipality itself (its own value is suppressed).
        package var includesSelf: Bool
    }

    /// The figures by municipality and indicator, from the clean inputs, the peer groups and the
    /// published indicators (which say what is suppressed).
    package static func compute(
        _ inputs: AggregateStage.Inputs, groups: [MunicipalityCode: Int], published: [IndicatorRow],
        prefectureCode: MunicipalityCode, minEstablishments: Int
    ) -> [CellKey: Figure] {
        var suppressed: Set<CellKey> = []
        for r in published where r.suppressed && r.code != prefectureCode {
            suppressed.insert(CellKey(r.code, r.indicator))
        }
        var members: [Int: [MunicipalityCode]] = [:]
        for (code, g) in groups where inputs.areas[code] != nil { members[g, default: []].append(code) }
        for g in members.keys { members[g]!.sort() }
        let groupNumbers = members.keys.sorted()
        var out: [CellKey: Figure] = [:]
        for indicator in indicators {
            // Each member's own parts: what a union of suppressed members would reveal.
            var own: [MunicipalityCode: Estimate] = [:]
            for codes in members.values {
                for code in codes { own[code] = IndicatorComputer.estimate(indicator, inputs.areas[code]!) }
            }
            // Per group, its suppressed members with respondents (S), and how many respondents S has.
            var hidden: [Int: [MunicipalityCode]] = [:]
            for g in groupNumbers {
                hidden[g] = members[g]!.filter { suppressed.contains(CellKey($0, indicator)) && (own[$0]?.n ?? 0) > 0 }
            }
            let hiddenRespondents = hidden.mapValues { $0.reduce(0) { $0 + own[$1]!.n } }
            func revealable(_ codes: [MunicipalityCode]) -> Bool {
                guard codes.count >= 2 else { return false }
                let parts = codes.map { own[$0]! }
                guard parts.reduce(0, { $0 + $1.n }) >= minEstablishments else { return false }
                let numerator = parts.reduce(0) { $0 + ($1.numerator ?? 0) }
                let denominator = parts.reduce(0) { $0 + ($1.denominator ?? 0) }
                return parts.allSatisfy { p in
                    numerator - (p.numerator ?? 0) >= Disclosure.protectionShare * (p.numerator ?? 0)
                        && denominator - (p.denominator ?? 0) >= Disclosure.protectionShare * (p.denominator ?? 0)
                }
            }
            var withHidden = Set(groupNumbers.filter { !hidden[$0]!.isEmpty && revealable(hidden[$0]!) })
            while !withHidden.isEmpty {
                let remainder = groupNumbers.filter { !withHidden.contains($0) }.flatMap { hidden[$0]! }
                if remainder.isEmpty || revealable(remainder) { break }
                let smallest = withHidden.min {
                    (hiddenRespondents[$0]!, $0) < (hiddenRespondents[$1]!, $1)
                }!
                withHidden.remove(smallest)
            }
            var pools: [(code: MunicipalityCode, pool: [MunicipalityCode])] = []
            for g in groupNumbers {
                let codes = members[g]!
                let hiddenHere = Set(hidden[g]!)
                let published = codes.filter { !hiddenHere.contains($0) }
                for code in codes {
                    // A published member leaves itself out; a suppressed one is in S, which enters whole.
                    var pool = published.filter { $0 != code }
                    if withHidden.contains(g) { pool += hiddenHere }
                    pools.append((code, pool.sorted()))
                }
            }
            // Each distinct pool once (S's members share theirs), on all cores: the same sums in
            // the same order as one pool after another.
            let distinct = Array(Set(pools.map(\.pool))).sorted { $0.lexicographicallyPrecedes($1) }
            // With a design, each member's units are made once and a pool's are theirs end to end.
            let units: [MunicipalityCode: [Estimators.WeightedUnit]] =
                inputs.prefecture.design == nil
                ? [:]
                : members.values.joined().reduce(into: [:]) { units, code in
                    units[code] = IndicatorComputer.weightedUnits(indicator, inputs.areas[code]!.establishments)
                }
            let estimates = parallelMap(distinct) { estimate(indicator, $0, inputs, units: units) }
            let byPool = Dictionary(uniqueKeysWithValues: zip(distinct, estimates))
            for (code, pool) in pools {
                guard let e = byPool[pool]!, e.value != nil, e.n >= minEstablishments else { continue }
                out[CellKey(code, indicator)] = Figure(
                    estimate: e, members: pool.count, pool: pool, includesSelf: pool.contains(code))
            }
        }
        return out
    }

    /// The indicator over the respondents of `codes` together (nil without any), from the
    /// members' design units when `units` has them all.
    static func estimate(
        _ indicator: Indicator, _ codes: [MunicipalityCode], _ inputs: AggregateStage.Inputs,
        units: [MunicipalityCode: [Estimators.WeightedUnit]] = [:]
    ) -> Estimate? {
        guard !codes.isEmpty else { return nil }
        let areas = codes.map { inputs.areas[$0]! }
        var pool = AreaData()
        pool.design = inputs.prefecture.design
        let frames = areas.compactMap(\.frameSize)
        pool.frameSize = frames.count == areas.count ? frames.reduce(0, +) : nil
        pool.census = areas.allSatisfy(\.census)
        let estimated: Estimate?
        let parts = codes.compactMap { units[$0] }
        if let design = pool.design, parts.count == codes.count {
            var all: [Estimators.WeightedUnit] = []
            all.reserveCapacity(parts.reduce(0) { $0 + $1.count })
            for p in parts { all += p }
            estimated = IndicatorComputer.weighted(indicator, all, design: design, census: pool.census)
        } else {
            pool.establishments = ArraySlice(areas.flatMap(\.establishments))
            estimated = IndicatorComputer.estimate(indicator, pool)
        }
        guard var e = estimated else { return nil }
        e.reliability = AggregateStage.reliability(indicator, e, census: pool.census)
        return e
    }
}
