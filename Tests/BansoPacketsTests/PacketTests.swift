import BansoCSV
import BansoCore
import BansoFeedback
import BansoPackets
import BansoRunner
import BansoSynth
import BansoTestSupport
import Foundation
import SystemPackage
import Testing
import ZIPFoundation

/// Runs the whole pipeline in-process on a small generated prefecture.
func generatedRun(
    seed: UInt64 = 3, prefecture: String = "20", municipalities: Int? = nil, extra: String = "",
    into root: String? = nil
) throws -> (run: String, input: String) {
    let root = root ?? TestSupport.temporaryFolder("banso-packets")
    var o = SynthOptions()
    o.seed = seed
    o.prefectureCode = prefecture
    o.municipalities = municipalities
    o.establishments = 500
    o.workers = 3000
    if !FileManager.default.fileExists(atPath: root + "/input/municipalities.csv") {
        try Synth.generate(o, into: FilePath(root + "/input"))
    }
    TestSupport.write(
        TestSupport.pipeline(input: root + "/input", output: root + "/out", prefecture: prefecture, extra: extra),
        to: root + "/p.toml")
    let config = try PipelineConfig.load(path: root + "/p.toml")
    let runner = Runner(config: config, console: RunConsole(quiet: true))
    try runner.run(RunOptions(force: true))
    return (runner.latestRun()!.string, root + "/input")
}

/// Checks that every non-void element is closed in order (a small well-formedness check for our HTML).
func tagsBalanced(_ html: String) -> Bool {
    let void: Set<String> = ["meta", "br", "wbr", "col", "img", "input", "link", "hr", "!doctype"]
    var stack: [String] = []
    var rest = Substring(html)
    while let open = rest.firstIndex(of: "<") {
        guard let close = rest[open...].firstIndex(of: ">") else { return false }
        let tag = rest[rest.index(after: open)..<close]
        rest = rest[rest.index(after: close)...]
        if tag.hasSuffix("/") { continue }
        let name = tag.split(separator: " ").first.map { $0.lowercased() } ?? ""
        if name.hasPrefix("/") {
            guard stack.popLast() == String(name.dropFirst()) else { return false }
        } else if !void.contains(name) {
            stack.append(name)
        }
    }
    return stack.isEmpty
}

