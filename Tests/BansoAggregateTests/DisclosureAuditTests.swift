import BansoAggregate
import BansoClean
import BansoCore
import BansoIngest
import BansoPeers
import BansoSynth
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

@Suite("the linear programs of the disclosure audit")
struct LinearProgramTests {
    /// A 2×2 table's interior, rows adding to 5 and 7, columns to 4 and 8 (x11 x12 x21 x22).
    static let table = LinearProgram(
        equations: [[1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0], [0, 1, 0, 1]], rhs: [5, 7, 4, 8], variables: 4)

    @Test(
        "a 2×2 table's cells range over their Fréchet bounds: max(0, r + c − total) … min(r, c)",
        arguments: [(0, 0.0, 4.0), (1, 1.0, 5.0), (2, 0.0, 4.0), (3, 3.0, 7.0)])
    func frechet(cell: Int, low: Double, high: Double) throws {
        let range = try #require(Self.table.range(of: cell))
        #expect(abs(range.low - low) < 1e-9)
        #expect(abs(range.high - high) < 1e-9)
    }

    @Test("equations with no non-negative solution are infeasible; a free direction is unbounded")
    func infeasibleAndUnbounded() throws {
        // x + y = 3 and x + y = 5 cannot both hold; x − y = 2 has no upper end.
        #expect(LinearProgram(equations: [[1, 1], [1, 1]], rhs: [3, 5], variables: 2).infeasible)
        #expect(LinearProgram(equations: [[1, 1]], rhs: [-1], variables: 2).infeasible)
        let open = LinearProgram(equations: [[1, -1]], rhs: [2], variables: 2)
        let range = try #require(open.range(of: 0))
        #expect(abs(range.low - 2) < 1e-9)
        #expect(range.high == .infinity)
    }

    @Test("a repeated equation is redundant, not infeasible")
    func redundant() throws {
        let lp = LinearProgram(equations: [[1, 1, 0], [1, 1, 0], [0, 1, 1]], rhs: [4, 4, 6], variables: 3)
        #expect(!lp.infeasible)
        let y = try #require(lp.range(of: 1))
        #expect(abs(y.low) < 1e-9 && abs(y.high - 4) < 1e-9)
        let z = try #require(lp.range(of: 2))
        #expect(abs(z.low - 2) < 1e-9 && abs(z.high - 6) < 1e-9)
    }
}

@Suite("disclosure control across municipalities, 圏域 and the prefecture")
struct RegionDisclosureTests {
    /// Six municipalities in two 圏域 of three: (code, separations, staff, establishments).
    static let cells: [(MunicipalityCode, Double, Double, Int)] = [
        ("202011", 40, 500, 20), ("202029", 2, 30, 2), ("202037", 5, 60, 4),
        ("202045", 30, 380, 12), ("202053", 3, 25, 2), ("202061", 4, 50, 3),
    ]
    static let region: [MunicipalityCode: RegionCode] = [
        "202011": RegionCode("01")!, "202029": RegionCode("01")!, "202037": RegionCode("01")!,
        "202045": RegionCode("02")!, "202053": RegionCode("02")!, "202061": RegionCode("02")!,
    ]

    static func rows() -> (rows: [IndicatorRow], areas: [AreaIndicatorRow]) {
        func estimate(_ members: [(MunicipalityCode, Double, Double, Int)]) -> Estimate {
            let y = members.reduce(0) { $0 + $1.1 }, x = members.reduce(0) { $0 + $1.2 }
            return Estimate(value: 100 * y / x, numerator: y, denominator: x, n: members.reduce(0) { $0 + $1.3 })
        }
        var rows = cells.map {
            IndicatorRow(
                wave: "2025", code: $0.0, name: $0.0.text, indicator: .turnoverRate, estimate: estimate([$0]))
        }
        rows.append(
            IndicatorRow(wave: "2025", code: "200000", name: "長野県", indicator: .turnoverRate, estimate: estimate(cells))
        )
        let areas = ["01", "02"].map { code in
            AreaIndicatorRow(
                wave: "2025", region: RegionCode(code)!, name: code, serviceGroup: nil, indicator: .turnoverRate,
                estimate: estimate(cells.filter { region[$0.0]!.text == code }))
        }
        return (rows, areas)
    }

