import BansoCore

/// One municipality's 地域診断カルテ: its context figures and its roadmap profile.
///
/// Built from the municipality's own rows only; of other municipalities it holds counts
/// (stages reached) and the distributions already in `roadmap/karte.csv`, never a score or a comment.
package struct KarteData: Sendable {
    /// One item as the municipality answered it or as its figure stands.
    package struct ItemLine: Sendable {
        package var stage: ManagementStage
        package var label: String
        package var kind: RoadmapKind
        package var score: Int?
        /// 主観: answered 対象外 (left out of the stage's judgement).
        package var notApplicable = false
        package var value: Double?
        package var threshold: RoadmapThreshold?
        /// The figure's unit (`%`, `人`), for its 基準.
        package var unit = ""
        /// 客観 only; the interval beside the value when it has one.
        package var judgement: RoadmapJudgement?
        package var interval: ClosedRange<Double>?
        package var comment: String
    }

    /// One area of the roadmap for the municipality.
    package struct Area: Sendable {
        package var name: String
        package var stages: [RoadmapStageResult]
        package var items: [ItemLine]
        package var reached: Int
        /// The stage reached in the previous wave with a roadmap (nil: none recorded).
        package var previous: (wave: Wave, reached: Int)?
        /// How many of its peers (itself excluded) reached 0, 1, 2, 3.
        package var peerReached: [Int]
        /// How many municipalities of the prefecture reached 0, 1, 2, 3.
        package var prefectureReached: [Int]
        /// The first stage not yet achieved (nil when all are).
        package var next: ManagementStage?
        /// What the prefecture offers at that stage (`[roadmap.support]`).
        package var support: [String]
        /// The support the municipality received in the area since the last wave (`inputs.support`).
        package var received: [String] = []
        /// Peers and neighbours that already reached the next stage (`[roadmap] show_pairings`).
        package var pairings: [String] = []
        /// The municipality's own items in this area, with its answers (`inputs.own_items`).
        package var ownItems: [OwnItem] = []
        /// The prefecture's own words on the area to this municipality (`inputs.prefecture_comments`).
        package var prefectureComments: [String] = []
    }

    /// This municipality's context figures with the distributions.
    package var figures: [KarteRow] = []
    package var areas: [Area] = []
    /// The roadmap is configured (an empty list of areas then means no items).
    package var hasRoadmap = false
    /// The municipality answered at least one 主観 item.
    package var answered = false
    package var peerBasis: PeerBasis?
    /// The prefecture's plan, the same in every packet: what the municipalities never saw before.
    package var plan = SupportPlan()
    /// The pipeline keeps a record of support given (`inputs.support`): the packet says what was received.
    package var hasSupportLog = false
}

/// The prefecture's 支援ロードマップ as every packet shows it: its priority themes, its targets
/// beside where the prefecture stands now, and the year's dated support.
package struct SupportPlan: Sendable {
    package struct Target: Sendable {
        package var area: String
        package var stage: ManagementStage
        /// The share of municipalities that have achieved the stage now (nil before any result).
        package var now: Double?
        package var target: Double
        package var by: String
    }
    package var priorities: [String] = []
    package var targets: [Target] = []
    /// Offers with a date, by date (then by id): the year's schedule.
    package var schedule: [(offer: SupportOffer, for: String)] = []

    package init() {}

    /// From the pipeline file's `[roadmap]` and the roadmap's overview.
    init(settings: RoadmapSettings, overview: [RoadmapOverviewRow]) {
        priorities = settings.priorities
        targets = settings.targets.map { t in
            Target(
                area: t.area, stage: t.stage,
                now: overview.first { $0.area == t.area && $0.stage == t.stage }?.share, target: t.share, by: t.by)
        }
        schedule = settings.support.flatMap { list in
            list.offers.filter { $0.date != nil }.map { ($0, "\(list.area ?? "各領域")・\(list.stage.ordinal)") }
        }
        .sorted { ($0.offer.date!, $0.offer.id) < ($1.offer.date!, $1.offer.id) }
    }

    var isEmpty: Bool { priorities.isEmpty && targets.isEmpty && schedule.isEmpty }
}

