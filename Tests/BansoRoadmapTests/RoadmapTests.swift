import BansoCore
import BansoRoadmap
import BansoTestSupport
import Testing

/// Small fixtures: two areas, items of both kinds, a few municipalities.
enum Fixture {
    static let items: [RoadmapItem] = [
        RoadmapItem(id: "A1s", area: "介護人材", stage: .assess, label: "需給を把握", kind: .subjective),
        RoadmapItem(
            id: "A1o", area: "介護人材", stage: .assess, label: "回答率50%以上", kind: .objective,
            measure: RoadmapMeasure("response_rate"), threshold: RoadmapThreshold(.atLeast, 50)),
        RoadmapItem(id: "A2s", area: "介護人材", stage: .share, label: "目標を共有", kind: .subjective),
        RoadmapItem(id: "A2t", area: "介護人材", stage: .share, label: "協議の場", kind: .subjective),
        RoadmapItem(
            id: "A3o", area: "介護人材", stage: .act, label: "離職率20%以下", kind: .objective,
            measure: RoadmapMeasure("turnover_rate"), threshold: RoadmapThreshold(.atMost, 20)),
        RoadmapItem(
            id: "B1o", area: "介護予防", stage: .assess, label: "通いの場5%以上", kind: .objective,
            measure: RoadmapMeasure("kayoi"), threshold: RoadmapThreshold(.atLeast, 5)),
        RoadmapItem(id: "B2s", area: "介護予防", stage: .share, label: "住民と共有", kind: .subjective),
    ]

    static func answer(_ m: MunicipalityCode, _ item: String, _ score: Int, day: Int = 1, comment: String = "")
        -> SelfAssessment
    {
        SelfAssessment(
            municipality: m, item: item, score: score, date: Day(year: 2025, month: 7, day: day)!, comment: comment)
    }

    static func indicator(_ m: MunicipalityCode, _ i: Indicator, _ v: Double?, suppressed: Bool = false) -> IndicatorRow
    {
        var r = IndicatorRow(wave: "2025", code: m, name: m.text, indicator: i, estimate: Estimate(value: v, n: 5))
        r.suppressed = suppressed
        return r
    }

    static func context(_ m: MunicipalityCode, _ id: String, _ v: Double?, year: String = "令和5年度") -> ContextFigure {
        ContextFigure(municipality: m, id: id, label: id, unit: "%", value: v, year: year, source: "見える化")
    }
}

@Suite("context years as offices write them")
struct ContextYearTests {
    @Test(
        "every form of a year reads as its fiscal year",
        arguments: [
            ("2024", 2024), ("2024年度", 2024), ("令和6年度", 2024), ("R6", 2024), ("令和元年度", 2019),
            ("平成30年度", 2018), ("平成31年", 2019), ("令和5年3月末", 2022), ("令和5年4月1日", 2023),
            ("2023/3", 2022), ("2023-03-31", 2022), ("2023-04", 2023), ("2022-2024", 2024), ("令和4〜6年度", 2024),
            ("2022年度～2024年度", 2024), ("不明", 0),
        ])
    func years(_ text: String, _ fiscalYear: Int) {
        #expect(ContextFigures.yearKey(text) == fiscalYear)
    }

    @Test("the latest figure is the latest period, not the longest digit string")
    func latest() {
        func figure(_ year: String, _ value: Double) -> ContextFigure {
            ContextFigure(municipality: "202011", id: "x", label: "x", unit: "%", value: value, year: year, source: "s")
        }
        for (older, newer) in [("平成30年度", "令和元年度"), ("令和5年3月末", "令和6年度"), ("2022-2024", "2025")] {
            let kept = ContextFigures.latest([figure(newer, 2), figure(older, 1)])
            #expect(kept.map(\.year) == [newer], "\(older) vs \(newer)")
            #expect(ContextFigures.latest([figure(older, 1), figure(newer, 2)]).map(\.year) == [newer])
        }
    }
}

