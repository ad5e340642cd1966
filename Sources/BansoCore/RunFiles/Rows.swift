import Foundation

// The row types of the CSV files that cross stage boundaries, each with its columns, one reader
// (`init(_:)`) and one writer (`cells`). The descriptors that place them in a run folder are in
// `RunFiles`.

/// A value with the parts that made it and its interval (nil = empty cell).
package struct Estimate: Equatable, Sendable {
    /// The normal quantile of every 95% interval of the program (the one place it is written).
    package static let z95 = 1.959963984540054

    package var value: Double?
    package var numerator: Double?
    package var denominator: Double?
    package var n: Int
    package var ciLow: Double?
    package var ciHigh: Double?
    /// The standard error, in the value's own unit (percentage points for a percentage): what a
    /// difference or a change is judged by, since the interval may be clipped or asymmetric.
    package var se: Double?
    /// How the interval was made from the standard error.
    package var method: IntervalMethod?
    /// 全数 or 参考値, when either applies.
    package var reliability: Reliability?

    package init(
        value: Double? = nil, numerator: Double? = nil, denominator: Double? = nil, n: Int,
        ciLow: Double? = nil, ciHigh: Double? = nil, se: Double? = nil, method: IntervalMethod? = nil
    ) {
        self.value = value
        self.numerator = numerator
        self.denominator = denominator
        self.n = n
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.se = se
        self.method = method
    }

    /// The coefficient of variation SE ÷ |value| (nil without an SE or at 0).
    package var cv: Double? {
        guard let se, let value, value != 0 else { return nil }
        return se / abs(value)
    }

    /// The standard error, or for an estimate stored without one (a wave loaded by an earlier
    /// version) half its interval's width over z — exact for an unclipped normal interval.
    package var standardError: Double? {
        if let se { return se }
        guard let lo = ciLow, let hi = ciHigh else { return nil }
        return (hi - lo) / (2 * Self.z95)
    }
}

/// How far a value can be relied on (`reliability` in `indicators.csv`).
package enum Reliability: String, Sendable, Codable, CaseIterable {
    /// Every establishment of the area's frame answered: exact, no sampling error (全数). It is
    /// compared like any other value.
    case census
    /// A coefficient of variation over `maxCV`: published as 参考値, never flagged, never the
    /// basis of a 達成.
    case reference

    /// The largest coefficient of variation of a value published plainly (30%).
    package static let maxCV = 0.30

    /// The mark printed beside the value.
    package var japanese: String {
        switch self {
        case .census: "全数"
        case .reference: "参考値"
        }
    }
}

/// How an estimate's 95% interval was made (`interval_method` in `indicators.csv`).
package enum IntervalMethod: String, Sendable, Codable {
    /// value ± z·SE with a linearised (Taylor) standard error of a ratio over establishments,
    /// clipped at 0 (and at 100 for percentages).
    case linearised
    /// The Wilson score interval of a share; the SE beside it is the binomial one at the interval's
    /// centre (Agresti–Coull), never 0 at 0% or 100%.
    case wilson
}

// MARK: clean

/// A municipality of the master, as clean wrote it (`clean/master.csv`).
package struct MasterEntry: RunFileRow, Equatable {
    enum CodingKeys: String, CodingKey {
        case code = "municipality_code"
        case name = "municipality_name"
        case population
        case aged65 = "population_65_plus"
        case aged75 = "population_75_plus"
        case area = "area_km2"
        case email = "contact_email"
        case department, classification
        case regionCode = "region_code"
        case regionName = "region_name"
    }
    package typealias Column = MasterField
    package var code: MunicipalityCode
    package var name: String
    package var population: Double
    package var aged65: Double
    package var aged75: Double
    package var area: Double
    package var email: String
    /// The section a packet is addressed to (担当課); empty when the master has none.
    package var department: String
    /// The prefecture's classification (類型), for `[peers] basis = "type"`; empty when none.
    package var classification: String
    /// The 圏域 the municipality belongs to (with `regionName`); nil when the master has none.
    package var regionCode: RegionCode?
    package var regionName: String

    package init(
        code: MunicipalityCode, name: String, population: Double, aged65: Double, aged75: Double, area: Double,
        email: String, department: String = "", classification: String = "", region: Region? = nil
    ) {
        self.code = code
        self.name = name
        self.population = population
        self.aged65 = aged65
        self.aged75 = aged75
        self.area = area
        self.email = email
        self.department = department
        self.classification = classification
        regionCode = region?.code
        regionName = region?.name ?? ""
    }

    /// The municipality's 圏域, when the master names one.
    package var region: Region? { regionCode.map { Region(code: $0, name: regionName) } }
}