/// Builds every municipality's カルテ from the roadmap stage's files.
struct KarteBuilder {
    var figures: [MunicipalityCode: [KarteRow]] = [:]
    /// The items by id, and their areas in the list's order.
    var items: [String: RoadmapItem] = [:]
    var areas: [String] = []
    var results: [MunicipalityCode: [RoadmapItemResult]] = [:]
    var stages: [MunicipalityCode: [RoadmapStageResult]] = [:]
    var previous: [MunicipalityCode: [String: RoadmapPreviousRow]] = [:]
    /// Stage reached per municipality and area.
    var reached: [MunicipalityCode: [String: Int]] = [:]
    /// Per area, how many municipalities of the prefecture reached 0, 1, 2, 3 (the same in every packet).
    var prefectureReached: [String: [Int]] = [:]
    /// Each context figure's unit (clean keeps one unit per figure: it converts or refuses the others).
    var contextUnits: [String: String] = [:]
    var settings: RoadmapSettings
    /// The prefecture's plan, shown in every packet.
    var plan: SupportPlan
    var peers: PeerSets
    var hasRoadmap: Bool
    var hasContext: Bool
    /// Per municipality and area, the support received since the last wave (nil: no record is kept).
    var received: [MunicipalityCode: [String: [String]]]?
    /// Per municipality and area, the candidates to learn from, when the packets may name them.
    var pairings: [MunicipalityCode: [String: [String]]] = [:]
    /// Per municipality and area, its own items (its packet only).
    var ownItems: [MunicipalityCode: [String: [OwnItem]]] = [:]

    init(
        karte: [KarteRow], items: [RoadmapItem], results: [RoadmapItemResult], stages: [RoadmapStageResult],
        previous: [RoadmapPreviousRow], overview: [RoadmapOverviewRow] = [], settings: RoadmapSettings,
        received records: [SupportRecord]? = nil, pairings: [PairingRow] = [], ownItems: [OwnItem] = [],
        peers: PeerSets, hasRoadmap: Bool, hasContext: Bool
    ) {
        for o in ownItems { self.ownItems[o.municipality, default: [:]][o.area, default: []].append(o) }
        if settings.showPairings {
            for p in pairings.sorted(by: { ($0.municipality, $0.area, $0.order) < ($1.municipality, $1.area, $1.order) }
            ) {
                let relation = p.relation == .group ? "類似団体" : "状況の近い団体"
                self.pairings[p.municipality, default: [:]][p.area, default: []].append(
                    "\(p.candidateName)（\(relation)・段階\(p.candidateReached)）")
            }
        }
        if let records {
            var received: [MunicipalityCode: [String: [String]]] = [:]
            for r in records.sorted(by: { ($0.date, $0.support) < ($1.date, $1.support) }) {
                received[r.municipality, default: [:]][r.area, default: []].append(settings.received(r))
            }
            self.received = received
        }
        plan = SupportPlan(settings: settings, overview: overview)
        for r in karte {
            figures[r.figure.municipality, default: []].append(r)
            if contextUnits[r.figure.id] == nil { contextUnits[r.figure.id] = r.figure.unit }
        }
        self.items = Dictionary(items.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        areas = RoadmapItem.areas(items)
        for r in results { self.results[r.municipality, default: []].append(r) }
        for s in stages {
            self.stages[s.municipality, default: []].append(s)
            reached[s.municipality, default: [:]][s.area] = s.reached
        }
        for p in previous { self.previous[p.municipality, default: [:]][p.area] = p }
        self.settings = settings
        self.peers = peers
        self.hasRoadmap = hasRoadmap
        self.hasContext = hasContext
        for area in areas { prefectureReached[area] = counts(of: Array(reached.keys), in: area) }
    }

    /// The unit a measure is written in: the indicator's, or the context figure's (as its file gives it).
    func unit(_ measure: RoadmapMeasure) -> String {
        switch measure {
        case .indicator(let i): return i.unit
        case .context(let id): return contextUnits[id] ?? ""
        }
    }

    /// Refuses support offered for an area the item list does not have: no municipality would see it.
    static func checkSupport(_ settings: RoadmapSettings, areas: [String]) throws {
        for list in settings.support {
            guard let area = list.area, !areas.contains(area) else { continue }
            throw StageFailure(
                .configuration,
                "roadmap.support.\"\(list.key)\": the item list has no area \(area) (areas: \(areas.joined(separator: ", ")))"
            )
        }
    }

    /// The カルテ of one municipality (nil when neither a roadmap nor context figures are configured).
    func karte(for code: MunicipalityCode) -> KarteData? {
        guard hasRoadmap || hasContext else { return nil }
        var k = KarteData()
        k.figures = figures[code] ?? []
        k.hasRoadmap = hasRoadmap
        if hasRoadmap { k.plan = plan }
        k.hasSupportLog = hasRoadmap && received != nil
        let peerSet = peers.peers(of: code)
        k.peerBasis = peerSet?.basis
        let peerCodes = (peerSet?.codes ?? []).filter { $0 != code }
        let own = results[code] ?? []
        k.answered = own.contains(where: \.answered)
        for area in areas {
            let rows = (stages[code] ?? []).filter { $0.area == area }
            let lines = own.filter { $0.area == area }.compactMap { r -> KarteData.ItemLine? in
                guard let item = items[r.item] else { return nil }
                var line = KarteData.ItemLine(
                    stage: r.stage, label: item.label, kind: r.kind, score: r.score, value: r.value,
                    threshold: item.threshold, judgement: r.judgement,
                    interval: r.ciLow.flatMap { lo in r.ciHigh.map { lo...max(lo, $0) } }, comment: r.comment)
                line.notApplicable = r.notApplicable
                line.unit = item.measure.map(unit) ?? ""
                return line
            }
            let next = rows.first { !$0.achieved }?.stage
            k.areas.append(
                KarteData.Area(
                    name: area, stages: rows, items: lines, reached: rows.first?.reached ?? 0,
                    previous: previous[code]?[area].map { ($0.wave, $0.reached) },
                    peerReached: counts(of: peerCodes, in: area),
                    prefectureReached: prefectureReached[area] ?? [0, 0, 0, 0],
                    next: next,
                    support: next.map { settings.offers(area: area, stage: $0).map(\.japanese) } ?? [],
                    received: received?[code]?[area] ?? [], pairings: pairings[code]?[area] ?? [],
                    ownItems: ownItems[code]?[area] ?? []))
        }
        return k
    }

    /// How many of `codes` reached stage 0, 1, 2, 3 in `area` (counts only, never names).
    func counts(of codes: [MunicipalityCode], in area: String) -> [Int] {
        var c = [0, 0, 0, 0]
        for m in codes { if let s = reached[m]?[area] { c[s] += 1 } }
        return c
    }
}

/// How a カルテ is shown: figures formatted, words chosen.
enum KarteText {
    /// A stage's 客観 items: met of those decided, and why the others are not.
    static func objective(_ s: RoadmapStageResult, items: [KarteData.ItemLine]) -> String {
        let objective = items.filter { $0.kind == .objective }
        let undecided = objective.filter { $0.judgement == .undecided }.count
        let missing = objective.filter { $0.judgement == .noValue || $0.judgement == nil }.count
        var text = "\(s.objectiveAchieved)/\(s.objectiveAssessable)項目"
        if undecided > 0 { text += "・保留\(undecided)" }
        if missing > 0 { text += "・値なし\(missing)" }
        return text
    }

