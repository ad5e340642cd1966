import BansoCore
import BansoTestSupport
import Foundation
import SystemPackage
import Testing
import ZIPFoundation

extension Workspace {
    /// Names the generator's roadmap inputs (item list, self-assessments, context figures) in the
    /// pipeline file's `[inputs]`, with `more` input lines, appends `sections`, and returns the text.
    @discardableResult
    func addRoadmapInputs(_ more: String = "", sections: String = "") throws -> String {
        var text = try String(contentsOfFile: pipeline, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "model_projects = \"model_projects.csv\"\n",
            with: "model_projects = \"model_projects.csv\"\nroadmap = \"roadmap.csv\"\n"
                + "self_assessment = [\"self_assessment_*.csv\"]\ncontext = [\"context.csv\"]\n" + more)
        text += sections
        try text.write(toFile: pipeline, atomically: true, encoding: .utf8)
        return text
    }
}

@Suite("roadmap, end to end")
struct RoadmapEndToEndTests {
    @Test(
        "without a roadmap the stage writes an empty folder and says so; adding one runs it; support re-runs only packets"
    )
    func optional() throws {
        let w = try Workspace()
        #expect(try w.run().0 == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: w.latest + "/roadmap").isEmpty)
        let report = try String(contentsOfFile: w.latest + "/packets/202011/report.html", encoding: .utf8)
        #expect(!report.contains("地域診断カルテ"))
        let (status, out, err) = try TestSupport.run(Workspace.bin + "/banso-roadmap", [w.pipeline])
        #expect(status == 0, "\(err)")
        #expect((out + err).contains("no roadmap or context figures"))

        // The generator wrote the roadmap inputs beside the survey: name them in [inputs].
        let text = try w.addRoadmapInputs(sections: "\n[roadmap.support]\n1 = [\"カルテの読み方研修\"]\n")
        #expect(try w.run().0 == 0)
        let ran = try w.stageStatus()
        #expect(ran["roadmap"] == "ran" && ran["ingest"] == "ran" && ran["packets"] == "ran")
        for file in ["items.csv", "stages.csv", "overview.csv", "karte.csv", "previous.csv"] {
            #expect(FileManager.default.fileExists(atPath: w.latest + "/roadmap/" + file), "\(file)")
        }
        let withKarte = try String(contentsOfFile: w.latest + "/packets/202011/report.html", encoding: .utf8)
        #expect(withKarte.contains("地域診断カルテ"))

        try (text.replacingOccurrences(of: "カルテの読み方研修", with: "見える化セミナー")).write(
            toFile: w.pipeline, atomically: true, encoding: .utf8)
        #expect(try w.run().0 == 0)
        #expect(
            try w.stageStatus() == [
                "ingest": "skipped", "clean": "skipped", "aggregate": "skipped", "peers": "skipped",
                "roadmap": "skipped", "feedback": "skipped", "packets": "ran",
            ])
        let after = try String(contentsOfFile: w.latest + "/packets/prefecture_summary.html", encoding: .utf8)
        #expect(after.contains("見える化セミナー") && !after.contains("カルテの読み方研修"))

        // Support for an area the item list does not have would reach nobody: the run stops,
        // naming the key, and latest stays as it was.
        let latest = w.latestTarget()
        try (text + "\"介護人財.2\" = [\"連絡会議\"]\n").write(toFile: w.pipeline, atomically: true, encoding: .utf8)
        let (failed, _, failure) = try w.run()
        #expect(failed == 2, "\(failure)")
        #expect(failure.contains("roadmap.support.\"介護人財.2\": the item list has no area 介護人財"), "\(failure)")
        #expect(w.latestTarget() == latest)
    }
}