@Suite("packets")
struct PacketTests {
    @Test("reports are well-formed, self-contained Japanese HTML")
    func html() throws {
        let (run, _) = try generatedRun()
        let dir = run + "/packets"
        let codes = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.count == 6 }
        #expect(codes.count == 77)
        for code in codes {
            let html = try String(contentsOfFile: "\(dir)/\(code)/report.html", encoding: .utf8)
            #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"ja\">"))
            #expect(tagsBalanced(html), "\(code)")
            #expect(!html.contains("src="))
            #expect(!html.contains("http:") && !html.contains("https:"))
            #expect(!html.contains("href=\"//") && !html.contains("url("))
            #expect(html.contains("@page{size:A4 portrait"))
        }
        let summary = try String(contentsOfFile: dir + "/prefecture_summary.html", encoding: .utf8)
        #expect(tagsBalanced(summary))
        #expect(summary.contains("href=\"202011/report.html\""))
        // Printed, a name is a name: the link's path is not printed after it (other links keep theirs).
        #expect(summary.contains("<a class=\"packet\" href=\"202011/report.html\">"))
        #expect(summary.contains("a.packet[href]::after{content:none}"))
        // The municipalities without answers, and those whose every rate is withheld, are named.
        let rows = try RunFiles.summary.read(in: RunLayout(root: FilePath(run)))
        let master = try RunFiles.master.read(in: RunLayout(root: FilePath(run)))
        let silent = master.filter { m in
            (rows.first { $0.code == m.code && $0.indicator == .respondents }?.value ?? 0) == 0
        }
        #expect(!silent.isEmpty, "the generator left every municipality an answer")
        #expect(summary.contains("<b>回答のない市町村</b>：" + silent.map(\.name).joined(separator: "、")))
    }

    @Test("input text is HTML-escaped")
    func escaping() {
        let data = PacketData(
            code: "202011", name: "大&小町<script>", wave: "2025", wording: PrefectureWording(code: "20"), feedback: [],
            groupNumber: 1,
            groupLabel: "人口小規模", groupMembers: ["A&B村"],
            neighbours: [.init(code: "202029", name: "\"引用\"町", similarity: 0.9, closest: [.logPopulation])],
            projects: [
                SuggestionRow(
                    code: "202011", projectMunicipality: "202037", projectMunicipalityName: "C町",
                    projectName: "<script>alert(1)</script>", theme: "介護予防", fiscalYear: "令和6年度",
                    relation: "同じグループ", distance: 1, summary: "=cmd|' /C calc'!A0 & <b>")
            ],
            quality: [])
        let html = ReportRenderer.render(data)
        #expect(!html.contains("<script>"))
        #expect(html.contains("大&amp;小町&lt;script&gt;"))
        #expect(html.contains("A&amp;B村"))
        #expect(html.contains("&quot;引用&quot;町"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(tagsBalanced(html))
    }

    @Test("zip contents and manifest hashes read back; packets hold no establishment number or free text")
    func zipAndManifest() throws {
        let (run, _) = try generatedRun()
        let dir = run + "/packets"
        let layout = RunLayout(root: FilePath(run))
        let ids = try RunFiles.frame.read(in: layout).map(\.establishmentID.text)
        #expect(ids.count > 500)
        var freeText: Set<String> = []
        let comment = ColumnIndex(CleanEstablishmentColumn.field(.comment))
        try RunFiles.establishments.stream(in: layout) { r in
            let text = String(decoding: r[comment], as: UTF8.self)
            if text.count > 3 { freeText.insert(text) }
        }
        #expect(!freeText.isEmpty)
        for code in ["202011", "205214", "206024"] {
            let manifest = try JSONFile.read(PacketManifest.self, from: FilePath("\(dir)/\(code)/manifest.json"))
            #expect(manifest.municipalityCode.text == code)
            #expect(
                manifest.files.map(\.name) == [
                    "report.html", "indicators.csv", "peers.csv", "model_projects.csv", "data_quality.csv",
                    "\(code)_集計表.xlsx",
                ])
            let archive = try Archive(url: URL(fileURLWithPath: "\(dir)/\(code).zip"), accessMode: .read)
            var names: [String] = []
            for entry in archive {
                names.append(entry.path)
                #expect(entry.path.hasPrefix("\(code)/") && !entry.path.contains(".."))
                var data = Data()
                _ = try archive.extract(entry) { data.append($0) }
                let name = String(entry.path.dropFirst(7))
                if let listed = manifest.files.first(where: { $0.name == name }) {
                    #expect(Hashing.sha256(data) == listed.sha256)
                    #expect(data.count == listed.bytes)
                }
                // A workbook is itself a zip: scan the XML inside it.
                let text =
                    name.hasSuffix(".xlsx")
                    ? try xlsxText(data)
                    : String(decoding: data, as: UTF8.self) + (TextEncoder.decodeCP932(Array(data)) ?? "")
                for id in ids { #expect(!text.contains(id), "\(code)/\(name) holds \(id)") }
                for t in freeText { #expect(!text.contains(t), "\(code)/\(name) holds a free-text answer") }
            }
            #expect(names.count == 7)
            #expect(!names.contains { $0.contains("internal") || $0.contains("sqlite") })
        }
    }

    @Test("mail drafts parse back: Japanese subject, attachment equals the zip")
    func eml() throws {
        let (run, _) = try generatedRun()
        let dir = run + "/packets"
        let text = try String(contentsOfFile: dir + "/mail/202011.eml", encoding: .utf8)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let headers = parts[0].replacingOccurrences(of: "\r\n ", with: " ")
        #expect(headers.contains("To: kaigo-202011@example.lg.jp"))
        let subjectLine = headers.components(separatedBy: "\r\n").first { $0.hasPrefix("Subject: ") }!
        let words = subjectLine.dropFirst(9).split(separator: " ")
        var subject = ""
        for w in words {
            #expect(w.hasPrefix("=?UTF-8?B?") && w.hasSuffix("?=") && w.count <= 75)
            subject += String(decoding: Data(base64Encoded: String(w.dropFirst(10).dropLast(2)))!, as: UTF8.self)
        }
        #expect(subject == "【介護人材実態調査】令和7年度 結果のご報告（長野市）")
        let boundary = headers.components(separatedBy: "boundary=\"")[1].components(separatedBy: "\"")[0]
        let sections = text.components(separatedBy: "--\(boundary)")
        let attachment = sections.first { $0.contains("Content-Type: application/zip") }!
        let b64Lines = attachment.components(separatedBy: "\r\n\r\n")[1].components(separatedBy: "\r\n")
        // RFC 2045: lines of 76 characters, the last shorter, each ended by CRLF.
        #expect(b64Lines.count > 2 && b64Lines.last == "")
        #expect(
            b64Lines.dropLast(2).allSatisfy { $0.count == 76 } && (1...76).contains(b64Lines.dropLast().last!.count))
        let b64 = b64Lines.joined()
        let zip = try Data(contentsOf: URL(fileURLWithPath: dir + "/202011.zip"))
        #expect(Data(base64Encoded: b64) == zip)
        let body = sections.first { $0.contains("text/plain") }!.components(separatedBy: "\r\n\r\n")[1]
            .replacingOccurrences(of: "\r\n", with: "")
        #expect(String(decoding: Data(base64Encoded: body)!, as: UTF8.self).contains("長野市 介護保険担当課 御中"))
        let list = try CSVReader.readAll(
            bytes: Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/mailing_list.csv"))))
        let row = list.records.first { $0.first == "202011" }!
        #expect(row[2] == "kaigo-202011@example.lg.jp")
        #expect(row[5] == Hashing.sha256(zip))
    }

    @Test(
        "numbers grouped by thousands as the reports show them",
        arguments: [
            (0, 0, "0"), (999, 0, "999"), (1_000, 0, "1,000"), (1_234_567.891, 2, "1,234,567.89"),
            (-1_234, 0, "-1,234"), (-999_999.5, 1, "-999,999.5"), (123_456, 1, "123,456.0"), (-0.4, 0, "-0"),
            (1e15, 0, "1,000,000,000,000,000"),
        ] as [(Double, Int, String)])
    func grouped(_ value: Double, _ digits: Int, _ text: String) {
        #expect(HTML.grouped(value, digits: digits) == text)
    }

    @Test("CP932 packet CSVs decode, with the formula guard on free text")
    func cp932() throws {
        let (run, _) = try generatedRun(extra: "[packets]\ncsv_encoding = \"cp932\"\n")
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: run + "/packets/202011/indicators.csv")))
        let text = try #require(TextEncoder.decodeCP932(bytes))
        #expect(text.hasPrefix("指標名,単位,値"))
        #expect(text.contains("\r\n"))
        let read = try CSVReader.readAll(bytes: bytes)
        #expect(read.summary.encoding.encoding == .cp932)
    }

    @Test("re-running gives byte-identical packets")
    func reproducible() throws {
        let root = TestSupport.temporaryFolder("banso-repro")
        let (a, _) = try generatedRun(into: root)
        let first = try snapshot(a + "/packets")
        let (b, _) = try generatedRun(into: root)
        #expect(a != b)
        let second = try snapshot(b + "/packets")
        #expect(first == second)
        #expect(first.count > 300)
    }

    func snapshot(_ dir: String) throws -> [String: String] {
        var out: [String: String] = [:]
        let e = FileManager.default.enumerator(atPath: dir)!
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + rel, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = try Hashing.sha256(file: FilePath(dir + "/" + rel))
            }
        }
        return out
    }
}