@Suite("roadmap rules")
struct RoadmapRuleTests {
    @Test(
        "thresholds read in the forms offices write them",
        arguments: [
            (">= 50", RoadmapThreshold(.atLeast, 50)), (">=50", RoadmapThreshold(.atLeast, 50)),
            ("≥ 50", RoadmapThreshold(.atLeast, 50)), ("50以上", RoadmapThreshold(.atLeast, 50)),
            ("> 0", RoadmapThreshold(.above, 0)), ("<= 15", RoadmapThreshold(.atMost, 15)),
            ("15以下", RoadmapThreshold(.atMost, 15)), ("< 2.5", RoadmapThreshold(.below, 2.5)),
            ("= 1", RoadmapThreshold(.equal, 1)), ("== 1", RoadmapThreshold(.equal, 1)),
            // The forms CP932 holds, and the words offices write.
            ("≧ 50", RoadmapThreshold(.atLeast, 50)), ("≦15", RoadmapThreshold(.atMost, 15)),
            ("5未満", RoadmapThreshold(.below, 5)), ("20超", RoadmapThreshold(.above, 20)),
            ("20を超える", RoadmapThreshold(.above, 20)),
        ])
    func thresholds(_ text: String, _ expected: RoadmapThreshold) {
        #expect(RoadmapThreshold(text: text) == expected)
    }

    @Test(
        "a threshold without a comparison or a number is refused",
        arguments: ["50", ">= ", "about 50", ">= 5O", "=> 3", ""])
    func badThresholds(_ text: String) {
        #expect(RoadmapThreshold(text: text) == nil)
    }

    @Test("each comparison meets at its boundary the way it says")
    func boundaries() {
        #expect(RoadmapThreshold(.atLeast, 50).isMet(by: 50))
        #expect(!RoadmapThreshold(.above, 50).isMet(by: 50))
        #expect(RoadmapThreshold(.atMost, 20).isMet(by: 20))
        #expect(!RoadmapThreshold(.below, 20).isMet(by: 20))
        #expect(RoadmapThreshold(.equal, 1).isMet(by: 1) && !RoadmapThreshold(.equal, 1).isMet(by: 1.5))
    }

    @Test("a suppressed or missing figure is not assessable, never achieved or failed")
    func suppressedNotAssessable() {
        let figures = RoadmapEvaluation.Figures(
            published: [
                Fixture.indicator("200018", .responseRate, 80, suppressed: true),
                Fixture.indicator("200026", .responseRate, 80), Fixture.indicator("200034", .responseRate, 30),
            ],
            context: [Fixture.context("200018", "kayoi", nil), Fixture.context("200026", "kayoi", 6)])
        let r = RoadmapEvaluation.items(
            Fixture.items, answers: [], municipalities: ["200018", "200026", "200034"], figures: figures)
        func item(_ m: MunicipalityCode, _ id: String) -> RoadmapItemResult {
            r.first { $0.municipality == m && $0.item == id }!
        }
        #expect(item("200018", "A1o").value == nil && item("200018", "A1o").achieved == nil)
        #expect(item("200026", "A1o").achieved == true)
        #expect(item("200034", "A1o").achieved == false)
        #expect(item("200018", "B1o").achieved == nil, "a context figure marked missing")
        #expect(item("200034", "B1o").achieved == nil, "no context figure at all")
        #expect(item("200026", "B1o").achieved == true)
        // Not assessable leaves the stage to the items that are.
        let stages = RoadmapEvaluation.stages(r, items: Fixture.items)
        let b1 = stages.first { $0.municipality == "200026" && $0.area == "介護予防" && $0.stage == .assess }!
        #expect(b1.achieved && b1.objectiveAssessable == 1)
        let none = stages.first { $0.municipality == "200018" && $0.area == "介護予防" && $0.stage == .assess }!
        #expect(!none.achieved, "nothing answered or assessable")
        #expect(none.objectiveItems == 1 && none.objectiveAssessable == 0)
    }

    @Test("the latest year of a context figure is used: 令和5年度 after 2022 and 令和4年度")
    func latestContextYear() {
        let latest = ContextFigures.latest([
            Fixture.context("200018", "kayoi", 3, year: "令和5年度"), Fixture.context("200018", "kayoi", 9, year: "2022"),
            Fixture.context("200018", "kayoi", 8, year: "令和4年度"),
        ])
        #expect(latest.count == 1 && latest[0].value == 3)
        #expect(ContextFigures.yearKey("R6") == 2024 && ContextFigures.yearKey("平成30年") == 2018)
    }