    @Test("one small municipality per 圏域: protected in the prefecture's table, but each 圏域 total would give it away")
    func regionTotalsReveal() throws {
        var (rows, areas) = Self.rows()
        // Without the 圏域 tables the two suppressed cells protect each other…
        var alone = rows
        _ = Disclosure.apply(&alone, prefectureCode: "200000", rules)
        #expect(suppressed(alone) == ["202029": "threshold", "202053": "threshold"])
        // …but once 圏域 totals are published, each is its 圏域 minus two published neighbours.
        let exposed = DisclosureAudit.audit(rows: alone, areas: areas, regions: Self.region, prefectureCode: "200000")
        #expect(Set(exposed.narrowed.map(\.cell)) == ["202029", "202053"])
        #expect(exposed.narrowed.allSatisfy { $0.high - $0.low < 1e-6 })

        let summary = Disclosure.apply(
            &rows, areas: &areas, regions: Self.region, prefectureCode: "200000", rules)
        // The smallest published neighbour in each 圏域 goes too.
        #expect(
            suppressed(rows) == [
                "202029": "threshold", "202053": "threshold", "202061": "secondary", "202037": "secondary",
            ])
        #expect(summary.secondary == 2)
        let audit = DisclosureAudit.audit(rows: rows, areas: areas, regions: Self.region, prefectureCode: "200000")
        #expect(audit.narrowed.isEmpty, "\(audit.narrowed)")
        #expect(audit.inconsistent.isEmpty)
        #expect(audit.systems == 2 && audit.programs == 16)
    }

    @Test("suppressed cells that add up to 0 would each be known to be 0: a cell with a count joins them")
    func zeroSums() throws {
        var (rows, areas) = Self.rows()
        // Both small municipalities had no separations.
        for i in rows.indices where ["202029", "202053"].contains(rows[i].code.text) {
            rows[i].estimate = Estimate(value: 0, numerator: 0, denominator: rows[i].estimate.denominator, n: 2)
        }
        let total = rows.filter { $0.code.text != "200000" }.reduce(0) { $0 + ($1.estimate.numerator ?? 0) }
        rows[rows.count - 1].estimate.numerator = total
        for i in areas.indices {
            let members = rows.filter { Self.region[$0.code] == areas[i].region }
            areas[i].estimate.numerator = members.reduce(0) { $0 + ($1.estimate.numerator ?? 0) }
        }
        _ = Disclosure.apply(&rows, areas: &areas, regions: Self.region, prefectureCode: "200000", rules)
        let audit = DisclosureAudit.audit(rows: rows, areas: areas, regions: Self.region, prefectureCode: "200000")
        #expect(audit.narrowed.isEmpty, "\(audit.narrowed)")
        // A 0 hides nothing: each 圏域 needs two cells with separations beside it, so its whole
        // table is withheld (its total is still published).
        #expect(rows.filter(\.suppressed).count == 6)
        #expect(areas.allSatisfy { !$0.suppressed })
    }
}

@Suite("the disclosure audit on whole prefectures")
struct DisclosureAuditRunTests {
    /// Runs ingest, clean and aggregate of a pipeline file into a new folder and audits the result.
    ///
    /// The peers stage runs too, and the peers' pooled figures feedback would publish are audited
    /// with the tables.
    static func audit(_ config: PipelineConfig) throws -> (DisclosureAudit.Report, Double, RunLayout) {
        let root = TestSupport.temporaryFolder("banso-audit")
        let layout = try throughAggregate(config, root: root)
        _ = try PeersStage.run(
            TestSupport.context(config, layout: layout, root: root, reads: PeersStage.reads), .init(config))
        let rows = try RunFiles.internalIndicators.read(in: layout)
        let areas = try RunFiles.internalAreas.read(in: layout)
        var regions: [MunicipalityCode: RegionCode] = [:]
        for m in try RunFiles.master.read(in: layout) { regions[m.code] = m.regionCode }
        let settings = AggregateStage.Settings(config)
        let inputs = try AggregateStage.loadInputs(
            TestSupport.context(config, layout: layout, root: root, reads: AggregateStage.reads), hasWorkers: false,
            weighting: settings.weighting)
        var groups: [MunicipalityCode: Int] = [:]
        for g in try RunFiles.groups.read(in: layout) { groups[g.code] = g.group }
        let figures = PooledPeers.compute(
            inputs, groups: groups, published: try RunFiles.indicators.read(in: layout),
            prefectureCode: config.prefectureCode.municipalityCode,
            minEstablishments: settings.disclosure.minEstablishments)
        var pools: [Indicator: [DisclosureAudit.Pool]] = [:]
        for (key, f) in figures.sorted(by: {
            ($0.key.code, $0.key.indicator.rawValue) < ($1.key.code, $1.key.indicator.rawValue)
        }) {
            guard let v = f.estimate.value else { continue }
            pools[key.indicator, default: []].append(DisclosureAudit.Pool(members: f.pool, ratio: v / 100))
        }
        // The pools hold suppressed municipalities: the audit has something to check there too.
        #expect(figures.values.contains { f in f.includesSelf })
        let clock = ContinuousClock()
        var report: DisclosureAudit.Report?
        let took = clock.measure {
            report = DisclosureAudit.audit(
                rows: rows, areas: areas, regions: regions, prefectureCode: config.prefectureCode.municipalityCode,
                pools: pools)
        }
        return (report!, took.seconds, layout)
    }

