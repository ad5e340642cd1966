import BansoCSV
import BansoCore
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

/// The contract header of the establishment survey, and a valid row of 長野市 to vary.
let officeHeader = EstablishmentField.allCases.map(\.japaneseHeader).joined(separator: ",")
func officeRow(id: String = "2010009001", date: String = "2025-10-01", staff: String = "10", comment: String = "")
    -> String
{
    // id, name, municipality, service, date, 15 counts, shortage, comment
    "\(id),ひまわり,202011,15,\(date),\(staff),5,14,2,1,1,1,2,1,3,18.5,6,4,1,2,2,\(comment)"
}

/// One establishment file as an office might send it, and what clean must make of it.
struct OfficeFile: CustomTestStringConvertible, Sendable {
    let name: String
    let text: String
    /// (line, rule) pairs that must be in rejects.csv or warnings.csv.
    let findings: [(Int, String)]
    /// Lines that must be accepted (no E finding).
    let accepted: [Int]
    var testDescription: String { name }
}

let officeFiles: [OfficeFile] = [
    OfficeFile(
        name: "an unquoted thousands separator shifts the row",
        text: officeHeader + "\n" + officeRow(id: "2010009001", staff: "1,008") + "\n" + officeRow(id: "2010009002")
            + "\n",
        findings: [(2, "extra_cells")], accepted: [3]),
    OfficeFile(
        name: "separators in the wrong place are not numbers",
        text: officeHeader + "\n" + officeRow(id: "2010009001", staff: "\"1,2\"") + "\n"
            + officeRow(id: "2010009002", staff: "\"12,34\"") + "\n" + officeRow(id: "2010009003", staff: "\"1,234\"")
            + "\n",
        findings: [(2, "not_a_number"), (3, "not_a_number")], accepted: [4]),
    OfficeFile(
        name: "digit runs that are not dates",
        text: officeHeader + "\n" + officeRow(id: "2010009001", date: "251001") + "\n"
            + officeRow(id: "2010009002", date: "2025") + "\n" + officeRow(id: "2010009003", date: "2587-10-01") + "\n",
        findings: [(2, "date"), (3, "date"), (4, "date")], accepted: []),
    OfficeFile(
        name: "the date forms offices write",
        text: officeHeader + "\n"
            + [
                "2025-10-01T09:00:00", "45930.5", "2025年10月1日(水)", "令和7年 10月 1日", "r7.10.1", "20251001",
                "2025/10/1 9:30",
            ].enumerated().map { officeRow(id: "201000900\($0.offset)", date: $0.element) }.joined(separator: "\n")
            + "\n",
        findings: [], accepted: Array(2...8)),
    OfficeFile(
        name: "a date more than a year outside the window is an error; a late one a warning",
        text: officeHeader + "\n" + officeRow(id: "2010009001", date: "2023-10-01") + "\n"
            + officeRow(id: "2010009002", date: "2025-12-15") + "\n",
        findings: [(2, "date"), (3, "outside_survey_window")], accepted: [3]),
    OfficeFile(
        name: "title rows above the header, a total row and notes below",
        text: "令和7年度 介護人材実態調査 事業所票,,,\n\n" + officeHeader + "\n" + officeRow(id: "2010009001") + "\n"
            + officeRow(id: "2010009002") + "\n" + "合計,,,,,20,10\n" + "※記入上の注意: 人数は実人数で記入\n",
        findings: [], accepted: [4, 5]),
]

