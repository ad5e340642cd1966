import BansoCSV
import BansoCore
import BansoIngest
import BansoSynth
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

@testable import BansoClean

/// Runs ingest then clean on a pipeline file; returns the run layout.
func ingestAndClean(pipeline: String, root: String) throws -> RunLayout {
    let config = try PipelineConfig.load(path: pipeline)
    let layout = RunLayout(root: FilePath(root + "/run"))
    _ = try IngestStage.run(TestSupport.context(config, layout: layout, root: root, reads: []), .init(config))
    _ = try CleanStage.run(
        TestSupport.context(config, layout: layout, root: root, reads: CleanStage.reads), .init(config))
    return layout
}

/// A pipeline file with only the master, the establishment survey and optionally a frame, for
/// hand-written inputs.
func writeMinimalPipeline(_ root: String, establishments: String, frame: String? = nil) {
    TestSupport.write(
        """
        name = "minimal"
        wave = "2025"
        prefecture_code = "20"
        output = "out"
        input = "input"
        [inputs]
        master = "municipalities.csv"
        \(frame.map { "frame = \"\($0)\"" } ?? "")
        [inputs.establishments]
        paths = ["\(establishments)"]
        """, to: root + "/p.toml")
}

/// A master of two municipalities of 長野県 (202011 長野市, 202029 松本市).
func writeTwoMunicipalityMaster(_ root: String) {
    TestSupport.write(
        "市区町村コード,市区町村名,人口,65歳以上人口,75歳以上人口,面積,担当者メール\n202011,長野市,370000,110000,60000,834.81,a@example.lg.jp\n202029,松本市,237000,66000,35000,978.47,b@example.lg.jp\n",
        to: root + "/input/municipalities.csv")
}

/// A small prefecture generated into a temporary folder, with its pipeline file.
func generated(_ o: SynthOptions) throws -> (root: String, pipeline: String, truth: SynthTruth) {
    let root = TestSupport.temporaryFolder("banso-clean")
    let truth = try Synth.generate(o, into: FilePath(root + "/input"))
    TestSupport.write(
        TestSupport.pipeline(input: root + "/input", output: root + "/out", prefecture: o.prefectureCode),
        to: root + "/p.toml")
    return (root, root + "/p.toml", truth)
}

@Suite("ingest and clean on generated prefectures")
struct CleanStageTests {
    @Test(
        "the rejected lines are exactly the lines the generator broke, for the right rules",
        arguments: [UInt64(1), 7, 2025])
    func defects(seed: UInt64) throws {
        var o = SynthOptions()
        o.seed = seed
        o.establishments = 600
        o.workers = 3000
        o.defectsPerThousand = 40
        let (root, pipeline, truth) = try generated(o)
        let layout = try ingestAndClean(pipeline: pipeline, root: root)
        let rejects = try CSVTable.read(layout.clean.appending("rejects.csv"))
        var got: [String: Set<String>] = [:]
        for r in rejects.rows {
            got["\(rejects.value(r, "file")):\(rejects.value(r, "line"))", default: []].insert(rejects.value(r, "rule"))
        }
        var want: [String: String] = [:]
        for b in truth.broken { want["\(b.file):\(b.line)"] = b.rule.rawValue }
        #expect(Set(got.keys) == Set(want.keys))
        for (line, rule) in want {
            #expect(got[line]?.contains(rule) == true, "\(line) should be rejected for \(rule), got \(got[line] ?? [])")
        }

        // Every other row is accepted with the values the generator meant.
        let est = try CSVTable.read(layout.clean.appending("establishments.csv"))
        #expect(est.rows.count == truth.establishments.count)
        var byID: [String: [String]] = [:]
        for r in est.rows { byID[est.value(r, "establishment_id")] = r }
        for t in truth.establishments {
            guard let row = byID[t.id] else {
                Issue.record("\(t.id) missing")
                continue
            }
            #expect(est.value(row, "municipality_code") == t.municipality)
            #expect(est.value(row, "response_date") == t.date.description)
            #expect(est.value(row, "shortage_perception") == (t.shortage.map(String.init) ?? ""))
            for f in CountField.allCases {
                #expect(est.value(row, f.field.rawValue) == formatNumber(t.values[f]), "\(t.id) \(f)")
            }
        }
        let workers = try CSVTable.read(layout.clean.appending("workers.csv"))
        #expect(workers.rows.count == truth.workers.count)
        let wages = workers.rows.compactMap { Double(workers.value($0, "monthly_wage")) }.reduce(0, +)
        // Wages outside 50,000–2,000,000 (an hourly wage typed in) are kept with a warning but not used.
        #expect(
            wages == Double(truth.workers.compactMap(\.wage).filter { (50_000...2_000_000).contains($0) }.reduce(0, +)))