    /// A line for the note: how large a problem the audit solved and how fast.
    static func describe(_ name: String, _ r: DisclosureAudit.Report, _ seconds: Double) -> String {
        "\(name): \(r.systems) systems, \(r.programs) linear programs, largest \(r.largestVariables) variables "
            + "× \(r.largestEquations) equations, \(String(format: "%.2f", seconds)) s"
    }

    @Test("the sample (長野県, 10 圏域, 7 service groups): no suppressed cell narrowed below 10% or one person")
    func sample() throws {
        let config = try PipelineConfig.load(path: TestSupport.packageRoot + "/pipelines/sample.toml")
        let (report, seconds, layout) = try Self.audit(config)
        #expect(report.inconsistent.isEmpty, "\(report.inconsistent)")
        #expect(report.narrowed.isEmpty, "\(report.narrowed.prefix(10))")
        // The audit had something to check: suppressed cells in every kind of table.
        let areas = try RunFiles.internalAreas.read(in: layout)
        #expect(areas.contains { $0.suppressed && $0.serviceGroup != nil && $0.region != nil })
        #expect(Set(areas.compactMap(\.region)).count == 10)
        #expect(report.programs > 1000)
        print(Self.describe("sample", report, seconds))
    }

    @Test("a generated prefecture with 圏域 of eight municipalities: no suppressed cell narrowed")
    func generated() throws {
        let root = TestSupport.temporaryFolder("banso-audit-gen")
        var o = SynthOptions()
        o.seed = 33
        o.establishments = 600
        o.workers = 5000
        try Synth.generate(o, into: FilePath(root + "/input"))
        TestSupport.write(TestSupport.pipeline(input: root + "/input", output: root + "/out"), to: root + "/p.toml")
        let (report, seconds, layout) = try Self.audit(try PipelineConfig.load(path: root + "/p.toml"))
        #expect(report.inconsistent.isEmpty, "\(report.inconsistent)")
        #expect(report.narrowed.isEmpty, "\(report.narrowed.prefix(10))")
        let master = try RunFiles.master.read(in: layout)
        #expect(Set(master.compactMap(\.regionCode)).count == (master.count + 4) / 8)
        #expect(report.programs > 500)
        print(Self.describe("generated", report, seconds))
    }
}

@Suite("the disclosure audit with pooled figures")
struct PooledAuditTests {
    @Test("two suppressed cells that hide each other in the table are given away by two pools that each hold one")
    func poolsReveal() {
        // (code, separations, staff, establishments): 202029 and 202053 suppressed (threshold).
        let parts: [(MunicipalityCode, Double, Double, Int)] = [
            ("202011", 40, 500, 20), ("202029", 2, 30, 2), ("202037", 35, 420, 15), ("202053", 3, 25, 2),
        ]
        func estimate(_ y: Double, _ x: Double, _ n: Int) -> Estimate {
            Estimate(value: 100 * y / x, numerator: y, denominator: x, n: n)
        }
        var rows = parts.map {
            IndicatorRow(
                wave: "2025", code: $0.0, name: $0.0.text, indicator: .turnoverRate,
                estimate: estimate($0.1, $0.2, $0.3))
        }
        rows.append(
            IndicatorRow(
                wave: "2025", code: "200000", name: "長野県", indicator: .turnoverRate,
                estimate: estimate(80, 975, 39)))
        _ = Disclosure.apply(&rows, prefectureCode: "200000", rules)
        #expect(rows.filter(\.suppressed).map(\.code) == ["202029", "202053"])
        let alone = DisclosureAudit.audit(rows: rows, areas: [], regions: [:], prefectureCode: "200000")
        #expect(alone.narrowed.isEmpty)
        // 202029 pooled with 202011, 202053 with 202037: each pool's ratio is one more equation.
        let pools = [
            DisclosureAudit.Pool(members: ["202011", "202029"], ratio: 42.0 / 530),
            DisclosureAudit.Pool(members: ["202037", "202053"], ratio: 38.0 / 445),
        ]
        let exposed = DisclosureAudit.audit(
            rows: rows, areas: [], regions: [:], prefectureCode: "200000", pools: [.turnoverRate: pools])
        #expect(Set(exposed.narrowed.map(\.cell)) == ["202029", "202053"])
        #expect(exposed.inconsistent.isEmpty)
    }
}