    @Test("the latest answer wins; on the same day, the one given last")
    func latestAnswerWins() {
        let answers = [
            Fixture.answer("200018", "A1s", 4, day: 20), Fixture.answer("200018", "A1s", 1, day: 3),
            Fixture.answer("200018", "A2s", 2, day: 5), Fixture.answer("200018", "A2s", 3, day: 5),
        ]
        let r = RoadmapEvaluation.items(
            Fixture.items, answers: answers, municipalities: ["200018"],
            figures: .init(published: [], context: []))
        #expect(r.first { $0.item == "A1s" }?.score == 4)
        #expect(r.first { $0.item == "A2s" }?.score == 3)
    }

    @Test("未回答 is never 0: no self_score, the stage not achieved, not counted as answered")
    func unansweredIsNotZero() {
        let figures = RoadmapEvaluation.Figures(
            published: [Fixture.indicator("200026", .responseRate, 90)], context: [])
        let r = RoadmapEvaluation.items(
            Fixture.items, answers: [Fixture.answer("200018", "A1s", 4)], municipalities: ["200018", "200026"],
            figures: figures)
        let stages = RoadmapEvaluation.stages(r, items: Fixture.items)
        let silent = stages.filter { $0.municipality == "200026" }
        #expect(silent.allSatisfy { $0.selfScore == nil && $0.selfAnswered == 0 })
        #expect(silent.allSatisfy { !$0.achieved && $0.reached == 0 })
        #expect(RoadmapStageResult.Column.header.contains("self_score"))
        #expect(silent.first!.cells[RoadmapStageResult.Column.selfScore.position] == "")
        #expect(RoadmapEvaluation.answered(r) == ["200018"])
        let overview = try! RoadmapEvaluation.overview(
            stages, items: Fixture.items, municipalities: 2, answered: RoadmapEvaluation.answered(r), targets: [])
        #expect(overview.allSatisfy { $0.answered == 1 && $0.municipalities == 2 })
    }

    @Test("a 見守り item shows its figure and is never judged; a stage of only 見守り items is not one to achieve")
    func watchItems() {
        let items = [
            RoadmapItem(id: "P1s", area: "介護予防", stage: .assess, label: "参加状況を把握", kind: .subjective),
            RoadmapItem(
                id: "P1w", area: "介護予防", stage: .assess, label: "通いの場への参加率", kind: .watch,
                measure: RoadmapMeasure("kayoi")),
            RoadmapItem(
                id: "P2w", area: "介護予防", stage: .share, label: "ボランティア登録者数", kind: .watch,
                measure: RoadmapMeasure("volunteers")),
        ]
        // 200018's 参加率 is low (2%); it would have failed 「5%以上」 as a 客観 item.
        let r = RoadmapEvaluation.items(
            items, answers: [Fixture.answer("200018", "P1s", 3)], municipalities: ["200018"],
            figures: .init(
                published: [],
                context: [Fixture.context("200018", "kayoi", 2), Fixture.context("200018", "volunteers", 40)]))
        let watched = r.first { $0.item == "P1w" }!
        #expect(watched.value == 2 && watched.judgement == nil && watched.achieved == nil)
        let stages = RoadmapEvaluation.stages(r, items: items)
        #expect(stages.map(\.stage) == [.assess], "stage 2 has only a 見守り item")
        #expect(stages[0].achieved && stages[0].objectiveItems == 0 && stages[0].reached == 1)
    }

