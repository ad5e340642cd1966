import BansoAggregate
import BansoClean
import BansoCore
import BansoIngest
import BansoSynth
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

/// Runs ingest, clean and aggregate of a pipeline into `root/run` (the history store in `root`).
func throughAggregate(_ config: PipelineConfig, root: String) throws -> RunLayout {
    let layout = RunLayout(root: FilePath(root + "/run"))
    _ = try IngestStage.run(TestSupport.context(config, layout: layout, root: root, reads: []), .init(config))
    _ = try CleanStage.run(
        TestSupport.context(config, layout: layout, root: root, reads: CleanStage.reads), .init(config))
    _ = try AggregateStage.run(
        TestSupport.context(config, layout: layout, root: root, reads: AggregateStage.reads), .init(config))
    return layout
}

@Suite("aggregate on a generated prefecture")
struct GeneratedAggregateTests {
    /// Generates, then runs ingest, clean and aggregate into `root/run`.
    ///
    /// `weights` is the `[weights] method`: "none" gives the respondents' own figures, which the
    /// truth test recomputes; "frame" the weighted ones, which the R test compares.
    static func pipeline(seed: UInt64, root: String, weights: String = "none") throws -> (
        SynthTruth, RunLayout, PipelineConfig
    ) {
        var o = SynthOptions()
        o.seed = seed
        o.establishments = 800
        o.workers = 6000
        let truth = try Synth.generate(o, into: FilePath(root + "/input"))
        TestSupport.write(
            TestSupport.pipeline(
                input: root + "/input", output: root + "/out", extra: "[weights]\nmethod = \"\(weights)\"\n"),
            to: root + "/p.toml")
        let config = try PipelineConfig.load(path: root + "/p.toml")
        return (truth, try throughAggregate(config, root: root), config)
    }

    @Test("every municipality's indicators equal an independent computation from the generator's truth")
    func truth() throws {
        let root = TestSupport.temporaryFolder("banso-agg")
        let (truth, layout, config) = try Self.pipeline(seed: 11, root: root)
        let t = try CSVTable.read(layout.internal.appending("indicators.csv"))
        var got: [String: Double] = [:]
        var ns: [String: Int] = [:]
        for r in t.rows {
            let key = "\(t.value(r, "municipality_code")) \(t.value(r, "indicator"))"
            if let v = Double(t.value(r, "value")) { got[key] = v }
            ns[key] = Int(t.value(r, "n"))
        }
        // Every municipality of the master plus the prefecture has every indicator.
        #expect(Set(t.rows.map { t.value($0, "municipality_code") }).count == truth.municipalities.count + 1)
        let areas = truth.municipalities.map(\.code) + [config.prefectureMunicipalityCode.text]
        for code in areas {
            let inArea = { (m: String) in code == config.prefectureMunicipalityCode.text || m == code }
            let ests = truth.establishments.filter { inArea($0.municipality) }
            func sum(_ rows: [TruthEstablishment], _ f: CountField) -> Double {
                rows.reduce(0) { $0 + ($1.values[f] ?? 0) }
            }
            let withAgo = ests.filter { $0.values[.careStaffYearAgo] != nil }
            let ago = sum(withAgo, .careStaffYearAgo)
            if ago > 0 {
                let seps = sum(withAgo, .separationsRegular) + sum(withAgo, .separationsNonregular)
                #expect(close(got["\(code) turnover_rate"], seps / ago * 100), "\(code) turnover")
                let hires = sum(withAgo, .hiresRegular) + sum(withAgo, .hiresNonregular)
                #expect(close(got["\(code) hiring_rate"], hires / ago * 100), "\(code) hiring")
            }
            #expect(got["\(code) respondents"] ?? 0 == Double(ests.count))
            let care = sum(ests, .careStaffRegular) + sum(ests, .careStaffNonregular)
            if !ests.isEmpty { #expect(got["\(code) care_staff_total"] == care, "\(code) care") }
            let answered = ests.compactMap(\.shortage)
            if !answered.isEmpty {
                #expect(
                    close(
                        got["\(code) shortage_share"],
                        Double(answered.filter { $0 <= 3 }.count) / Double(answered.count) * 100))
            }
            let frame = truth.frameOnly.filter { inArea($0.municipality) }.count + ests.count
            #expect(close(got["\(code) response_rate"], Double(ests.count) / Double(frame) * 100), "\(code) response")
            let workers = truth.workers.filter { inArea($0.municipality) }
            #expect(Int(got["\(code) workers_responding"] ?? 0) == workers.count)
            let wages = workers.filter { $0.employment == 1 }.compactMap(\.wage)
                .filter { (50_000...2_000_000).contains($0) }.map(Double.init).sorted()
            if !wages.isEmpty {
                #expect(
                    close(got["\(code) mean_monthly_wage_regular"], wages.reduce(0, +) / Double(wages.count)),
                    "\(code) wage")
                let m =
                    wages.count % 2 == 1
                    ? wages[wages.count / 2] : (wages[wages.count / 2 - 1] + wages[wages.count / 2]) / 2
                #expect(got["\(code) median_monthly_wage_regular"] == m)
            }
            let ages = workers.compactMap(\.age)
            if !ages.isEmpty { #expect(close(got["\(code) mean_age"], Double(ages.reduce(0, +)) / Double(ages.count))) }
        }
    }

    @Test("no published cell breaks a disclosure rule, and re-running gives byte-identical files")
    func published() throws {
        let a = TestSupport.temporaryFolder("banso-agg-a"), b = TestSupport.temporaryFolder("banso-agg-b")
        let (_, la, config) = try Self.pipeline(seed: 5, root: a)
        let (_, lb, _) = try Self.pipeline(seed: 5, root: b)
        for f in [
            "/aggregate/indicators.csv", "/internal/indicators.csv", "/aggregate/disclosure.json",
            "/clean/establishments.csv", "/clean/rejects.csv",
        ] {
            #expect(FileManager.default.contentsEqual(atPath: la.root.string + f, andPath: lb.root.string + f), "\(f)")
        }
        let rows = try RunFiles.indicators.read(in: la)
        var suppressedPerTable: [Indicator: Int] = [:]
        for r in rows {
            let spec = r.indicator
            if spec.form == .sampleSize {
                #expect(!r.suppressed)
                continue
            }
            let minimum = spec.workerBased ? config.minWorkers : config.minEstablishments
            if r.estimate.n < minimum && r.estimate.n > 0 { #expect(r.suppressed, "\(r.code) \(r.indicator)") }
            if r.suppressed {
                #expect(r.estimate.value == nil && r.estimate.numerator == nil)
                if r.code != config.prefectureMunicipalityCode { suppressedPerTable[r.indicator, default: 0] += 1 }
            }
        }
        for (indicator, count) in suppressedPerTable where indicator.form != .median {
            #expect(count != 1, "\(indicator): a lone suppressed cell could be recovered from the total")
        }
    }
}
