import BansoCSV
import BansoCore
import BansoFeedback
import BansoPackets
import BansoTestSupport
import Foundation
import SystemPackage
import Testing
import ZIPFoundation

/// Every text a municipality receives: report, CSVs (decoded), the letter (decoded) and the summary.
func packetTexts(_ run: String) throws -> [String: String] {
    let dir = run + "/packets"
    var out: [String: String] = [
        "prefecture_summary.html": try String(contentsOfFile: dir + "/prefecture_summary.html", encoding: .utf8)
    ]
    for code in try FileManager.default.contentsOfDirectory(atPath: dir) where code.count == 6 {
        for name in ["report.html", "indicators.csv", "peers.csv", "model_projects.csv", "data_quality.csv"] {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(code)/\(name)")))
            out["\(code)/\(name)"] = String(decoding: bytes, as: UTF8.self)
        }
        out["\(code)/letter"] = try letter(dir + "/mail/\(code).eml")
    }
    return out
}

/// The decoded cover letter of a mail draft.
func letter(_ path: String) throws -> String { try TestSupport.letter(path) }

@Suite("the report and letter, second edition", .serialized)
struct ReportEditionTests {
    @Test("京都府 and 東京都: no 県 anywhere; 府全体, 都全体, 区市町村", arguments: ["26", "13"])
    func wording(_ prefecture: String) throws {
        let (run, _) = try generatedRun(prefecture: prefecture)
        let texts = try packetTexts(run)
        #expect(texts.count > 20)
        let whole = prefecture == "26" ? "府全体" : "都全体"
        for (name, text) in texts {
            #expect(!text.contains("県"), "\(name) says 県")
        }
        #expect(texts.filter { $0.key.hasSuffix("report.html") }.allSatisfy { $0.value.contains(whole) })
        if prefecture == "13" {
            #expect(texts["prefecture_summary.html"]!.contains("区市町村一覧"))
        }
    }

    @Test(
        "every flag in feedback/summary.csv is clear of its comparison: the difference from the pooled peers beyond its error and the smallest difference, else the interval clear of the range; five at most each"
    )
    func flagsClear() throws {
        let (run, _) = try generatedRun(seed: 7)
        let rows = try RunFiles.summary.read(in: RunLayout(root: FilePath(run)))
        let flagged = rows.filter { $0.flag != nil }
        #expect(!flagged.isEmpty)
        #expect(flagged.contains { $0.comparison?.basis == .pooledPeers })
        for r in flagged {
            let lo = try #require(r.ciLow), hi = try #require(r.ciHigh)
            if let pooled = r.peerPooled, r.peerPooledWithSelf == false, let smallest = r.indicator.smallestDifference {
                let difference = try #require(r.value) - pooled
                let se = (pow(try #require(r.se), 2) + pow(try #require(r.peerPooledSE), 2)).squareRoot()
                #expect(abs(difference) > Estimate.z95 * se && abs(difference) >= smallest, "\(r.code) \(r.indicator)")
                #expect(r.comment.contains("類似団体全体"))
            } else if let q1 = r.peerQ1, let q3 = r.peerQ3 {
                #expect(lo > q3 || hi < q1, "\(r.code) \(r.indicator.rawValue)")
            } else {
                let p = try #require(r.restOfPrefecture ?? r.prefectureValue)
                #expect(lo > p || hi < p)
            }
        }
        for (_, group) in Dictionary(grouping: flagged, by: \.code) { #expect(group.count <= FeedbackStage.maxFlags) }
    }

    @Test("packet CSVs: Japanese first, English key last, values rounded as the report shows them")
    func csvRounding() throws {
        let (run, _) = try generatedRun()
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: run + "/packets/202011/indicators.csv")))
        let table = try CSVReader.readAll(bytes: bytes).records
        #expect(table[0].first == "指標名" && table[0].last == "指標キー")
        for row in table.dropFirst() {
            let spec = try #require(Indicator(rawValue: row.last!))
            #expect(row[0] == spec.japanese)
            for cell in row[2...4] where !cell.isEmpty {
                let decimals = cell.split(separator: ".").dropFirst().first?.count ?? 0
                #expect(decimals == spec.displayDigits, "\(spec.rawValue): \(cell)")
            }
        }
    }

