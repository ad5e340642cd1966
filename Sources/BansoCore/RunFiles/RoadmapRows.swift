/// One item of the 構築ロードマップ as clean wrote it (`clean/roadmap_items.csv`), in the list's order.
package struct RoadmapItem: RunFileRow, Equatable {
    enum CodingKeys: String, CodingKey {
        case id = "item_id"
        case area, stage, label, kind, threshold
        case measure = "indicator"
    }
    package typealias Column = RoadmapField
    package var id: String
    package var area: String
    package var stage: ManagementStage
    package var label: String
    package var kind: RoadmapKind
    /// 客観 only: what the item is judged on.
    package var measure: RoadmapMeasure?
    /// 客観 only.
    package var threshold: RoadmapThreshold?

    package init(
        id: String, area: String, stage: ManagementStage, label: String, kind: RoadmapKind,
        measure: RoadmapMeasure? = nil, threshold: RoadmapThreshold? = nil
    ) {
        self.id = id
        self.area = area
        self.stage = stage
        self.label = label
        self.kind = kind
        self.measure = measure
        self.threshold = threshold
    }

}

extension RoadmapField: RunFileColumns {}

/// What a 客観 item of the roadmap is judged on: one of the survey's indicators, or a figure of
/// the context file (by its 指標ID).
package enum RoadmapMeasure: Hashable, Sendable, Codable, CustomStringConvertible, CSVCellValue {
    case indicator(Indicator)
    case context(String)

    /// An indicator's identifier, else a context id (an id that names an indicator is the indicator).
    package init(_ text: String) {
        self = Indicator(rawValue: text).map(Self.indicator) ?? .context(text)
    }

    /// The text written in the item list and in `clean/roadmap_items.csv`.
    package var description: String {
        switch self {
        case .indicator(let i): i.rawValue
        case .context(let id): id
        }
    }

    package static let expectedInCell = "an indicator or a context figure's id"

    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard !text.isEmpty else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "empty"))
        }
        self.init(text)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension RoadmapItem {
    /// The areas of an item list in the order it first names them (the order every view shows).
    package static func areas(_ items: [RoadmapItem]) -> [String] {
        var seen: Set<String> = []
        return items.map(\.area).filter { seen.insert($0).inserted }
    }
}

/// A municipality's latest self-assessment of one 主観 item (`clean/self_assessments.csv`).
package struct SelfAssessment: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case municipality = "municipality_code"
        case item = "item_id"
        case score
        case date = "response_date"
        case comment
        case sourceFile = "source_file"
        case sourceLine = "source_line"
    }
    package var municipality: MunicipalityCode
    package var item: String
    /// 1 未着手 … 4 実施し評価・改善している; nil when the municipality answered 対象外 (the item
    /// does not apply to it, and leaves its stage judgement).
    package var score: Int?
    package var date: Day
    package var comment: String
    package var sourceFile: String
    package var sourceLine: Int

    package init(
        municipality: MunicipalityCode, item: String, score: Int?, date: Day, comment: String, sourceFile: String = "",
        sourceLine: Int = 0
    ) {
        self.municipality = municipality
        self.item = item
        self.score = score
        self.date = date
        self.comment = comment
        self.sourceFile = sourceFile
        self.sourceLine = sourceLine
    }

    /// Written out because the score is checked (1–4) and the date is a cell `YYYY-MM-DD`.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Column.self)
        self.init(
            municipality: try c.decode(MunicipalityCode.self, forKey: .municipality),
            item: try c.decode(String.self, forKey: .item), score: try c.decode(Score.self, forKey: .score).value,
            date: try c.decode(ISODay.self, forKey: .date).day, comment: try c.decode(String.self, forKey: .comment),
            sourceFile: try c.decode(String.self, forKey: .sourceFile),
            sourceLine: try c.decode(Int.self, forKey: .sourceLine))
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Column.self)
        try c.encode(municipality, forKey: .municipality)
        try c.encode(item, forKey: .item)
        try c.encode(score.map(String.init) ?? Self.notApplicable, forKey: .score)
        try c.encode(date.description, forKey: .date)
        try c.encode(comment, forKey: .comment)
        try c.encode(sourceFile, forKey: .sourceFile)
        try c.encode(sourceLine, forKey: .sourceLine)
    }

    /// How an answer that the item does not apply is written.
    package static let notApplicable = "対象外"

    /// A score cell: 1 未着手 … 4, or 対象外.
    private struct Score: Decodable, CSVCellValue {
        static let expectedInCell = "a score from 1 to 4 or 対象外"
        let value: Int?
        init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            if text == SelfAssessment.notApplicable {
                value = nil
                return
            }
            guard let n = Int(text), (1...4).contains(n) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: Self.expectedInCell))
            }
            value = n
        }
    }
}

