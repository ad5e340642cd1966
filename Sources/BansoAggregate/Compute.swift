import BansoCore

/// One establishment's clean counts (nil = missing), the unit of the cluster estimators.
public struct EstablishmentCounts: Sendable {
    /// The canonical count fields, in the order `raw` holds them.
    public static let fields = FieldSpec.establishmentCounts
    public var municipality: String
    /// Values in `fields` order; NaN marks a missing value (an array, not a dictionary: 90,000
    /// establishments × 15 look-ups per indicator add up).
    public var raw: [Double]
    public var shortage: Int?

    public init(municipality: String, raw: [Double], shortage: Int?) {
        self.municipality = municipality
        self.raw = raw
        self.shortage = shortage
    }

    /// Builds from field names (tests and small callers).
    public init(municipality: String, values: [String: Double], shortage: Int?) {
        self.init(municipality: municipality, raw: Self.fields.map { values[$0] ?? .nan }, shortage: shortage)
    }

    @inline(__always) subscript(_ i: Int) -> Double? { raw[i].isNaN ? nil : raw[i] }

    @inline(__always) func sum(_ a: Int, _ b: Int) -> Double? {
        let x = raw[a] + raw[b]
        return x.isNaN ? nil : x
    }
    var careNow: Double? { sum(0, 1) }
    var allNow: Double? {
        let x = raw[0] + raw[1] + raw[7] + raw[8] + raw[9]
        return x.isNaN ? nil : x
    }
}

/// Per-establishment totals of the worker answers (worker indicators are clustered by establishment).
public struct WorkerCluster: Sendable {
    public var wageSum = 0.0, wageN = 0.0
    public var leave = 0.0, leaveN = 0.0
    public var ageSum = 0.0, ageN = 0.0
    public var tenureSum = 0.0, tenureN = 0.0
    public var workers = 0
    public init() {}

    /// Adds one worker's answers (`intention` is the answer's ASCII byte, 0 when none).
    @inline(__always)
    mutating func add(wage: Double?, intention: UInt8, age: Double?, tenure: Double?) {
        workers += 1
        if let wage { wageSum += wage; wageN += 1 }
        if intention >= 0x31 && intention <= 0x34 {
            leaveN += 1
            if intention == 0x33 { leave += 1 }
        }
        if let age { ageSum += age; ageN += 1 }
        if let tenure { tenureSum += tenure; tenureN += 1 }
    }
}

/// The worker answers of one area: clusters plus the regular wages (for the median).
public struct WorkerGroup: Sendable {
    /// One entry per establishment, in establishment-number order (so sums are deterministic).
    public var clusters: [WorkerCluster] = []
    public var regularWages: [Double] = []
    public init() {}

    public mutating func merge(_ other: WorkerGroup) {
        clusters += other.clusters
        regularWages += other.regularWages
    }
}

/// The inputs of one area (a municipality or the whole prefecture).
public struct AreaData: Sendable {
    /// A slice, so municipalities share the prefecture's array instead of copying it.
    public var establishments: ArraySlice<EstablishmentCounts> = []
    public var workers: WorkerGroup?
    /// Establishments of the area in the frame (nil without a frame).
    public var frameSize: Int?
    public var aged75: Double?
    public init() {}
}