        // Nothing is lost, per file.
        let report = try JSONFile.read(CleanReport.self, from: layout.clean.appending("report.json"))
        for f in report.files {
            #expect(f.balanced)
            #expect(f.rowsRead == f.accepted + f.rejected + f.blankRowsSkipped, "\(f.path)")
        }
    }

    @Test("one big worker file checked in chunks on other cores gives the bytes and findings of a serial pass")
    func chunkedWorkers() throws {
        var o = SynthOptions()
        o.establishments = 600
        o.workers = 20_000  // several chunks of 4,096 rows
        o.workerFiles = 1
        o.defectsPerThousand = 30
        let (root, pipeline, _) = try generated(o)
        let layout = try ingestAndClean(pipeline: pipeline, root: root)
        let est = try CSVTable.read(layout.clean.appending("establishments.csv"))
        var establishments: [String: MunicipalityCode] = [:]
        for r in est.rows {
            establishments[est.value(r, "establishment_id")] = MunicipalityCode(est.value(r, "municipality_code"))
        }
        let copy = try #require(
            try FileManager.default.contentsOfDirectory(atPath: layout.ingest.string).first { $0.hasPrefix("workers") })
        func clean(cores: Int) throws -> Cleaner.WorkerFileResult {
            try Cleaner.cleanWorkerFile(
                path: layout.ingest.appending(copy), file: "workers_01.csv", order: 0,
                prefecture: PrefectureCode(o.prefectureCode)!,
                directory: .init(establishments: establishments, frame: [:]), cores: cores)
        }
        let serial = try clean(cores: 1)
        #expect(serial.rejected > 0 && serial.warned > 0 && serial.accepted > 15_000)
        for cores in [2, 3] {
            let chunked = try clean(cores: cores)
            #expect(chunked.bytes == serial.bytes)
            #expect(chunked.findings == serial.findings)
            #expect(
                (chunked.accepted, chunked.rejected, chunked.warned) == (
                    serial.accepted, serial.rejected, serial.warned
                ))
            #expect(chunked.quality.map(\.0) == serial.quality.map(\.0))
        }
        // Written as the chunks are joined (what the stage does with one file): the same bytes in order.
        var flushed: [UInt8] = []
        let streamed = try Cleaner.cleanWorkerFile(
            path: layout.ingest.appending(copy), file: "workers_01.csv", order: 0,
            prefecture: PrefectureCode(o.prefectureCode)!,
            directory: .init(establishments: establishments, frame: [:]), cores: 2
        ) { part in
            flushed += part.bytes
            part.bytes.removeAll(keepingCapacity: true)
        }
        #expect(!flushed.isEmpty, "bytes were handed over before the file ended")
        #expect(flushed + streamed.bytes == serial.bytes)
    }

    @Test("a worker whose establishment is only in the frame is accepted, in the frame's municipality")
    func frameOnlyWorker() throws {
        var o = SynthOptions()
        o.establishments = 300
        o.workers = 2000
        let (root, pipeline, truth) = try generated(o)
        let layout = try ingestAndClean(pipeline: pipeline, root: root)
        let frameOnly = Dictionary(uniqueKeysWithValues: truth.frameOnly.map { ($0.id, $0.municipality) })
        let workers = try CSVTable.read(layout.clean.appending("workers.csv"))
        let fromFrame = workers.rows.filter { frameOnly[workers.value($0, "establishment_id")] != nil }
        #expect(!fromFrame.isEmpty)
        for r in fromFrame {
            #expect(workers.value(r, "municipality_code") == frameOnly[workers.value(r, "establishment_id")])
        }
    }

    @Test("CP932 and UTF-8 with BOM inputs give identical clean outputs")
    func encodings() throws {
        var outputs: [String] = []
        for encoding in [TextEncoding.cp932, .utf8BOM] {
            let root = TestSupport.temporaryFolder("banso-enc")
            var o = SynthOptions()
            o.establishments = 200
            o.workers = 500
            o.establishmentFiles = 1
            o.workerFiles = 1
            _ = try Synth.generate(o, into: FilePath(root + "/input"))
            // Re-encode every survey file the same way.
            for name in ["establishments_01.csv", "workers_01.csv"] {
                let path = root + "/input/" + name
                var records: [[String]] = []
                try CSVReader.read(path: FilePath(path)) { records.append($0.strings) }
                let bytes = try CSVWriter.encode(
                    records, options: CSVWriteOptions(encoding: encoding, newline: .crlf, replaceUnencodable: false))
                TestSupport.write(bytes, to: path)
            }
            TestSupport.write(TestSupport.pipeline(input: root + "/input", output: root + "/out"), to: root + "/p.toml")
            let layout = try ingestAndClean(pipeline: root + "/p.toml", root: root)
            let report = try RunFiles.ingestReport.read(in: layout)
            #expect(report.files.first { $0.path == "establishments_01.csv" }?.encoding == encoding.rawValue)
            outputs.append(
                try String(contentsOfFile: layout.clean.appending("establishments.csv").string, encoding: .utf8)
                    + String(contentsOfFile: layout.clean.appending("workers.csv").string, encoding: .utf8)
                    + String(contentsOfFile: layout.clean.appending("rejects.csv").string, encoding: .utf8))
        }
        #expect(outputs[0] == outputs[1])
    }
}