extension MasterField: RunFileColumns {}
extension FrameField: RunFileColumns {}
extension ModelProjectField: RunFileColumns {}

/// An establishment of the frame (`clean/frame.csv`).
package struct FrameEntry: RunFileRow, Equatable {
    enum CodingKeys: String, CodingKey {
        case establishmentID = "establishment_id"
        case municipality = "municipality_code"
        case serviceType = "service_type"
    }
    package typealias Column = FrameField
    package var establishmentID: EstablishmentID
    package var municipality: MunicipalityCode
    package var serviceType: String

    package init(establishmentID: EstablishmentID, municipality: MunicipalityCode, serviceType: String) {
        self.establishmentID = establishmentID
        self.municipality = municipality
        self.serviceType = serviceType
    }

}

/// A model project (モデル事業) as clean wrote it (`clean/model_projects.csv`).
package struct ModelProject: RunFileRow, Equatable {
    enum CodingKeys: String, CodingKey {
        case municipality = "municipality_code"
        case name = "project_name"
        case theme
        case fiscalYear = "fiscal_year"
        case summary
        case area
        case outcomeIndicator = "outcome_indicator"
        case outcomeBefore = "outcome_before"
        case outcomeAfter = "outcome_after"
        case outcomeYear = "outcome_year"
    }
    package typealias Column = ModelProjectField
    package var municipality: MunicipalityCode
    package var name: String
    package var theme: String
    package var fiscalYear: String
    package var summary: String
    /// The roadmap 領域 (its own or its テーマ's; empty when neither is known).
    package var area = ""
    /// What it changed, when measured: the measure's name, before and after, and the 年度.
    package var outcomeIndicator = ""
    package var outcomeBefore: Double?
    package var outcomeAfter: Double?
    package var outcomeYear = ""

    package init(municipality: MunicipalityCode, name: String, theme: String, fiscalYear: String, summary: String) {
        self.municipality = municipality
        self.name = name
        self.theme = theme
        self.fiscalYear = fiscalYear
        self.summary = summary
    }

    /// 「離職率（%） 15.0 → 12.5（令和6年度）」, only when an outcome was given.
    package var outcome: String {
        guard !outcomeIndicator.isEmpty, let before = outcomeBefore, let after = outcomeAfter else { return "" }
        return "\(outcomeIndicator) \(formatNumber(before)) → \(formatNumber(after))"
            + (outcomeYear.isEmpty ? "" : "（\(outcomeYear)）")
    }

}

/// The columns of `rejects.csv` and `warnings.csv`.
package enum FindingColumn: String, RunFileColumns, CodingKey {
    case file, line
    case establishmentID = "establishment_id"
    case field, rule, value, message
}

extension Finding: RunFileRow {
    package typealias Column = FindingColumn
}

/// Rejected rows of one municipality under one rule (`clean/quality.csv`, for the packets).
package struct QualityCount: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case municipality = "municipality_code"
        case kind, rule, rows
    }
    typealias CodingKeys = Column
    package var municipality: MunicipalityCode
    package var kind: InputKind
    package var rule: Rule
    package var rows: Int

    package init(municipality: MunicipalityCode, kind: InputKind, rule: Rule, rows: Int) {
        self.municipality = municipality
        self.kind = kind
        self.rule = rule
        self.rows = rows
    }

}

/// The columns of `clean/establishments.csv`: the same as ingest's copy of a survey file, with
/// typed values.
package typealias CleanEstablishmentColumn = SourcedColumn<EstablishmentField>

/// The columns of `clean/workers.csv`: the worker's fields with its establishment's municipality.
package enum CleanWorkerColumn: String, RunFileColumns {
    case sourceFile = "source_file"
    case sourceLine = "source_line"
    case establishmentID = "establishment_id"
    case municipalityCode = "municipality_code"
    case occupation
    case employmentType = "employment_type"
    case sex, age
    case tenureYears = "tenure_years"
    case monthlyWage = "monthly_wage"
    case intentionToContinue = "intention_to_continue"
}

// MARK: aggregate