/// Computes every indicator of the contract for one area.
public enum IndicatorComputer {
    /// Indicator name → estimate, for every indicator (worker ones only when `workers` is given).
    public static func compute(_ a: AreaData) -> [String: Estimate] {
        var out: [String: Estimate] = [:]
        let ests = a.establishments
        let n = ests.count
        out["respondents"] = Estimate(value: Double(n), numerator: Double(n), n: n)
        if let big = a.frameSize {
            out["response_rate"] = big > 0
                ? Estimate(value: Double(n) / Double(big) * 100, numerator: Double(n), denominator: Double(big), n: n)
                : Estimate(n: n)
        }
        func total(_ get: (EstablishmentCounts) -> Double?) -> Estimate {
            let vs = ests.compactMap(get)
            guard !vs.isEmpty else { return Estimate(n: 0) }
            let s = vs.reduce(0, +)
            return Estimate(value: s, numerator: s, n: vs.count)
        }
        out["care_staff_total"] = total { $0.careNow }
        out["all_staff_total"] = total { $0.allNow }
        out["fte_total"] = total { $0[10] }

        func ratio(_ pair: (EstablishmentCounts) -> (Double, Double)?) -> Estimate {
            let pairs = ests.compactMap(pair).map { (y: $0.0, x: $0.1) }
            return Estimators.ratio(pairs, scale: 100, frameSize: a.frameSize, percentage: true)
        }
        // Each ratio uses the establishments that have all of its own fields (available cases).
        out["turnover_rate"] = ratio { e in
            guard let y = e.sum(5, 6), let x = e[2] else { return nil }
            return (y, x)
        }
        out["hiring_rate"] = ratio { e in
            guard let y = e.sum(3, 4), let x = e[2] else { return nil }
            return (y, x)
        }
        out["nonregular_share"] = ratio { e in
            guard let y = e[1], let x = e.careNow else { return nil }
            return (y, x)
        }
        out["certified_share"] = ratio { e in
            guard let y = e[11], let x = e.careNow else { return nil }
            return (y, x)
        }
        out["aged_60_plus_share"] = ratio { e in
            guard let y = e[12], let x = e.allNow else { return nil }
            return (y, x)
        }
        out["foreign_share"] = ratio { e in
            guard let y = e[13], let x = e.allNow else { return nil }
            return (y, x)
        }
        out["vacancy_rate"] = ratio { e in
            guard let y = e[14], let c = e.careNow else { return nil }
            return (y, c + y)
        }
        let answered = ests.compactMap(\.shortage).filter { (1...5).contains($0) }
        out["shortage_share"] = Estimators.share(successes: answered.filter { $0 <= 3 }.count, trials: answered.count)
        let care = out["care_staff_total"]!
        if let c = care.value, let p75 = a.aged75, p75 > 0 {
            out["care_staff_per_1000_aged_75"] = Estimate(value: c / p75 * 1000, numerator: c, denominator: p75, n: care.n)
        } else {
            out["care_staff_per_1000_aged_75"] = Estimate(n: care.n)
        }

        if let w = a.workers {
            let clusters = w.clusters
            let count = clusters.reduce(0) { $0 + $1.workers }
            out["workers_responding"] = Estimate(value: Double(count), numerator: Double(count), n: count)
            func clustered(_ y: KeyPath<WorkerCluster, Double>, _ x: KeyPath<WorkerCluster, Double>, scale: Double, percentage: Bool) -> Estimate {
                let pairs = clusters.filter { $0[keyPath: x] > 0 }.map { (y: $0[keyPath: y], x: $0[keyPath: x]) }
                // Worker answers are a sample within establishments: no finite-population correction.
                var e = Estimators.ratio(pairs, scale: scale, frameSize: nil, percentage: percentage)
                e.n = Int(pairs.reduce(0) { $0 + $1.x })
                if pairs.count < 2 { e.ciLow = nil; e.ciHigh = nil }
                return e
            }
            out["mean_monthly_wage_regular"] = clustered(\.wageSum, \.wageN, scale: 1, percentage: false)
            out["intention_to_leave_share"] = clustered(\.leave, \.leaveN, scale: 100, percentage: true)
            out["mean_age"] = clustered(\.ageSum, \.ageN, scale: 1, percentage: false)
            out["mean_tenure_years"] = clustered(\.tenureSum, \.tenureN, scale: 1, percentage: false)
            out["median_monthly_wage_regular"] = Estimate(value: Estimators.median(w.regularWages), n: w.regularWages.count)
        }
        return out
    }
}
