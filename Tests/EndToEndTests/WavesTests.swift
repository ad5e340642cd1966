import BansoCore
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

/// Three waves of one prefecture, each with its pipeline file and output folder, one history store.
struct Waves {
    let root = TestSupport.temporaryFolder("banso-waves")
    static let waves = ["2023", "2024", "2025"]

    func pipeline(_ wave: String) -> String { root + "/p-\(wave).toml" }
    func latest(_ wave: String) -> String { root + "/out-\(wave)/latest" }
    var history: String { root + "/history-20.sqlite" }

    init() throws {
        for (n, wave) in Self.waves.enumerated() {
            let (status, _, err) = try TestSupport.run(
                Workspace.bin + "/banso-synth",
                [
                    "--out", root + "/in-\(wave)", "--seed", String(100 + n), "--wave", wave, "--establishments", "600",
                    "--workers", "3000", "--response", "uniform",
                ])
            guard status == 0 else { throw StageFailure(.internal, "banso-synth failed: \(err)") }
            TestSupport.write(
                TestSupport.pipeline(input: root + "/in-\(wave)", output: root + "/out-\(wave)", wave: wave)
                    .replacingOccurrences(of: "name = \"test-\(wave)\"", with: "name = \"nagano-\(wave)\""),
                to: pipeline(wave))
        }
    }

    @discardableResult
    func run(_ wave: String, _ extra: [String] = []) throws -> (Int32, String) {
        let (status, _, err) = try TestSupport.run(
            Workspace.bin + "/banso", ["run", pipeline(wave), "--quiet"] + extra)
        return (status, err)
    }

    func target(_ wave: String) -> String? { try? FileManager.default.destinationOfSymbolicLink(atPath: latest(wave)) }

    func summary(_ wave: String) throws -> [FeedbackRow] {
        try RunFiles.summary.read(in: RunLayout(root: FilePath(latest(wave))))
    }
}