    /// What is said beside an item's figure when it is not simply met or missed.
    static func judgement(_ j: RoadmapJudgement?) -> String {
        switch j {
        case .undecided?: " 判定保留（誤差の範囲が基準をまたぐため）"
        case .noValue?, nil: " 秘匿・値なしのため評価できず"
        case .met?, .notMet?: ""
        }
    }

    /// A context value: whole numbers without decimals, others with one.
    static func value(_ v: Double?, unit: String = "") -> String {
        guard let v else { return "—" }
        let s = HTML.grouped(v, digits: v == v.rounded() ? 0 : 1)
        return unit.isEmpty ? s : "\(s) \(unit)"
    }

    /// A score as the self-assessment scale says it.
    static func score(_ s: Int?) -> String {
        guard let s else { return "未回答" }
        return "\(s) \(Categories.selfAssessment[String(s)] ?? "")"
    }

    /// A share of municipalities as a whole percentage: `39%`, or `—` without one.
    static func share(_ x: Double?) -> String { x.map { formatFixed($0 * 100, digits: 0) + "%" } ?? "—" }

    /// A target as the prefecture set it: `60%（2027まで）`.
    static func target(_ share: Double, by: String) -> String { "\(Self.share(share))（\(by)まで）" }

    /// `第2段階まで達成` or `第1段階の途中`.
    static func reached(_ r: Int) -> String { r == 0 ? "第1段階の途中" : "第\(r)段階まで達成" }

    /// Counts of stages reached, 途中・第1・第2・第3: `2・3・1・0` (counts only, never names).
    static func distribution(_ counts: [Int]) -> String { counts.map(String.init).joined(separator: "・") }

    /// Whether the peers' counts of stages may be shown in a packet: at least 3 peers answered,
    /// and they are not all at one stage.
    ///
    /// The peers are named in the report: counts of 1 or 2, or all of them in one cell, would
    /// tell a reader a named municipality's self-assessed stage (the survey's threshold rule).
    static func disclosable(_ counts: [Int]) -> Bool {
        counts.reduce(0, +) >= minimumPeers && counts.filter { $0 > 0 }.count >= 2
    }

    /// Fewest peers whose stages are counted in a packet.
    static let minimumPeers = 3