@Suite("duplicates")
struct DuplicateTests {
    static let header = "事業所番号,市区町村コード,サービス種別,回答日,介護職員数_正規\n"

    /// Writes a tiny prefecture: master, two establishment files.
    func setUp(_ file1: String, _ file2: String) throws -> (RunLayout, CSVTable, CSVTable) {
        let root = TestSupport.temporaryFolder("banso-dup")
        writeTwoMunicipalityMaster(root)
        TestSupport.write(Self.header + file1, to: root + "/input/establishments_1.csv")
        TestSupport.write(Self.header + file2, to: root + "/input/establishments_2.csv")
        writeMinimalPipeline(root, establishments: "establishments_*.csv")
        let layout = try ingestAndClean(pipeline: root + "/p.toml", root: root)
        return (
            layout, try CSVTable.read(layout.clean.appending("establishments.csv")),
            try CSVTable.read(layout.clean.appending("rejects.csv"))
        )
    }

    @Test("within a file the latest 回答日 is kept")
    func withinFile() throws {
        let (_, est, rej) = try setUp(
            "2010000001,202011,15,2025-10-01,5\n2010000001,202011,15,2025-10-20,7\n2010000001,202011,15,2025-10-05,9\n",
            "")
        #expect(est.rows.count == 1)
        #expect(est.value(est.rows[0], "care_staff_regular") == "7")
        #expect(rej.rows.map { rej.value($0, "line") } == ["2", "4"])
        #expect(
            rej.rows.allSatisfy {
                rej.value($0, "rule") == "duplicate" && rej.value($0, "message").contains("establishments_1.csv:3")
            })
    }

    @Test("across files, and on a tie the row read last wins")
    func acrossFilesTie() throws {
        let (_, est, rej) = try setUp("2010000001,202011,15,R7.10.1,5\n", "2010000001,202011,15,2025/10/01,8\n")
        #expect(est.rows.count == 1)
        #expect(est.value(est.rows[0], "care_staff_regular") == "8")
        #expect(rej.rows.count == 1)
        #expect(rej.value(rej.rows[0], "file") == "establishments_1.csv")
        #expect(rej.value(rej.rows[0], "message").contains("establishments_2.csv:2"))
    }

    @Test("an accepted row is written in column order: name normalised, counts as numbers, comment quoted")
    func writtenRow() throws {
        let root = TestSupport.temporaryFolder("banso-row")
        writeTwoMunicipalityMaster(root)
        TestSupport.write(
            "事業所番号,事業所名,市区町村コード,サービス種別,回答日,介護職員数_正規,常勤換算職員数,従業員の過不足感,自由記述\n"
                + "2010000001,ｹｱﾎｰﾑ　長野,202011,15,令和7年10月1日,１２人,3.50,やや不足,\"人が, \"\"足りない\"\"\n夜勤\"\n",
            to: root + "/input/establishments_1.csv")
        writeMinimalPipeline(root, establishments: "establishments_*.csv")
        let layout = try ingestAndClean(pipeline: root + "/p.toml", root: root)
        let text = try String(contentsOfFile: layout.clean.appending("establishments.csv").string, encoding: .utf8)
        let lines = text.split(separator: "\n", maxSplits: 1)
        #expect(lines[0] == Substring(CleanEstablishmentColumn.allCases.map(\.rawValue).joined(separator: ",")))
        let est = try CSVTable.read(layout.clean.appending("establishments.csv"))
        let row = try #require(est.rows.first)
        #expect(est.value(row, "source_file") == "establishments_1.csv")
        #expect(est.value(row, "source_line") == "2")
        #expect(est.value(row, "establishment_name") == "ケアホーム 長野")
        #expect(est.value(row, "response_date") == "2025-10-01")
        #expect(est.value(row, "care_staff_regular") == "12")
        #expect(est.value(row, "care_staff_nonregular") == "")
        #expect(est.value(row, "fte_total") == "3.5")
        #expect(est.value(row, "shortage_perception") == "3")
        #expect(est.value(row, "comment") == "人が, \"足りない\"\n夜勤")
    }

    @Test("an invalid later copy does not displace a valid one")
    func invalidCopy() throws {
        let (_, est, rej) = try setUp("2010000001,202011,15,2025-10-01,5\n", "2010000001,202011,15,2025-10-30,-1\n")
        #expect(est.value(est.rows[0], "care_staff_regular") == "5")
        #expect(rej.rows.map { rej.value($0, "rule") } == ["negative"])
    }
}

