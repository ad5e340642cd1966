import BansoCore
import BansoRunner
import BansoTestSupport
import Foundation
import SystemPackage
import Testing
import ZIPFoundation

@Suite("カルテ in the packets")
struct KartePacketTests {
    /// Every text a packet holds: its report, its CSVs and the strings of its workbook.
    static func texts(_ folder: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            let path = folder + "/" + name
            if name.hasSuffix(".xlsx") {
                let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
                for entry in archive where entry.path.hasSuffix(".xml") {
                    var data = Data()
                    _ = try archive.extract(entry) { data.append($0) }
                    out[name + ":" + entry.path] = String(decoding: data, as: UTF8.self)
                }
            } else {
                out[name] = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
            }
        }
        return out
    }

    static func escaped(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    @Test("no packet holds another municipality's comment or score; its own are there")
    func privacy() throws {
        let (run, _, _) = try roadmapRun(seed: 13)
        let layout = RunLayout(root: FilePath(run))
        let answers = try RunFiles.selfAssessments.read(in: layout)
        let results = try RunFiles.roadmapResults.read(in: layout)
        var comments: [String: [String]] = [:]
        for a in answers where !a.comment.isEmpty { comments[a.municipality.text, default: []].append(a.comment) }
        let master = try RunFiles.master.read(in: layout)
        let items = Dictionary(
            uniqueKeysWithValues: try RunFiles.roadmapItems.read(in: layout).map { ($0.id, $0.label) })
        #expect(comments.count > 10)
        for m in master {
            let texts = try Self.texts(run + "/packets/" + m.code.text)
            let report = try #require(texts["report.html"])
            // Its own comments are in its report (with line breaks as written): the check below can fail.
            for c in comments[m.code.text] ?? [] {
                #expect(report.contains(Self.escaped(c).replacingOccurrences(of: "\n", with: "\n")), "\(m.code)")
            }
            // Bytes: a String search over a few hundred kilobytes of Japanese text per comment is slow.
            let all = Data(texts.values.joined(separator: "\u{0}").utf8)
            func holds(_ s: String) -> Bool { all.range(of: Data(s.utf8)) != nil }
            for (other, list) in comments where other != m.code.text {
                for c in list {
                    #expect(!holds(c) && !holds(Self.escaped(c)), "\(m.code)'s packet holds \(other)'s comment")
                }
            }
            // Its roadmap.csv holds exactly its own items, each with its own score.
            let own = results.filter { $0.municipality == m.code }
            let csv = try #require(texts["roadmap.csv"])
            #expect(
                RoadmapKind.allCases.map { csv.components(separatedBy: ",\($0.rawValue),").count - 1 }.reduce(0, +)
                    == own.count)
            for r in own {
                guard let score = r.score, let label = items[r.item] else { continue }
                #expect(csv.contains(",主観,\(label),\(score),"), "\(m.code) \(r.item)")
                #expect(report.contains("\(label)：\(score) "), "\(m.code) \(r.item)")
            }
        }
    }

    @Test("the カルテ page: figures with sources, stages reached, support for the next stage, last wave beside")
    func kartePage() throws {
        let root = TestSupport.temporaryFolder("banso-karte")
        _ = try roadmapRun(seed: 14, wave: "2024", into: root)
        let (run, truth, _) = try roadmapRun(seed: 14, wave: "2025", into: root)
        let layout = RunLayout(root: FilePath(run))
        // Last wave's stages come from the history store.
        let previous = try RunFiles.roadmapPrevious.read(in: layout)
        let before = try RunFiles.roadmapStages.read(in: RunLayout(root: FilePath(root + "/out-2024/latest")))
        #expect(previous.count == truth.municipalities.count * 4)
        for p in previous {
            #expect(p.wave == "2024")
            #expect(before.first { $0.municipality == p.municipality && $0.area == p.area }?.reached == p.reached)
        }
        let stages = try RunFiles.roadmapStages.read(in: layout)
        let code = truth.municipalities[0].code
        let html = try String(contentsOfFile: run + "/packets/\(code)/report.html", encoding: .utf8)
        #expect(html.contains("地域診断カルテ"))
        for problem in headerProblems(html) { Issue.record("report.html: \(problem)") }
        #expect(html.contains("要介護（要支援）認定率") || html.contains("要介護(要支援)認定率"))
        #expect(html.contains("地域包括ケア「見える化」システム"))
        #expect(html.contains("前回（令和6年度）"))
        let reached = stages.first { $0.municipality.text == code && $0.area == "介護人材" }!.reached
        #expect(html.contains(reached == 0 ? "第1段階の途中" : "第\(reached)段階まで達成"))
        // Page 1 names the stage reached in every area.
        let page1 = html.components(separatedBy: "<section class=\"page\">")[0]
        #expect(page1.contains("構築ロードマップの到達段階"))
        #expect(page1.contains("介護人材 <b>" + (reached == 0 ? "段階1の前" : "段階\(reached)") + "</b>"))
        if reached < 3 {
            let support = ["見える化システム活用セミナー", "関係者向け説明資料の雛形", "モデル事業・補助事業"][reached]
            #expect(html.contains(support))
        }
        // 生活支援 has its own list for stage 2: a municipality whose next stage there is 2 is
        // offered it, and not the default every other area gets.
        for m in truth.municipalities {
            let next = stages.filter { $0.municipality.text == m.code && $0.area == "生活支援" }.first { !$0.achieved }
            guard next?.stage == .share else { continue }
            let page = try String(contentsOfFile: run + "/packets/\(m.code)/report.html", encoding: .utf8)
            let row = try #require(
                page.components(separatedBy: "<tr><td>生活支援</td>").dropFirst().first?.prefix { $0 != "\n" })
            #expect(row.contains("生活支援コーディネーター連絡会議（令和7年9月5日）"))
            #expect(!row.contains("関係者向け説明資料の雛形"))
        }
        // The prefecture's plan is in every packet: its target beside the share now.
        let overview = try RunFiles.roadmapOverview.read(in: layout)
        let share = try #require(overview.first { $0.area == "介護人材" && $0.stage == .share }?.share)
        #expect(html.contains("の支援ロードマップ</h3>"))
        #expect(html.contains("<td class=\"num\">\(formatFixed(share * 100, digits: 0))%</td><td>60%（2027まで）</td>"))
        // A level is written with its figure's unit, in the report and in the workbook.
        #expect(html.contains("（基準 50%以上）"))
        let book = try Self.texts(run + "/packets/\(code)").filter { $0.key.contains(".xlsx:") }.values.joined()
        #expect(book.contains("<t>50%以上</t>"))
        // And the year's dated support, by date.
        #expect(html.contains("<td>令和7年9月5日</td><td>生活支援コーディネーター連絡会議</td><td>会議</td>"))
        // The letter points to the カルテ and the roadmap.
        let letter = try TestSupport.letter(run + "/packets/mail/\(code).eml")
        #expect(letter.contains("資料の後半には、地域診断カルテと構築ロードマップ"))
        // The summary: per area and stage, targets, who has not answered.
        let summary = try String(contentsOfFile: run + "/packets/prefecture_summary.html", encoding: .utf8)
        #expect(summary.contains("構築ロードマップの進み具合"))
        #expect(summary.contains("60%（2027まで）"))
        let unanswered = try #require(truth.roadmap?.unanswered.first)
        let name = truth.municipalities.first { $0.code == unanswered }!.name
        #expect(summary.contains(name))
        #expect(summary.contains("段階別の支援の計画"))
        // Who has already reached each municipality's next stage: in the summary, never in a packet.
        let pairings = try RunFiles.roadmapPairings.read(in: layout)
        let first = try #require(pairings.first)
        #expect(
            summary.contains("視察・助言の候補") && summary.contains("\(first.candidateName)（第\(first.candidateReached)段階まで）"))
        #expect(summary.contains("<th>候補のモデル事業</th>"))
        // An area's model projects are named once above the pairings (the issue's summary had
        // them on every row: 17 of its 29 pages), a candidate's own beside its row.
        let projects = try RunFiles.modelProjects.read(in: layout)
        let table = try #require(
            summary.components(separatedBy: "<table class=\"pairings\"").dropFirst().first?
                .components(separatedBy: "</table>").first)
        for area in Set(pairings.map(\.area)) {
            let inArea = projects.filter { $0.area == area }
            if let p = inArea.first {
                #expect(summary.contains("<b>\(area)のモデル事業</b>：") && summary.contains("「\(p.name)」"))
            }
            // In the table, a project appears only on the rows whose candidates ran it.
            let rows = table.components(separatedBy: "<tr>").filter { $0.contains("<td class=\"name\">\(area)</td>") }
            for p in inArea {
                let runner = truth.municipalities.first { $0.code == p.municipality.text }?.name ?? "?"
                for row in rows where row.contains("\(runner)「\(p.name)」") {
                    #expect(row.contains(runner + "（第"), "\(runner)「\(p.name)」 on a row without \(runner)")
                }
            }
        }
        for p in pairings {
            let s = stages.first { $0.municipality == p.candidate && $0.area == p.area }
            #expect(
                (s?.reached ?? 0) >= p.nextStage.rawValue, "\(p.candidate) has not reached \(p.area) \(p.nextStage)")
            #expect(p.candidate != p.municipality)
        }
        let packet = try String(contentsOfFile: run + "/packets/\(first.municipality)/report.html", encoding: .utf8)
        #expect(!packet.contains("視察・助言の候補") && !packet.contains("相談先の候補"))
        // With `[roadmap] show_pairings = true` the municipality's own カルテ names them, per area.
        let file = root + "/p-2025.toml"
        TestSupport.write(
            try String(contentsOfFile: file, encoding: .utf8) + "\n[roadmap]\nshow_pairings = true\n", to: file)
        let shown = Runner(config: try PipelineConfig.load(path: file), console: RunConsole(quiet: true))
        try shown.run(RunOptions())
        let named = try String(
            contentsOfFile: shown.latestRun()!.string + "/packets/\(first.municipality)/report.html", encoding: .utf8)
        let relation = first.relation == .group ? "類似団体" : "状況の近い団体"
        #expect(named.contains("相談先の候補：\(first.candidateName)（\(relation)・段階\(first.candidateReached)）"))
        // A silent municipality's report says 未回答, never 0.
        let silent = try String(contentsOfFile: run + "/packets/\(unanswered)/report.html", encoding: .utf8)
        #expect(silent.contains("自己評価の回答をいただいていない"))
        #expect(silent.contains("未回答"))
    }
}