/// A date cell written `YYYY-MM-DD` (a `Day`'s own coding is its three numbers).
struct ISODay: Decodable, CSVCellValue {
    static let expectedInCell = "a date YYYY-MM-DD"
    let day: Day
    init(from decoder: any Decoder) throws {
        guard let day = Day.iso(try decoder.singleValueContainer().decode(String.self)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: Self.expectedInCell))
        }
        self.day = day
    }
}

/// One context figure (`clean/context.csv`): a municipality's (or the prefecture's) value with its source.
package struct ContextFigure: RunFileRow, Equatable {
    enum CodingKeys: String, CodingKey {
        case municipality = "municipality_code"
        case id = "indicator_id"
        case label, unit, value, year, source
    }
    package typealias Column = ContextField
    package var municipality: MunicipalityCode
    package var id: String
    package var label: String
    package var unit: String
    /// nil when the source marks it missing (never 0).
    package var value: Double?
    package var year: String
    package var source: String

    package init(
        municipality: MunicipalityCode, id: String, label: String, unit: String, value: Double?, year: String,
        source: String
    ) {
        self.municipality = municipality
        self.id = id
        self.label = label
        self.unit = unit
        self.value = value
        self.year = year
        self.source = source
    }

}

extension ContextField: RunFileColumns {}

/// One item evaluated for one municipality (`roadmap/items.csv`).
package struct RoadmapItemResult: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case municipality = "municipality_code"
        case item = "item_id"
        case area, stage, kind, score, value
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
        case judgement, comment
        case notApplicable = "not_applicable"
    }
    typealias CodingKeys = Column
    package var municipality: MunicipalityCode
    package var item: String
    package var area: String
    package var stage: ManagementStage
    package var kind: RoadmapKind
    /// 主観: the latest answer; nil when not answered (未回答, never 0).
    package var score: Int?
    /// 客観: the published or context value; nil when suppressed or missing.
    package var value: Double?
    /// 客観: the value's 95% interval, when it has sampling error.
    package var ciLow: Double?
    package var ciHigh: Double?
    /// 客観: 達成 only when the whole interval meets the level (nil for 主観).
    package var judgement: RoadmapJudgement?
    /// 主観: the municipality's comment (its own packet and the prefecture only).
    package var comment: String
    /// 主観: the municipality answered 対象外; the item leaves its stage judgement.
    package var notApplicable = false

    /// 主観: the municipality answered (a score or 対象外).
    package var answered: Bool { score != nil || notApplicable }

    /// 客観: true when met, false when not met, nil when undecided or without a value.
    package var achieved: Bool? {
        switch judgement {
        case .met: true
        case .notMet: false
        default: nil
        }
    }

    package init(
        municipality: MunicipalityCode, item: String, area: String, stage: ManagementStage, kind: RoadmapKind,
        score: Int? = nil,
        value: Double? = nil, judgement: RoadmapJudgement? = nil, comment: String = ""
    ) {
        self.municipality = municipality
        self.item = item
        self.area = area
        self.stage = stage
        self.kind = kind
        self.score = score
        self.value = value
        self.judgement = judgement
        self.comment = comment
    }

}