/// One row of `indicators.csv` (published, internal and previous wave alike).
package struct IndicatorRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, EstimateColumns {
        case wave
        case municipalityCode = "municipality_code"
        case municipalityName = "municipality_name"
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
    package var code: MunicipalityCode
    package var name: String
    package var indicator: Indicator
    package var estimate: Estimate
    package var suppressed = false
    package var rule: SuppressionRule?
    /// The largest single establishment's contribution (dominance rule; count totals only; not written).
    package var largestContribution: Double?
    /// The respondents' own sum the largest contribution is compared with (not written; the value
    /// itself when nil).
    package var respondentSum: Double?

    package init(
        wave: Wave, code: MunicipalityCode, name: String, indicator: Indicator, estimate: Estimate,
        largestContribution: Double? = nil
    ) {
        self.wave = wave
        self.code = code
        self.name = name
        self.indicator = indicator
        self.estimate = estimate
        self.largestContribution = largestContribution
    }

    /// Written out because the estimate is spread over columns (its cv follows from the rest and
    /// is written for readers, not read back); the dominance figures are not written.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Column.self)
        // In column order, so a malformed row is reported at its first bad cell.
        let wave = try c.decode(Wave.self, forKey: .wave)
        let code = try c.decode(MunicipalityCode.self, forKey: .municipalityCode)
        let name = try c.decode(String.self, forKey: .municipalityName)
        let indicator = try c.decode(Indicator.self, forKey: .indicator)
        self.init(wave: wave, code: code, name: name, indicator: indicator, estimate: try Estimate(from: c))
        suppressed = try c.decode(Bool.self, forKey: .suppressed)
        rule = try c.decodeIfPresent(SuppressionRule.self, forKey: .suppressionRule)
    }

    /// Every value, suppressed or not (internal files only).
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Column.self)
        let e = estimate
        try c.encode(wave, forKey: .wave)
        try c.encode(code, forKey: .municipalityCode)
        try c.encode(name, forKey: .municipalityName)
        try c.encode(indicator, forKey: .indicator)
        try e.encode(into: &c)
        try c.encode(suppressed, forKey: .suppressed)
        try c.encodeIfPresent(rule, forKey: .suppressionRule)
    }

    /// The row as it may leave the prefecture: a suppressed cell keeps only its identity, n and rule.
    package var published: IndicatorRow {
        guard suppressed else { return self }
        var copy = self
        copy.estimate = Estimate(n: estimate.n)
        copy.largestContribution = nil
        return copy
    }
}

// MARK: peers

/// The columns of `peers/features.csv`: each feature raw and standardised, then those imputed.
package enum FeatureColumn: String, RunFileColumns, CodingKey {
    case municipalityCode = "municipality_code"
    case municipalityName = "municipality_name"
    case logPopulationRaw = "log_population_raw"
    case aged65ShareRaw = "aged_65_share_raw"
    case aged75ShareRaw = "aged_75_share_raw"
    case logDensityRaw = "log_density_raw"
    case careStaffPer1000Aged75Raw = "care_staff_per_1000_aged_75_raw"
    case turnoverRateRaw = "turnover_rate_raw"
    case shortageShareRaw = "shortage_share_raw"
    case logPopulationZ = "log_population_z"
    case aged65ShareZ = "aged_65_share_z"
    case aged75ShareZ = "aged_75_share_z"
    case logDensityZ = "log_density_z"
    case careStaffPer1000Aged75Z = "care_staff_per_1000_aged_75_z"
    case turnoverRateZ = "turnover_rate_z"
    case shortageShareZ = "shortage_share_z"
    case imputed

    /// The raw and standardised columns of a feature.
    package static func columns(_ f: PeerFeature) -> (raw: Self, z: Self) {
        (Self(rawValue: f.rawValue + "_raw")!, Self(rawValue: f.rawValue + "_z")!)
    }
}

