/// One item of the 構築ロードマップ as clean wrote it (`clean/roadmap_items.csv`), in the list's order.
public struct RoadmapItem: CodableRunFileRow, Equatable {
    enum CodingKeys: String, CodingKey {
        case id = "item_id"
        case area, stage, label, kind, indicator, threshold
    }
    public typealias Column = RoadmapField
    public var id: String
    public var area: String
    public var stage: ManagementStage
    public var label: String
    public var kind: RoadmapKind
    /// 客観 only: an `Indicator` raw value or a context indicator id.
    public var indicator: String
    /// 客観 only.
    public var threshold: RoadmapThreshold?

    public init(
        id: String, area: String, stage: ManagementStage, label: String, kind: RoadmapKind, indicator: String = "",
        threshold: RoadmapThreshold? = nil
    ) {
        self.id = id
        self.area = area
        self.stage = stage
        self.label = label
        self.kind = kind
        self.indicator = indicator
        self.threshold = threshold
    }

}

extension RoadmapField: RunFileColumns {}

extension RoadmapItem {
    /// The areas of an item list in the order it first names them (the order every view shows).
    public static func areas(_ items: [RoadmapItem]) -> [String] {
        var seen: Set<String> = []
        return items.map(\.area).filter { seen.insert($0).inserted }
    }
}

/// A municipality's latest self-assessment of one 主観 item (`clean/self_assessments.csv`).
public struct SelfAssessment: RunFileRow, Equatable {
    public enum Column: String, RunFileColumns {
        case municipalityCode = "municipality_code"
        case itemID = "item_id"
        case score
        case responseDate = "response_date"
        case comment
        case sourceFile = "source_file"
        case sourceLine = "source_line"
    }
    public var municipality: String
    public var item: String
    /// 1 未着手 … 4 実施し評価・改善している.
    public var score: Int
    public var date: Day
    public var comment: String
    public var sourceFile: String
    public var sourceLine: Int

    public init(
        municipality: String, item: String, score: Int, date: Day, comment: String, sourceFile: String = "",
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

    public init(_ r: TypedRow<Column>) throws {
        guard let score = try r.int(.score), (1...4).contains(score) else {
            throw r.malformed(.score, r[.score], "a score from 1 to 4")
        }
        guard let date = Day.iso(r[.responseDate]) else {
            throw r.malformed(.responseDate, r[.responseDate], "a date YYYY-MM-DD")
        }
        self.init(
            municipality: r[.municipalityCode], item: r[.itemID], score: score, date: date, comment: r[.comment],
            sourceFile: r[.sourceFile], sourceLine: try r.int(.sourceLine) ?? 0)
    }

    public var cells: [String] {
        [municipality, item, String(score), date.description, comment, sourceFile, String(sourceLine)]
    }
}

/// One context figure (`clean/context.csv`): a municipality's (or the prefecture's) value with its source.
public struct ContextFigure: CodableRunFileRow, Equatable {
    enum CodingKeys: String, CodingKey {
        case municipality = "municipality_code"
        case id = "indicator_id"
        case label, unit, value, year, source
    }
    public typealias Column = ContextField
    public var municipality: String
    public var id: String
    public var label: String
    public var unit: String
    /// nil when the source marks it missing (never 0).
    public var value: Double?
    public var year: String
    public var source: String

