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

@Suite("the matched panel of a municipality")
struct PanelMatchTests {
    static let a: MunicipalityCode = "202011", b: MunicipalityCode = "202029"

    /// An establishment with separations and staff a year ago (離職率's parts).
    static func establishment(_ id: String, _ m: MunicipalityCode, separations: Double, staff: Double)
        -> EstablishmentCounts
    {
        var e = EstablishmentCounts(
            municipality: m,
            values: [.separationsRegular: separations, .separationsNonregular: 0, .careStaffYearAgo: staff],
            shortage: nil)
        e.id = id
        return e
    }

    static func unit(_ id: String, _ m: MunicipalityCode, _ y: Double, _ x: Double) -> PanelUnit {
        PanelUnit(establishmentID: EstablishmentID(id)!, municipality: m, indicator: .turnoverRate, y: y, x: x)
    }

    @Test("entering and leaving establishments are left out; one that moved municipality is not matched")
    func enteringAndLeaving() throws {
        // Now: 1–3 answered both waves, 4 enters, 6 answered before in 202029 and now in 202011.
        let now = [
            Self.establishment("2010000011", Self.a, separations: 3, staff: 30),
            Self.establishment("2010000029", Self.a, separations: 1, staff: 20),
            Self.establishment("2010000037", Self.a, separations: 4, staff: 40),
            Self.establishment("2010000045", Self.a, separations: 9, staff: 10),
            Self.establishment("2010000061", Self.a, separations: 2, staff: 25),
        ]
        // Before: 1–3, 5 (leaves), and 6 in the other municipality.
        let before = [
            Self.unit("2010000011", Self.a, 2, 28), Self.unit("2010000029", Self.a, 2, 18),
            Self.unit("2010000037", Self.a, 2, 38), Self.unit("2010000053", Self.a, 7, 12),
            Self.unit("2010000061", Self.b, 1, 24),
        ]
        var area = AreaData()
        area.establishments = now[...]
        let master = [
            MasterEntry(
                code: Self.a, name: "長野市", population: 1000, aged65: 300, aged75: 150, area: 10,
                email: "a@example.lg.jp"),
            MasterEntry(
                code: Self.b, name: "松本市", population: 1000, aged65: 300, aged75: 150, area: 10,
                email: "b@example.lg.jp"),
        ]
        let inputs = AggregateStage.Inputs(master: master, areas: [Self.a: area, Self.b: AreaData()], prefecture: area)
        let rows = PanelChanges.compute(
            inputs, previous: before, previousWave: "2024", published: [], earlier: [], prefectureCode: "200000",
            prefectureName: "長野県", minEstablishments: 3)
        let row = try #require(rows.first { $0.municipality == Self.a && $0.indicator == .turnoverRate })
        #expect(row.matched == 3 && row.respondents == 5 && row.previousRespondents == 4)
        // (3 + 1 + 4) ÷ 90 − (2 + 2 + 2) ÷ 84, in points.
        let expected = (8.0 / 90 - 6.0 / 84) * 100
        #expect(abs(try #require(row.change) - expected) < 1e-9)
        #expect(row.ciLow! < expected && expected < row.ciHigh!)
        // Two of the six establishments that answered either wave answered one only (the mover
        // counts as new here): 3 of 6.
        #expect(abs(row.respondentTurnover - 0.5) < 1e-12)
        // 202029 has no respondents now: nothing to match, nothing suppressed.
        let other = try #require(rows.first { $0.municipality == Self.b && $0.indicator == .turnoverRate })
        #expect(other.matched == 0 && other.change == nil && !other.suppressed)

        // A value suppressed in either wave withholds the change; fewer than 3 matched too.
        var hidden = IndicatorRow(
            wave: "2024", code: Self.a, name: "長野市", indicator: .turnoverRate, estimate: Estimate(n: 4))
        hidden.suppressed = true
        let withheld = PanelChanges.compute(
            inputs, previous: before, previousWave: "2024", published: [], earlier: [hidden], prefectureCode: "200000",
            prefectureName: "長野県", minEstablishments: 3
        ).first { $0.municipality == Self.a && $0.indicator == .turnoverRate }!
        #expect(withheld.suppressed && withheld.rule == .secondary && withheld.change == nil)
        let small = PanelChanges.compute(
            inputs, previous: before, previousWave: "2024", published: [], earlier: [], prefectureCode: "200000",
            prefectureName: "長野県", minEstablishments: 4
        ).first { $0.municipality == Self.a && $0.indicator == .turnoverRate }!
        #expect(small.suppressed && small.rule == .threshold)
    }
}
