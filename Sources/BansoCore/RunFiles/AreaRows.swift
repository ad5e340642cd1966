/// The columns an `Estimate` is spread over, shared by every file that writes one.
///
/// A row type's column enum lists these cases (with the same raw values) among its own; the
/// estimate then reads and writes itself through them.
package protocol EstimateColumns: CodingKey {
    static var value: Self { get }
    static var numerator: Self { get }
    static var denominator: Self { get }
    static var n: Self { get }
    static var ciLow: Self { get }
    static var ciHigh: Self { get }
    static var se: Self { get }
    static var intervalMethod: Self { get }
    static var cv: Self { get }
    static var reliability: Self { get }
}

extension Estimate {
    /// Reads the estimate's cells of one row (the cv follows from the rest and is not read back).
    package init<K: EstimateColumns>(from c: KeyedDecodingContainer<K>) throws {
        let number = { (key: K) in try c.decodeIfPresent(Double.self, forKey: key) }
        self.init(
            value: try number(.value), numerator: try number(.numerator), denominator: try number(.denominator),
            n: try c.decode(Int.self, forKey: .n), ciLow: try number(.ciLow), ciHigh: try number(.ciHigh),
            se: try number(.se), method: try c.decodeIfPresent(IntervalMethod.self, forKey: .intervalMethod))
        reliability = try c.decodeIfPresent(Reliability.self, forKey: .reliability)
    }

    /// Writes the estimate's cells of one row, the cv included for readers.
    package func encode<K: EstimateColumns>(into c: inout KeyedEncodingContainer<K>) throws {
        try c.encodeIfPresent(value, forKey: .value)
        try c.encodeIfPresent(numerator, forKey: .numerator)
        try c.encodeIfPresent(denominator, forKey: .denominator)
        try c.encode(n, forKey: .n)
        try c.encodeIfPresent(ciLow, forKey: .ciLow)
        try c.encodeIfPresent(ciHigh, forKey: .ciHigh)
        try c.encodeIfPresent(se, forKey: .se)
        try c.encodeIfPresent(method, forKey: .intervalMethod)
        try c.encodeIfPresent(cv, forKey: .cv)
        try c.encodeIfPresent(reliability, forKey: .reliability)
    }
}

/// One row of `aggregate/areas.csv` and `aggregate/service_groups.csv`: an indicator for a 圏域 or
/// the prefecture, for all establishments or one service group.
package struct AreaIndicatorRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, EstimateColumns {
        case wave
        /// Empty for the prefecture.
        case regionCode = "region_code"
        /// The 圏域's name, or the prefecture's.
        case regionName = "region_name"
        /// Empty for all establishments.
        case serviceGroup = "service_group"
        case indicator, value, numerator, denominator, n
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
        case se
        case intervalMethod = "interval_method"
        case cv
        case reliability
        case suppressed
        case suppressionRule = "suppression_rule"
    }

    package var wave: Wave
    /// nil: the prefecture.
    package var region: RegionCode?
    package var name: String
    /// nil: every service group.
    package var serviceGroup: String?
    package var indicator: Indicator
    package var estimate: Estimate
    package var suppressed = false
    package var rule: SuppressionRule?
    /// The largest single establishment's contribution and the respondents' own sum (dominance
    /// rule; count totals only; not written).
    package var largestContribution: Double?
    package var respondentSum: Double?

    package init(
        wave: Wave, region: RegionCode?, name: String, serviceGroup: String?, indicator: Indicator, estimate: Estimate
    ) {
        self.wave = wave
        self.region = region
        self.name = name
        self.serviceGroup = serviceGroup
        self.indicator = indicator
        self.estimate = estimate
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Column.self)
        let wave = try c.decode(Wave.self, forKey: .wave)
        let region = try c.decodeIfPresent(RegionCode.self, forKey: .regionCode)
        let name = try c.decode(String.self, forKey: .regionName)
        let group = try c.decodeIfPresent(String.self, forKey: .serviceGroup)
        let indicator = try c.decode(Indicator.self, forKey: .indicator)
        self.init(
            wave: wave, region: region, name: name, serviceGroup: group?.isEmpty == false ? group : nil,
            indicator: indicator, estimate: try Estimate(from: c))
        suppressed = try c.decode(Bool.self, forKey: .suppressed)
        rule = try c.decodeIfPresent(SuppressionRule.self, forKey: .suppressionRule)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Column.self)
        try c.encode(wave, forKey: .wave)
        try c.encodeIfPresent(region, forKey: .regionCode)
        try c.encode(name, forKey: .regionName)
        try c.encodeIfPresent(serviceGroup, forKey: .serviceGroup)
        try c.encode(indicator, forKey: .indicator)
        try estimate.encode(into: &c)
        try c.encode(suppressed, forKey: .suppressed)
        try c.encodeIfPresent(rule, forKey: .suppressionRule)
    }

    /// The row as it may leave the prefecture: a suppressed cell keeps only its identity, n and rule.
    package var published: AreaIndicatorRow {
        guard suppressed else { return self }
        var copy = self
        copy.estimate = Estimate(n: estimate.n)
        copy.largestContribution = nil
        copy.respondentSum = nil
        return copy
    }
}