    /// Said instead of counts that would reveal a peer's stage.
    static let peersWithheld = "（比較団体が少ないか同じ段階に集まるため非表示）"
}

/// What the report's カルテ page shows: every value formatted, every absent part nil.
struct KarteView: Encodable {
    /// 「第2段階 事業所との定例会：3 実施中（月1回に）」, or 「…：未回答」.
    static func ownItem(_ o: OwnItem) -> String {
        let stage = o.stage.flatMap(ManagementStage.init(rawValue:)).map { "\($0.ordinal) " } ?? ""
        let answer = o.score.map { "\($0) \(Categories.selfAssessment.labels[String($0)] ?? "")" } ?? "未回答"
        return "\(stage)\(o.label)：\(answer)" + (o.comment.isEmpty ? "" : "（\(o.comment)）")
    }

    struct Figure: Encodable {
        let label: String
        let value: String
        let year: String
        let prefecture: String
        let range: String
        let peers: String
        let strip: String
        let position: String?
    }
    struct StageRow: Encodable {
        /// The area's first row carries the cells that span the area.
        let first: Bool
        let rows: Int
        let area: String
        let reached: String
        let previous: String?
        let peers: String?
        let prefecture: String
        let ordinal: String
        let name: String
        let selfScore: String
        let objective: String
        let achieved: Bool
    }
    struct ItemRow: Encodable {
        let ordinal: String
        let label: String
        let kind: String
        let answer: String
        let mark: String
    }
    struct AreaView: Encodable {
        let name: String
        let reached: String
        let previous: String?
        let stages: [StageRow]
        let items: [ItemRow]
        let comments: [String]
        let hasComments: Bool
        let prefectureComments: [String]
        let hasPrefectureComments: Bool
        let peers: String?
        let prefecture: String
        let next: String?
        let support: [String]
        let hasSupport: Bool
        let received: [String]
        let hasReceived: Bool
        /// 「相談先の候補：○○（類似団体・段階2）、…」 (`[roadmap] show_pairings`).
        let pairings: String?
        /// 「第2段階 事業所との定例会：3 実施中（コメント）」: the municipality's own items.
        let ownItems: [String]
        let hasOwnItems: Bool
    }

    /// The prefecture's 支援ロードマップ (nil when the pipeline file gives no priorities, targets or dates).
    struct PlanView: Encodable {
        struct TargetRow: Encodable {
            let area: String
            let stage: String
            let now: String
            let target: String
        }
        struct Event: Encodable {
            let date: String
            let name: String
            let kind: String
            let capacity: String
            let audience: String
        }
        let priorities: String?
        let targets: [TargetRow]
        let hasTargets: Bool
        let schedule: [Event]
        let hasSchedule: Bool
    }

    let hasFigures: Bool
    let figures: [Figure]
    let sources: String
    let plan: PlanView?
    let hasRoadmap: Bool
    let noAnswers: Bool
    let areas: [AreaView]
    /// Some area has own items: the print keeps the heading 項目ごとの状況 and those items (the item
    /// lines and comments are in the workbook, the prefecture's comments on page 1).
    let hasItemNotes: Bool
    /// The grid's column headings: 第1段階 and its name, ….
    let stageHeads = ManagementStage.allCases.map { StageHead(ordinal: $0.ordinal, name: $0.japanese) }
    struct StageHead: Encodable {
        let ordinal: String
        let name: String
    }
    let peerName: String
    /// A record of support given is kept: the support table says what was received since the last wave.
    let hasSupportLog: Bool