    @Test("page 1 is a summary; sizes there, not in the comparison; contact, date and handling note printed")
    func reportStructure() throws {
        let extra = """
            [packets]
            section = "健康福祉部 介護支援課"
            phone = "026-000-0000"
            email = "kaigo@pref.example.lg.jp"
            issued = "2026-01-15"
            """
        let (run, _) = try generatedRun(extra: extra)
        let html = try String(contentsOfFile: run + "/packets/202011/report.html", encoding: .utf8)
        let summary = html.components(separatedBy: "<section class=\"page\">")[0]
        #expect(summary.contains("<h2>概要</h2>") && summary.contains("調査の規模"))
        #expect(summary.contains("回答事業所数"))
        let comparison = html.components(separatedBy: "<section class=\"page\">")[1].components(
            separatedBy: "</table>")[0]
        #expect(!comparison.contains("回答事業所数") && !comparison.contains("介護職員数（回答事業所計）"))
        #expect(html.contains("発行 令和8年1月15日"))
        #expect(html.contains("健康福祉部 介護支援課") && html.contains("026-000-0000"))
        #expect(html.contains("取扱注意"))
        #expect(html.contains("counter(page)"))
        #expect(!html.contains("前回比"))  // no earlier wave: no change column
        #expect(html.contains("今回が記録のある最初の調査のため"))
        #expect(tagsBalanced(html))
        let l = try letter(run + "/packets/mail/202011.eml")
        #expect(l.contains("ありがとうございます") && l.contains("健康福祉部 介護支援課") && l.contains("026-000-0000"))
        #expect(!l.contains("SHA-256") && !l.contains("A4縦"))
        // It lists exactly what the zip holds: the workbook too, the CSVs by name, no PDF when none is made.
        let names = try Archive(url: URL(fileURLWithPath: run + "/packets/202011.zip"), accessMode: .read)
            .map { String($0.path.dropFirst("202011/".count)) }
        for name in names { #expect(l.contains(name), "the letter does not list \(name)") }
        #expect(l.contains("202011_集計表.xlsx … 同じ内容の表（Excel の集計表）") && !l.contains("report.pdf"))
    }

    @Test("a municipality without answers gets its own page 1 and letter, not rows of dashes")
    func noAnswers() throws {
        let (run, _) = try generatedRun()
        let rows = try RunFiles.summary.read(in: RunLayout(root: FilePath(run)))
        let none = try #require(rows.first { $0.indicator == .respondents && ($0.value ?? 0) == 0 }?.code)
        let html = try String(contentsOfFile: run + "/packets/\(none)/report.html", encoding: .utf8)
        #expect(html.contains("集計できる回答が得られませんでした"))
        #expect(!html.contains("今回の調査から"))
        let l = try letter(run + "/packets/mail/\(none).eml")
        #expect(l.contains("集計できるご回答を得ることができませんでした"))
        // Its neighbours are not said to be close on figures it does not have.
        let neighbours = try RunFiles.neighbours.read(in: RunLayout(root: FilePath(run))).filter { $0.code == none }
        #expect(neighbours.allSatisfy { !$0.closestFeatures.contains(.turnoverRate) })
    }

    @Test("the prefecture summary: units, a total row, a legend, counts of municipalities without answers")
    func summary() throws {
        let (run, _) = try generatedRun()
        let html = try String(contentsOfFile: run + "/packets/prefecture_summary.html", encoding: .utf8)
        #expect(html.contains("（%）") && html.contains("（円）"))
        #expect(html.contains("<tr class=\"total\">") && html.contains("県全体"))
        #expect(html.contains("「—」集計できる回答なし"))
        #expect(html.contains("回答のない市町村は"))
        #expect(tagsBalanced(html))
        for problem in headerProblems(html) { Issue.record("prefecture_summary.html: \(problem)") }
        let report = try String(contentsOfFile: run + "/packets/202011/report.html", encoding: .utf8)
        for problem in headerProblems(report) { Issue.record("report.html: \(problem)") }
    }

    @Test("charts of one indicator share their scale across the prefecture's reports")
    func sharedScale() throws {
        let (run, _) = try generatedRun()
        func ticks(_ code: String) throws -> String {
            let html = try String(contentsOfFile: run + "/packets/\(code)/report.html", encoding: .utf8)
            // The comparison table's row (its label cell may carry a note after the name).
            let table = try #require(html.components(separatedBy: "class=\"compare").dropFirst().first)
            let row = try #require(table.components(separatedBy: ">離職率").dropFirst().first).components(
                separatedBy: "</svg>")[0]
            return row.components(separatedBy: "<text").dropFirst().map { $0.components(separatedBy: ">")[1] }.joined(
                separator: "|")
        }
        let a = try ticks("202011"), b = try ticks("202029")
        #expect(!a.isEmpty && a == b)
        #expect(ChartScale(covering: [3.2, 17.9])!.ticks == [0, 5, 10, 15, 20])
    }
}

@Suite("the prefecture's own templates")
struct TemplateOverrideTests {
    @Test("[packets] templates replaces the letter and the style sheet; the rest stay as shipped")
    func override() throws {
        let root = TestSupport.temporaryFolder("banso-templates")
        TestSupport.write(
            "{{% CONTENT_TYPE: TEXT}}\n{{municipality}} 御中\n\n{{prefectureName}}の独自の文面です。\n{{contact}}\n",
            to: root + "/templates/letter.mustache")
        TestSupport.write("body{font-size:15px} /* 長野県版 */\n", to: root + "/templates/report.css")
        let (run, _) = try generatedRun(
            municipalities: 4, extra: "[packets]\ntemplates = \"\(root)/templates\"\n", into: root)
        let l = try letter(run + "/packets/mail/202011.eml")
        #expect(l.hasPrefix("長野市 御中") && l.contains("長野県の独自の文面です。"))
        let html = try String(contentsOfFile: run + "/packets/202011/report.html", encoding: .utf8)
        #expect(html.contains("/* 長野県版 */") && html.contains("<h2>概要</h2>"))
    }