    @Test("pairings: who has already reached a municipality's next stage, nearest first, then its peer group")
    func pairings() {
        let codes: [MunicipalityCode] = ["200018", "200026", "200034", "200042", "200051"]
        let master = codes.map {
            MasterEntry(code: $0, name: "町" + $0.text, population: 1, aged65: 0, aged75: 0, area: 1, email: "")
        }
        // 介護人材: 200018 is at 第1段階まで (next: 2); the others reached 0, 2, 3 and 1.
        let reached: [MunicipalityCode: Int] = ["200018": 1, "200026": 0, "200034": 2, "200042": 3, "200051": 1]
        let stages = codes.flatMap { code in
            ManagementStage.allCases.map { s in
                RoadmapStageResult(
                    municipality: code, area: "介護人材", stage: s, selfScore: nil, selfAnswered: 0, selfItems: 1,
                    objectiveAchieved: 0, objectiveItems: 0, objectiveAssessable: 0,
                    achieved: s.rawValue <= reached[code]!, reached: reached[code]!)
            }
        }
        // Its nearest are 200051 (at 1: not yet there) then 200042; its group adds 200034 and 200026.
        let neighbours = [("200051", 1), ("200042", 2)].map { n, order in
            NeighbourRow(
                code: "200018", name: "", order: order, neighbourCode: MunicipalityCode(n)!, neighbourName: "",
                distance: 1, similarity: 0.5, closestFeatures: [], sameGroup: false)
        }
        let groups = codes.map { PeerGroupRow(code: $0, name: "", group: 1, label: "", size: 5) }
        let peers = PeerSets(groups: groups, neighbours: neighbours)
        let rows = RoadmapEvaluation.pairings(stages, master: master, peers: peers)
        let mine = rows.filter { $0.municipality == "200018" }
        #expect(mine.map(\.candidate) == ["200042", "200034"])
        #expect(mine.map(\.relation) == [.neighbour, .group] && mine.map(\.order) == [1, 2])
        #expect(mine.allSatisfy { $0.nextStage == .share && $0.candidateReached >= 2 && $0.area == "介護人材" })
        #expect(mine[0].candidateName == "町200042")
        // 200042 has reached every stage: nobody to pair it with; at most three candidates each.
        #expect(!rows.contains { $0.municipality == "200042" })
        #expect(rows.filter { $0.municipality == "200026" }.map(\.candidate) == ["200018", "200034", "200042"])
        let one = RoadmapEvaluation.pairings(stages, master: master, peers: peers, limit: 1)
        #expect(one.filter { $0.municipality == "200026" }.count == 1)
    }

    @Test("対象外 takes an item out of the municipality's judgement; a stage all 対象外 does not hold it back")
    func notApplicable() {
        let na = { (m: MunicipalityCode, item: String) in
            SelfAssessment(
                municipality: m, item: item, score: nil, date: Day(year: 2025, month: 7, day: 1)!, comment: "")
        }
        let answers = [
            // 200018: A2t does not apply; A2s at 3 carries stage 2 alone.
            Fixture.answer("200018", "A1s", 3), Fixture.answer("200018", "A2s", 3), na("200018", "A2t"),
            // 200026: A2s scored 2 would fail stage 2; with A2t 対象外 the mean is still 2.
            Fixture.answer("200026", "A1s", 3), Fixture.answer("200026", "A2s", 2), na("200026", "A2t"),
            // 200034: nothing of stage 2 applies to it; B2s (介護予防 2) is 対象外 too.
            Fixture.answer("200034", "A1s", 4), na("200034", "A2s"), na("200034", "A2t"), na("200034", "B2s"),
        ]
        let published = ["200018", "200026", "200034"].map {
            Fixture.indicator(MunicipalityCode($0)!, .responseRate, 60)
        }
        let r = RoadmapEvaluation.items(
            Fixture.items, answers: answers, municipalities: ["200018", "200026", "200034"],
            figures: .init(published: published, context: []))
        let line = r.first { $0.municipality == "200018" && $0.item == "A2t" }!
        #expect(line.notApplicable && line.score == nil && line.answered)
        let s = RoadmapEvaluation.stages(r, items: Fixture.items)
        func stage(_ m: MunicipalityCode, _ st: ManagementStage) -> RoadmapStageResult {
            s.first { $0.municipality == m && $0.area == "介護人材" && $0.stage == st }!
        }
        #expect(stage("200018", .share).selfItems == 1 && stage("200018", .share).selfScore == 3)
        #expect(stage("200018", .share).achieved)
        #expect(!stage("200026", .share).achieved && stage("200026", .share).selfScore == 2)
        #expect(stage("200034", .share).achieved && stage("200034", .share).selfItems == 0)
        #expect(stage("200034", .share).reached == 2, "a stage of only 対象外 does not stop it at stage 1")
        #expect(RoadmapEvaluation.answered(r) == ["200018", "200026", "200034"])
    }

