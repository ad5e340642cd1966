import BansoCore
import BansoRunner
import BansoSynth
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

/// Runs the whole pipeline in-process on a generated prefecture with its roadmap inputs.
func roadmapRun(seed: UInt64 = 11, wave: String = "2025", into root: String? = nil) throws -> (
    run: String, truth: SynthTruth, root: String
) {
    let root = root ?? TestSupport.temporaryFolder("banso-roadmap")
    var o = SynthOptions()
    o.seed = seed
    o.municipalities = 40
    o.establishments = 600
    o.workers = 3000
    o.wave = wave
    let truth = try Synth.generate(o, into: FilePath(root + "/input-\(wave)"))
    let extra = """
        [roadmap.targets]
        "介護人材.2" = { share = 0.6, by = "2027" }
        [roadmap.support]
        1 = ["見える化システム活用セミナー"]
        2 = ["関係者向け説明資料の雛形"]
        3 = ["モデル事業・補助事業"]
        "生活支援.2" = [{ id = "LS2", name = "生活支援コーディネーター連絡会議", kind = "会議", date = "2025-09-05" }]
        """
    TestSupport.write(
        TestSupport.pipeline(
            input: root + "/input-\(wave)", output: root + "/out-\(wave)", wave: wave, roadmap: true, extra: extra),
        to: root + "/p-\(wave).toml")
    let config = try PipelineConfig.load(path: root + "/p-\(wave).toml")
    let runner = Runner(config: config, console: RunConsole(quiet: true))
    try runner.run(RunOptions(force: true))
    return (runner.latestRun()!.string, truth, root)
}