@Suite("blame where it belongs")
struct InputBlameTests {
    @Test("problems in the prefecture's context figures go to its summary, never to a municipality's packet")
    func contextProblems() throws {
        let (run, _, _) = try roadmapRun(seed: 12)
        let layout = RunLayout(root: FilePath(run))
        let quality = try RunFiles.quality.read(in: layout)
        let prefectures = quality.filter { !$0.kind.answeredByMunicipality }
        #expect(prefectures.contains { $0.kind == .context }, "the generator broke no context line")
        #expect(quality.contains { $0.kind.answeredByMunicipality }, "no municipality's answer was rejected")
        for code in Set(prefectures.map(\.municipality)) {
            let csv = try String(contentsOfFile: "\(run)/packets/\(code)/data_quality.csv", encoding: .utf8)
            #expect(!csv.contains(InputKind.context.japaneseName), "\(code)")
            let report = try String(contentsOfFile: "\(run)/packets/\(code)/report.html", encoding: .utf8)
            #expect(!report.contains(InputKind.context.japaneseName + "："), "\(code)")
        }
        let summary = try String(contentsOfFile: run + "/packets/prefecture_summary.html", encoding: .utf8)
        #expect(summary.contains("県が用意した入力の確認事項"))
        #expect(summary.contains(InputKind.context.japaneseName + "："))
    }
}