    @Test(
        "support outcomes: supported and other municipalities counted by how their stage moved; only support in the window, only those that answered both waves"
    )
    func supportOutcomes() {
        func stage(_ m: MunicipalityCode, reached: Int) -> RoadmapStageResult {
            RoadmapStageResult(
                municipality: m, area: "介護人材", stage: .assess, selfScore: 3, selfAnswered: 1, selfItems: 1,
                objectiveAchieved: 0, objectiveItems: 0, objectiveAssessable: 0, achieved: reached >= 1,
                reached: reached)
        }
        func before(_ m: MunicipalityCode, _ reached: Int, answered: Bool = true, wave: Wave = "2024")
            -> RoadmapPreviousRow
        {
            RoadmapPreviousRow(wave: wave, municipality: m, area: "介護人材", reached: reached, answered: answered)
        }
        let window = Day(year: 2024, month: 4, day: 1)!...Day(year: 2025, month: 3, day: 31)!
        let records = [
            // 200018 and 200026 were supported in the window; 200034's support came the year before.
            SupportRecord(
                municipality: "200018", area: "介護人材", stage: .assess, support: "S1",
                date: Day(year: 2024, month: 7, day: 1)!),
            SupportRecord(
                municipality: "200026", area: "介護人材", stage: .share, support: "訪問",
                date: Day(year: 2025, month: 3, day: 31)!),
            SupportRecord(
                municipality: "200034", area: "介護人材", stage: .assess, support: "S1",
                date: Day(year: 2024, month: 3, day: 31)!),
            // Support in another area does not count for 介護人材.
            SupportRecord(
                municipality: "200042", area: "介護予防", stage: .assess, support: "S1",
                date: Day(year: 2024, month: 9, day: 1)!),
        ]
        let stages = [
            stage("200018", reached: 1), stage("200026", reached: 1), stage("200034", reached: 1),
            stage("200042", reached: 0), stage("200051", reached: 2), stage("200069", reached: 1),
        ]
        let previous = [
            before("200018", 0), before("200026", 1), before("200034", 0), before("200042", 1),
            // An older wave is not "the last wave".
            before("200042", 0, wave: "2023"),
            // 200051 did not answer last wave: it is left out.
            before("200051", 0, answered: false),
            // 200069 has no stage last wave: left out.
        ]
        let out = RoadmapEvaluation.supportOutcomes(
            stages, previous: previous, answered: ["200018", "200026", "200034", "200042", "200051", "200069"],
            records: records, window: window, areas: ["介護人材", "介護予防"])
        #expect(
            out == [
                SupportOutcomeRow(
                    area: "介護人材", supported: true, municipalities: 2, movedUp: 1, stayed: 1, movedDown: 0),
                SupportOutcomeRow(
                    area: "介護人材", supported: false, municipalities: 2, movedUp: 1, stayed: 0, movedDown: 1),
                SupportOutcomeRow(
                    area: "介護予防", supported: true, municipalities: 0, movedUp: 0, stayed: 0, movedDown: 0),
                SupportOutcomeRow(
                    area: "介護予防", supported: false, municipalities: 0, movedUp: 0, stayed: 0, movedDown: 0),
            ])
    }

    @Test("a stage is achieved with a mean score of 3 and every assessable objective item met")
    func achievedRule() {
        let published = [
            Fixture.indicator("200018", .responseRate, 60), Fixture.indicator("200026", .responseRate, 60),
            Fixture.indicator("200034", .responseRate, 40), Fixture.indicator("200042", .responseRate, 60),
        ]
        let answers = [
            // 200001: stage 2 mean (3 + 3) / 2 = 3.0 → achieved.
            Fixture.answer("200018", "A1s", 3), Fixture.answer("200018", "A2s", 4), Fixture.answer("200018", "A2t", 2),
            // 200002: stage 2 mean 2.5 → not achieved.
            Fixture.answer("200026", "A1s", 4), Fixture.answer("200026", "A2s", 3), Fixture.answer("200026", "A2t", 2),
            // 200003: a good self-assessment, but the objective item of stage 1 is not met.
            Fixture.answer("200034", "A1s", 4), Fixture.answer("200034", "A2s", 4),
            // 200004: one of stage 2's two items answered: the mean of those answered counts.
            Fixture.answer("200042", "A1s", 3), Fixture.answer("200042", "A2s", 3),
        ]
        let r = RoadmapEvaluation.items(
            Fixture.items, answers: answers, municipalities: ["200018", "200026", "200034", "200042"],
            figures: .init(published: published, context: []))
        let s = RoadmapEvaluation.stages(r, items: Fixture.items)
        func stage(_ m: MunicipalityCode, _ st: ManagementStage) -> RoadmapStageResult {
            s.first { $0.municipality == m && $0.area == "介護人材" && $0.stage == st }!
        }
        #expect(stage("200018", .share).selfScore == 3.0 && stage("200018", .share).achieved)
        #expect(stage("200026", .share).selfScore == 2.5 && !stage("200026", .share).achieved)
        #expect(!stage("200034", .assess).achieved && stage("200034", .share).achieved)
        #expect(stage("200034", .assess).reached == 0, "stage 2 achieved does not count without stage 1")
        #expect(stage("200042", .share).selfAnswered == 1 && stage("200042", .share).selfItems == 2)
        #expect(stage("200042", .share).achieved)
        // Stage 3 has only a turnover item no one has a value for: nothing assessable, not achieved.
        #expect(!stage("200018", .act).achieved && stage("200018", .act).reached == 2)
    }

    @Test(
        "the stage reached is the highest with every stage up to it achieved",
        arguments: [
            ([true, true, true], 3), ([true, true, false], 2), ([true, false, true], 1), ([false, true, true], 0),
            ([false, false, false], 0),
        ])
    func reached(_ achieved: [Bool], _ expected: Int) {
        let stages = zip(ManagementStage.allCases, achieved).map { ($0, $1) }
        #expect(RoadmapEvaluation.reachedStage(stages) == expected)
    }

    @Test("an area without items for a stage cannot be reached beyond it")
    func missingStage() {
        #expect(RoadmapEvaluation.reachedStage([(.assess, true), (.act, true)]) == 1)
    }

    @Test("targets: the share now beside the target; a target for an area the list lacks is an error naming the key")
    func targets() throws {
        let answers = ["200018", "200026", "200034"].map { Fixture.answer($0, "B2s", 4) }
        let figures = RoadmapEvaluation.Figures(
            published: [],
            context: ["200018", "200026", "200034", "200042"].map { Fixture.context($0, "kayoi", 7) })
        let r = RoadmapEvaluation.items(
            Fixture.items, answers: answers, municipalities: ["200018", "200026", "200034", "200042"], figures: figures)
        let stages = RoadmapEvaluation.stages(r, items: Fixture.items)
        let target = RoadmapTarget(key: "介護予防.2", area: "介護予防", stage: .share, share: 0.6, by: "2027")
        let overview = try RoadmapEvaluation.overview(
            stages, items: Fixture.items, municipalities: 4, answered: RoadmapEvaluation.answered(r), targets: [target])
        let row = overview.first { $0.area == "介護予防" && $0.stage == .share }!
        #expect(row.achieved == 3 && row.share == 0.75 && row.targetShare == 0.6 && row.targetBy == "2027")
        #expect(row.answered == 3 && row.shareAnswered == 1)
        #expect(overview.filter { $0.targetShare != nil }.count == 1)
        let wrong = RoadmapTarget(key: "生活支援.2", area: "生活支援", stage: .share, share: 0.5, by: "2027")
        #expect {
            try RoadmapEvaluation.overview(
                stages, items: Fixture.items, municipalities: 4, answered: [], targets: [wrong])
        } throws: { error in
            (error as? StageFailure)?.description.contains("roadmap.targets.\"生活支援.2\"") == true
        }
    }

    @Test("stages read 1, 第1段階, 第１段階 (after NFKC) and nothing else")
    func stageText() {
        #expect(ManagementStage(text: "2") == .share)
        #expect(ManagementStage(text: "第3段階") == .act)
        #expect(ManagementStage(text: Normalize.value("第１段階")) == .assess)
        #expect(ManagementStage(text: "4") == nil && ManagementStage(text: "第段階") == nil)
    }
}