/// One stage of one area for one municipality (`roadmap/stages.csv`).
package struct RoadmapStageResult: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case municipality = "municipality_code"
        case area, stage
        case selfScore = "self_score"
        case selfAnswered = "self_answered"
        case selfItems = "self_items"
        case objectiveAchieved = "objective_achieved"
        case objectiveItems = "objective_items"
        case achieved, reached
        case objectiveAssessable = "objective_assessable"
    }
    typealias CodingKeys = Column
    package var municipality: MunicipalityCode
    package var area: String
    package var stage: ManagementStage
    /// Mean score of the stage's 主観 items answered; nil when none (未回答).
    package var selfScore: Double?
    package var selfAnswered: Int
    package var selfItems: Int
    package var objectiveAchieved: Int
    package var objectiveItems: Int
    /// 客観 items with a published value (not suppressed, not missing).
    package var objectiveAssessable: Int
    package var achieved: Bool
    /// The highest stage of the area whose stages 1…s are all achieved (0 if none); the same on every row of the area.
    package var reached: Int

    package init(
        municipality: MunicipalityCode, area: String, stage: ManagementStage, selfScore: Double?, selfAnswered: Int,
        selfItems: Int,
        objectiveAchieved: Int, objectiveItems: Int, objectiveAssessable: Int, achieved: Bool, reached: Int
    ) {
        self.municipality = municipality
        self.area = area
        self.stage = stage
        self.selfScore = selfScore
        self.selfAnswered = selfAnswered
        self.selfItems = selfItems
        self.objectiveAchieved = objectiveAchieved
        self.objectiveItems = objectiveItems
        self.objectiveAssessable = objectiveAssessable
        self.achieved = achieved
        self.reached = reached
    }

    /// Synthesised but for the mean score, written with two digits.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Column.self)
        try c.encode(municipality, forKey: .municipality)
        try c.encode(area, forKey: .area)
        try c.encode(stage, forKey: .stage)
        try c.encodeIfPresent(selfScore.map { formatFixed($0, digits: 2) }, forKey: .selfScore)
        try c.encode(selfAnswered, forKey: .selfAnswered)
        try c.encode(selfItems, forKey: .selfItems)
        try c.encode(objectiveAchieved, forKey: .objectiveAchieved)
        try c.encode(objectiveItems, forKey: .objectiveItems)
        try c.encode(achieved, forKey: .achieved)
        try c.encode(reached, forKey: .reached)
        try c.encode(objectiveAssessable, forKey: .objectiveAssessable)
    }
}

/// Per area and stage, how many municipalities achieved it, and the target (`roadmap/overview.csv`).
package struct RoadmapOverviewRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case area, stage, municipalities, achieved, share, answered
        case achievedAnswered = "achieved_answered"
        case shareAnswered = "share_answered"
        case targetShare = "target_share"
        case targetBy = "target_by"
    }
    package var area: String
    package var stage: ManagementStage
    package var municipalities: Int
    package var achieved: Int
    /// Municipalities that answered at least one 主観 item of the roadmap.
    package var answered: Int
    package var achievedAnswered: Int
    package var targetShare: Double?
    package var targetBy: String

    package init(
        area: String, stage: ManagementStage, municipalities: Int, achieved: Int, answered: Int, achievedAnswered: Int,
        targetShare: Double? = nil, targetBy: String = ""
    ) {
        self.area = area
        self.stage = stage
        self.municipalities = municipalities
        self.achieved = achieved
        self.answered = answered
        self.achievedAnswered = achievedAnswered
        self.targetShare = targetShare
        self.targetBy = targetBy
    }

    /// Achieved ÷ every municipality of the prefecture.
    package var share: Double? { municipalities > 0 ? Double(achieved) / Double(municipalities) : nil }
    /// Achieved ÷ those that answered.
    package var shareAnswered: Double? { answered > 0 ? Double(achievedAnswered) / Double(answered) : nil }

    /// Written out for the two shares, which follow from the counts: written with four digits,
    /// not read back.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Column.self)
        self.init(
            area: try c.decode(String.self, forKey: .area), stage: try c.decode(ManagementStage.self, forKey: .stage),
            municipalities: try c.decode(Int.self, forKey: .municipalities),
            achieved: try c.decode(Int.self, forKey: .achieved), answered: try c.decode(Int.self, forKey: .answered),
            achievedAnswered: try c.decode(Int.self, forKey: .achievedAnswered),
            targetShare: try c.decodeIfPresent(Double.self, forKey: .targetShare),
            targetBy: try c.decode(String.self, forKey: .targetBy))
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Column.self)
        try c.encode(area, forKey: .area)
        try c.encode(stage, forKey: .stage)
        try c.encode(municipalities, forKey: .municipalities)
        try c.encode(achieved, forKey: .achieved)
        try c.encodeIfPresent(share.map { formatFixed($0, digits: 4) }, forKey: .share)
        try c.encode(answered, forKey: .answered)
        try c.encode(achievedAnswered, forKey: .achievedAnswered)
        try c.encodeIfPresent(shareAnswered.map { formatFixed($0, digits: 4) }, forKey: .shareAnswered)
        try c.encodeIfPresent(targetShare, forKey: .targetShare)
        try c.encode(targetBy, forKey: .targetBy)
    }
}