@Suite("record of support given, end to end")
struct SupportLogEndToEndTests {
    @Test(
        "inputs.support: bad rows rejected with their rule and line; last year's support in the packet and the prefecture view; outcomes per area"
    )
    func supportLog() throws {
        let w = try Workspace()
        try w.addRoadmapInputs(
            "support = [\"support_*.csv\"]\n",
            sections: "\n[roadmap.support]\n1 = [{ id = \"S1\", name = \"カルテの読み方研修\", kind = \"研修\" }]\n")
        // The 2025 wave counts the support of 年度 2024 (April 2024 to March 2025).
        TestSupport.write(
            """
            市区町村コード,領域,段階,支援ID,実施日,備考
            202011,介護人材,1,S1,令和6年7月15日,
            202029,生活支援,第2段階,個別訪問による相談対応,2024-10-02,担当者が訪問
            202037,介護人材,1,S1,2023-05-01,前年度の分
            202011,介護人財,1,S1,2024-08-01,
            202011,介護人材,4,S1,2024-08-01,
            ,介護人材,1,S1,2024-08-01,
            202011,介護予防,1,S1,2024-13-40,
            202011,介護人材,1,S1,2024-07-15,写し

            """, to: w.root + "/input/support_2024.csv")
        let (status, _, err) = try w.run()
        #expect(status == 0, "\(err)")
        let rejects = try RunFiles.rejects.read(in: RunLayout(root: FilePath(w.latest))).filter {
            $0.file.hasSuffix("support_2024.csv")
        }
        #expect(
            rejects.map { "\($0.line) \($0.field) \($0.rule.rawValue)" } == [
                "5 area unknown_area", "6 stage invalid_category", "7 municipality_code municipality_code_format",
                "8 date date",
                "9 support duplicate",
            ])
        #expect(rejects.last?.message.contains("support_2024.csv:2") == true)
        let kept = try RunFiles.support.read(in: RunLayout(root: FilePath(w.latest)))
        #expect(kept.map(\.municipality.text) == ["202011", "202029", "202037"])
        #expect(kept[1].stage == .share && kept[1].note == "担当者が訪問")

        let report = try String(contentsOfFile: w.latest + "/packets/202011/report.html", encoding: .utf8)
        #expect(report.contains("前回の調査以降に受けた支援"))
        #expect(report.contains("カルテの読み方研修（令和6年7月15日）"))
        // Support before the window is kept in the record but not shown.
        let other = try String(contentsOfFile: w.latest + "/packets/202037/report.html", encoding: .utf8)
        #expect(!other.contains("カルテの読み方研修（令和5年5月1日）"))
        let summary = try String(contentsOfFile: w.latest + "/packets/prefecture_summary.html", encoding: .utf8)
        #expect(summary.contains("支援の記録と段階の変化") && summary.contains("支援の効果の推定ではありません"))
        #expect(summary.contains("個別訪問による相談対応（令和6年10月2日）"))
        let outcomes = try RunFiles.supportOutcomes.read(in: RunLayout(root: FilePath(w.latest)))
        #expect(outcomes.count % 2 == 0 && !outcomes.isEmpty)
        #expect(outcomes.allSatisfy { $0.movedUp + $0.stayed + $0.movedDown == $0.municipalities })
    }
}