/// The peer features of one municipality (`peers/features.csv`).
package struct FeatureRow: RunFileRow, Equatable {
    package typealias Column = FeatureColumn
    package var code: MunicipalityCode
    package var name: String
    /// Raw values in `PeerFeature.allCases` order (nil = missing or suppressed).
    package var raw: [Double?]
    /// Standardised (mean 0, SD 1), weighted by sqrt(weight); a missing feature is 0.
    package var z: [Double]

    package init(code: MunicipalityCode, name: String, raw: [Double?], z: [Double]) {
        self.code = code
        self.name = name
        self.raw = raw
        self.z = z
    }

    /// Written out because each feature has two columns, and `imputed` follows from `raw`
    /// (written for readers, not read back).
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Column.self)
        let columns = PeerFeature.allCases.map(FeatureColumn.columns)
        self.init(
            code: try c.decode(MunicipalityCode.self, forKey: .municipalityCode),
            name: try c.decode(String.self, forKey: .municipalityName),
            raw: try columns.map { try c.decodeIfPresent(Double.self, forKey: $0.raw) },
            z: try columns.map { try c.decode(Double.self, forKey: $0.z) })
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Column.self)
        try c.encode(code, forKey: .municipalityCode)
        try c.encode(name, forKey: .municipalityName)
        for (i, columns) in PeerFeature.allCases.map(FeatureColumn.columns).enumerated() {
            try c.encodeIfPresent(raw[i], forKey: columns.raw)
            try c.encode(z[i], forKey: columns.z)
        }
        try c.encode(imputed.map(\.rawValue), forKey: .imputed)
    }

    /// The features the municipality lacks (set to the mean).
    package var imputed: [PeerFeature] {
        PeerFeature.allCases.indices.filter { raw[$0] == nil }.map { PeerFeature.allCases[$0] }
    }
}

/// The mean silhouette of one k tried (`peers/k_selection.csv`).
package struct KSelectionRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case k
        case meanSilhouette = "mean_silhouette"
        case chosen
    }
    typealias CodingKeys = Column
    package var k: Int
    package var meanSilhouette: Double?
    package var chosen: Bool

    package init(k: Int, meanSilhouette: Double?, chosen: Bool) {
        self.k = k
        self.meanSilhouette = meanSilhouette
        self.chosen = chosen
    }

}

/// A municipality's peer group (`peers/groups.csv`).
package struct PeerGroupRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case code = "municipality_code"
        case name = "municipality_name"
        case group
        case label = "group_label"
        case size = "group_size"
    }
    typealias CodingKeys = Column
    package var code: MunicipalityCode
    package var name: String
    package var group: Int
    package var label: String
    package var size: Int

    package init(code: MunicipalityCode, name: String, group: Int, label: String, size: Int) {
        self.code = code
        self.name = name
        self.group = group
        self.label = label
        self.size = size
    }

}

/// One of a municipality's nearest municipalities (`peers/neighbours.csv`).
package struct NeighbourRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case code = "municipality_code"
        case name = "municipality_name"
        case order
        case neighbourCode = "neighbour_code"
        case neighbourName = "neighbour_name"
        case distance, similarity
        case closestFeatures = "closest_features"
        case sameGroup = "same_group"
    }
    typealias CodingKeys = Column
    package var code: MunicipalityCode
    package var name: String
    package var order: Int
    package var neighbourCode: MunicipalityCode
    package var neighbourName: String
    package var distance: Double
    package var similarity: Double
    package var closestFeatures: [PeerFeature]
    package var sameGroup: Bool

    package init(
        code: MunicipalityCode, name: String, order: Int, neighbourCode: MunicipalityCode, neighbourName: String,
        distance: Double,
        similarity: Double, closestFeatures: [PeerFeature], sameGroup: Bool
    ) {
        self.code = code
        self.name = name
        self.order = order
        self.neighbourCode = neighbourCode
        self.neighbourName = neighbourName
        self.distance = distance
        self.similarity = similarity
        self.closestFeatures = closestFeatures
        self.sameGroup = sameGroup
    }

}

/// A candidate for rolling out one model project (`peers/rollout.csv`).
package struct RolloutRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case projectMunicipality = "project_municipality_code"
        case projectName = "project_name"
        case theme, order
        case candidateCode = "candidate_code"
        case candidateName = "candidate_name"
        case sameGroup = "same_group"
        case distance, similarity, reason
    }
    typealias CodingKeys = Column
    package var projectMunicipality: MunicipalityCode
    package var projectName: String
    package var theme: String
    package var order: Int
    package var candidateCode: MunicipalityCode
    package var candidateName: String
    package var sameGroup: Bool
    package var distance: Double
    package var similarity: Double
    package var reason: String

    package init(
        projectMunicipality: MunicipalityCode, projectName: String, theme: String, order: Int,
        candidateCode: MunicipalityCode,
        candidateName: String, sameGroup: Bool, distance: Double, similarity: Double, reason: String
    ) {
        self.projectMunicipality = projectMunicipality
        self.projectName = projectName
        self.theme = theme
        self.order = order
        self.candidateCode = candidateCode
        self.candidateName = candidateName
        self.sameGroup = sameGroup
        self.distance = distance
        self.similarity = similarity
        self.reason = reason
    }

}