    init(_ k: KarteData, wording w: PrefectureWording) {
        hasSupportLog = k.hasSupportLog
        peerName = k.peerBasis == .neighbours ? "状況の近い\(w.municipalities)" : "類似団体"
        figures = k.figures.map { row in
            let f = row.figure
            let range =
                row.prefecture.map { q in
                    "\(KarteText.value(q.q1))〜\(KarteText.value(q.q3))（中央値 \(KarteText.value(q.median))）"
                } ?? "—"
            let peers =
                row.peers.map { "\(KarteText.value($0.median))（\(row.peerCount)団体）" }
                ?? (row.peerCount > 0 ? "値のある団体が少ないため省略" : "—")
            return Figure(
                label: f.label, value: KarteText.value(f.value, unit: f.unit), year: f.year,
                prefecture: KarteText.value(row.prefectureValue), range: range, peers: peers,
                strip: row.quartile.map(Charts.quartileStrip) ?? "", position: row.quartile.map(Charts.quartileWords))
        }
        hasFigures = !figures.isEmpty
        var seen: Set<String> = []
        sources = k.figures.map(\.figure.source).filter { seen.insert($0).inserted }.joined(separator: "、")
        hasRoadmap = k.hasRoadmap
        noAnswers = k.hasRoadmap && !k.answered
        let targets = k.plan.targets.map { t in
            PlanView.TargetRow(
                area: t.area, stage: "\(t.stage.ordinal)「\(t.stage.japanese)」", now: KarteText.share(t.now),
                target: KarteText.target(t.target, by: t.by))
        }
        let schedule = k.plan.schedule.map { e in
            PlanView.Event(
                date: e.offer.date?.japanese ?? "", name: e.offer.name, kind: e.offer.kind.rawValue,
                capacity: e.offer.capacity.map { "\($0)名" } ?? "", audience: e.for)
        }
        plan =
            k.plan.isEmpty
            ? nil
            : PlanView(
                priorities: k.plan.priorities.isEmpty ? nil : k.plan.priorities.joined(separator: "、"),
                targets: targets, hasTargets: !targets.isEmpty, schedule: schedule, hasSchedule: !schedule.isEmpty)
        areas = k.areas.map { a in
            let peers: String? =
                a.peerReached.reduce(0, +) == 0
                ? nil
                : KarteText.disclosable(a.peerReached)
                    ? KarteText.distribution(a.peerReached) : KarteText.peersWithheld
            let previous = a.previous.map { "前回（\(HTML.fiscalYear($0.wave))）\(KarteText.reached($0.reached))" }
            // One cell per stage in the area × stage grid, whichever stages the area's results hold.
            let stages = ManagementStage.allCases.enumerated().map { n, stage in
                // A stage without results (no items of it) gets a cell of dashes.
                let s = a.stages.first { $0.stage == stage }
                return StageRow(
                    first: n == 0, rows: ManagementStage.allCases.count, area: a.name,
                    reached: KarteText.reached(a.reached),
                    previous: previous, peers: peers, prefecture: KarteText.distribution(a.prefectureReached),
                    ordinal: stage.ordinal, name: stage.japanese,
                    selfScore: s.map { s in
                        s.selfItems == 0
                            ? "—"
                            : s.selfScore.map { formatFixed($0, digits: 1) + "（\(s.selfAnswered)/\(s.selfItems)項目）" }
                                ?? "未回答"
                    } ?? "—",
                    objective: s.map { s in
                        s.objectiveItems == 0
                            ? "—" : KarteText.objective(s, items: a.items.filter { $0.stage == s.stage })
                    } ?? "—",
                    achieved: s?.achieved ?? false)
            }
            let items = a.items.map { i in
                let answer: String
                let mark: String
                let interval = i.interval.map {
                    "（\(KarteText.value($0.lowerBound))〜\(KarteText.value($0.upperBound))）"
                }
                switch i.kind {
                case .subjective:
                    answer = i.notApplicable ? "対象外（段階の判定に含めません）" : KarteText.score(i.score)
                    mark = i.score.map { $0 >= 3 ? "○" : "" } ?? ""
                case .objective:
                    answer =
                        "\(KarteText.value(i.value))\(interval ?? "")（基準 \(i.threshold?.japanese(unit: i.unit) ?? "")）"
                        + KarteText.judgement(i.judgement)
                    mark = i.judgement == .met ? "○" : ""
                case .watch:
                    answer =
                        i.value == nil
                        ? "値なし（見守り）" : "\(KarteText.value(i.value))\(interval ?? "")（見守り・達成の判定には含めません）"
                    mark = ""
                }
                return ItemRow(
                    ordinal: i.stage.ordinal, label: i.label, kind: i.kind.rawValue, answer: answer, mark: mark)
            }
            let comments = a.items.filter { !$0.comment.isEmpty }.map { "\($0.label)：\($0.comment)" }
            return AreaView(
                name: a.name, reached: KarteText.reached(a.reached), previous: previous, stages: stages, items: items,
                comments: comments, hasComments: !comments.isEmpty, prefectureComments: a.prefectureComments,
                hasPrefectureComments: !a.prefectureComments.isEmpty, peers: peers,
                prefecture: KarteText.distribution(a.prefectureReached),
                next: a.next.map { "\($0.ordinal)「\($0.japanese)」" }, support: a.support,
                hasSupport: !a.support.isEmpty, received: a.received, hasReceived: !a.received.isEmpty,
                pairings: a.pairings.isEmpty ? nil : "相談先の候補：" + a.pairings.joined(separator: "、"),
                ownItems: a.ownItems.map(Self.ownItem), hasOwnItems: !a.ownItems.isEmpty)
        }
        hasItemNotes = areas.contains(where: \.hasOwnItems)
    }
}