    public init(
        municipality: String, id: String, label: String, unit: String, value: Double?, year: String, source: String
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
public struct RoadmapItemResult: CodableRunFileRow, Equatable {
    public enum Column: String, RunFileColumns, CodingKey {
        case municipality = "municipality_code"
        case item = "item_id"
        case area, stage, kind, score, value, achieved, comment
    }
    typealias CodingKeys = Column
    public var municipality: String
    public var item: String
    public var area: String
    public var stage: ManagementStage
    public var kind: RoadmapKind
    /// 主観: the latest answer; nil when not answered (未回答, never 0).
    public var score: Int?
    /// 客観: the published or context value; nil when suppressed or missing.
    public var value: Double?
    /// 客観: nil when not assessable (suppressed or missing).
    public var achieved: Bool?
    /// 主観: the municipality's comment (its own packet and the prefecture only).
    public var comment: String

    public init(
        municipality: String, item: String, area: String, stage: ManagementStage, kind: RoadmapKind, score: Int? = nil,
        value: Double? = nil, achieved: Bool? = nil, comment: String = ""
    ) {
        self.municipality = municipality
        self.item = item
        self.area = area
        self.stage = stage
        self.kind = kind
        self.score = score
        self.value = value
        self.achieved = achieved
        self.comment = comment
    }

}

/// One stage of one area for one municipality (`roadmap/stages.csv`).
public struct RoadmapStageResult: RunFileRow, Equatable {
    public enum Column: String, RunFileColumns {
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
    public var municipality: String
    public var area: String
    public var stage: ManagementStage
    /// Mean score of the stage's 主観 items answered; nil when none (未回答).
    public var selfScore: Double?
    public var selfAnswered: Int
    public var selfItems: Int
    public var objectiveAchieved: Int
    public var objectiveItems: Int
    /// 客観 items with a published value (not suppressed, not missing).
    public var objectiveAssessable: Int
    public var achieved: Bool
    /// The highest stage of the area whose stages 1…s are all achieved (0 if none); the same on every row of the area.
    public var reached: Int

    public init(
        municipality: String, area: String, stage: ManagementStage, selfScore: Double?, selfAnswered: Int,
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

    public init(_ r: TypedRow<Column>) throws {
        let stage = try r.stage(.stage)
        self.init(
            municipality: r[.municipalityCode], area: r[.area], stage: stage, selfScore: try r.double(.selfScore),
            selfAnswered: try r.int(.selfAnswered) ?? 0, selfItems: try r.int(.selfItems) ?? 0,
            objectiveAchieved: try r.int(.objectiveAchieved) ?? 0, objectiveItems: try r.int(.objectiveItems) ?? 0,
            objectiveAssessable: try r.int(.objectiveAssessable) ?? 0, achieved: try r.bool(.achieved),
            reached: try r.int(.reached) ?? 0)
    }

    public var cells: [String] {
        [
            municipality, area, String(stage.rawValue), selfScore.map { formatFixed($0, digits: 2) } ?? "",
            String(selfAnswered), String(selfItems), String(objectiveAchieved), String(objectiveItems),
            String(achieved), String(reached), String(objectiveAssessable),
        ]
    }
}

/// Per area and stage, how many municipalities achieved it, and the target (`roadmap/overview.csv`).
public struct RoadmapOverviewRow: RunFileRow, Equatable {
    public enum Column: String, RunFileColumns {
        case area, stage, municipalities, achieved, share, answered
        case achievedAnswered = "achieved_answered"
        case shareAnswered = "share_answered"
        case targetShare = "target_share"
        case targetBy = "target_by"
    }
    public var area: String
    public var stage: ManagementStage
    public var municipalities: Int
    public var achieved: Int
    /// Municipalities that answered at least one 主観 item of the roadmap.
    public var answered: Int
    public var achievedAnswered: Int
    public var targetShare: Double?
    public var targetBy: String

    public init(
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
    public var share: Double? { municipalities > 0 ? Double(achieved) / Double(municipalities) : nil }
    /// Achieved ÷ those that answered.
    public var shareAnswered: Double? { answered > 0 ? Double(achievedAnswered) / Double(answered) : nil }

    public init(_ r: TypedRow<Column>) throws {
        let stage = try r.stage(.stage)
        self.init(
            area: r[.area], stage: stage, municipalities: try r.int(.municipalities) ?? 0,
            achieved: try r.int(.achieved) ?? 0, answered: try r.int(.answered) ?? 0,
            achievedAnswered: try r.int(.achievedAnswered) ?? 0, targetShare: try r.double(.targetShare),
            targetBy: r[.targetBy])
    }

    public var cells: [String] {
        let share = { (x: Double?) in x.map { formatFixed($0, digits: 4) } ?? "" }
        return [
            area, String(stage.rawValue), String(municipalities), String(achieved), share(self.share),
            String(answered), String(achievedAnswered), share(shareAnswered), formatNumber(targetShare), targetBy,
        ]
    }
}

/// One context figure of one municipality with the prefecture's and its peers' distribution (`roadmap/karte.csv`).
public struct KarteRow: RunFileRow, Equatable {
    public enum Column: String, RunFileColumns {
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
    public var figure: ContextFigure
    /// The prefecture's own figure when the context file gives one.
    public var prefectureValue: Double?
    /// Municipalities of the prefecture with a value.
    public var municipalities: Int
    /// The prefecture's quartiles (4 values or more).
    public var prefecture: Quartiles?
    /// 1–4 within the prefecture (a position, not a rank).
    public var quartile: Int?
    public var peerCount: Int
    /// The peers' quartiles (3 values or more).
    public var peers: Quartiles?

    public init(figure: ContextFigure) {
        self.figure = figure
        municipalities = 0
        peerCount = 0
    }

    public init(_ r: TypedRow<Column>) throws {
        self.init(
            figure: ContextFigure(
                municipality: r[.municipalityCode], id: r[.indicatorID], label: r[.label], unit: r[.unit],
                value: try r.double(.value), year: r[.year], source: r[.source]))
        prefectureValue = try r.double(.prefectureValue)
        municipalities = try r.int(.municipalities) ?? 0
        prefecture = Quartiles(try r.double(.q1), try r.double(.median), try r.double(.q3))
        quartile = try r.int(.quartile)
        peerCount = try r.int(.peerCount) ?? 0
        peers = Quartiles(try r.double(.peerQ1), try r.double(.peerMedian), try r.double(.peerQ3))
    }

    public var cells: [String] {
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
public struct RoadmapPreviousRow: CodableRunFileRow, Equatable {
    public enum Column: String, RunFileColumns, CodingKey {
        case wave
        case municipality = "municipality_code"
        case area, reached
        case answered
    }
    typealias CodingKeys = Column
    public var wave: String
    public var municipality: String
    public var area: String
    public var reached: Int
    /// Whether the municipality answered any 主観 item of the area that wave.
    public var answered: Bool

    public init(wave: String, municipality: String, area: String, reached: Int, answered: Bool) {
        self.wave = wave
        self.municipality = municipality
        self.area = area
        self.reached = reached
        self.answered = answered
    }

}

/// A context indicator used as a peer feature (`peers/context_features.csv`).
public struct ContextFeatureRow: RunFileRow, Equatable {
    public enum Column: String, RunFileColumns {
        case municipalityCode = "municipality_code"
        case indicatorID = "indicator_id"
        case raw, z, imputed
    }
    public var code: String
    public var id: String
    /// The latest year's value; nil when missing (then imputed at the mean, z = 0).
    public var raw: Double?
    /// Standardised and weighted as the built-in features are.
    public var z: Double

    public init(code: String, id: String, raw: Double?, z: Double) {
        self.code = code
        self.id = id
        self.raw = raw
        self.z = z
    }

    public init(_ r: TypedRow<Column>) throws {
        self.init(code: r[.municipalityCode], id: r[.indicatorID], raw: try r.double(.raw), z: try r.double(.z) ?? 0)
    }

    public var cells: [String] { [code, id, formatNumber(raw), formatNumber(z), String(raw == nil)] }
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