@Suite("the frame")
struct FrameTests {
    @Test(
        "rows checked in chunks on other cores: the first listing kept, duplicates found across chunks, every rule named"
    )
    func frame() throws {
        let root = TestSupport.temporaryFolder("banso-frame")
        writeTwoMunicipalityMaster(root)
        TestSupport.write(
            "事業所番号,市区町村コード,サービス種別,回答日,介護職員数_正規\n2010000001,202011,15,2025-10-01,5\n",
            to: root + "/input/establishments_1.csv")
        // 9,000 rows (three chunks of 4,096); line N holds establishment N.
        var frame = "事業所番号,市区町村コード,サービス種別\n"
        for n in 2...9_001 {
            let id = String(format: "20100%05d", n)
            switch n {
            case 5: frame += "\(id),202030,15\n"  // check digit of 202029 is 9
            case 6: frame += ",202011,15\n"
            case 7: frame += "201000000X,202011,15\n"
            case 8: frame += "\(id),202011,ZZZ\n"
            case 8_500: frame += "２０１０００００１０,２０２０２９,11\n"  // line 10's number, full width
            default: frame += "\(id),\(n % 2 == 0 ? "202011" : "202029"),\(n % 3 == 0 ? "15" : "11")\n"
            }
        }
        TestSupport.write(frame, to: root + "/input/frame.csv")
        writeMinimalPipeline(root, establishments: "establishments_*.csv", frame: "frame.csv")
        let layout = try ingestAndClean(pipeline: root + "/p.toml", root: root)
        let kept = try CSVTable.read(layout.clean.appending("frame.csv"))
        #expect(kept.rows.count == 9_000 - 5)
        #expect(kept.value(kept.rows[0], "establishment_id") == "2010000002")
        #expect(kept.rows.map { kept.value($0, "establishment_id") }.filter { $0 == "2010000010" }.count == 1)
        let row10 = try #require(kept.rows.first { kept.value($0, "establishment_id") == "2010000010" })
        #expect(kept.value(row10, "municipality_code") == "202011")
        let rejects = try CSVTable.read(layout.clean.appending("rejects.csv"))
        let got = rejects.rows.filter { rejects.value($0, "file") == "frame.csv" }.map {
            "\(rejects.value($0, "line")) \(rejects.value($0, "field")) \(rejects.value($0, "rule"))"
        }
        #expect(
            got == [
                "5 municipality_code check_digit", "6 establishment_id required",
                "7 establishment_id establishment_id_format",
                "8 service_type service_type_format", "8500 establishment_id duplicate",
            ])
        let report = try JSONFile.read(CleanReport.self, from: layout.clean.appending("report.json"))
        let f = try #require(report.files.first { $0.path == "frame.csv" })
        #expect((f.rowsRead, f.accepted, f.rejected) == (9_000, 8_995, 5))
    }
}