/// Every XML part of a workbook, concatenated (sheet names, shared strings, styles, properties).
func xlsxText(_ data: Data) throws -> String {
    let archive = try Archive(data: data, accessMode: .read)
    var text = ""
    for entry in archive.sorted(by: { $0.path < $1.path }) {
        var part = Data()
        _ = try archive.extract(entry) { part.append($0) }
        text += "<!-- \(entry.path) -->" + String(decoding: part, as: UTF8.self)
    }
    return text
}

@Suite("Excel workbooks")
struct WorkbookTests {
    @Test("a peers' median or quartile between whole numbers keeps a digit: 0.25 is not shown as 「0」")
    func quantileDigits() {
        #expect(Workbooks.quantileStyle(0.25, .careStaffTotal) == .decimals(1))
        #expect(Workbooks.quantileStyle(12, .careStaffTotal) == .grouped)
        #expect(Workbooks.quantileStyle(265_823.5, .meanMonthlyWageRegular) == .decimals(1))
        #expect(Workbooks.quantileStyle(7.25, .turnoverRate) == Workbooks.style(.turnoverRate))
        #expect(Workbooks.quantileStyle(nil, .careStaffTotal) == .grouped)
    }

    @Test("per municipality and for the prefecture: Japanese sheets, number formats, 秘匿 as text, fixed properties")
    func workbooks() throws {
        let root = TestSupport.temporaryFolder("banso-xlsx")
        let (run, _) = try generatedRun(into: root)
        let book = try xlsxText(try Data(contentsOf: URL(fileURLWithPath: run + "/packets/202011/202011_集計表.xlsx")))
        for sheet in ["指標", "類似団体", "モデル事業", "データの品質"] { #expect(book.contains("name=\"\(sheet)\"")) }
        // The glossary moved out of print into the workbook: the report's terms, the same words.
        #expect(book.contains("name=\"用語の説明\"") && book.contains("<t>95%信頼区間</t>") && book.contains("<t>参考値</t>"))
        #expect(book.contains("formatCode=\"#,##0\"") && book.contains("formatCode=\"#,##0.0\""))
        #expect(book.contains("<pane ySplit=\"1\"") && book.contains("paperSize=\"9\""))
        #expect(book.contains("_xlnm.Print_Titles"))
        #expect(book.contains("2020-01-01T00:00:00Z"))
        #expect(book.contains("県全体") && book.contains("離職率"))
        // Columns are wide enough for their headers: 95%信頼区間 下限 needs 17 units (CJK counts two; it was 12).
        let column4 = try #require(book.components(separatedBy: "<col min=\"4\" max=\"4\" width=\"").dropFirst().first)
        #expect((Double(column4.prefix { $0 != "\"" }) ?? 0) >= 17)
        // A municipality with withheld values shows 秘匿 as text, never 0.
        let rows = try RunFiles.summary.read(in: RunLayout(root: FilePath(run)))
        let withheld = try #require(rows.first { $0.suppressed }?.code)
        let small = try xlsxText(
            try Data(contentsOf: URL(fileURLWithPath: run + "/packets/\(withheld)/\(withheld)_集計表.xlsx")))
        #expect(small.contains("<t>秘匿</t>"))
        // Printed, every sheet names its municipality at the top and numbers its pages at the foot.
        let name = try #require(rows.first { $0.code == "202011" }?.name)
        for sheet in book.components(separatedBy: "<!-- xl/worksheets/").dropFirst() {
            #expect(sheet.contains("<oddHeader>&amp;L\(name) 令和7年度 介護人材実態調査 集計表</oddHeader>"))
            #expect(sheet.contains("<oddFooter>&amp;C&amp;P / &amp;N</oddFooter>"))
        }
        let summary = try xlsxText(try Data(contentsOf: URL(fileURLWithPath: run + "/packets/prefecture_summary.xlsx")))
        #expect(summary.contains("name=\"市町村一覧\"") && summary.contains("<t>県全体</t>"))
        // Every value with its interval, reliability and count, one row each, and the 圏域 and
        // service groups (a generated prefecture has both; one wave: no 推移 sheet).
        #expect(summary.contains("name=\"指標の詳細\"") && summary.contains("<t>95%信頼区間 下限</t>"))
        #expect(summary.contains("<t>集計対象数</t>") && summary.contains("<t>継続回答の変化</t>"))
        #expect(summary.contains("name=\"圏域・サービス別\"") && summary.contains("<t>居宅介護支援</t>"))
        #expect(!summary.contains("name=\"推移\""))
        // The same data gives the same bytes.
        let first = try Hashing.sha256(file: FilePath(run + "/packets/202011/202011_集計表.xlsx"))
        let (again, _) = try generatedRun(into: root)
        #expect(try Hashing.sha256(file: FilePath(again + "/packets/202011/202011_集計表.xlsx")) == first)
    }
}

/// Whether this machine can print PDFs and read them back (`scripts/install-deps --with-pdf`).
let canPrintPDF = PrintedPDF.canPrint

@Suite("PDF", .serialized)
struct PDFTests {
    @Test(
        "pdf = true: a PDF per report and of the summary, in the manifest and zip, the same bytes every run",
        .enabled(if: canPrintPDF))
    func pdf() throws {
        let root = TestSupport.temporaryFolder("banso-pdf")
        let (run, _) = try generatedRun(municipalities: 4, extra: "[packets]\npdf = true\n", into: root)
        let code = "202011"
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(run)/packets/\(code)/report.pdf")))
        #expect(bytes.starts(with: Array("%PDF-".utf8)))
        // qpdf packed the objects into compressed streams: read them unpacked.
        let read = try PrintedPDF("\(run)/packets/\(code)/report.pdf")
        let text = try read.objects()
        #expect((2...6).contains(read.pages.count), "\(read.pages.count) pages")
        #expect(text.contains("(D:20200101000000") && read.info["CreationDate"]?.contains("2020") == true)
        #expect(FileManager.default.fileExists(atPath: run + "/packets/prefecture_summary.pdf"))
        let manifest = try JSONFile.read(PacketManifest.self, from: FilePath("\(run)/packets/\(code)/manifest.json"))
        // The printed text holds the municipality's name (the Japanese font was embedded and used).
        let (status, printed, _) = try TestSupport.run(
            "/usr/bin/pdftotext", ["\(run)/packets/\(code)/report.pdf", "-"])
        #expect(status == 0)
        #expect(printed.contains(manifest.municipalityName) && printed.contains("類似団体"))
        // Tagged, in Japanese, titled with the municipality: what a screen reader and a file list need.
        #expect(text.contains("/StructTreeRoot") && text.contains("/Lang (ja)"))
        let (_, info, _) = try TestSupport.run("/usr/bin/pdfinfo", ["\(run)/packets/\(code)/report.pdf"])
        #expect(
            info.contains("Tagged:          yes") && info.contains("Title:           \(manifest.municipalityName) "))
        // Fonts as TrueType subsets (Type 3 glyphs made the reports 0.8 MB), the issuer as author.
        #expect(!read.fonts.isEmpty && read.fonts.allSatisfy { $0.contains("CID TrueType") }, "\(read.fonts)")
        #expect(read.info["Author"] == "長野県" && read.bytes < 300_000)
        #expect(manifest.files.map(\.name).contains("report.pdf"))
        let archive = try Archive(url: URL(fileURLWithPath: "\(run)/packets/\(code).zip"), accessMode: .read)
        #expect(archive["\(code)/report.pdf"] != nil)
        let (again, _) = try generatedRun(municipalities: 4, extra: "[packets]\npdf = true\n", into: root)
        #expect(try Hashing.sha256(file: FilePath("\(again)/packets/\(code)/report.pdf")) == Hashing.sha256(bytes))
    }

