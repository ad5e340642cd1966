import BansoAggregate
import BansoCore
import Testing

@Suite("the change on a matched panel")
struct PanelChangeTests {
    /// `Reference/panel-reference.R`'s ten establishments: (stratum, N, in the panel, y₁, x₁, y₀, x₀).
    static let units: [(Int32, Double, Bool, Double, Double, Double, Double)] = [
        (0, 10, true, 3, 30, 2, 28), (0, 10, true, 1, 12, 2, 13), (0, 10, true, 4, 41, 3, 40),
        (0, 10, false, 2, 20, 1, 18), (1, 20, true, 0, 9, 1, 10), (1, 20, true, 5, 55, 3, 50),
        (1, 20, false, 1, 14, 2, 15), (1, 20, true, 2, 25, 2, 24), (1, 20, true, 6, 60, 4, 58),
        (1, 20, false, 3, 33, 1, 30),
    ]

    @Test("R₁ − R₀ and its linearised SE over a domain of a stratified design equal R's svyratio + svycontrast")
    func againstR() throws {
        // Expected: Rscript Tests/BansoAggregateTests/Reference/panel-reference.R
        //   0.014725045418396462,0.0084927362552822943
        let sizes = DesignSizes(frameCounts: [10, 20], respondents: [4, 6])
        let panel = Self.units.filter(\.2).map { u in
            (
                now: Estimators.WeightedUnit(stratum: u.0, weight: u.1 / (u.0 == 0 ? 4 : 6), y: u.3, x: u.4),
                then: PanelUnit(
                    establishmentID: "2010000001", municipality: "202011", indicator: .turnoverRate,
                    y: u.5, x: u.6)
            )
        }
        let (change, se) = try #require(PanelChanges.contrast(panel, design: sizes, frameSize: nil))
        #expect(abs(change - 0.014725045418396462) < 1e-12)
        #expect(abs(se - 0.0084927362552822943) < 1e-12)
    }

    @Test("who answered: the share that answered one wave only, and the 30% line the report speaks above")
    func respondentTurnover() {
        // 長野市 of the sample: 96 establishments before, 24 now, 20 of them in both.
        var row = PanelChangeRow(
            municipality: "202011", name: "長野市", indicator: .turnoverRate, previousWave: "2024", matched: 20,
            respondents: 24, previousRespondents: 96)
        #expect(abs(row.respondentTurnover - 80.0 / 100) < 1e-12)
        row = PanelChangeRow(
            municipality: "202011", name: "長野市", indicator: .turnoverRate, previousWave: "2024", matched: 18,
            respondents: 20, previousRespondents: 21)
        // 23 answered either, 5 of them only one: 21.7%, below the line.
        #expect(row.respondentTurnover < PanelChangeRow.turnoverNote)
    }
}