@Suite("the sample in input/")
struct SampleTests {
    @Test("row conservation over the sample, and its broken lines rejected")
    func sample() throws {
        let root = TestSupport.temporaryFolder("banso-sample")
        let input = TestSupport.packageRoot + "/input/sample"
        TestSupport.write(
            TestSupport.pipeline(input: input, output: root + "/out", roadmap: true), to: root + "/p.toml")
        let layout = try ingestAndClean(pipeline: root + "/p.toml", root: root)
        let report = try JSONFile.read(CleanReport.self, from: layout.clean.appending("report.json"))
        #expect(report.files.count == 12)
        for f in report.files { #expect(f.rowsRead == f.accepted + f.rejected + f.blankRowsSkipped) }
        let broken = try CSVTable.read(FilePath(input + "/_truth/broken_lines.csv"))
        let rejects = try CSVTable.read(layout.clean.appending("rejects.csv"))
        let got = Set(rejects.rows.map { "\(rejects.value($0, "file")):\(rejects.value($0, "line"))" })
        let want = Set(broken.rows.map { "\(broken.value($0, "file")):\(broken.value($0, "line"))" })
        #expect(got == want)
        // Each broken line is rejected for the rule the generator broke (its identifier, as documented).
        let rules = Set(
            rejects.rows.map {
                "\(rejects.value($0, "file")):\(rejects.value($0, "line")):\(rejects.value($0, "rule"))"
            })
        for r in broken.rows {
            #expect(Rule(rawValue: broken.value(r, "rule")) != nil, "\(broken.value(r, "rule")) is not a rule")
            #expect(rules.contains("\(broken.value(r, "file")):\(broken.value(r, "line")):\(broken.value(r, "rule"))"))
        }
    }
}

@Suite("the municipality master")
struct MasterTests {
    @Test("every master problem is a finding with its rule, and the stage fails naming them all")
    func findings() throws {
        let root = TestSupport.temporaryFolder("banso-master")
        TestSupport.write(
            """
            市区町村コード,市区町村名,人口,65歳以上人口,75歳以上人口,面積,担当者メール
            202011,長野市,370000,110000,60000,834.81,a@example.lg.jp
            131016,千代田区,67000,12000,6000,11.66,b@example.lg.jp
            202012,松本市,237000,66000,35000,978.47,c@example.lg.jp
            202037,上田市,不明,40000,22000,552.04,d@example.lg.jp
            202045,岡谷市,48000,16000,9000,0,e@example.lg.jp
            202011,長野市,370000,110000,60000,834.81,a@example.lg.jp

            """, to: root + "/input/municipalities.csv")
        TestSupport.write("事業所番号,市区町村コード,サービス種別,回答日,介護職員数_正規\n", to: root + "/input/e.csv")
        writeMinimalPipeline(root, establishments: "e.csv")
        let error = #expect(throws: StageFailure.self) { try ingestAndClean(pipeline: root + "/p.toml", root: root) }
        let message = error?.description ?? ""
        #expect(error?.kind == .data)
        #expect(message.contains("municipalities.csv:3: municipality_code: 市区町村コード 131016 belongs to prefecture 13"))
        #expect(message.contains("(rule wrong_prefecture)"))
        #expect(
            message.contains(
                "municipalities.csv:4: municipality_code: 市区町村コード 202012: check digit should be 1 (rule check_digit)"))
        #expect(
            message.contains(
                "municipalities.csv:5: population: 人口 is missing; populations are required in the master (rule required)"
            ))
        #expect(
            message.contains("municipalities.csv:6: area_km2: 面積 must be a positive number of km² (rule not_positive)"))
        #expect(
            message.contains("municipalities.csv:7: municipality_code: 市区町村コード 202011 appears again (first on line 2)"))
    }
}