/// A model project suggested to a municipality (`peers/suggestions.csv`).
package struct SuggestionRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case code = "municipality_code"
        case projectMunicipality = "project_municipality_code"
        case projectMunicipalityName = "project_municipality_name"
        case projectName = "project_name"
        case theme
        case fiscalYear = "fiscal_year"
        case relation, distance, summary
        case area, outcome
    }
    typealias CodingKeys = Column
    package var code: MunicipalityCode
    package var projectMunicipality: MunicipalityCode
    package var projectMunicipalityName: String
    package var projectName: String
    package var theme: String
    package var fiscalYear: String
    /// 同じグループ, 近隣 or both.
    package var relation: String
    package var distance: Double
    package var summary: String
    /// The roadmap 領域 of the project (empty when unknown).
    package var area = ""
    /// What it achieved, when the prefecture gave an outcome (`ModelProject.outcome`); else empty.
    package var outcome = ""

    package init(
        code: MunicipalityCode, projectMunicipality: MunicipalityCode, projectMunicipalityName: String,
        projectName: String, theme: String,
        fiscalYear: String, relation: String, distance: Double, summary: String
    ) {
        self.code = code
        self.projectMunicipality = projectMunicipality
        self.projectMunicipalityName = projectMunicipalityName
        self.projectName = projectName
        self.theme = theme
        self.fiscalYear = fiscalYear
        self.relation = relation
        self.distance = distance
        self.summary = summary
    }

}

// MARK: feedback