/// One context figure of one municipality with the prefecture's and its peers' distribution (`roadmap/karte.csv`).
package struct KarteRow: RunFileRow, Equatable {
    /// The context figure's columns (`ContextField`, by name), then the distributions'.
    package enum Column: String, RunFileColumns, CodingKey {
        case municipalityCode = "municipality_code"
        case indicatorID = "indicator_id"
        case label, unit, value, year, source
        case prefectureValue = "prefecture_value"
        case municipalities
        case q1, median, q3, quartile
        case peerCount = "peer_count"
        case peerQ1 = "peer_q1"
        case peerMedian = "peer_median"
        case peerQ3 = "peer_q3"
    }
    /// The municipality's latest figure (value nil when it has none; label, unit and source then
    /// from another figure of the id).
    package var figure: ContextFigure
    /// The prefecture's own figure when the context file gives one.
    package var prefectureValue: Double?
    /// Municipalities of the prefecture with a value.
    package var municipalities: Int
    /// The prefecture's quartiles (4 values or more).
    package var prefecture: Quartiles?
    /// 1–4 within the prefecture (a position, not a rank).
    package var quartile: Int?
    package var peerCount: Int
    /// The peers' quartiles (3 values or more).
    package var peers: Quartiles?

    package init(figure: ContextFigure) {
        self.figure = figure
        municipalities = 0
        peerCount = 0
    }

    /// Written out because the figure and the two distributions are spread over columns: the
    /// figure codes itself into the columns of the same names.
    package init(from decoder: any Decoder) throws {
        self.init(figure: try ContextFigure(from: decoder))
        let c = try decoder.container(keyedBy: Column.self)
        let number = { (key: Column) in try c.decodeIfPresent(Double.self, forKey: key) }
        prefectureValue = try number(.prefectureValue)
        municipalities = try c.decode(Int.self, forKey: .municipalities)
        prefecture = Quartiles(try number(.q1), try number(.median), try number(.q3))
        quartile = try c.decodeIfPresent(Int.self, forKey: .quartile)
        peerCount = try c.decode(Int.self, forKey: .peerCount)
        peers = Quartiles(try number(.peerQ1), try number(.peerMedian), try number(.peerQ3))
    }

    package func encode(to encoder: any Encoder) throws {
        try figure.encode(to: encoder)
        var c = encoder.container(keyedBy: Column.self)
        try c.encodeIfPresent(prefectureValue, forKey: .prefectureValue)
        try c.encode(municipalities, forKey: .municipalities)
        try c.encodeIfPresent(prefecture?.q1, forKey: .q1)
        try c.encodeIfPresent(prefecture?.median, forKey: .median)
        try c.encodeIfPresent(prefecture?.q3, forKey: .q3)
        try c.encodeIfPresent(quartile, forKey: .quartile)
        try c.encode(peerCount, forKey: .peerCount)
        try c.encodeIfPresent(peers?.q1, forKey: .peerQ1)
        try c.encodeIfPresent(peers?.median, forKey: .peerMedian)
        try c.encodeIfPresent(peers?.q3, forKey: .peerQ3)
    }
}

extension Quartiles {
    /// Read back from a file: all three or none.
    init?(_ q1: Double?, _ median: Double?, _ q3: Double?) {
        guard let q1, let median, let q3 else { return nil }
        self.init(q1: q1, median: median, q3: q3)
    }
}