@Suite("the prefecture's own comments, end to end")
struct PrefectureCommentsEndToEndTests {
    @Test("inputs.prefecture_comments: 全体 on page 1, an area's in its カルテ block, only in that municipality's packet")
    func comments() throws {
        let w = try Workspace()
        try w.addRoadmapInputs("prefecture_comments = [\"prefecture_comments.csv\"]\n")
        TestSupport.write(
            """
            市区町村コード,領域,コメント
            202011,全体,協議の場づくりをご一緒に進めましょう。
            202011,介護人材,人材確保の協議の場への専門職派遣をご検討ください。
            202029,,空欄の領域は全体として扱います。
            202011,介護人財,誤記の領域
            202037,全体,

            """, to: w.root + "/input/prefecture_comments.csv")
        let (status, _, err) = try w.run()
        #expect(status == 0, "\(err)")
        let rejects = try RunFiles.rejects.read(in: RunLayout(root: FilePath(w.latest))).filter {
            $0.file.hasSuffix("prefecture_comments.csv")
        }
        #expect(
            rejects.map { "\($0.line) \($0.field) \($0.rule.rawValue)" } == [
                "5 area unknown_area", "6 comment required",
            ])
        let kept = try RunFiles.prefectureComments.read(in: RunLayout(root: FilePath(w.latest)))
        #expect(kept.map(\.area) == ["全体", "介護人材", "全体"])
        let report = try String(contentsOfFile: w.latest + "/packets/202011/report.html", encoding: .utf8)
        let page1 = report.components(separatedBy: "<section class=\"page\">")[0]
        #expect(page1.contains("協議の場づくりをご一緒に進めましょう。"))
        #expect(!page1.contains("専門職派遣をご検討ください") && report.contains("専門職派遣をご検討ください"))
        #expect(
            try String(contentsOfFile: w.latest + "/packets/202029/report.html", encoding: .utf8).contains(
                "空欄の領域は全体として扱います。"))
        let other = try String(contentsOfFile: w.latest + "/packets/202037/report.html", encoding: .utf8)
        #expect(!other.contains("協議の場づくり") && !other.contains("空欄の領域"))
        let summary = try String(contentsOfFile: w.latest + "/packets/prefecture_summary.html", encoding: .utf8)
        #expect(!summary.contains("協議の場づくりをご一緒に"))
    }
}

@Suite("next wave's self-assessment form, end to end")
struct SelfAssessmentFormTests {
    @Test(
        "each packet's pre-filled form (CSV and workbook with a drop-down) read back by ingest gives this wave's answers unchanged"
    )
    func roundTrip() throws {
        let w = try Workspace()
        try w.addRoadmapInputs()
        #expect(try w.run().0 == 0)
        let layout = RunLayout(root: FilePath(w.latest))
        let before = try RunFiles.selfAssessments.read(in: layout).filter { $0.municipality == "202011" }
        #expect(!before.isEmpty)
        let folder = w.latest + "/packets/202011/"
        let form = try String(contentsOfFile: folder + "self_assessment_202011.csv", encoding: .utf8)
        #expect(form.trimmingPrefix("\u{FEFF}").hasPrefix("市区町村コード,項目ID,領域,段階,項目,評価,回答日,コメント"))
        // The workbook offers the answers ingest reads as a drop-down on 評価.
        let archive = try Archive(
            data: try Data(contentsOf: URL(fileURLWithPath: folder + "202011_自己評価票.xlsx")), accessMode: .read)
        var sheet = Data()
        _ = try archive.extract(archive["xl/worksheets/sheet1.xml"]!) { sheet.append($0) }
        let xml = String(decoding: sheet, as: UTF8.self)
        #expect(xml.contains("<dataValidation type=\"list\"") && xml.contains("対象外"))

        // The municipality sends the form back as it is: it reads as the same answers.
        for f in try FileManager.default.contentsOfDirectory(atPath: w.root + "/input")
        where f.hasPrefix("self_assessment_") {
            try FileManager.default.removeItem(atPath: w.root + "/input/" + f)
        }
        try FileManager.default.copyItem(
            atPath: folder + "self_assessment_202011.csv", toPath: w.root + "/input/self_assessment_202011.csv")
        #expect(try w.run().0 == 0)
        let after = try RunFiles.selfAssessments.read(in: RunLayout(root: FilePath(w.latest)))
        #expect(
            after.map { [$0.municipality.text, $0.item, "\($0.score ?? 0)", $0.date.description, $0.comment] }
                == before.map {
                    [$0.municipality.text, $0.item, "\($0.score ?? 0)", $0.date.description, $0.comment]
                })
        let letter = try TestSupport.letter(w.latest + "/packets/mail/202011.eml")
        #expect(letter.contains("self_assessment_202011.csv、202011_自己評価票.xlsx … 次回の自己評価票"))
    }
}