@Suite("roadmap on a generated prefecture")
struct GeneratedRoadmapTests {
    @Test("roadmap/stages.csv equals an independent computation from the generator's truth")
    func stagesMatch() throws {
        let (run, truth, _) = try roadmapRun()
        let layout = RunLayout(root: FilePath(run))
        let roadmap = try #require(truth.roadmap)
        let published = try RunFiles.indicators.read(in: layout)
        // Each figure as the range its true value lies in: a survey value's 95% interval, a
        // context figure's value itself.
        var value: [String: [String: (lo: Double, hi: Double)]] = [:]
        // A 参考値 is shown but never judged: like a suppressed value, it is not assessable.
        for r in published where !r.suppressed && r.estimate.reliability != .reference {
            if let v = r.estimate.value {
                value[r.code.text, default: [:]][r.indicator.rawValue] = (r.estimate.ciLow ?? v, r.estimate.ciHigh ?? v)
            }
        }
        #expect(published.contains { $0.estimate.reliability == .reference }, "no 参考値 to exercise the rule")
        for (m, figures) in roadmap.context {
            for (id, v) in figures { if let v { value[m, default: [:]][id] = (v, v) } }
        }
        var undecidedSeen = 0
        let stages = try RunFiles.roadmapStages.read(in: layout)
        let codes = truth.municipalities.map(\.code)
        #expect(stages.count == codes.count * 12)
        var checked = 0
        for code in codes {
            for area in ["介護人材", "介護予防", "生活支援", "在宅医療・介護連携"] {
                var achievedSoFar = true
                var reached = 0
                for stage in ManagementStage.allCases {
                    let items = roadmap.items.filter { $0.area == area && $0.stage == stage }
                    let scores = items.filter { $0.kind == .subjective }.compactMap {
                        roadmap.answers[code]?[$0.id]?.score
                    }
                    let subjective = items.filter { $0.kind == .subjective }.count
                    var met = 0
                    var assessable = 0
                    for item in items where item.kind == .objective {
                        guard let range = value[code]?[item.measure?.description ?? ""], let t = item.threshold else {
                            continue
                        }
                        func ok(_ v: Double) -> Bool {
                            switch t.comparison {
                            case .atLeast: v >= t.value
                            case .above: v > t.value
                            case .atMost: v <= t.value
                            case .below: v < t.value
                            case .equal: v == t.value
                            }
                        }
                        // Met when the whole range meets the level, missed when none of it does; an
                        // interval across the level is left undecided (not assessable).
                        if ok(range.lo) && ok(range.hi) && (t.comparison != .equal || range.lo == range.hi) {
                            assessable += 1
                            met += 1
                        } else if !ok(range.lo) && !ok(range.hi)
                            && !(t.comparison == .equal && range.lo < t.value && t.value < range.hi)
                        {
                            assessable += 1
                        } else {
                            undecidedSeen += 1
                        }
                    }
                    let mean = scores.isEmpty ? nil : Double(scores.reduce(0, +)) / Double(scores.count)
                    let achieved =
                        (subjective == 0 || (mean ?? 0) >= 3) && met == assessable
                        && (!scores.isEmpty || assessable > 0)
                    if achievedSoFar && achieved { reached = stage.rawValue } else { achievedSoFar = false }
                    let row = try #require(
                        stages.first { $0.municipality.text == code && $0.area == area && $0.stage == stage })
                    #expect(row.selfAnswered == scores.count, "\(code) \(area) \(stage)")
                    #expect(row.selfItems == subjective)
                    #expect(row.selfScore.map { String(format: "%.2f", $0) } == mean.map { String(format: "%.2f", $0) })
                    #expect(row.objectiveAssessable == assessable && row.objectiveAchieved == met, "\(code) \(area)")
                    #expect(row.achieved == achieved, "\(code) \(area) \(stage)")
                    checked += 1
                }
                #expect(
                    stages.filter { $0.municipality.text == code && $0.area == area }.allSatisfy {
                        $0.reached == reached
                    })
            }
        }
        #expect(checked == codes.count * 12)
        #expect(undecidedSeen > 0, "no interval across a level: the 判定保留 rule is not exercised")
        // The generator leaves some municipalities silent and some stages achieved: the test compares something.
        #expect(!roadmap.unanswered.isEmpty)
        #expect(stages.contains { $0.achieved } && stages.contains { !$0.achieved })
        for m in roadmap.unanswered {
            #expect(stages.filter { $0.municipality.text == m }.allSatisfy { $0.selfScore == nil })
        }
    }

    @Test("every broken roadmap line is rejected for its rule, the latest answer is kept, and rows balance")
    func cleanRoadmapInputs() throws {
        let (run, truth, _) = try roadmapRun(seed: 12)
        let layout = RunLayout(root: FilePath(run))
        let roadmap = try #require(truth.roadmap)
        let rejects = try RunFiles.rejects.read(in: layout)
        for b in roadmap.broken {
            #expect(rejects.contains { $0.file == b.file && $0.line == b.line && $0.rule == b.rule }, "\(b)")
        }
        let rejectedRoadmap = rejects.filter { $0.file.hasPrefix("self_assessment") || $0.file.hasPrefix("context") }
        #expect(Set(rejectedRoadmap.map { "\($0.file):\($0.line)" }).count == roadmap.broken.count)
        let kept = try RunFiles.selfAssessments.read(in: layout)
        var expected = 0
        for (m, answers) in roadmap.answers {
            for (item, a) in answers {
                expected += 1
                #expect(kept.first { $0.municipality.text == m && $0.item == item }?.score == a.score, "\(m) \(item)")
            }
        }
        #expect(kept.count == expected)
        let report = try RunFiles.cleanReport.read(in: layout)
        let files = report.files.filter { [.roadmap, .selfAssessment, .context].contains($0.kind) }
        #expect(files.count == 4)
        #expect(files.allSatisfy { $0.balanced && $0.rowsRead == $0.accepted + $0.rejected + $0.blankRowsSkipped })
        // Context: a figure marked missing is kept as missing, never 0.
        let context = try RunFiles.context.read(in: layout)
        for (m, figures) in roadmap.context {
            for (id, v) in figures where v == nil {
                let latest = context.filter { $0.municipality.text == m && $0.id == id && $0.year == "令和5年度" }
                #expect(latest.count == 1 && latest[0].value == nil, "\(m) \(id)")
            }
        }
    }

    @Test("a mistake in the item list stops the run naming file, line, field and rule; nothing is published")
    func badItemList() throws {
        let root = TestSupport.temporaryFolder("banso-roadmap-bad")
        _ = try roadmapRun(seed: 15, into: root)
        let path = root + "/input-2025/roadmap.csv"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text += "HR-9z,介護人材,3,研修を評価,客観,turnover_rate,about 10\r\n"
        text += "HR-9y,介護人材,3,定着率,客観,retention,>= 80\r\n"
        text += "HR-1a,介護人材,1,重複,主観,,\r\n"
        // Residents' own activities are watched, not given a target.
        text += "PV-9w,介護予防,2,ボランティア登録者数,見守り,kayoi_participation,>= 10\r\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let before = try FileManager.default.destinationOfSymbolicLink(atPath: root + "/out-2025/latest")
        let config = try PipelineConfig.load(path: root + "/p-2025.toml")
        #expect {
            try Runner(config: config, console: RunConsole(quiet: true)).run(RunOptions())
        } throws: { error in
            let m = (error as? StageFailure)?.description ?? ""
            return m.contains("stage clean failed") && m.contains("roadmap.csv:21: threshold")
                && m.contains("invalid_threshold") && m.contains("roadmap.csv:22: indicator")
                && m.contains("unknown_indicator") && m.contains("roadmap.csv:23: item_id") && m.contains("duplicate")
                && m.contains("roadmap.csv:24: threshold") && m.contains("takes no 基準 (no target)")
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/out-2025/latest") == before)
    }
}