/// The stage a municipality reached in an area in an earlier wave, from the history store (`roadmap/previous.csv`).
package struct RoadmapPreviousRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case wave
        case municipality = "municipality_code"
        case area, reached
        case answered
    }
    typealias CodingKeys = Column
    package var wave: Wave
    package var municipality: MunicipalityCode
    package var area: String
    package var reached: Int
    /// Whether the municipality answered any 主観 item of the area that wave.
    package var answered: Bool

    package init(wave: Wave, municipality: MunicipalityCode, area: String, reached: Int, answered: Bool) {
        self.wave = wave
        self.municipality = municipality
        self.area = area
        self.reached = reached
        self.answered = answered
    }

}

/// A context indicator used as a peer feature (`peers/context_features.csv`).
package struct ContextFeatureRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case code = "municipality_code"
        case id = "indicator_id"
        case raw, z, imputed
    }
    package var code: MunicipalityCode
    package var id: String
    /// The latest year's value; nil when missing (then imputed at the mean, z = 0).
    package var raw: Double?
    /// Standardised and weighted as the built-in features are.
    package var z: Double

    package init(code: MunicipalityCode, id: String, raw: Double?, z: Double) {
        self.code = code
        self.id = id
        self.raw = raw
        self.z = z
    }

    /// Written out for `imputed`, which follows from `raw` (written for readers, not read back).
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Column.self)
        self.init(
            code: try c.decode(MunicipalityCode.self, forKey: .code), id: try c.decode(String.self, forKey: .id),
            raw: try c.decodeIfPresent(Double.self, forKey: .raw), z: try c.decode(Double.self, forKey: .z))
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Column.self)
        try c.encode(code, forKey: .code)
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(raw, forKey: .raw)
        try c.encode(z, forKey: .z)
        try c.encode(raw == nil, forKey: .imputed)
    }
}

/// A municipality that has already reached another's next stage in an area: someone to visit or
/// ask (`roadmap/pairings.csv`; for the prefecture, never mailed).
package struct PairingRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case municipality = "municipality_code"
        case municipalityName = "municipality_name"
        case area
        case nextStage = "next_stage"
        case order
        case candidate = "candidate_code"
        case candidateName = "candidate_name"
        case candidateReached = "candidate_reached"
        case relation
    }
    typealias CodingKeys = Column
    package var municipality: MunicipalityCode
    package var municipalityName: String
    package var area: String
    package var nextStage: ManagementStage
    /// 1 for the first candidate.
    package var order: Int
    package var candidate: MunicipalityCode
    package var candidateName: String
    package var candidateReached: Int
    /// How the candidate was found: among the nearest municipalities (似た状況) or the peer group (類似団体).
    package var relation: PairingRelation

    package init(
        municipality: MunicipalityCode, municipalityName: String, area: String, nextStage: ManagementStage, order: Int,
        candidate: MunicipalityCode, candidateName: String, candidateReached: Int, relation: PairingRelation
    ) {
        self.municipality = municipality
        self.municipalityName = municipalityName
        self.area = area
        self.nextStage = nextStage
        self.order = order
        self.candidate = candidate
        self.candidateName = candidateName
        self.candidateReached = candidateReached
        self.relation = relation
    }
}

/// How a pairing candidate relates to the municipality.
package enum PairingRelation: String, CaseIterable, Codable, Sendable {
    /// One of its nearest municipalities on the peer features (`peers/neighbours.csv`).
    case neighbour
    /// Another member of its peer group (`peers/groups.csv`).
    case group
}

