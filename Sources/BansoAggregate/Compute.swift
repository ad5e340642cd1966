import BansoCore

/// One establishment's clean counts (nil = missing), the unit of the cluster estimators.
package struct EstablishmentCounts: Sendable {
    package var municipality: MunicipalityCode
    /// The establishment number (事業所番号).
    package var id = ""
    /// Its stratum in the sampling design and its design weight (with weighting only).
    package var stratum: Int32 = -1
    package var weight = 1.0
    /// Values indexed by `CountField`; NaN marks a missing value (an array, not a dictionary:
    /// 90,000 establishments × 15 look-ups per indicator add up).
    package var raw: [Double]
    package var shortage: ShortageAnswer?
    /// In the frame under the same municipality (always true without a frame).
    package var inFrame = true

    package init(municipality: MunicipalityCode, raw: [Double], shortage: ShortageAnswer?) {
        self.municipality = municipality
        self.raw = raw
        self.shortage = shortage
    }

    /// Builds from named values (tests and small callers).
    package init(municipality: MunicipalityCode, values: [CountField: Double], shortage: ShortageAnswer?) {
        self.init(municipality: municipality, raw: CountField.allCases.map { values[$0] ?? .nan }, shortage: shortage)
    }

    @inline(__always) subscript(_ f: CountField) -> Double? { raw[f.rawValue].isNaN ? nil : raw[f.rawValue] }

    @inline(__always) func sum(_ a: CountField, _ b: CountField) -> Double? {
        let x = raw[a.rawValue] + raw[b.rawValue]
        return x.isNaN ? nil : x
    }
    var careNow: Double? { sum(.careStaffRegular, .careStaffNonregular) }
    var allNow: Double? {
        let x =
            raw[CountField.careStaffRegular.rawValue] + raw[CountField.careStaffNonregular.rawValue]
            + raw[CountField.nurses.rawValue] + raw[CountField.careManagers.rawValue]
            + raw[CountField.otherStaff.rawValue]
        return x.isNaN ? nil : x
    }
}

/// Per-establishment totals of the worker answers (worker indicators are clustered by establishment).
package struct WorkerCluster: Sendable {
    package var wageSum = 0.0, wageN = 0.0
    package var leave = 0.0, leaveN = 0.0
    package var ageSum = 0.0, ageN = 0.0
    package var tenureSum = 0.0, tenureN = 0.0
    package var workers = 0
    /// The establishment's number, packed (`CodeKey`).
    package var establishment = 0
    /// Its stratum in the worker design and its worker weight (with weighting only).
    package var stratum: Int32 = -1
    package var weight = 1.0
    package init() {}

    /// Adds one worker's answers.
    @inline(__always)
    mutating func add(wage: Double?, intention: IntentionAnswer?, age: Double?, tenure: Double?) {
        workers += 1
        if let wage {
            wageSum += wage
            wageN += 1
        }
        if let intention {
            leaveN += 1
            if intention == .leaveCare { leave += 1 }
        }
        if let age {
            ageSum += age
            ageN += 1
        }
        if let tenure {
            tenureSum += tenure
            tenureN += 1
        }
    }
}

/// The worker answers of one area: clusters plus the regular wages (for the median).
package struct WorkerGroup: Sendable {
    /// One entry per establishment, in establishment-number order (so sums are deterministic).
    package var clusters: [WorkerCluster] = []
    package var regularWages: [Double] = []
    /// Each regular wage's establishment (`CodeKey`), to weight it.
    package var regularWageEstablishments: [Int] = []
    /// Each regular wage's worker weight (with weighting only).
    package var regularWageWeights: [Double] = []
    package init() {}

    package mutating func merge(_ other: WorkerGroup) {
        clusters += other.clusters
        regularWages += other.regularWages
        regularWageEstablishments += other.regularWageEstablishments
        regularWageWeights += other.regularWageWeights
    }
}

/// The inputs of one area (a municipality or the whole prefecture).
package struct AreaData: Sendable {
    /// A slice, so municipalities share the prefecture's array instead of copying it.
    package var establishments: ArraySlice<EstablishmentCounts> = []
    package var workers: WorkerGroup?
    /// Establishments of the area in the frame (nil without a frame).
    package var frameSize: Int?
    package var aged75: Double?
    /// The establishment design's stratum sizes: set when figures are weighted.
    package var design: DesignSizes?
    /// The worker design's (n counts establishments with answering workers).
    package var workerDesign: DesignSizes?
    /// Every frame establishment of the area answered (全数): no sampling error.
    package var census = false
    package init() {}
}