@Suite("judgements that respect the interval")
struct JudgementTests {
    @Test(
        "達成 when the whole interval meets the level, 未達成 when none of it does, 判定保留 across it",
        arguments: [
            // 不足感 69.6 (49.1–84.4) against 70%以下: the case, undecided.
            (RoadmapThreshold(.atMost, 70), 49.1...84.4, RoadmapJudgement.undecided),
            (RoadmapThreshold(.atMost, 70), 49.1...70.0, .met),  // the upper end on the level still meets it
            (RoadmapThreshold(.atMost, 70), 70.0...84.4, .undecided),
            (RoadmapThreshold(.atMost, 70), 70.1...84.4, .notMet),
            (RoadmapThreshold(.atLeast, 50), 50.0...60.0, .met),
            (RoadmapThreshold(.atLeast, 50), 49.9...60.0, .undecided),
            (RoadmapThreshold(.atLeast, 50), 40.0...49.9, .notMet),
            (RoadmapThreshold(.above, 0), 0.0...3.0, .undecided),
            (RoadmapThreshold(.above, 0), 0.1...3.0, .met),
            (RoadmapThreshold(.below, 5), 5.0...9.0, .notMet),
            (RoadmapThreshold(.below, 5), 4.0...5.0, .undecided),
            (RoadmapThreshold(.equal, 1), 1.0...1.0, .met),
            (RoadmapThreshold(.equal, 1), 0.5...1.5, .undecided),
            (RoadmapThreshold(.equal, 1), 1.5...2.5, .notMet),
            // A figure without sampling error is its own interval.
            (RoadmapThreshold(.atLeast, 5), 5.0...5.0, .met),
            (RoadmapThreshold(.atLeast, 5), 4.99...4.99, .notMet),
        ])
    func boundaries(_ t: RoadmapThreshold, _ interval: ClosedRange<Double>, _ expected: RoadmapJudgement) {
        #expect(t.judge(interval) == expected)
    }