    @Test("pdf = true without a browser is a configuration error naming what to install")
    func noBrowser() throws {
        let error = #expect(throws: StageFailure.self) {
            try generatedRun(municipalities: 4, extra: "[packets]\npdf = true\nchromium = \"/nonexistent/chromium\"\n")
        }
        #expect(error?.kind == .configuration)
        #expect(error?.description.contains("/nonexistent/chromium is not an executable file") == true)
    }
}

@Suite("page 1 says what was compared")
struct PageOneTests {
    /// A row with a value, its interval and SE, and (optionally) peers' quartiles.
    static func row(
        _ indicator: Indicator, value: Double?, suppressed: Bool = false, peers: Bool = true,
        reliability: Reliability? = nil
    ) -> FeedbackRow {
        var r = FeedbackRow(
            code: "202011", name: "長野市", indicator: indicator, value: suppressed ? nil : value,
            ciLow: suppressed ? nil : value.map { $0 - 2 }, ciHigh: suppressed ? nil : value.map { $0 + 2 }, n: 5,
            suppressed: suppressed, rule: suppressed ? .threshold : nil, prefectureValue: 10, group: 1, groupLabel: "A",
            peerN: peers ? 4 : 0)
        r.se = suppressed ? nil : 1
        r.reliability = reliability
        if peers { (r.peerQ1, r.peerMedian, r.peerQ3) = (8, 10, 12) }
        r.peerBasis = peers ? .group : nil
        return r
    }

