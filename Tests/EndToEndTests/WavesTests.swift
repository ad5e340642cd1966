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
        let published2024 = try RunFiles.indicators.read(in: RunLayout(root: FilePath(w.latest("2024"))))
        // A municipality whose 離職率 is published with an interval in both waves.
        let row = try #require(
            rows.first { r in
                r.indicator == .turnoverRate && r.ciLow != nil && r.ciHigh != nil && r.reliability != .census
                    && published2024.contains {
                        $0.code == r.code && $0.indicator == .turnoverRate && $0.estimate.ciHigh != nil
                            && $0.estimate.reliability != .census
                    }
            })
        #expect(row.previousWave == "2024")
        let trends = try RunFiles.trends.read(in: RunLayout(root: FilePath(w.latest("2025"))))
        #expect(
            Set(trends.filter { $0.code == "202011" && $0.indicator == .turnoverRate }.map(\.wave.text))
                == Set(Waves.waves))

        // The change's interval: the two waves as independent samples, by hand.
        let before = try #require(published2024.first { $0.code == row.code && $0.indicator == .turnoverRate })
        let z = 1.959963984540054
        let se1 = (row.ciHigh! - row.ciLow!) / (2 * z),
            se0 = (before.estimate.ciHigh! - before.estimate.ciLow!) / (2 * z)
        let half = z * (se1 * se1 + se0 * se0).squareRoot()
        #expect(abs(row.change! - (row.value! - before.estimate.value!)) < 1e-9)
        #expect(abs(row.changeLow! - (row.change! - half)) < 1e-9 && abs(row.changeHigh! - (row.change! + half)) < 1e-9)
        let html = try String(contentsOfFile: w.latest("2025") + "/packets/\(row.code)/report.html", encoding: .utf8)
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

        // The matched panel: the establishments that answered 2024 and 2025, by 事業所番号.
        let layout2025 = RunLayout(root: FilePath(w.latest("2025")))
        let panel = try RunFiles.panelChanges.read(in: layout2025)
        let prefecture = try #require(panel.first { $0.municipality == "200000" && $0.indicator == .turnoverRate })
        #expect(prefecture.previousWave == "2024")
        #expect(prefecture.matched > 20 && prefecture.matched < prefecture.respondents)
        #expect(
            prefecture.change != nil && prefecture.ciLow! < prefecture.change!
                && prefecture.change! < prefecture.ciHigh!)
        // Small panels and rates withheld in either wave are withheld.
        #expect(panel.allSatisfy { $0.matched >= 3 || $0.change == nil })
        let hidden = Set(rows.filter(\.suppressed).map { CellKey($0.code, $0.indicator) })
        #expect(panel.allSatisfy { !hidden.contains(CellKey($0.municipality, $0.indicator)) || $0.change == nil })
        // Feedback carries it to the rows and the report says it, beside the all-respondent change.
        let withPanel = try #require(rows.first { $0.panelChange != nil && $0.change != nil })
        let report = try String(
            contentsOfFile: w.latest("2025") + "/packets/\(withPanel.code)/report.html", encoding: .utf8)
        #expect(report.contains("継続回答 "))
        // The neighbours gained and lost since 2024, each explained, and said in the report.
        let changes = try RunFiles.neighbourChanges.read(in: layout2025)
        #expect(!changes.isEmpty)
        let now = try RunFiles.neighbours.read(in: layout2025)
        let then = try RunFiles.neighbours.read(in: RunLayout(root: FilePath(w.latest("2024"))))
        for c in changes {
            let isNow = now.contains { $0.code == c.code && $0.neighbourCode == c.neighbourCode }
            let wasThen = then.contains { $0.code == c.code && $0.neighbourCode == c.neighbourCode }
            #expect(c.change == .added ? isNow && !wasThen : !isNow && wasThen, "\(c)")
            #expect(c.previousWave == "2024" && !c.reason.isEmpty)
        }
        let changed = try #require(changes.first)
        let changedReport = try String(
            contentsOfFile: w.latest("2025") + "/packets/\(changed.code)/report.html", encoding: .utf8)
        #expect(changedReport.contains("前回（令和6年度）から、状況の近い市町村は"))
        #expect(changedReport.contains(changed.neighbourName + "（" + changed.reason + "）"))
        // Page 1: the cards carry the previous value and the change; at most two points, the rest
        // counted and left to the table.
        let page1 = report.components(separatedBy: "<section class=\"page\">")[0]
        let previousCard = try #require(rows.first { $0.code == withPanel.code && $0.indicator == .turnoverRate })
        if let before = previousCard.previousValue, !previousCard.suppressed {
            #expect(page1.contains("前回 \(formatFixed(before, digits: 1))"))
        }
        let flagged = rows.filter { $0.code == withPanel.code && $0.flagPriority != nil }.count
        #expect(page1.components(separatedBy: "<li class=\"flag-").count - 1 == min(flagged, 2))
        if flagged > 2 { #expect(page1.contains("ほか\(flagged - 2)項目")) }
        // Different establishments answered: most municipalities' respondents changed by more than 30%.
        if (withPanel.respondentsChanged ?? 0) > 0.3 { #expect(report.contains("回答事業所の約")) }

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
