import BansoAggregate
import BansoCore
import BansoHistory
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

/// A one-indicator table: municipalities with (value, n, largest contribution) and the prefecture.
func table(_ name: String, _ cells: [(MunicipalityCode, Double, Int, Double?)]) -> [IndicatorRow] {
    let indicator = Indicator(rawValue: name)!
    var rows = cells.map { code, value, n, largest in
        IndicatorRow(
            wave: "2025", code: code, name: code.text, indicator: indicator,
            estimate: Estimate(value: value, numerator: value, n: n), largestContribution: largest)
    }
    let total = cells.reduce(0) { $0 + $1.1 }
    rows.append(
        IndicatorRow(
            wave: "2025", code: "200000", name: "長野県", indicator: indicator,
            estimate: Estimate(value: total, numerator: total, n: cells.reduce(0) { $0 + $1.2 })))
    return rows
}

let rules = Disclosure.Parameters(minEstablishments: 3, minWorkers: 10, dominanceShare: 0.85)

func suppressed(_ rows: [IndicatorRow]) -> [MunicipalityCode: String] {
    Dictionary(uniqueKeysWithValues: rows.filter(\.suppressed).map { ($0.code, $0.rule?.rawValue ?? "") })
}

@Suite("disclosure control")
struct DisclosureTests {
    @Test("threshold: fewer than 3 establishments; sample sizes always published")
    func threshold() {
        var rows = table(
            "turnover_rate",
            [("202011", 12, 2, nil), ("202029", 15, 3, nil), ("202037", 9, 8, nil), ("202045", 20, 9, nil)])
        rows += table(
            "respondents", [("202011", 2, 2, nil), ("202029", 3, 3, nil), ("202037", 8, 8, nil), ("202045", 9, 9, nil)])
        _ = Disclosure.apply(&rows, prefectureCode: "200000", rules)
        let s = suppressed(rows.filter { $0.indicator.rawValue == "turnover_rate" })
        #expect(s["202011"] == "threshold")
        #expect(rows.filter { $0.indicator.rawValue == "respondents" }.allSatisfy { !$0.suppressed })
        let cells = rows.first { $0.code == "202011" && $0.indicator.rawValue == "turnover_rate" }!.published.cells
        func cell(_ c: IndicatorRow.Column) -> String { cells[c.position] }
        // Empty, never 0.
        #expect(cell(.value) == "" && cell(.suppressed) == "true" && cell(.suppressionRule) == "threshold")
    }

    @Test("workers: fewer than 10 is suppressed")
    func workerThreshold() {
        var rows = table("mean_age", [("202011", 40, 9, nil), ("202029", 45, 10, nil), ("202037", 42, 30, nil)])
        _ = Disclosure.apply(&rows, prefectureCode: "200000", rules)
        #expect(suppressed(rows)["202011"] == "threshold")
        #expect(suppressed(rows)["202029"] != "threshold")
    }

    @Test("dominance: one establishment above 85% of a count total")
    func dominance() {
        var rows = table(
            "care_staff_total",
            [("202011", 100, 5, 90), ("202029", 100, 5, 85), ("202037", 300, 6, 40), ("202045", 250, 7, 30)])
        _ = Disclosure.apply(&rows, prefectureCode: "200000", rules)
        let s = suppressed(rows)
        #expect(s["202011"] == "dominance")
        #expect(s["202029"] != "dominance")  // exactly 85% is not more than 85%
    }

    @Test("secondary: a lone suppressed cell gets the smallest complement")
    func secondary() {
        var rows = table(
            "care_staff_total",
            [("202011", 50, 2, 30), ("202029", 40, 5, 10), ("202037", 300, 6, 40), ("202045", 250, 7, 30)])
        let summary = Disclosure.apply(&rows, prefectureCode: "200000", rules)
        #expect(suppressed(rows) == ["202011": "threshold", "202029": "secondary"])
        #expect(summary.secondary == 1)
        #expect(!rows.last!.suppressed)  // the prefecture total stays published
    }

    @Test("secondary must take a second cell when the smallest complement is too small to hide the first")
    func secondaryTwice() {
        // 202011 (50) is suppressed; the smallest other cell is 2, and 50 − (total − published) would
        // be pinned within 2: less than 10% of 50. The next smallest (10) is added as well.
        var rows = table(
            "care_staff_total",
            [("202011", 50, 2, 30), ("202029", 2, 3, 1), ("202037", 10, 4, 4), ("202045", 100, 7, 30)])
        let summary = Disclosure.apply(&rows, prefectureCode: "200000", rules)
        #expect(suppressed(rows) == ["202011": "threshold", "202029": "secondary", "202037": "secondary"])
        #expect(summary.secondary == 2)
        // No suppressed value can be recovered: at least two are hidden and each is covered.
        let hidden = rows.filter { $0.suppressed }
        for h in hidden {
            let others = hidden.filter { $0.code != h.code }.reduce(0) { $0 + ($1.estimate.value ?? 0) }
            #expect(others >= Disclosure.protectionShare * (h.estimate.value ?? 0))
        }
    }

    @Test("two primary suppressions that protect each other need no more")
    func noSecondary() {
        var rows = table("care_staff_total", [("202011", 50, 2, 30), ("202029", 40, 1, 10), ("202037", 300, 6, 40)])
        let summary = Disclosure.apply(&rows, prefectureCode: "200000", rules)
        #expect(summary.secondary == 0)
    }
}