/// What a municipality is told about one indicator (`feedback/summary.csv`).
package struct FeedbackRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case municipalityCode = "municipality_code"
        case municipalityName = "municipality_name"
        case indicator
        case indicatorJapanese = "indicator_ja"
        case unit, value
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
        case se
        case reliability
        case n, suppressed
        case suppressionRule = "suppression_rule"
        case prefectureValue = "prefecture_value"
        case peerGroup = "peer_group"
        case peerGroupLabel = "peer_group_label"
        case peerBasis = "peer_basis"
        case peerMedian = "peer_median"
        case peerQ1 = "peer_q1"
        case peerQ3 = "peer_q3"
        case peerN = "peer_n"
        case quartile
        case restOfPrefecture = "rest_of_prefecture_value"
        case previousWave = "previous_wave"
        case previousValue = "previous_value"
        case change
        case changeLow = "change_ci_low"
        case changeHigh = "change_ci_high"
        case flag
        case flagPriority = "flag_priority"
        case comment
        case smallArea = "small_area"
        case smallAreaSE = "small_area_se"
        case quartileLow = "quartile_low"
        case quartileHigh = "quartile_high"
        case peerPooled = "peer_pooled"
        case peerPooledLow = "peer_pooled_ci_low"
        case peerPooledHigh = "peer_pooled_ci_high"
        case peerPooledSE = "peer_pooled_se"
        case peerPooledN = "peer_pooled_n"
        case peerPooledWithSelf = "peer_pooled_with_self"
        case regionName = "region_name"
        case regionValue = "region_value"
        case regionLow = "region_ci_low"
        case regionHigh = "region_ci_high"
        case panelChange = "panel_change"
        case panelChangeLow = "panel_change_ci_low"
        case panelChangeHigh = "panel_change_ci_high"
        case panelMatched = "panel_matched"
        case respondentsChanged = "respondents_changed"
    }

    package var code: MunicipalityCode
    package var name: String
    package var indicator: Indicator
    package var value: Double?
    package var ciLow: Double?
    package var ciHigh: Double?
    /// The value's standard error (`Estimate.standardError`), carried from `indicators.csv`.
    package var se: Double?
    /// 全数 or 参考値 (a 参考値 is never flagged).
    package var reliability: Reliability?
    package var n: Int
    package var suppressed: Bool
    package var rule: SuppressionRule?
    package var prefectureValue: Double?
    package var group: Int?
    package var groupLabel: String
    /// What the peer figures are of: the group, or the nearest municipalities when the group is small.
    package var peerBasis: PeerBasis?
    package var peerMedian: Double?
    package var peerQ1: Double?
    package var peerQ3: Double?
    package var peerN: Int
    /// 1–4 in the prefecture's distribution of municipalities (not a rank).
    package var quartile: Int?
    /// The prefecture without this municipality, when it holds over a third of the respondents.
    package var restOfPrefecture: Double?
    package var previousWave: Wave?
    package var previousValue: Double?
    package var change: Double?
    /// The change's 95% interval, the two waves taken as independent samples (both need intervals).
    package var changeLow: Double?
    package var changeHigh: Double?
    package var flag: FeedbackFlag?
    /// 1 for the flag the data is surest of, 2 for the next…; nil when not flagged.
    package var flagPriority: Int?
    package var comment: String
    /// The small-area estimate (benchmarked EBLUP) and √MSE, when published.
    package var smallArea: Double?
    package var smallAreaSE: Double?
    /// The quarters of the prefecture the value's 95% interval reaches (`quartile` is the point's):
    /// what the position may be said to be.
    package var quartileLow: Int?
    package var quartileHigh: Int?
    /// The peer group's respondents taken together (`PooledPeers`): value and 95% interval, and
    /// the establishments behind it.
    package var peerPooled: Double?
    package var peerPooledLow: Double?
    package var peerPooledHigh: Double?
    package var peerPooledSE: Double?
    package var peerPooledN: Int?
    /// The pool holds the municipality itself (its own value is suppressed, and the group without
    /// it would give its value away by subtraction).
    package var peerPooledWithSelf: Bool?
    /// The municipality's 圏域 (empty without one) and its published value with the 95% interval.
    package var regionName = ""
    package var regionValue: Double?
    package var regionLow: Double?
    package var regionHigh: Double?
    /// The change from the previous wave on the establishments that answered both
    /// (`PanelChangeRow`), its 95% interval, how many they are, and the share of the
    /// establishments that answered only one of the two waves.
    package var panelChange: Double?
    package var panelChangeLow: Double?
    package var panelChangeHigh: Double?
    package var panelMatched: Int?
    package var respondentsChanged: Double?

    package init(
        code: MunicipalityCode, name: String, indicator: Indicator, value: Double?, ciLow: Double?, ciHigh: Double?,
        n: Int,
        suppressed: Bool, rule: SuppressionRule?, prefectureValue: Double?, group: Int?, groupLabel: String,
        peerMedian: Double? = nil, peerQ1: Double? = nil, peerQ3: Double? = nil, peerN: Int, quartile: Int? = nil,
        previousWave: Wave? = nil, previousValue: Double? = nil, change: Double? = nil, flag: FeedbackFlag? = nil,
        comment: String = ""
    ) {
        self.code = code
        self.name = name
        self.indicator = indicator
        self.value = value
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.n = n
        self.suppressed = suppressed
        self.rule = rule
        self.prefectureValue = prefectureValue
        self.group = group
        self.groupLabel = groupLabel
        self.peerMedian = peerMedian
        self.peerQ1 = peerQ1
        self.peerQ3 = peerQ3
        self.peerN = peerN
        self.quartile = quartile
        self.previousWave = previousWave
        self.previousValue = previousValue
        self.change = change
        self.flag = flag
        self.comment = comment
    }

    /// Written out because the indicator's Japanese label and unit are written beside it for
    /// readers (not read back).
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Column.self)
        let number = { (key: Column) in try c.decodeIfPresent(Double.self, forKey: key) }
        let whole = { (key: Column) in try c.decodeIfPresent(Int.self, forKey: key) }
        self.init(
            code: try c.decode(MunicipalityCode.self, forKey: .municipalityCode),
            name: try c.decode(String.self, forKey: .municipalityName),
            indicator: try c.decode(Indicator.self, forKey: .indicator), value: try number(.value),
            ciLow: try number(.ciLow), ciHigh: try number(.ciHigh), n: try c.decode(Int.self, forKey: .n),
            suppressed: try c.decode(Bool.self, forKey: .suppressed),
            rule: try c.decodeIfPresent(SuppressionRule.self, forKey: .suppressionRule),
            prefectureValue: try number(.prefectureValue), group: try whole(.peerGroup),
            groupLabel: try c.decode(String.self, forKey: .peerGroupLabel), peerMedian: try number(.peerMedian),
            peerQ1: try number(.peerQ1), peerQ3: try number(.peerQ3), peerN: try c.decode(Int.self, forKey: .peerN),
            quartile: try whole(.quartile), previousWave: try c.decodeIfPresent(Wave.self, forKey: .previousWave),
            previousValue: try number(.previousValue), change: try number(.change),
            flag: try c.decodeIfPresent(FeedbackFlag.self, forKey: .flag),
            comment: try c.decode(String.self, forKey: .comment))
        se = try number(.se)
        reliability = try c.decodeIfPresent(Reliability.self, forKey: .reliability)
        peerBasis = try c.decodeIfPresent(PeerBasis.self, forKey: .peerBasis)
        restOfPrefecture = try number(.restOfPrefecture)
        changeLow = try number(.changeLow)
        changeHigh = try number(.changeHigh)
        flagPriority = try whole(.flagPriority)
        smallArea = try number(.smallArea)
        smallAreaSE = try number(.smallAreaSE)
        quartileLow = try whole(.quartileLow)
        quartileHigh = try whole(.quartileHigh)
        peerPooled = try number(.peerPooled)
        peerPooledLow = try number(.peerPooledLow)
        peerPooledHigh = try number(.peerPooledHigh)
        peerPooledSE = try number(.peerPooledSE)
        peerPooledN = try whole(.peerPooledN)
        peerPooledWithSelf = try c.decodeIfPresent(Bool.self, forKey: .peerPooledWithSelf)
        regionName = try c.decodeIfPresent(String.self, forKey: .regionName) ?? ""
        regionValue = try number(.regionValue)
        regionLow = try number(.regionLow)
        regionHigh = try number(.regionHigh)
        panelChange = try number(.panelChange)
        panelChangeLow = try number(.panelChangeLow)
        panelChangeHigh = try number(.panelChangeHigh)
        panelMatched = try whole(.panelMatched)
        respondentsChanged = try number(.respondentsChanged)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Column.self)
        try c.encode(code, forKey: .municipalityCode)
        try c.encode(name, forKey: .municipalityName)
        try c.encode(indicator, forKey: .indicator)
        try c.encode(indicator.japanese, forKey: .indicatorJapanese)
        try c.encode(indicator.unit, forKey: .unit)
        try c.encodeIfPresent(value, forKey: .value)
        try c.encodeIfPresent(ciLow, forKey: .ciLow)
        try c.encodeIfPresent(ciHigh, forKey: .ciHigh)
        try c.encodeIfPresent(se, forKey: .se)
        try c.encodeIfPresent(reliability, forKey: .reliability)
        try c.encode(n, forKey: .n)
        try c.encode(suppressed, forKey: .suppressed)
        try c.encodeIfPresent(rule, forKey: .suppressionRule)
        try c.encodeIfPresent(prefectureValue, forKey: .prefectureValue)
        try c.encodeIfPresent(group, forKey: .peerGroup)
        try c.encode(groupLabel, forKey: .peerGroupLabel)
        try c.encodeIfPresent(peerBasis, forKey: .peerBasis)
        try c.encodeIfPresent(peerMedian, forKey: .peerMedian)
        try c.encodeIfPresent(peerQ1, forKey: .peerQ1)
        try c.encodeIfPresent(peerQ3, forKey: .peerQ3)
        try c.encode(peerN, forKey: .peerN)
        try c.encodeIfPresent(quartile, forKey: .quartile)
        try c.encodeIfPresent(restOfPrefecture, forKey: .restOfPrefecture)
        try c.encodeIfPresent(previousWave, forKey: .previousWave)
        try c.encodeIfPresent(previousValue, forKey: .previousValue)
        try c.encodeIfPresent(change, forKey: .change)
        try c.encodeIfPresent(changeLow, forKey: .changeLow)
        try c.encodeIfPresent(changeHigh, forKey: .changeHigh)
        try c.encodeIfPresent(flag, forKey: .flag)
        try c.encodeIfPresent(flagPriority, forKey: .flagPriority)
        try c.encode(comment, forKey: .comment)
        try c.encodeIfPresent(smallArea, forKey: .smallArea)
        try c.encodeIfPresent(smallAreaSE, forKey: .smallAreaSE)
        try c.encodeIfPresent(quartileLow, forKey: .quartileLow)
        try c.encodeIfPresent(quartileHigh, forKey: .quartileHigh)
        try c.encodeIfPresent(peerPooled, forKey: .peerPooled)
        try c.encodeIfPresent(peerPooledLow, forKey: .peerPooledLow)
        try c.encodeIfPresent(peerPooledHigh, forKey: .peerPooledHigh)
        try c.encodeIfPresent(peerPooledSE, forKey: .peerPooledSE)
        try c.encodeIfPresent(peerPooledN, forKey: .peerPooledN)
        try c.encodeIfPresent(peerPooledWithSelf, forKey: .peerPooledWithSelf)
        try c.encode(regionName, forKey: .regionName)
        try c.encodeIfPresent(regionValue, forKey: .regionValue)
        try c.encodeIfPresent(regionLow, forKey: .regionLow)
        try c.encodeIfPresent(regionHigh, forKey: .regionHigh)
        try c.encodeIfPresent(panelChange, forKey: .panelChange)
        try c.encodeIfPresent(panelChangeLow, forKey: .panelChangeLow)
        try c.encodeIfPresent(panelChangeHigh, forKey: .panelChangeHigh)
        try c.encodeIfPresent(panelMatched, forKey: .panelMatched)
        try c.encodeIfPresent(respondentsChanged, forKey: .respondentsChanged)
    }

    /// The quarters the interval reaches, when the position can be said (never for a 参考値; a
    /// file written before the interval's quarters gives the point's).
    package var quartileRange: ClosedRange<Int>? {
        guard reliability != .reference else { return nil }
        guard let lo = quartileLow, let hi = quartileHigh, lo <= hi else { return quartile.map { $0...$0 } }
        return lo...hi
    }

    /// The small-area estimate is worth mentioning: the direct value is a 参考値 and the estimate's
    /// coefficient of variation is lower.
    package var smallAreaHelps: Bool {
        guard reliability == .reference, let e = smallArea, let s = smallAreaSE, e != 0, let v = value, v != 0 else {
            return false
        }
        return s / abs(e) < (se ?? .infinity) / abs(v)
    }

    /// The change on the matched panel is beyond sampling noise.
    package var panelChangeBeyondNoise: Bool {
        guard let lo = panelChangeLow, let hi = panelChangeHigh else { return false }
        return lo > 0 || hi < 0
    }

    /// The change is beyond sampling noise: its interval excludes 0.
    package var changeBeyondNoise: Bool {
        guard let lo = changeLow, let hi = changeHigh else { return false }
        return lo > 0 || hi < 0
    }

}

