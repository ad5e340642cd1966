import BansoCore
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

@testable import BansoAggregate

/// `clean/workers.csv` as aggregate reads it: establishments looked up by packed key.
@Suite("reading clean workers")
struct ReadWorkersTests {
    static let header =
        "source_file,source_line,establishment_id,municipality_code,occupation,employment_type,sex,age,tenure_years,"
        + "monthly_wage,intention_to_continue\n"

    func layout(_ rows: [String]) -> RunLayout {
        let root = TestSupport.temporaryFolder("banso-read-workers")
        TestSupport.write(Self.header + rows.map { $0 + "\n" }.joined(), to: root + "/clean/workers.csv")
        return RunLayout(root: FilePath(root))
    }

    @Test("clusters per establishment in number order, whatever the row order; wages in row order")
    func groups() throws {
        // The workers of the by-hand fixture (E1 = 2010000001, E2 = 2010000002), shuffled, and one
        // worker of another municipality.
        let layout = layout([
            "w.csv,2,2010000002,202011,1,1,1,,20,,4",
            "w.csv,3,2010000001,202011,1,1,1,50,10,300000,3",
            "w.csv,4,2010000009,202029,2,1,2,33,1,280000,1",
            "w.csv,5,2010000002,202011,2,1,2,60,1,200000,3",
            "w.csv,6,2010000001,202011,3,2,1,30,,150000,2",
            "w.csv,7,2010000001,202011,1,1,2,40,5,250000,1",
        ])
        let groups = try AggregateStage.readWorkers(layout)
        #expect(groups.keys.sorted() == ["202011", "202029"])
        let g = try #require(groups["202011"])
        #expect(g.regularWages == [300_000, 200_000, 250_000])
        #expect(g.clusters.map(\.workers) == [3, 2])
        let (c1, c2) = (g.clusters[0], g.clusters[1])
        #expect(
            [c1.wageSum, c1.wageN, c1.leave, c1.leaveN, c1.ageSum, c1.ageN, c1.tenureSum, c1.tenureN] == [
                550_000, 2, 1, 3, 120, 3, 15, 2,
            ])
        #expect(
            [c2.wageSum, c2.wageN, c2.leave, c2.leaveN, c2.ageSum, c2.ageN, c2.tenureSum, c2.tenureN] == [
                200_000, 1, 1, 2, 60, 1, 21, 2,
            ])
        #expect(groups["202029"]?.clusters.map(\.workers) == [1])
    }

    @Test(
        "a cell that is not a code fails naming the file, line and column",
        arguments: [
            ("w.csv,3,20-1000001,202011,1,1,1,40,5,250000,1", "column establishment_id: \"20-1000001\""),
            ("w.csv,3,20100000019,202011,1,1,1,40,5,250000,1", "column establishment_id: \"20100000019\""),
            ("w.csv,3,2010000001,,1,1,1,40,5,250000,1", "column municipality_code: \"\""),
            ("w.csv,3,2010000001,202012,1,1,1,40,5,250000,1", "column municipality_code: \"202012\""),
        ])
    func notACode(_ row: String, _ expected: String) throws {
        let layout = layout(["w.csv,2,2010000002,202011,1,1,1,,20,,4", row])
        do {
            _ = try AggregateStage.readWorkers(layout)
            Issue.record("no error")
        } catch let e as StageFailure {
            #expect(e.kind == .data)
            #expect(e.description.contains("clean/workers.csv line 3, \(expected)"), "\(e)")
            #expect(e.location?.line == 3)
        }
    }
}