@Suite("history store")
struct HistoryTests {
    func rows(_ wave: Wave, _ value: Double) -> [IndicatorRow] {
        [
            IndicatorRow(
                wave: wave, code: "202011", name: "長野市", indicator: .turnoverRate,
                estimate: Estimate(value: value, n: 5)),
            IndicatorRow(
                wave: wave, code: "200000", name: "長野県", indicator: .turnoverRate,
                estimate: Estimate(value: value + 1, n: 50)),
        ]
    }

    @Test("re-running a wave replaces it, never duplicates; the previous wave is found")
    func idempotent() throws {
        let dir = TestSupport.temporaryFolder("banso-history")
        let store = try HistoryStore(path: FilePath(dir + "/h.sqlite"))
        try store.replace(wave: "2024", pipeline: "p", runID: "a", rows: rows("2024", 10))
        try store.replace(wave: "2025", pipeline: "p", runID: "b", rows: rows("2025", 12))
        try store.replace(wave: "2025", pipeline: "p", runID: "c", rows: rows("2025", 13))
        #expect(try store.waves() == ["2024", "2025"])
        #expect(try store.rows(wave: "2025").count == 2)
        #expect(try store.rows(wave: "2025").first?.estimate.value == 14)  // 200000 sorts first
        #expect(try store.previousWave(before: "2025") == "2024")
        #expect(try store.previousWave(before: "2024") == nil)
        try store.export(wave: "2024", to: FilePath(dir + "/2024.csv"))
        let text = try String(contentsOfFile: dir + "/2024.csv", encoding: .utf8)
        #expect(text.contains("2024,202011,長野市,turnover_rate,10,"))
        let perms = try FileManager.default.attributesOfItem(atPath: dir + "/h.sqlite")[.posixPermissions] as? Int
        #expect(perms == 0o600)
    }

    @Test("a wave with two rows for one municipality and indicator is refused before publishing, in words")
    func duplicateRows() throws {
        let store = try HistoryStore(path: FilePath(TestSupport.temporaryFolder("banso-history") + "/h.sqlite"))
        let rows = rows("2025", 10)
        try store.checkWritable(wave: "2025", rows: rows)
        let error = #expect(throws: StageFailure.self) { try store.checkWritable(wave: "2025", rows: rows + [rows[0]]) }
        #expect(
            error?.description.contains("has two rows for 202011 長野市, turnover_rate; the run is not published") == true)
    }

    @Test("the standard error and the interval method are stored with the wave and read back")
    func standardErrors() throws {
        let store = try HistoryStore(path: FilePath(TestSupport.temporaryFolder("banso-history") + "/h.sqlite"))
        var withError = rows("2024", 10)
        withError[0].estimate = Estimate(
            value: 10, numerator: 5, denominator: 50, n: 5, ciLow: 6, ciHigh: 14, se: 2.04, method: .linearised)
        try store.replace(wave: "2024", pipeline: "p", runID: "a", rows: withError)
        let back = try store.rows(wave: "2024").first { $0.code == "202011" }!
        #expect(back.estimate.se == 2.04)
        #expect(back.estimate.method == .linearised)
        // A row without one (as waves stored by an earlier version are) falls back to its interval.
        let bare = try store.rows(wave: "2024").first { $0.code == "200000" }!
        #expect(bare.estimate.se == nil && bare.estimate.method == nil)
        #expect(Estimate(value: 10, n: 5, ciLow: 6, ciHigh: 14).standardError == 8 / (2 * Estimate.z95))
    }

    @Test("the roadmap of a wave is replaced, not duplicated; the previous wave's stage reached is found")
    func roadmap() throws {
        let store = try HistoryStore(path: FilePath(TestSupport.temporaryFolder("banso-history") + "/h.sqlite"))
        func stages(_ reached: Int, answered: Int) -> [RoadmapStageResult] {
            ManagementStage.allCases.map {
                RoadmapStageResult(
                    municipality: "202011", area: "介護人材", stage: $0, selfScore: answered > 0 ? 3 : nil,
                    selfAnswered: answered, selfItems: 1, objectiveAchieved: 0, objectiveItems: 0,
                    objectiveAssessable: 0, achieved: $0.rawValue <= reached, reached: reached)
            }
        }
        let items = [
            RoadmapItemResult(
                municipality: "202011", item: "HR-1a", area: "介護人材", stage: .assess, kind: .subjective, score: 3)
        ]
        #expect(try store.roadmapPrevious(before: "2025").isEmpty)
        try store.replaceRoadmap(wave: "2023", stages: stages(0, answered: 0), items: [], source: "a")
        try store.replaceRoadmap(wave: "2024", stages: stages(1, answered: 1), items: items, source: "b")
        try store.replaceRoadmap(wave: "2024", stages: stages(2, answered: 1), items: items, source: "c")
        #expect(try store.roadmapSource(wave: "2024") == "c")
        let previous = try store.roadmapPrevious(before: "2025")
        #expect(
            previous == [
                RoadmapPreviousRow(wave: "2024", municipality: "202011", area: "介護人材", reached: 2, answered: true)
            ])
        try store.removeRoadmap(wave: "2024")
        #expect(try store.roadmapSource(wave: "2024") == nil)
        #expect(
            try store.roadmapPrevious(before: "2025") == [
                RoadmapPreviousRow(wave: "2023", municipality: "202011", area: "介護人材", reached: 0, answered: false)
            ])
    }
}