    @Test("a survey value is judged on its interval, a 参考値 is held, a context figure on its value")
    func fromFigures() {
        var wide = Fixture.indicator("200018", .shortageShare, 69.6)
        (wide.estimate.ciLow, wide.estimate.ciHigh) = (49.1, 84.4)
        var narrow = Fixture.indicator("200026", .shortageShare, 60)
        (narrow.estimate.ciLow, narrow.estimate.ciHigh) = (55, 65)
        var reference = Fixture.indicator("200034", .shortageShare, 20)
        (reference.estimate.ciLow, reference.estimate.ciHigh) = (19, 21)
        reference.estimate.reliability = .reference
        let figures = RoadmapEvaluation.Figures(
            published: [wide, narrow, reference], context: [Fixture.context("200018", "kayoi", 5)])
        let level = RoadmapThreshold(.atMost, 70)
        #expect(figures.judge(.indicator(.shortageShare), level, for: "200018") == .undecided)
        #expect(figures.judge(.indicator(.shortageShare), level, for: "200026") == .met)
        #expect(figures.judge(.indicator(.shortageShare), level, for: "200034") == .undecided, "参考値")
        #expect(figures.judge(.indicator(.shortageShare), level, for: "200042") == .noValue)
        #expect(figures.judge(.context("kayoi"), RoadmapThreshold(.atLeast, 5), for: "200018") == .met)
        let items = [
            RoadmapItem(
                id: "F1", area: "介護人材", stage: .assess, label: "不足感", kind: .objective,
                measure: .indicator(.shortageShare), threshold: level)
        ]
        let r = RoadmapEvaluation.items(items, answers: [], municipalities: ["200018", "200026"], figures: figures)
        #expect(r[0].judgement == .undecided && r[0].achieved == nil && r[0].ciLow == 49.1 && r[0].ciHigh == 84.4)
        #expect(r[1].judgement == .met && r[1].achieved == true)
        // An undecided item leaves the stage to the items that are decided (none here): not achieved.
        let s = RoadmapEvaluation.stages(r, items: items)
        #expect(!s[0].achieved && s[0].objectiveAssessable == 0 && s[1].achieved)
    }
}