@Suite("real office files", .serialized)
struct OfficeFileTests {
    @Test(
        "each file: the right rows rejected for the right rules, the rest accepted, nothing lost",
        arguments: officeFiles)
    func office(_ f: OfficeFile) throws {
        let w = try Workspace(establishments: 60, workers: 200)
        TestSupport.write(f.text, to: w.root + "/input/establishments_01.csv")
        let (status, _, err) = try w.run(["--quiet"])
        #expect(status == 0, "\(err)")
        let rejects = try CSVTable.read(FilePath(w.latest + "/clean/rejects.csv"))
        let warnings = try CSVTable.read(FilePath(w.latest + "/clean/warnings.csv"))
        func found(_ t: CSVTable) -> [(Int, String)] {
            t.rows.filter { t.value($0, "file") == "establishments_01.csv" }.map {
                (Int(t.value($0, "line")) ?? 0, t.value($0, "rule"))
            }
        }
        let all = found(rejects) + found(warnings)
        for (line, rule) in f.findings {
            #expect(all.contains { $0 == (line, rule) }, "line \(line) should have \(rule); found \(all)")
        }
        for line in f.accepted { #expect(!found(rejects).contains { $0.0 == line }, "line \(line) should be accepted") }
        let report = try JSONFile.read(CleanReport.self, from: FilePath(w.latest + "/clean/report.json"))
        for file in report.files {
            #expect(file.rowsRead == file.accepted + file.rejected + file.blankRowsSkipped + file.otherRowsSkipped)
        }
    }

    @Test("title rows: the ingest report says where the header was; total and note rows are not answers")
    func titleRows() throws {
        let w = try Workspace(establishments: 60, workers: 200)
        TestSupport.write(officeFiles[5].text, to: w.root + "/input/establishments_01.csv")
        let (status, _, err) = try w.run(["--quiet"])
        #expect(status == 0, "\(err)")
        let report = try JSONFile.read(IngestReport.self, from: FilePath(w.latest + "/ingest/report.json"))
        let file = try #require(report.files.first { $0.path == "establishments_01.csv" })
        #expect(file.headerLine == 3 && file.titleRowsSkipped == 1 && file.noteRowsSkipped == 2)
        #expect(file.dataRows == 2 && file.blankRowsSkipped == 1)
        #expect(file.warnings.contains { $0.contains("the header is on line 3") })
    }

    @Test("count columns worded otherwise: refused with the mapping to add, or a loud warning when some map")
    func countColumns() throws {
        let w = try Workspace(establishments: 60, workers: 200)
        let renamed = officeHeader.replacingOccurrences(of: "_正規", with: "（正規）").replacingOccurrences(
            of: "_非正規", with: "（非正規）")
        // Every count worded otherwise except those without 正規/非正規 (看護職員数 …): a warning per column.
        TestSupport.write(renamed + "\n" + officeRow() + "\n", to: w.root + "/input/establishments_01.csv")
        let (status, _, err) = try w.run([])
        #expect(status == 0, "\(err)")
        #expect(err.contains("WARNING") || err.contains("column \"介護職員数（正規）\" is ignored"))
        #expect(err.contains("\"介護職員数（正規）\" = \"care_staff_regular\""), "\(err)")
        let report = try JSONFile.read(IngestReport.self, from: FilePath(w.latest + "/ingest/report.json"))
        let file = try #require(report.files.first { $0.path == "establishments_01.csv" })
        #expect(file.suggestedMappings["介護職員数（正規）"] == "care_staff_regular")
        #expect(file.suggestedMappings["採用者数（非正規）"] == "hires_nonregular")

        // No count column at all: the file would be accepted with no numbers, so it is refused.
        let before = w.latestTarget()
        TestSupport.write(
            "事業所番号,市区町村コード,サービス種別,回答日,介護職員数（正規）\n2010009001,202011,15,2025-10-01,5\n",
            to: w.root + "/input/establishments_01.csv")
        let (s2, _, e2) = try w.run(["--quiet"])
        #expect(s2 == 1)
        #expect(e2.contains("no count column") && e2.contains("\"介護職員数（正規）\" = \"care_staff_regular\""), "\(e2)")
        #expect(w.latestTarget() == before)
    }

    @Test("a two-row merged header (介護職員数 over 正規 | 非正規) is refused, not read without its counts")
    func mergedHeader() throws {
        let w = try Workspace(establishments: 60, workers: 200)
        let before = w.latestTarget()
        TestSupport.write(
            "事業所番号,市区町村コード,サービス種別,回答日,介護職員数,,採用者数,\n,,,,正規,非正規,正規,非正規\n"
                + "2010009001,202011,15,2025-10-01,10,5,2,1\n", to: w.root + "/input/establishments_01.csv")
        let (status, _, err) = try w.run(["--quiet"])
        #expect(status == 1)
        #expect(err.contains("no count column"), "\(err)")
        #expect(w.latestTarget() == before)
    }

    @Test("a tab- or semicolon-separated file saved as .csv gets the delimiter to set", arguments: ["\t", ";"])
    func delimiter(_ d: String) throws {
        let w = try Workspace(establishments: 60, workers: 200)
        let text =
            officeHeader.replacingOccurrences(of: ",", with: d) + "\n"
            + officeRow().replacingOccurrences(of: ",", with: d)
        TestSupport.write(text + "\n", to: w.root + "/input/establishments_01.csv")
        let (status, _, err) = try w.run(["--quiet"])
        #expect(status == 1)
        #expect(err.contains(d == "\t" ? "tab-separated; set delimiter" : "semicolons: set delimiter"), "\(err)")
    }

    @Test("a wage without its unit: 27 is 27万円 with a warning; 900 yen is not used; no absurd median")
    func wages() throws {
        let w = try Workspace(establishments: 60, workers: 200)
        let header = WorkerField.allCases.map(\.japaneseHeader).joined(separator: ",")
        let frame = try CSVTable.read(FilePath(w.root + "/input/frame.csv"))
        let id = frame.rows[0][0]
        var text = header + "\n"
        for wage in ["27", "25.5", "900円", "250000"] { text += "\(id),2,1,2,40,5,\(wage),1\n" }
        TestSupport.write(text, to: w.root + "/input/workers_01.csv")
        let (status, _, err) = try w.run(["--quiet"])
        #expect(status == 0, "\(err)")
        let warnings = try CSVTable.read(FilePath(w.latest + "/clean/warnings.csv"))
        let rules = warnings.rows.filter { warnings.value($0, "file") == "workers_01.csv" }.map {
            "\(warnings.value($0, "line")):\(warnings.value($0, "rule"))"
        }
        #expect(
            rules.contains("2:wage_in_man") && rules.contains("3:wage_in_man") && rules.contains("4:wage_out_of_range"))
        let workers = try CSVTable.read(FilePath(w.latest + "/clean/workers.csv"))
        let wages = workers.rows.filter { workers.value($0, "source_file") == "workers_01.csv" }.map {
            workers.value($0, "monthly_wage")
        }
        #expect(wages == ["270000", "255000", "", "250000"])
        let published = try CSVTable.read(FilePath(w.latest + "/aggregate/indicators.csv"))
        for r in published.rows where published.value(r, "indicator").contains("wage") {
            if let v = Double(published.value(r, "value")) { #expect(v >= 50_000 && v <= 2_000_000) }
        }
    }

    @Test("a frame missing establishments: their answers are kept and flagged, no response rate above 100")
    func frameMissing() throws {
        let w = try Workspace(establishments: 200, workers: 600)
        let frame = try String(contentsOfFile: w.root + "/input/frame.csv", encoding: .utf8).split(separator: "\n")
        TestSupport.write(frame.prefix(frame.count / 3).joined(separator: "\n") + "\n", to: w.root + "/input/frame.csv")
        let (status, _, err) = try w.run(["--quiet"])
        #expect(status == 0, "\(err)")
        let warnings = try CSVTable.read(FilePath(w.latest + "/clean/warnings.csv"))
        #expect(warnings.rows.contains { warnings.value($0, "rule") == "not_in_frame" })
        let published = try CSVTable.read(FilePath(w.latest + "/aggregate/indicators.csv"))
        let rates = published.rows.filter { published.value($0, "indicator") == "response_rate" }.compactMap {
            Double(published.value($0, "value"))
        }
        #expect(!rates.isEmpty && rates.allSatisfy { $0 <= 100 })
    }

    @Test("a master with a zero population, 65歳以上 above 人口 or a list of addresses is refused, naming each")
    func master() throws {
        let w = try Workspace(establishments: 60, workers: 200)
        var lines = try String(contentsOfFile: w.root + "/input/municipalities.csv", encoding: .utf8)
            .components(separatedBy: "\r\n").filter { !$0.isEmpty }
        var a = lines[1].components(separatedBy: ",")
        a[2] = "0"
        lines[1] = a.joined(separator: ",")
        var b = lines[2].components(separatedBy: ",")
        b[3] = String((Int(b[2]) ?? 0) + 1)
        lines[2] = b.joined(separator: ",")
        var c = lines[3].components(separatedBy: ",")
        c[6] = "\"a@example.lg.jp; b@example.lg.jp\""
        lines[3] = c.joined(separator: ",")
        TestSupport.write(lines.joined(separator: "\r\n") + "\r\n", to: w.root + "/input/municipalities.csv")
        let (status, _, err) = try w.run(["--quiet"])
        #expect(status == 1)
        #expect(err.contains("municipalities.csv:2: population: 人口 must be more than 0 (rule not_positive)"), "\(err)")
        #expect(
            err.contains("municipalities.csv:3: population_65_plus:") && err.contains("(rule population_inconsistent)"))
        #expect(err.contains("municipalities.csv:4: contact_email:") && err.contains("(rule invalid_email)"))
    }