    static func page(_ rows: [FeedbackRow]) -> String {
        ReportRenderer.render(
            PacketData(
                code: "202011", name: "長野市", wave: "2025", wording: PrefectureWording(code: "20"), feedback: rows,
                groupNumber: 1, groupLabel: "A", groupMembers: [], neighbours: [], projects: [], quality: []))
    }

    @Test("every value suppressed: nothing was compared, and it is not told that nothing differs")
    func nothingCompared() {
        let rows =
            [Indicator.turnoverRate, .hiringRate, .vacancyRate, .shortageShare].map {
                Self.row($0, value: nil, suppressed: true)
            } + [Self.row(.respondents, value: 2)]
        let html = Self.page(rows)
        #expect(!html.contains("違いは見られませんでした"))
        #expect(html.contains("誤差を踏まえて比較できた指標はありません"))
        // Said once: the 秘匿 paragraph of a mostly suppressed municipality says where to look.
        #expect(html.components(separatedBy: "を参考としてご覧ください").count == 2)
        #expect(!html.contains("項目中"), "no count of what was compared")
    }

    @Test("some compared: how many and with what, and how many were left out when half or more were")
    func fewCompared() {
        let rows = [
            Self.row(.turnoverRate, value: 10), Self.row(.hiringRate, value: 10, peers: false),
            Self.row(.vacancyRate, value: nil, suppressed: true),
            Self.row(.shortageShare, value: 50, reliability: .reference),
            Self.row(.careStaffTotal, value: 100), Self.row(.respondents, value: 5),
        ]
        let html = Self.page(rows)
        #expect(html.contains("誤差を踏まえて比較できた指標は4項目中2項目です（類似団体と1項目、県全体と1項目）。"), "\(html)")
        #expect(html.contains("比較できた2項目では、調査の誤差を超える違いは見られませんでした。ただし残る2項目は"))
    }

