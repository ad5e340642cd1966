import BansoCSV
import BansoCore
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

@Suite("analyst tools", .serialized)
struct AnalystTests {
    @Test("inspect reads a CP932 file as ingest would and lists the first problems; writes nothing")
    func inspect() throws {
        let dir = TestSupport.temporaryFolder("banso-inspect")
        let text =
            "事業所 番号,市区町村コード,サービス種別,回答日,介護職員（正規）,備考欄\r\n" + "2010001007,202011,15,令和7年10月1日,１２人,\"改行\r\nあり\"\r\n"
            + ",,,,,\r\n" + "2010001015,202012,15,2025-13-01,-1,\r\n"
        TestSupport.write(try TextEncoder.encode(text, as: .cp932), to: dir + "/received.csv")
        let (status, out, _) = try TestSupport.run(Workspace.bin + "/banso", ["inspect", dir + "/received.csv"])
        #expect(status == 0)
        #expect(out.contains("kind: establishments (guessed"))
        #expect(out.contains("encoding: cp932 — not UTF-8"))
        #expect(out.contains("line endings: CRLF"))
        #expect(out.contains("rows read: 3 (data rows 2, blank rows skipped 1)"))
        #expect(out.contains("1. \"事業所 番号\" → establishment_id (built-in)"))
        #expect(out.contains("5. \"介護職員（正規）\" → unknown, ignored"))
        #expect(out.contains("line 5 municipality_code [check_digit, E] 市区町村コード 202012: check digit should be 1"))
        #expect(out.contains("line 5 response_date [date, E]"))
        #expect(!out.contains("care_staff_regular"))  // 介護職員（正規） is not mapped without the pipeline file
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["received.csv"])

        let (s2, records, _) = try TestSupport.run(
            Workspace.bin + "/banso", ["inspect", dir + "/received.csv", "--records"])
        #expect(s2 == 0)
        let lines = records.split(separator: "\n")
        #expect(lines.count == 3)
        let second = try JSONDecoder().decode([String].self, from: Data(lines[1].utf8))
        #expect(second == ["2010001007", "202011", "15", "令和7年10月1日", "１２人", "改行\r\nあり"])

        let (s4, json, _) = try TestSupport.run(Workspace.bin + "/banso", ["inspect", dir + "/received.csv", "--json"])
        #expect(s4 == 0)
        #expect(json.contains("\"rows_read\" : 3") && json.contains("\"kind_guessed\" : true"))
        #expect(json.contains("\"encoding_reason\"") && !json.contains("encodingReason"))

        let (s3, _, _) = try TestSupport.run(
            Workspace.bin + "/banso", ["inspect", dir + "/received.csv", "--kind", "workers"])
        #expect(s3 == 1)  // the required worker columns are missing: ingest would refuse it
    }

    @Test("explain says why a value is what it is, suppressed or not, and where the municipality stands")
    func explain() throws {
        let w = try Workspace()
        #expect(try w.run(["--quiet"]).0 == 0)
        let (status, out, err) = try w.banso(["explain", w.pipeline, "202011", "--indicator", "turnover_rate"])
        #expect(status == 0, "\(err)")
        #expect(out.contains("長野市 (202011)"))
        #expect(out.contains("turnover_rate 離職率: value"))
        #expect(out.contains("Peer group:"))
        #expect(out.contains("Nearest neighbours:"))
        let (_, json, _) = try w.banso(["explain", w.pipeline, "202011", "--json"])
        // Snake case like every other JSON file Bansō writes.
        #expect(json.contains("\"group_label\"") && json.contains("\"ci_low\"") && !json.contains("groupLabel"))
        struct E: Decodable {
            struct I: Decodable {
                let indicator: String
                let published: Bool
                let why: String
            }
            let indicators: [I]
            let code: String
        }
        let e = try JSONDecoder().decode(E.self, from: Data(json.utf8))
        #expect(e.code == "202011")
        #expect(e.indicators.count >= 19)
        // A village with few respondents has suppressed figures, and the reason is given.
        let t = try CSVTable.read(FilePath(w.latest + "/internal/indicators.csv"))
        let suppressed = t.rows.first { t.value($0, "suppression_rule") == "threshold" }!
        let (_, v, _) = try w.banso([
            "explain", w.pipeline, t.value(suppressed, "municipality_code"), "--indicator",
            t.value(suppressed, "indicator"),
        ])
        #expect(v.contains("suppressed: n = \(t.value(suppressed, "n")) is below the threshold"))
        // A code with a wrong check digit is a mistake on the command line; a valid one the run
        // does not have is a question about the data.
        let (bad, _, badErr) = try w.banso(["explain", w.pipeline, "999999"])
        #expect(bad == 2 && badErr.contains("999999: expected a 6-digit municipality code"), "\(badErr)")
        let (absent, _, absentErr) = try w.banso(["explain", w.pipeline, "472085"])
        #expect(absent == 1 && absentErr.contains("no municipality 472085"), "\(absentErr)")
    }

    @Test("diff lists what changed and the packets to re-send; exit 0 same, 1 different, 2 error")
    func diff() throws {
        let w = try Workspace()
        #expect(try w.run(["--quiet"]).0 == 0)
        #expect(try w.run(["--quiet", "--force"]).0 == 0)
        #expect(try w.banso(["diff", w.pipeline, "--previous"]).0 == 0)
        // Change one establishment's answer (the first row of the UTF-8 file).
        let path = w.root + "/input/establishments_03.csv"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let line = text.split(separator: "\n").dropFirst().first!
        var cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let code = try MunicipalityCode.normalize(cells[2]).get()
        cells[10] = "9"  // separations_regular: more people left
        cells[7] = "40"
        text = text.replacingOccurrences(of: String(line), with: cells.joined(separator: ","))
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try w.run(["--quiet"]).0 == 0)
        let (status, out, _) = try w.banso(["diff", w.pipeline, "--previous"])
        #expect(status == 1)
        #expect(out.contains("input changed: establishments_03.csv"))
        #expect(
            out.contains("indicator: \(code) turnover_rate") || out.contains("indicator: \(code) hiring_rate"), "\(out)"
        )
        #expect(out.contains("packets to re-send: ") && out.contains(code.text))
        let (_, csv, _) = try w.banso(["diff", w.pipeline, "--previous", "--csv"])
        #expect(csv.hasPrefix("section,key,before,after\n"))
        #expect(try w.banso(["diff", "/nonexistent/a", "/nonexistent/b"]).0 == 2)
    }
}

