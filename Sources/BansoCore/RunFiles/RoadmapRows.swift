/// One item of the 構築ロードマップ as clean wrote it (`clean/roadmap_items.csv`), in the list's order.
package struct RoadmapItem: CodableRunFileRow, Equatable {
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
    package enum Column: String, RunFileColumns {
        case municipalityCode = "municipality_code"
        case itemID = "item_id"
        case score
        case responseDate = "response_date"
        case comment
        case sourceFile = "source_file"
        case sourceLine = "source_line"
    }
    package var municipality: MunicipalityCode
    package var item: String
    /// 1 未着手 … 4 実施し評価・改善している.
    package var score: Int
    package var date: Day
    package var comment: String
    package var sourceFile: String
    package var sourceLine: Int

    package init(
        municipality: MunicipalityCode, item: String, score: Int, date: Day, comment: String, sourceFile: String = "",
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

    package init(_ r: TypedRow<Column>) throws {
        guard let score = try r.int(.score), (1...4).contains(score) else {
            throw r.malformed(.score, r[.score], "a score from 1 to 4")
        }
        guard let date = Day.iso(r[.responseDate]) else {
            throw r.malformed(.responseDate, r[.responseDate], "a date YYYY-MM-DD")
        }
        self.init(
            municipality: try r.identity(.municipalityCode), item: r[.itemID], score: score, date: date,
            comment: r[.comment],
            sourceFile: r[.sourceFile], sourceLine: try r.int(.sourceLine) ?? 0)
    }

    package var cells: [String] {
        [municipality.text, item, String(score), date.description, comment, sourceFile, String(sourceLine)]
    }
}

/// One context figure (`clean/context.csv`): a municipality's (or the prefecture's) value with its source.
package struct ContextFigure: CodableRunFileRow, Equatable {
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
package struct RoadmapItemResult: CodableRunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case municipality = "municipality_code"
        case item = "item_id"
        case area, stage, kind, score, value
        case ciLow = "ci_low"
        case ciHigh = "ci_high"
        case judgement, comment
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
    package enum Column: String, RunFileColumns {
        case municipalityCode = "municipality_code"
        case area, stage
        case selfScore = "self_score"
        case selfAnswered = "self_answered"
        case selfItems = "self_items"
        case objectiveAchieved = "objective_achieved"
        case objectiveItems = "objective_items"
        case achieved, reached
        case objectiveAssessable = "objective_assessable"
    }
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

    package init(_ r: TypedRow<Column>) throws {
        let stage = try r.stage(.stage)
        self.init(
            municipality: try r.identity(.municipalityCode), area: r[.area], stage: stage,
            selfScore: try r.double(.selfScore),
            selfAnswered: try r.int(.selfAnswered) ?? 0, selfItems: try r.int(.selfItems) ?? 0,
            objectiveAchieved: try r.int(.objectiveAchieved) ?? 0, objectiveItems: try r.int(.objectiveItems) ?? 0,
            objectiveAssessable: try r.int(.objectiveAssessable) ?? 0, achieved: try r.bool(.achieved),
            reached: try r.int(.reached) ?? 0)
    }

    package var cells: [String] {
        [
            municipality.text, area, String(stage.rawValue), selfScore.map { formatFixed($0, digits: 2) } ?? "",
            String(selfAnswered), String(selfItems), String(objectiveAchieved), String(objectiveItems),
            String(achieved), String(reached), String(objectiveAssessable),
        ]
    }
}

/// Per area and stage, how many municipalities achieved it, and the target (`roadmap/overview.csv`).
package struct RoadmapOverviewRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns {
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

    package init(_ r: TypedRow<Column>) throws {
        let stage = try r.stage(.stage)
        self.init(
            area: r[.area], stage: stage, municipalities: try r.int(.municipalities) ?? 0,
            achieved: try r.int(.achieved) ?? 0, answered: try r.int(.answered) ?? 0,
            achievedAnswered: try r.int(.achievedAnswered) ?? 0, targetShare: try r.double(.targetShare),
            targetBy: r[.targetBy])
    }

    package var cells: [String] {
        let share = { (x: Double?) in x.map { formatFixed($0, digits: 4) } ?? "" }
        return [
            area, String(stage.rawValue), String(municipalities), String(achieved), share(self.share),
            String(answered), String(achievedAnswered), share(shareAnswered), formatNumber(targetShare), targetBy,
        ]
    }
}

/// One context figure of one municipality with the prefecture's and its peers' distribution (`roadmap/karte.csv`).
package struct KarteRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns {
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

    package init(_ r: TypedRow<Column>) throws {
        self.init(
            figure: ContextFigure(
                municipality: try r.identity(.municipalityCode), id: r[.indicatorID], label: r[.label],
                unit: r[.unit],
                value: try r.double(.value), year: r[.year], source: r[.source]))
        prefectureValue = try r.double(.prefectureValue)
        municipalities = try r.int(.municipalities) ?? 0
        prefecture = Quartiles(try r.double(.q1), try r.double(.median), try r.double(.q3))
        quartile = try r.int(.quartile)
        peerCount = try r.int(.peerCount) ?? 0
        peers = Quartiles(try r.double(.peerQ1), try r.double(.peerMedian), try r.double(.peerQ3))
    }

    package var cells: [String] {
        figure.cells + [
            formatNumber(prefectureValue), String(municipalities), formatNumber(prefecture?.q1),
            formatNumber(prefecture?.median), formatNumber(prefecture?.q3), quartile.map(String.init) ?? "",
            String(peerCount), formatNumber(peers?.q1), formatNumber(peers?.median), formatNumber(peers?.q3),
        ]
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
package struct RoadmapPreviousRow: CodableRunFileRow, Equatable {
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
    package enum Column: String, RunFileColumns {
        case municipalityCode = "municipality_code"
        case indicatorID = "indicator_id"
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

    package init(_ r: TypedRow<Column>) throws {
        self.init(
            code: try r.identity(.municipalityCode), id: r[.indicatorID], raw: try r.double(.raw),
            z: try r.double(.z) ?? 0)
    }

    package var cells: [String] { [code.text, id, formatNumber(raw), formatNumber(z), String(raw == nil)] }
}

extension TypedRow {
    /// A stage of 地域マネジメント (1–3); an error naming the file, line and column otherwise.
    func stage(_ column: Column) throws -> ManagementStage {
        guard let stage = try int(column).flatMap(ManagementStage.init(rawValue:)) else {
            throw malformed(column, self[column], "a stage 1, 2 or 3")
        }
        return stage
    }

    /// 主観 or 客観; an error naming the file, line and column otherwise.
    func kind(_ column: Column) throws -> RoadmapKind {
        guard let kind = try value(column, as: RoadmapKind.self) else {
            throw malformed(column, self[column], "主観 or 客観")
        }
        return kind
    }
}