    @Test("most compared: no note on the few left out")
    func mostCompared() {
        let rows =
            [Indicator.turnoverRate, .hiringRate, .vacancyRate].map { Self.row($0, value: 10) } + [
                Self.row(.shortageShare, value: nil, suppressed: true), Self.row(.respondents, value: 5),
            ]
        let html = Self.page(rows)
        #expect(html.contains("比較できた3項目では、調査の誤差を超える違いは見られませんでした。"))
        #expect(!html.contains("ただし残る"))
    }
}

@Suite("the position in words")
struct PositionWordsTests {
    @Test(
        "one quarter, the middle, a half, or not known",
        arguments: [
            (3...3, "やや高い"), (2...3, "中ほど"), (3...4, "中ほど〜高い方"), (2...4, "中ほど〜高い方"),
            (1...2, "低い方〜中ほど"), (1...4, "誤差が大きく定まらない"), (1...1, "低い方"),
        ])
    func words(_ quarters: ClosedRange<Int>, _ expected: String) {
        #expect(Charts.quartileWords(quarters) == expected)
        #expect(Charts.quartileStrip(quarters).components(separatedBy: "#0b3d91").count - 1 == quarters.count)
    }
}

@Suite("mail headers")
struct MailHeaderTests {
    @Test(
        "Date is the date of issue at 09:00 JST, with its weekday",
        arguments: [
            (2025, 12, 1, "Mon, 01 Dec 2025 09:00:00 +0900"), (2026, 3, 31, "Tue, 31 Mar 2026 09:00:00 +0900"),
            (2024, 2, 29, "Thu, 29 Feb 2024 09:00:00 +0900"), (2000, 1, 1, "Sat, 01 Jan 2000 09:00:00 +0900"),
        ])
    func date(_ y: Int, _ m: Int, _ d: Int, _ expected: String) {
        #expect(Mail.rfc5322(Day(year: y, month: m, day: d)!) == expected)
    }

    @Test("From the sender, Reply-To the section's address, Date the day of issue; none of them without settings")
    func headers() {
        var contact = PacketContact()
        contact.email = "kaigo@pref.nagano.lg.jp"
        contact.issued = Day(year: 2026, month: 1, day: 15)
        let p = PacketData(
            code: "202011", name: "長野市", wave: "2025", wording: PrefectureWording(code: "20"), feedback: [],
            groupNumber: nil, groupLabel: "", groupMembers: [], neighbours: [], projects: [], quality: [],
            contact: contact)
        func head(_ sender: String?, _ p: PacketData) -> String {
            let text = String(
                decoding: Mail.draft(
                    from: sender, to: "a@b.lg.jp", packet: p, attachments: [.init(name: "x.zip", bytes: [1, 2])]),
                as: UTF8.self)
            return text.components(separatedBy: "\r\n\r\n")[0]
        }
        let h = head("batch@pref.nagano.lg.jp", p)
        #expect(h.contains("From: batch@pref.nagano.lg.jp\r\n"))
        #expect(h.contains("Reply-To: kaigo@pref.nagano.lg.jp\r\n"))
        #expect(h.contains("Date: Thu, 15 Jan 2026 09:00:00 +0900\r\n"))
        #expect(!h.contains("Message-ID"))
        var plain = p
        plain.contact = PacketContact()
        let bare = head(nil, plain)
        #expect(!bare.contains("From:") && !bare.contains("Reply-To:") && !bare.contains("Date:"))
        // The same address as sender and contact: no Reply-To.
        #expect(!head("kaigo@pref.nagano.lg.jp", p).contains("Reply-To:"))
    }
}