    @Test("a template that does not parse is an error naming its file and line")
    func malformed() throws {
        let root = TestSupport.temporaryFolder("banso-templates-bad")
        TestSupport.write(
            "<h1>{{name}}</h1>\n{{#rows}}\n<p>{{label}}</p>\n{{/cards}}\n", to: root + "/t/report.mustache")
        let error = #expect(throws: StageFailure.self) {
            try generatedRun(municipalities: 4, extra: "[packets]\ntemplates = \"\(root)/t\"\n", into: root)
        }
        #expect(error?.kind == .configuration)
        #expect(
            error?.description.contains("\(root)/t/report.mustache line 4, column ") == true,
            "\(error?.description ?? "")")
    }
}

@Suite("the prefecture summary's headline messages")
struct HeadlineTests {
    static func trend(_ wave: Wave, _ i: Indicator, _ v: Double, halfWidth: Double) -> TrendRow {
        TrendRow(
            code: "200000", indicator: i, wave: wave, value: v, ciLow: v - halfWidth, ciHigh: v + halfWidth,
            suppressed: false)
    }

    @Test("a change of the prefecture's rate is named only beyond the sampling error of both waves")
    func changes() {
        let w = PrefectureWording(code: "20")
        // 離職率 falls by 2 points with half-widths of 0.5 (SE ≈ 0.26 each): beyond. 採用率 moves by
        // 0.5 with half-widths of 1 (the change's half-width ≈ 1.41): within.
        let trends = [
            Self.trend("2024", .turnoverRate, 10, halfWidth: 0.5), Self.trend("2025", .turnoverRate, 8, halfWidth: 0.5),
            Self.trend("2024", .hiringRate, 15, halfWidth: 1), Self.trend("2025", .hiringRate, 15.5, halfWidth: 1),
        ]
        let first = Headlines.messages(wording: w, trends: trends, feedback: [:], master: []).first ?? ""
        #expect(first.hasPrefix("県全体の主な率：離職率 8.0%（前回 10.0%、誤差を超えて低下）"))
        #expect(first.contains("採用率 15.5%（前回 15.0%、誤差の範囲内）"))
    }

    @Test(
        "flags are counted by direction, never ranked; municipalities without a rate of their own are named as a count")
    func counts() {
        let w = PrefectureWording(code: "20")
        func row(
            _ code: MunicipalityCode, _ i: Indicator, value: Double?, flag: FeedbackFlag? = nil, pooled: Double? = nil
        )
            -> FeedbackRow
        {
            var r = FeedbackRow(
                code: code, name: code.text, indicator: i, value: value, ciLow: nil, ciHigh: nil,
                n: value == nil ? 1 : 5,
                suppressed: value == nil, rule: nil, prefectureValue: 10, group: 1, groupLabel: "", peerN: 3,
                flag: flag)
            r.peerPooled = pooled
            return r
        }
        let feedback: [MunicipalityCode: [FeedbackRow]] = [
            "202011": [
                row("202011", .turnoverRate, value: 12, flag: .concern),
                row("202011", .hiringRate, value: 20, flag: .strength),
            ],
            "202029": [
                row("202029", .turnoverRate, value: nil, pooled: 9), row("202029", .hiringRate, value: nil, pooled: 14),
            ],
            "202037": [row("202037", .turnoverRate, value: nil), row("202037", .hiringRate, value: nil)],
        ]
        let master = ["202011", "202029", "202037"].map {
            MasterEntry(
                code: MunicipalityCode($0)!, name: $0, population: 1000, aged65: 300, aged75: 150, area: 10,
                email: "a@b.jp")
        }
        let m = Headlines.messages(wording: w, trends: [], feedback: feedback, master: master)
        #expect(
            m.contains(
                "類似団体や県全体と比べて誤差を超える違いが見られたのは 1 市町村の 2 項目です（背景を確認したいもの 1、取組を参考にしたいもの 1）。順位ではなく、話し合いのきっかけとしてお使いください。"))
        #expect(m.contains { $0.hasPrefix("主な率がすべて秘匿か回答なしの市町村は 2 です。うち 1 には") })
    }
}

@Suite("waves in 和暦")
struct FiscalYearTests {
    @Test(
        "a trend's span names the era once when both waves share it",
        arguments: [
            ("2023", "2025", "令和5〜7年度"), ("2019", "2021", "令和元〜3年度"), ("2018", "2025", "平成30〜令和7年度"),
        ])
    func span(_ first: String, _ last: String, _ expected: String) throws {
        #expect(HTML.fiscalYears(try #require(Wave(first)), try #require(Wave(last))) == expected)
    }
}