/// One record of support the prefecture gave (`clean/support.csv`, from `inputs.support`).
package struct SupportRecord: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case municipality = "municipality_code"
        case area, stage, support, date, note
        case sourceFile = "source_file"
        case sourceLine = "source_line"
    }
    package var municipality: MunicipalityCode
    package var area: String
    package var stage: ManagementStage
    /// An offer's id of `[roadmap.support]`, or the support in words.
    package var support: String
    package var date: Day
    package var note: String
    package var sourceFile: String
    package var sourceLine: Int

    package init(
        municipality: MunicipalityCode, area: String, stage: ManagementStage, support: String, date: Day,
        note: String = "", sourceFile: String = "", sourceLine: Int = 0
    ) {
        self.municipality = municipality
        self.area = area
        self.stage = stage
        self.support = support
        self.date = date
        self.note = note
        self.sourceFile = sourceFile
        self.sourceLine = sourceLine
    }

    /// Written out because the date is a cell `YYYY-MM-DD`.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Column.self)
        self.init(
            municipality: try c.decode(MunicipalityCode.self, forKey: .municipality),
            area: try c.decode(String.self, forKey: .area), stage: try c.decode(ManagementStage.self, forKey: .stage),
            support: try c.decode(String.self, forKey: .support), date: try c.decode(ISODay.self, forKey: .date).day,
            note: try c.decode(String.self, forKey: .note), sourceFile: try c.decode(String.self, forKey: .sourceFile),
            sourceLine: try c.decode(Int.self, forKey: .sourceLine))
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Column.self)
        try c.encode(municipality, forKey: .municipality)
        try c.encode(area, forKey: .area)
        try c.encode(stage, forKey: .stage)
        try c.encode(support, forKey: .support)
        try c.encode(date.description, forKey: .date)
        try c.encode(note, forKey: .note)
        try c.encode(sourceFile, forKey: .sourceFile)
        try c.encode(sourceLine, forKey: .sourceLine)
    }
}

/// Per area, how the municipalities that received support since the last wave moved, beside
/// those that did not (`roadmap/support_outcomes.csv`): a comparison, not an effect estimate.
package struct SupportOutcomeRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case area, supported, municipalities
        case movedUp = "moved_up"
        case stayed
        case movedDown = "moved_down"
    }
    typealias CodingKeys = Column
    package var area: String
    /// Received at least one support of the area in the 12 months before this wave's answers.
    package var supported: Bool
    /// Municipalities with a stage in both waves.
    package var municipalities: Int
    package var movedUp: Int
    package var stayed: Int
    package var movedDown: Int

    package init(area: String, supported: Bool, municipalities: Int, movedUp: Int, stayed: Int, movedDown: Int) {
        self.area = area
        self.supported = supported
        self.municipalities = municipalities
        self.movedUp = movedUp
        self.stayed = stayed
        self.movedDown = movedDown
    }
}

/// A municipality's own roadmap item with its answer (`clean/own_items.csv`).
///
/// Shown in its own packet only, never in another's or the prefecture's figures, and never part
/// of a stage's 達成.
package struct OwnItem: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case municipality = "municipality_code"
        case item = "item_id"
        case area, stage, label, score, comment
        case sourceFile = "source_file"
        case sourceLine = "source_line"
    }
    typealias CodingKeys = Column
    package var municipality: MunicipalityCode
    package var item: String
    package var area: String
    /// 1–3, or nil when the municipality did not place it at a stage.
    package var stage: Int?
    package var label: String
    /// 1–4, or nil when not answered yet.
    package var score: Int?
    package var comment: String
    package var sourceFile: String
    package var sourceLine: Int

    package init(
        municipality: MunicipalityCode, item: String, area: String, stage: Int?, label: String, score: Int?,
        comment: String, sourceFile: String = "", sourceLine: Int = 0
    ) {
        self.municipality = municipality
        self.item = item
        self.area = area
        self.stage = stage
        self.label = label
        self.score = score
        self.comment = comment
        self.sourceFile = sourceFile
        self.sourceLine = sourceLine
    }
}

/// The prefecture's own words to one municipality (`clean/prefecture_comments.csv`), printed in
/// that municipality's packet only.
package struct PrefectureComment: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case municipality = "municipality_code"
        case area, comment
        case sourceFile = "source_file"
        case sourceLine = "source_line"
    }
    typealias CodingKeys = Column
    /// What `area` holds for a comment on the whole packet.
    package static let whole = "全体"
    package var municipality: MunicipalityCode
    /// An area of the roadmap, or 全体.
    package var area: String
    package var comment: String
    package var sourceFile: String
    package var sourceLine: Int

    package init(
        municipality: MunicipalityCode, area: String, comment: String, sourceFile: String = "", sourceLine: Int = 0
    ) {
        self.municipality = municipality
        self.area = area
        self.comment = comment
        self.sourceFile = sourceFile
        self.sourceLine = sourceLine
    }
}