@Suite("overrides and history command", .serialized)
struct OverrideTests {
    @Test("--input and --output replace the pipeline file's folders; history lists and exports waves")
    func overrides() throws {
        let w = try Workspace(establishments: 60, workers: 200)
        let other = TestSupport.temporaryFolder("banso-other")
        try FileManager.default.copyItem(atPath: w.root + "/input", toPath: other + "/input")
        let (s, _, err) = try w.run(["--quiet", "--input", other + "/input", "--output", other + "/out"])
        #expect(s == 0, "\(err)")
        #expect(FileManager.default.fileExists(atPath: other + "/out/latest/run.json"))
        #expect(!FileManager.default.fileExists(atPath: w.output))
        let manifest = try String(contentsOfFile: other + "/out/latest/run.json", encoding: .utf8)
        #expect(manifest.contains("\"path\" : \"establishments_01.csv\""))

        let (h, waves, _) = try w.banso(["history", w.pipeline, "--output", other + "/out"])
        #expect(h == 0 && waves == "2025\n")
        let (e, _, _) = try w.banso([
            "history", w.pipeline, "--output", other + "/out", "--export", "2025", "--to", other + "/w.csv",
            "--published",
        ])
        #expect(e == 0)
        let published = try CSVTable.read(FilePath(other + "/w.csv"))
        #expect(published.header.first == "wave")
        #expect(
            published.rows.contains {
                published.value($0, "suppressed") == "true" && published.value($0, "value").isEmpty
            })
        let (missing, _, _) = try w.banso([
            "history", w.pipeline, "--output", other + "/out", "--export", "1999", "--to", other + "/x.csv",
        ])
        #expect(missing == 1)
    }

    @Test("the analyst walkthrough: a scratch run with --set, compare, adopt; production untouched until adopted")
    func scratchWalkthrough() throws {
        let w = try Workspace(establishments: 300, workers: 1500)
        #expect(try w.run(["--quiet"]).0 == 0)
        let latest = try #require(w.latestTarget())
        let productionFiles = try w.dataFiles(w.output + "/" + latest)
        let store = try Hashing.sha256(file: FilePath(w.history))

        // Without a scratch folder, --set is refused: other settings must not replace production.
        let refused = try w.banso(["run", w.pipeline, "--set", "peers.k=3"])
        #expect(refused.0 != 0 && refused.2.contains("--set needs --scratch DIR"), "\(refused.2)")
        // The scratch folder may not be the production output.
        let overlap = try w.banso(["run", w.pipeline, "--scratch", w.output, "--set", "peers.k=3"])
        #expect(overlap.0 == 2 && overlap.2.contains("is the production output folder"), "\(overlap.2)")

        let scratch = w.root + "/scratch-k2"
        let tried = try w.banso(["run", w.pipeline, "--quiet", "--scratch", scratch, "--set", "peers.k=2"])
        #expect(tried.0 == 0, "\(tried.2)")
        let groups = try String(contentsOfFile: scratch + "/latest/peers/k_selection.csv", encoding: .utf8)
        #expect(groups == "k,mean_silhouette,chosen\n2,,true\n", "\(groups)")
        // Production's latest and history store are byte for byte as they were.
        #expect(w.latestTarget() == latest)
        #expect(try w.dataFiles(w.output + "/" + latest) == productionFiles)
        #expect(try Hashing.sha256(file: FilePath(w.history)) == store)
        #expect(FileManager.default.fileExists(atPath: scratch + "/history-snapshot.sqlite"))

        // Compare the two runs, then adopt the setting by editing the pipeline file.
        let diff = try w.banso(["diff", w.output + "/" + latest, scratch + "/latest"])
        #expect(diff.0 == 0 || diff.0 == 1, "\(diff.2)")
        #expect(diff.1.contains("group: "), "\(diff.1)")
        try editPipeline(w.root, "\n\n[inputs]", "\n[peers]\nk = 2\n\n[inputs]")
        #expect(try w.run(["--quiet"]).0 == 0)
        #expect(w.latestTarget() != latest)
        #expect(
            try String(contentsOfFile: w.latest + "/peers/groups.csv", encoding: .utf8)
                == String(contentsOfFile: scratch + "/latest/peers/groups.csv", encoding: .utf8))
    }
}