@Suite("the master's prefecture row")
struct PrefectureRowTests {
    @Test(
        "a master whose first row is the prefecture itself: that row is set aside with its rule, never a municipality")
    func prefectureRow() throws {
        let root = TestSupport.temporaryFolder("banso-master-prefecture")
        TestSupport.write(
            """
            市区町村コード,市区町村名,人口,65歳以上人口,75歳以上人口,面積,担当者メール
            200000,長野県,2020000,660000,360000,13561.56,kaigo@pref.example.lg.jp
            202011,長野市,370000,110000,60000,834.81,a@example.lg.jp
            202029,松本市,237000,66000,35000,978.47,b@example.lg.jp

            """, to: root + "/input/municipalities.csv")
        TestSupport.write("事業所番号,市区町村コード,サービス種別,回答日,介護職員数_正規\n", to: root + "/input/e.csv")
        writeMinimalPipeline(root, establishments: "e.csv")
        let layout = try ingestAndClean(pipeline: root + "/p.toml", root: root)
        #expect(try RunFiles.master.read(in: layout).map(\.code) == ["202011", "202029"])
        let rejects = try RunFiles.rejects.read(in: layout)
        #expect(rejects.count == 1 && rejects[0].rule == .prefectureRow && rejects[0].line == 2)
        #expect(rejects[0].message.contains("200000 is the prefecture's own code (長野県)"))
    }
}

/// A small generated prefecture with its roadmap inputs and pipeline file (`root/p.toml`).
func smallRoadmapPrefecture(_ name: String) throws -> String {
    let root = TestSupport.temporaryFolder(name)
    var o = SynthOptions()
    o.establishments = 200
    o.workers = 500
    _ = try Synth.generate(o, into: FilePath(root + "/input"))
    TestSupport.write(
        TestSupport.pipeline(input: root + "/input", output: root + "/out", roadmap: true), to: root + "/p.toml")
    return root
}