@Suite("survey waves", .serialized)
struct WavesTests {
    @Test("three waves side by side: one history, each its own latest; a correction flows into later waves only")
    func threeWaves() throws {
        let w = try Waves()
        for wave in Waves.waves { #expect(try w.run(wave).0 == 0) }
        #expect(FileManager.default.fileExists(atPath: w.history))
        let rows = try w.summary("2025")
        let row = try #require(rows.first { $0.code == "202011" && $0.indicator == .turnoverRate })
        #expect(row.previousWave == "2024")
        let trends = try RunFiles.trends.read(in: RunLayout(root: FilePath(w.latest("2025"))))
        #expect(
            Set(trends.filter { $0.code == "202011" && $0.indicator == .turnoverRate }.map(\.wave.text))
                == Set(Waves.waves))

        // The change's interval: the two waves as independent samples, by hand.
        let before = try RunFiles.indicators.read(in: RunLayout(root: FilePath(w.latest("2024"))))
            .first { $0.code == "202011" && $0.indicator == .turnoverRate }!
        let z = 1.959963984540054
        let se1 = (row.ciHigh! - row.ciLow!) / (2 * z),
            se0 = (before.estimate.ciHigh! - before.estimate.ciLow!) / (2 * z)
        let half = z * (se1 * se1 + se0 * se0).squareRoot()
        #expect(abs(row.change! - (row.value! - before.estimate.value!)) < 1e-9)
        #expect(abs(row.changeLow! - (row.change! - half)) < 1e-9 && abs(row.changeHigh! - (row.change! + half)) < 1e-9)
        let html = try String(contentsOfFile: w.latest("2025") + "/packets/202011/report.html", encoding: .utf8)
        #expect(html.contains("前回比") && html.contains("class=\"trend\""))
        // The prefecture summary over time: the prefecture's values per wave, arrows for changes beyond noise.
        let summary = try String(contentsOfFile: w.latest("2025") + "/packets/prefecture_summary.html", encoding: .utf8)
        #expect(summary.contains("県全体の推移"))
        for fy in ["令和5年度", "令和6年度", "令和7年度"] { #expect(summary.contains(">\(fy)</td>")) }
        let beyond = rows.filter {
            $0.changeBeyondNoise && !$0.suppressed && PrefectureSummaryColumns.shown.contains($0.indicator)
        }
        if !beyond.isEmpty { #expect(summary.contains("▲") || summary.contains("▼")) }
        #expect(html.contains("誤差を超える変化") || html.contains("誤差の範囲内"))

        // A correction to 2024: its latest moves, 2023's and 2025's stay until 2025 runs again.
        let (t2023, t2024, t2025) = (w.target("2023"), w.target("2024"), w.target("2025"))
        // A municipality's answers withdrawn: the second establishment file keeps only its header.
        let file = w.root + "/in-2024/establishments_02.csv"
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        TestSupport.write(Array(bytes.prefix(through: bytes.firstIndex(of: 0x0A)!)), to: file)
        #expect(try w.run("2024").0 == 0)
        #expect(w.target("2024") != t2024)
        #expect(w.target("2023") == t2023 && w.target("2025") == t2025)
        let (status, _) = try w.run("2025")
        #expect(status == 0)
        let stages = try RunManifestProbe.statuses(w.latest("2025"))
        #expect(stages["aggregate"] == "ran" && stages["ingest"] == "skipped")
        let corrected = try RunFiles.indicators.read(in: RunLayout(root: FilePath(w.latest("2024"))))
            .first { $0.code == "202011" && $0.indicator == .turnoverRate }!
        let after = try w.summary("2025").first { $0.code == "202011" && $0.indicator == .turnoverRate }!
        #expect(after.previousValue == (corrected.suppressed ? nil : corrected.estimate.value))
        #expect(w.target("2023") == t2023)
    }

    @Test("an earlier wave imported from its published table starts the trend before Bansō")
    func importWave() throws {
        let w = try Waves()
        #expect(try w.run("2023").0 == 0)
        // The 2023 wave as the prefecture published it, imported as 2021 (a wave before Bansō).
        let published = w.latest("2023") + "/aggregate/indicators.csv"
        let (s, out, err) = try TestSupport.run(
            Workspace.bin + "/banso", ["history", w.pipeline("2025"), "--import", published, "--wave", "2021"])
        #expect(s == 0, "\(err)")
        #expect(out.contains("imported wave 2021"))
        #expect(try w.run("2025").0 == 0)
        let trends = try RunFiles.trends.read(in: RunLayout(root: FilePath(w.latest("2025"))))
        #expect(Set(trends.filter { $0.code == "202011" }.map(\.wave)) == ["2021", "2023", "2025"])
        let row = try w.summary("2025").first { $0.code == "202011" && $0.indicator == .turnoverRate }!
        #expect(row.previousWave == "2023")
        // Importing the pipeline's own wave or a later one is refused.
        let (bad, _, badErr) = try TestSupport.run(
            Workspace.bin + "/banso", ["history", w.pipeline("2023"), "--import", published, "--wave", "2024"])
        #expect(bad == 2 && badErr.contains("is not before this pipeline's wave"))
    }

    @Test(
        "history --import refuses waves that are not waves, empty files, duplicates by line, and a stored wave without --replace"
    )
    func importRefusals() throws {
        let w = try Waves()
        #expect(try w.run("2023").0 == 0)
        let published = w.latest("2023") + "/aggregate/indicators.csv"
        let store = w.root + "/history-20.sqlite"
        let before = try Hashing.sha256(file: FilePath(store))
        func importing(_ file: String, _ wave: String, _ extra: [String] = []) throws -> (Int32, String) {
            let (s, _, err) = try TestSupport.run(
                Workspace.bin + "/banso", ["history", w.pipeline("2025"), "--import", file, "--wave", wave] + extra)
            return (s, err)
        }
        for wave in ["", "../2025", "2024年度", "2024 ", "R6"] {
            let (s, err) = try importing(published, wave)
            #expect(s == 2 && err.contains("expected a survey wave: a four-digit year"), "\(wave): \(err)")
        }
        let text = try String(contentsOfFile: published, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        TestSupport.write(String(lines[0]) + "\n", to: w.root + "/empty.csv")
        let empty = try importing(w.root + "/empty.csv", "2021")
        #expect(empty.0 == 1 && empty.1.contains("has no rows: an empty file would wipe wave 2021"), "\(empty.1)")
        TestSupport.write(text + String(lines[1]) + "\n", to: w.root + "/twice.csv")
        let twice = try importing(w.root + "/twice.csv", "2021")
        #expect(twice.0 == 1 && twice.1.contains("line \(lines.count) repeats line 2"), "\(twice.1)")
        // A wave a pipeline produced is not replaced without --replace.
        let produced = try importing(published, "2023")
        #expect(produced.0 == 2 && produced.1.contains("wave 2023 is already in") && produced.1.contains("--replace"))
        #expect(try Hashing.sha256(file: FilePath(store)) == before)
        #expect(try importing(published, "2023", ["--replace"]).0 == 0)
    }

    @Test("reference figures are printed beside the prefecture's, with their source")
    func references() throws {
        let w = try Waves()
        TestSupport.write(
            try String(contentsOfFile: w.pipeline("2025"), encoding: .utf8) + """

                [[reference]]
                indicator = "turnover_rate"
                value = 12.8
                source = "介護労働実態調査（介護労働安定センター）"
                year = "令和6年度"
                """, to: w.pipeline("2025"))
        #expect(try w.run("2025").0 == 0)
        let html = try String(contentsOfFile: w.latest("2025") + "/packets/202011/report.html", encoding: .utf8)
        #expect(html.contains("全国 12.8"))
        #expect(html.contains("介護労働実態調査（介護労働安定センター）（令和6年度）"))
        #expect(html.contains("今回が記録のある最初の調査のため"))
        let summary = try String(contentsOfFile: w.latest("2025") + "/packets/prefecture_summary.html", encoding: .utf8)
        #expect(summary.contains(">全国</td>") && summary.contains("比べて示した値（全国値など）の出典：全国の離職率"))
    }

    @Test("a store inside an old output folder moves to the shared place on the next run")
    func migration() throws {
        let w = try Waves()
        #expect(try w.run("2025").0 == 0)
        try FileManager.default.moveItem(atPath: w.history, toPath: w.root + "/out-2025/history.sqlite")
        let (status, err) = try w.run("2025", ["--force"])
        #expect(status == 0, "\(err)")
        #expect(FileManager.default.fileExists(atPath: w.history))
        #expect(!FileManager.default.fileExists(atPath: w.root + "/out-2025/history.sqlite"))
    }
}

/// Stage statuses of a run folder's manifest.
enum RunManifestProbe {
    static func statuses(_ run: String) throws -> [String: String] {
        struct M: Decodable {
            struct S: Decodable {
                let name: String
                let status: String
            }
            let stages: [S]
        }
        let m = try JSONFile.read(M.self, from: FilePath(run + "/run.json"))
        return Dictionary(uniqueKeysWithValues: m.stages.map { ($0.name, $0.status) })
    }
}

/// The indicators the prefecture summary shows (as its columns).
enum PrefectureSummaryColumns {
    static let shown: Set<Indicator> = [
        .respondents, .turnoverRate, .hiringRate, .shortageShare, .vacancyRate, .certifiedShare,
        .meanMonthlyWageRegular,
    ]
}