@Suite("what the mail draft carries")
struct MailAttachmentTests {
    /// The parts of a draft after the letter: (headers, decoded bytes).
    static func parts(_ path: String) throws -> [(headers: String, bytes: Data)] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let boundary = text.components(separatedBy: "boundary=\"")[1].components(separatedBy: "\"")[0]
        return text.components(separatedBy: "--\(boundary)").dropFirst(2).filter { $0.contains("\r\n\r\n") }.map {
            let split = $0.components(separatedBy: "\r\n\r\n")
            return (split[0], Data(base64Encoded: split[1].replacingOccurrences(of: "\r\n", with: "")) ?? Data())
        }
    }

    @Test(
        "attach = workbook and csv: the files themselves, a Japanese name in RFC 2231, the letter listing them; the 担当課 addressed"
    )
    func attachFiles() throws {
        let root = TestSupport.temporaryFolder("banso-attach")
        var o = SynthOptions()
        o.seed = 3
        o.establishments = 500
        o.workers = 3000
        try Synth.generate(o, into: FilePath(root + "/input"))
        // The master names the section of 長野市 only.
        let masterPath = root + "/input/municipalities.csv"
        // The generator writes CRLF lines (one Character each in Swift: split on the pair).
        var lines = try String(contentsOfFile: masterPath, encoding: .utf8).components(separatedBy: "\r\n")
        for i in lines.indices where !lines[i].isEmpty {
            lines[i] += i == 0 ? ",担当課" : lines[i].hasPrefix("202011,") ? ",高齢福祉課" : ","
        }
        try lines.joined(separator: "\r\n").write(toFile: masterPath, atomically: true, encoding: .utf8)
        let (run, _) = try generatedRun(extra: "[packets]\nattach = [\"workbook\", \"csv\"]\n", into: root)
        let eml = run + "/packets/mail/202011.eml"
        let parts = try Self.parts(eml)
        let names = parts.map { $0.headers.components(separatedBy: "Content-Disposition: attachment; ")[1] }
        #expect(names.first == "filename*=UTF-8''202011_%E9%9B%86%E8%A8%88%E8%A1%A8.xlsx")
        #expect(names.dropFirst().allSatisfy { $0.hasPrefix("filename=\"") && $0.hasSuffix(".csv\"") })
        #expect(!parts.contains { $0.headers.contains("application/zip") })
        let workbook = try Data(contentsOf: URL(fileURLWithPath: run + "/packets/202011/202011_集計表.xlsx"))
        #expect(parts[0].bytes == workbook)
        let letter = try TestSupport.letter(eml)
        #expect(letter.hasPrefix("長野市 高齢福祉課 御中"))
        #expect(letter.contains("202011_集計表.xlsx … 同じ内容の表（Excel の集計表）"))
        #expect(!letter.contains("202011.zip") && !letter.contains("report.html …"))
        // Without a 担当課 the letter goes to 介護保険担当課.
        #expect(try TestSupport.letter(run + "/packets/mail/202029.eml").contains("介護保険担当課 御中"))
        let list = try CSVReader.readAll(
            bytes: Array(try Data(contentsOf: URL(fileURLWithPath: run + "/packets/mailing_list.csv"))))
        #expect(list.records.first { $0.first == "202011" }?.last?.hasPrefix("202011_集計表.xlsx indicators.csv") == true)
    }

    @Test("a draft over max_mail_mb attaches nothing and says the files come separately")
    func tooLarge() throws {
        let (run, _) = try generatedRun(extra: "[packets]\nmax_mail_mb = 0.01\n")
        let eml = run + "/packets/mail/202011.eml"
        #expect(try Self.parts(eml).isEmpty)
        let letter = try TestSupport.letter(eml)
        #expect(letter.contains("このメールには添付せず別途お届けします（202011 フォルダ）"))
        #expect(letter.contains("report.html … 結果のご報告"))
        let list = try CSVReader.readAll(
            bytes: Array(try Data(contentsOf: URL(fileURLWithPath: run + "/packets/mailing_list.csv"))))
        #expect(list.records.first { $0.first == "202011" }?.last == "なし（容量超過のため別送）")
    }
}