@Suite("self-assessments of another year")
struct AnswerWindowTests {
    @Test("対象外 is an answer, kept without a score; an empty score is still refused")
    func notApplicableAnswer() throws {
        let root = try smallRoadmapPrefecture("banso-na")
        TestSupport.write(
            "市区町村コード,項目ID,評価,回答日,コメント\n202011,HR-2a,対象外,2026-03-30,施設がないため\n"
                + "202029,HR-2a,,2026-03-30,\n", to: root + "/input/self_assessment_9.csv")
        let layout = try ingestAndClean(pipeline: root + "/p.toml", root: root + "/a")
        let answer = try #require(
            try RunFiles.selfAssessments.read(in: layout).first { $0.municipality == "202011" && $0.item == "HR-2a" })
        #expect(answer.score == nil && answer.comment == "施設がないため")
        let refused = try RunFiles.rejects.read(in: layout).filter { $0.file.hasSuffix("self_assessment_9.csv") }
        #expect(refused.map(\.line) == [3] && refused.first?.message.contains("or write 対象外") == true)
    }

    @Test("last year's form sent again and a typo date in 2031 are not counted for the wave; the real answer stays")
    func outsideWave() throws {
        let root = try smallRoadmapPrefecture("banso-answers")
        let before = try ingestAndClean(pipeline: root + "/p.toml", root: root + "/a")
        let kept = try #require(
            try RunFiles.selfAssessments.read(in: before).first { $0.municipality == "202011" && $0.item == "HR-1a" })
        TestSupport.write(
            "市区町村コード,項目ID,評価,回答日,コメント\n202011,HR-1a,\((kept.score ?? 1) % 4 + 1),2024-07-15,昨年度の票\n"
                + "202011,HR-1a,\((kept.score ?? 1) % 4 + 1),2031-07-15,誤記\n", to: root + "/input/self_assessment_9.csv"
        )
        let after = try ingestAndClean(pipeline: root + "/p.toml", root: root + "/b")
        let now = try RunFiles.selfAssessments.read(in: after).first {
            $0.municipality == "202011" && $0.item == "HR-1a"
        }
        #expect(now == kept)
        let outside = try RunFiles.rejects.read(in: after).filter { $0.rule == .answerOutsideWave }
        #expect(outside.map(\.line) == [2, 3])
        #expect(outside.first?.message.contains("outside the answers of wave 2025 (2025-04-01 to 2026-03-31)") == true)
    }
}

@Suite("context units")
struct ContextUnitTests {
    @Test(
        "units of one quantity convert; others do not",
        arguments: [("割合", "%", 100.0), ("‰", "%", 0.1), ("%", "割合", 0.01), ("千円", "円", 1000), ("万円", "千円", 10)])
    func factors(_ from: String, _ to: String, _ factor: Double) {
        #expect(ContextUnits.factor(from: from, to: to).map { abs($0 - factor) < 1e-12 } == true)
        #expect(ContextUnits.factor(from: from, to: "件") == nil)
    }

    @Test("a share written as 割合 beside percentages is converted with a warning; an unrelated unit is refused")
    func mixed() throws {
        let root = try smallRoadmapPrefecture("banso-units")
        let text = try String(contentsOfFile: root + "/p.toml", encoding: .utf8)
            .replacingOccurrences(of: "context = [\"context.csv\"]", with: "context = [\"context.csv\", \"extra.csv\"]")
        TestSupport.write(text, to: root + "/p.toml")
        TestSupport.write(
            """
            市区町村コード,指標ID,指標名,単位,値,年度,出典
            202011,home_share,在宅率,%,20.5,令和6年度,県調べ
            202029,home_share,在宅率,%,18.0,令和6年度,県調べ
            202037,home_share,在宅率,割合,0.231,令和6年度,県調べ
            202045,home_share,在宅率,件,12,令和6年度,県調べ

            """, to: root + "/input/extra.csv")
        let layout = try ingestAndClean(pipeline: root + "/p.toml", root: root)
        let figures = try RunFiles.context.read(in: layout).filter { $0.id == "home_share" }
        #expect(figures.map(\.municipality) == ["202011", "202029", "202037"])
        let converted = try #require(figures.first { $0.municipality == "202037" })
        #expect(converted.unit == "%" && abs(converted.value! - 23.1) < 1e-9)
        #expect(try RunFiles.warnings.read(in: layout).contains { $0.rule == .unitConverted && $0.line == 4 })
        #expect(try RunFiles.rejects.read(in: layout).contains { $0.rule == .unitMismatch && $0.line == 5 })
    }
}