    @Test("a master whose 圏域 are incomplete or named two ways is refused, naming each line; the 圏域 reach the reports")
    func regions() throws {
        let w = try Workspace(establishments: 120, workers: 400)
        let path = w.root + "/input/municipalities.csv"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        var lines = original.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines[0].hasSuffix(",圏域コード,圏域名"))
        var a = lines[1].components(separatedBy: ",")
        a[8] = ""
        lines[1] = a.joined(separator: ",")
        var b = lines[2].components(separatedBy: ",")
        let c = lines[3].components(separatedBy: ",")
        // The same code as the next line's 圏域, under another name.
        b[7] = c[7]
        b[8] = c[8] + "地域"
        lines[2] = b.joined(separator: ",")
        TestSupport.write(lines.joined(separator: "\r\n") + "\r\n", to: path)
        let (status, _, err) = try w.run(["--quiet"])
        #expect(status == 1)
        #expect(
            err.contains("municipalities.csv:2: region_name: 圏域名 is empty")
                && err.contains("(rule region_inconsistent)"), "\(err)")
        #expect(
            err.contains("municipalities.csv:4: region_name: 圏域コード \(c[7]) is named \"\(c[8])地域\" on line 3"), "\(err)")

        TestSupport.write(original, to: path)
        let (ok, _, okErr) = try w.run(["--quiet"])
        try #require(ok == 0, "\(okErr)")
        let areas = try CSVTable.read(FilePath(w.latest + "/aggregate/areas.csv"))
        let named = original.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
            .map { $0.components(separatedBy: ",") }
        #expect(Set(areas.rows.map { areas.value($0, "region_code") }) == Set(named.map { $0[7] }))
        // The first municipality's rows carry its 圏域's published value.
        let summary = try CSVTable.read(FilePath(w.latest + "/feedback/summary.csv"))
        let first = try #require(summary.rows.first { summary.value($0, "indicator") == "turnover_rate" })
        let home = try #require(named.first { $0[0] == summary.value(first, "municipality_code") })
        #expect(summary.value(first, "region_name") == home[8])
        let region = try #require(
            areas.rows.first {
                areas.value($0, "region_code") == home[7] && areas.value($0, "indicator") == "turnover_rate"
            })
        #expect(!areas.value(region, "value").isEmpty)
        #expect(summary.value(first, "region_value") == areas.value(region, "value"))
        let report = try String(
            contentsOfFile: w.latest + "/packets/\(home[0])/report.html", encoding: .utf8)
        #expect(report.contains("\(home[8])圏域"))
    }
}