@Suite("a municipality's own items")
struct OwnItemTests {
    @Test("its own items are in its packet only, never judged; bad rows are rejected with their rule")
    func ownItems() throws {
        let root = TestSupport.temporaryFolder("banso-own")
        _ = try roadmapRun(seed: 16, into: root)
        let run0 = root + "/out-2025/latest"
        let master = try RunFiles.master.read(in: RunLayout(root: FilePath(run0)))
        let (a, b) = (master[0].code.text, master[1].code.text)
        let before = try RunFiles.roadmapStages.read(in: RunLayout(root: FilePath(run0)))
        let rows = [
            "市区町村コード,項目ID,領域,段階,項目,評価,コメント",
            "\(a),OWN-1,介護人材,2,事業所と人材確保の定例会を開いている,3,月1回に",
            "\(a),OWN-2,生活支援,,買い物支援の担い手を探している,,",
            "\(b),OWN-1,介護人材,,外国人介護人材の受入れを相談できる,2,",
            "\(a),OWN-1,介護人材,1,同じIDのもう一つの項目,2,",
            "\(b),OWN-9,観光,1,領域にない項目,2,",
            "\(b),OWN-8,介護予防,5,段階のない項目,2,",
        ]
        TestSupport.write(rows.joined(separator: "\r\n") + "\r\n", to: root + "/input-2025/own_items.csv")
        let file = root + "/p-2025.toml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        TestSupport.write(
            text.replacingOccurrences(
                of: "context = [\"context.csv\"]", with: "context = [\"context.csv\"]\nown_items = [\"own_items.csv\"]"),
            to: file)
        let runner = Runner(config: try PipelineConfig.load(path: file), console: RunConsole(quiet: true))
        try runner.run(RunOptions())
        let run = runner.latestRun()!.string
        let layout = RunLayout(root: FilePath(run))
        let rejects = try RunFiles.rejects.read(in: layout).filter { $0.file.hasSuffix("own_items.csv") }
        #expect(rejects.contains { $0.line == 5 && $0.field == "item_id" && $0.rule == .duplicate })
        #expect(rejects.contains { $0.line == 6 && $0.field == "area" && $0.rule == .unknownArea })
        #expect(rejects.contains { $0.line == 7 && $0.field == "stage" && $0.rule == .invalidCategory })
        #expect(try RunFiles.ownItems.read(in: layout).count == 3)
        let mine = try String(contentsOfFile: run + "/packets/\(a)/report.html", encoding: .utf8)
        #expect(mine.contains("の独自項目（段階の判定には含めません）"))
        #expect(mine.contains("第2段階 事業所と人材確保の定例会を開いている：3 実施中（月1回に）"))
        #expect(mine.contains("買い物支援の担い手を探している：未回答"))
        #expect(!mine.contains("外国人介護人材の受入れを相談できる"))
        // No other packet, and not the prefecture's summary, holds them.
        for m in master where m.code.text != a {
            let texts = try KartePacketTests.texts(run + "/packets/" + m.code.text)
            let all = texts.values.joined(separator: "\u{0}")
            #expect(!all.contains("事業所と人材確保の定例会"), "\(m.code)")
            if m.code.text != b { #expect(!all.contains("外国人介護人材の受入れを相談できる"), "\(m.code)") }
        }
        let summary = try String(contentsOfFile: run + "/packets/prefecture_summary.html", encoding: .utf8)
        #expect(!summary.contains("事業所と人材確保の定例会"))
        // Never judged: the stages are the same as without them.
        #expect(try RunFiles.roadmapStages.read(in: layout) == before)
    }
}