@Suite("long problem lists")
struct LongProblemListTests {
    @Test("a master with 25 problems lists 20 and says how many more")
    func andMore() throws {
        let root = TestSupport.temporaryFolder("banso-master-many")
        var text = "市区町村コード,市区町村名,人口,65歳以上人口,75歳以上人口,面積,担当者メール\n"
        for n in 0..<25 {
            // 25 distinct codes of 長野県, each with one problem: no mail address.
            let code = try MunicipalityCode.normalize("20\(500 + n)").get()
            text += "\(code),町\(n),1000,100,50,1,\n"
        }
        TestSupport.write(text, to: root + "/input/municipalities.csv")
        TestSupport.write("事業所番号,市区町村コード,サービス種別,回答日,介護職員数_正規\n", to: root + "/input/e.csv")
        writeMinimalPipeline(root, establishments: "e.csv")
        let error = #expect(throws: StageFailure.self) { try ingestAndClean(pipeline: root + "/p.toml", root: root) }
        #expect(error?.description.hasSuffix("… and 5 more") == true, "\(error?.description ?? "")")
    }
}

@Suite("worker rows' establishment look-up")
struct WorkerLookUpTests {
    /// An ingest-copy record of one worker row naming `id`.
    func row(_ id: String, line: Int = 7) -> CSVRecord {
        var fields = ["workers.csv", String(line), ""] + Array(repeating: "", count: WorkerField.allCases.count)
        func set(_ f: WorkerField, _ v: String) { fields[IngestCopy<WorkerField>.position(f)] = v }
        set(.establishmentID, id)
        set(.occupation, "1")
        set(.employmentType, "1")
        set(.age, "41")
        return CSVRecord(line: line, fields: fields)
    }

    let parser = WorkerParser(
        file: "workers.csv", order: 0, prefecture: "01",
        directory: .init(
            establishments: ["0110000001": "011002", "01A0000002": "012025"],
            frame: ["0110000001": "012041", "0110000003": "013030"]))

    @Test(
        "the answered municipality wins over the frame's; frame-only, letter and full-width numbers are found",
        arguments: [
            ("0110000001", "011002"), ("0110000003", "013030"), ("01A0000002", "012025"), ("０１１００００００１", "011002"),
        ])
    func found(_ id: String, _ municipality: String) throws {
        var out: [UInt8] = []
        guard case .accepted = parser.parse(row(id), into: &out) else {
            Issue.record("\(id) rejected")
            return
        }
        let cells = String(decoding: out, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false)
        #expect(cells.count == CleanWorkerColumn.allCases.count)
        #expect(cells[CleanWorkerColumn.municipalityCode.position] == municipality)
        #expect(cells[CleanWorkerColumn.establishmentID.position] == Normalize.value(id))
        #expect(cells[CleanWorkerColumn.occupation.position] == "1")
        #expect(cells[CleanWorkerColumn.age.position] == "41")
        #expect(out.last == 0x0A)
    }

    @Test(
        "an unknown or malformed number is rejected with the rule, line and number",
        arguments: [
            ("0110000009", Rule.unknownEstablishment), ("0210000001", .establishmentIDPrefecture),
            ("011000000", .establishmentIDFormat),
        ])
    func rejected(_ id: String, _ rule: Rule) throws {
        var out: [UInt8] = []
        guard case .rejected(let findings, _) = parser.parse(row(id, line: 12), into: &out) else {
            Issue.record("\(id) accepted")
            return
        }
        let f = try #require(findings.first)
        #expect((f.rule, f.line, f.field, f.value) == (rule, 12, "establishment_id", id))
        #expect(f.establishmentID == id)
        #expect(out.isEmpty)
    }
}