/// One published value of one wave, for the trend charts (`feedback/trends.csv`).
package struct TrendRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case code = "municipality_code"
        case indicator, wave, value
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
        case suppressed
    }
    typealias CodingKeys = Column
    package var code: MunicipalityCode
    package var indicator: Indicator
    package var wave: Wave
    package var value: Double?
    package var ciLow: Double?
    package var ciHigh: Double?
    package var suppressed: Bool

    package init(
        code: MunicipalityCode, indicator: Indicator, wave: Wave, value: Double?, ciLow: Double?, ciHigh: Double?,
        suppressed: Bool
    ) {
        self.code = code
        self.indicator = indicator
        self.wave = wave
        self.value = value
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.suppressed = suppressed
    }

    /// The published form of an indicator row.
    package init(_ r: IndicatorRow) {
        let e = r.published.estimate
        self.init(
            code: r.code, indicator: r.indicator, wave: r.wave, value: e.value, ciLow: e.ciLow, ciHigh: e.ciHigh,
            suppressed: r.suppressed)
    }

}

extension FeedbackRow {
    /// What the value is compared with and the range it is compared against; nil when it is not
    /// compared (a count or total, suppressed or missing, a 参考値, without an interval, or with
    /// nothing to compare it with).
    ///
    /// One rule for the flags (feedback) and for what page 1 says was compared (packets). A 全数
    /// value is exact (its interval has no width) and is compared like any other. The peers'
    /// pooled figure comes first, where the indicator declares a smallest difference and the pool
    /// leaves the municipality out (its difference from the value is then one of two disjoint
    /// samples).
    package var comparison: (basis: ComparisonBasis, low: Double, high: Double)? {
        let census = reliability == .census
        guard !indicator.form.isCount, value != nil, reliability != .reference, let lo = ciLow, let hi = ciHigh,
            hi > lo || census, let se, se > 0 || census
        else { return nil }
        if let p = peerPooled, peerPooledSE != nil, peerPooledWithSelf == false, indicator.smallestDifference != nil {
            return (.pooledPeers, p, p)
        }
        if let q1 = peerQ1, let q3 = peerQ3 { return (.peers(peerBasis ?? .group), q1, q3) }
        if let p = restOfPrefecture { return (.restOfPrefecture, p, p) }
        if let p = prefectureValue { return (.prefecture, p, p) }
        return nil
    }
}