/// Computes every indicator of the contract for one area.
package enum IndicatorComputer {
    /// Indicator → estimate, for every indicator the area's data measures (worker ones only when
    /// `workers` is given, the response rate only with a frame).
    package static func compute(_ a: AreaData) -> [Indicator: Estimate] {
        var out: [Indicator: Estimate] = [:]
        for indicator in Indicator.allCases {
            if let e = estimate(indicator, a) { out[indicator] = e }
        }
        return out
    }

    /// What one establishment adds to a count total or an estimated total.
    ///
    /// nil when the value is missing or the indicator is not a total. The dominance rule reads
    /// the same values.
    static func contribution(_ indicator: Indicator, _ e: EstablishmentCounts) -> Double? {
        switch indicator {
        case .careStaffTotal, .estimatedCareStaff: e.careNow
        case .allStaffTotal: e.allNow
        case .fteTotal: e[.fteTotal]
        case .estimatedHires: e.sum(.hiresRegular, .hiresNonregular)
        case .estimatedSeparations: e.sum(.separationsRegular, .separationsNonregular)
        case .estimatedVacancies: e[.vacancies]
        case .respondents, .responseRate, .turnoverRate, .hiringRate, .nonregularShare, .certifiedShare,
            .aged60PlusShare, .foreignShare, .vacancyRate, .shortageShare, .careStaffPer1000Aged75,
            .workersResponding, .meanMonthlyWageRegular, .medianMonthlyWageRegular, .intentionToLeaveShare,
            .meanAge, .meanTenureYears:
            nil
        }
    }

    /// One establishment's numerator and denominator of an establishment ratio (nil when it lacks
    /// one of the fields: each ratio uses the establishments that have all of its own, available
    /// cases), and for 不足感 1 or 0 over 1.
    package static func ratioParts(_ indicator: Indicator, _ e: EstablishmentCounts) -> (Double, Double)? {
        switch indicator {
        case .turnoverRate:
            guard let y = e.sum(.separationsRegular, .separationsNonregular), let x = e[.careStaffYearAgo] else {
                return nil
            }
            return (y, x)
        case .hiringRate:
            guard let y = e.sum(.hiresRegular, .hiresNonregular), let x = e[.careStaffYearAgo] else { return nil }
            return (y, x)
        case .nonregularShare:
            guard let y = e[.careStaffNonregular], let x = e.careNow else { return nil }
            return (y, x)
        case .certifiedShare:
            guard let y = e[.certifiedCareWorkers], let x = e.careNow else { return nil }
            return (y, x)
        case .aged60PlusShare:
            guard let y = e[.staffAged60Plus], let x = e.allNow else { return nil }
            return (y, x)
        case .foreignShare:
            guard let y = e[.foreignStaff], let x = e.allNow else { return nil }
            return (y, x)
        case .vacancyRate:
            guard let y = e[.vacancies], let c = e.careNow else { return nil }
            return (y, c + y)
        case .shortageShare:
            return e.shortage.map { ($0.feelsShort ? 1 : 0, 1) }
        default:
            return nil
        }
    }

    /// The design's units for a rate over establishments (the ratios and 不足感): one per
    /// establishment that has all of the rate's fields, in the establishments' order; nil for
    /// any other indicator.
    ///
    /// A domain's estimate depends on its units alone, so a union of areas (the peers' pools)
    /// is estimated from their units put end to end, without copying the establishments.
    static func weightedUnits(_ indicator: Indicator, _ ests: ArraySlice<EstablishmentCounts>)
        -> [Estimators.WeightedUnit]?
    {
        switch indicator {
        case .turnoverRate, .hiringRate, .nonregularShare, .certifiedShare, .aged60PlusShare, .foreignShare,
            .vacancyRate:
            return ests.compactMap { e in
                ratioParts(indicator, e).map {
                    Estimators.WeightedUnit(stratum: e.stratum, weight: e.weight, y: $0.0, x: $0.1)
                }
            }
        case .shortageShare:
            return ests.compactMap { e -> Estimators.WeightedUnit? in
                guard let s = e.shortage else { return nil }
                return Estimators.WeightedUnit(stratum: e.stratum, weight: e.weight, y: s.feelsShort ? 1 : 0)
            }
        default:
            return nil
        }
    }

    /// The weighted estimate of a rate over establishments from its units (`weightedUnits`).
    static func weighted(
        _ indicator: Indicator, _ units: [Estimators.WeightedUnit], design: DesignSizes, census: Bool
    ) -> Estimate {
        indicator == .shortageShare
            ? Estimators.weightedShare(units, sizes: design, census: census)
            : Estimators.weightedRatio(units, sizes: design, scale: 100, percentage: true)
    }

    /// The indicators that add establishments' contributions up.
    static let totals = Indicator.allCases.filter { $0.form == .countTotal || $0.form == .estimatedTotal }

    /// The formula of every indicator, in one exhaustive switch.
    ///
    /// A new indicator does not compile until it has one. nil when the area's data does not measure it (no worker survey, no frame).
    static func estimate(_ indicator: Indicator, _ a: AreaData) -> Estimate? {
        let ests = a.establishments
        let n = ests.count
        func total(_ get: (EstablishmentCounts) -> Double?) -> Estimate {
            let vs = ests.compactMap(get)
            guard !vs.isEmpty else { return Estimate(n: 0) }
            let s = vs.reduce(0, +)
            return Estimate(value: s, numerator: s, n: vs.count)
        }
        // Each ratio uses the establishments that have all of its own fields (available cases).
        func ratio() -> Estimate {
            if let design = a.design, let units = weightedUnits(indicator, ests) {
                return weighted(indicator, units, design: design, census: a.census)
            }
            let pairs = ests.compactMap { ratioParts(indicator, $0) }.map { (y: $0.0, x: $0.1) }
            return Estimators.ratio(pairs, scale: 100, frameSize: a.frameSize, percentage: true)
        }
        // Estimated totals: weighted only (nil without a design).
        func estimatedTotal(_ get: (EstablishmentCounts) -> Double?) -> Estimate? {
            guard let design = a.design else { return nil }
            let units = ests.compactMap { e in
                get(e).map { Estimators.WeightedUnit(stratum: e.stratum, weight: e.weight, y: $0) }
            }
            return Estimators.weightedTotal(units, sizes: design)
        }
        // Worker means and shares: ratios over establishment clusters. Closures rather than key
        // paths: a key path is looked up at run time for every cluster.
        func clustered(
            _ y: (WorkerCluster) -> Double, _ x: (WorkerCluster) -> Double, scale: Double, percentage: Bool
        ) -> Estimate? {
            guard let w = a.workers else { return nil }
            if let design = a.workerDesign {
                let units = w.clusters.filter { x($0) > 0 }.map {
                    Estimators.WeightedUnit(stratum: $0.stratum, weight: $0.weight, y: y($0), x: x($0))
                }
                var e = Estimators.weightedRatio(units, sizes: design, scale: scale, percentage: percentage)
                e.n = Int(units.reduce(0) { $0 + $1.x })
                return e
            }
            let pairs = w.clusters.filter { x($0) > 0 }.map { (y: y($0), x: x($0)) }
            // Worker answers are a sample within establishments: no finite-population correction.
            var e = Estimators.ratio(pairs, scale: scale, frameSize: nil, percentage: percentage)
            e.n = Int(pairs.reduce(0) { $0 + $1.x })
            if pairs.count < 2 {
                e.ciLow = nil
                e.ciHigh = nil
                e.se = nil
                e.method = nil
            }
            return e
        }
        switch indicator {
        case .respondents:
            return Estimate(value: Double(n), numerator: Double(n), n: n)
        case .responseRate:
            guard let big = a.frameSize else { return nil }
            // Respondents missing from the frame are not part of it: counting them could give 184%.
            let framed = ests.filter(\.inFrame).count
            return big > 0
                ? Estimate(
                    value: min(100, Double(framed) / Double(big) * 100), numerator: Double(framed),
                    denominator: Double(big), n: n)
                : Estimate(n: n)
        case .careStaffTotal, .allStaffTotal, .fteTotal:
            return total { contribution(indicator, $0) }
        case .turnoverRate, .hiringRate, .nonregularShare, .certifiedShare, .aged60PlusShare, .foreignShare,
            .vacancyRate:
            return ratio()
        case .shortageShare:
            if let design = a.design, let units = weightedUnits(indicator, ests) {
                return weighted(indicator, units, design: design, census: a.census)
            }
            let answered = ests.compactMap(\.shortage)
            return Estimators.share(successes: answered.filter(\.feelsShort).count, trials: answered.count)
        case .careStaffPer1000Aged75:
            let care = total { $0.careNow }
            guard let c = care.value, let p75 = a.aged75, p75 > 0 else { return Estimate(n: care.n) }
            return Estimate(value: c / p75 * 1000, numerator: c, denominator: p75, n: care.n)
        case .workersResponding:
            guard let w = a.workers else { return nil }
            let count = w.clusters.reduce(0) { $0 + $1.workers }
            return Estimate(value: Double(count), numerator: Double(count), n: count)
        case .meanMonthlyWageRegular:
            return clustered({ $0.wageSum }, { $0.wageN }, scale: 1, percentage: false)
        case .medianMonthlyWageRegular:
            guard let w = a.workers else { return nil }
            if a.workerDesign != nil {
                return Estimate(
                    value: Estimators.weightedMedian(Array(zip(w.regularWages, w.regularWageWeights))),
                    n: w.regularWages.count)
            }
            return Estimate(value: Estimators.median(w.regularWages), n: w.regularWages.count)
        case .estimatedCareStaff, .estimatedHires, .estimatedSeparations, .estimatedVacancies:
            return estimatedTotal { contribution(indicator, $0) }
        case .intentionToLeaveShare:
            return clustered({ $0.leave }, { $0.leaveN }, scale: 100, percentage: true)
        case .meanAge:
            return clustered({ $0.ageSum }, { $0.ageN }, scale: 1, percentage: false)
        case .meanTenureYears:
            return clustered({ $0.tenureSum }, { $0.tenureN }, scale: 1, percentage: false)
        }
    }
}
