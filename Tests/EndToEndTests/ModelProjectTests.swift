import BansoCore
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

@Suite("model projects: 領域 and outcomes")
struct ModelProjectTests {
    @Test(
        "an outcome needs its measure and both figures; a project's 領域 is its own or its テーマ's; only a measured project claims a result"
    )
    func outcomes() throws {
        let w = try Workspace()
        let path = w.root + "/input/model_projects.csv"
        let header = "市区町村コード,事業名,テーマ,年度,概要,成果指標,実施前,実施後,成果年度,領域\r\n"
        let rows = [
            "202029,介護助手導入モデル,介護人材確保,令和5年度,介護助手を導入した。,離職率（%）,15.2,12.0,令和6年度,",
            "202037,通いの場づくり,介護予防,令和5年度,通いの場を広げた。,,,,,",
            "202045,入退院支援ルールづくり,医療連携,令和6年度,ルールを作った。,,,,,在宅医療・介護連携",
            "202053,若手介護職員ネットワーク,介護人材確保,令和6年度,ネットワークを作った。,離職率（%）,14,,令和6年度,",
            "202061,介護職員合同就職説明会,介護人材確保,令和6年度,説明会を開いた。,,3.0,4.0,,",
        ]
        try (header + rows.joined(separator: "\r\n") + "\r\n").data(using: .shiftJIS)!
            .write(to: URL(fileURLWithPath: path))
        let (status, _, err) = try w.run(["--quiet"])
        #expect(status == 0, "\(err)")
        let layout = RunLayout(root: FilePath(w.latest))
        let rejects = try RunFiles.rejects.read(in: layout).filter { $0.file.hasSuffix("model_projects.csv") }
        #expect(rejects.contains { $0.line == 5 && $0.field == "outcome_after" && $0.rule == .required })
        #expect(rejects.contains { $0.line == 6 && $0.field == "outcome_indicator" && $0.rule == .required })
        let projects = try RunFiles.modelProjects.read(in: layout)
        #expect(projects.count == 3)
        let byCode = Dictionary(uniqueKeysWithValues: projects.map { ($0.municipality.text, $0) })
        #expect(byCode["202029"]?.area == "介護人材" && byCode["202029"]?.outcome == "離職率(%) 15.2 → 12（令和6年度）")
        #expect(byCode["202037"]?.area == "介護予防" && byCode["202037"]?.outcome == "")
        // A テーマ the vocabulary does not know keeps the 領域 the file gives.
        #expect(byCode["202045"]?.area == "在宅医療・介護連携")
        // Suggestions carry the result only where it was measured, and the report says so.
        let suggestions = try RunFiles.suggestions.read(in: layout)
        for s in suggestions { #expect(s.outcome == (byCode[s.projectMunicipality.text]?.outcome ?? "")) }
        if let measured = suggestions.first(where: { !$0.outcome.isEmpty }) {
            let html = try String(contentsOfFile: w.latest + "/packets/\(measured.code)/report.html", encoding: .utf8)
            #expect(html.contains("成果：\(measured.outcome)"))
        }
        let unmeasured = try #require(suggestions.first { $0.outcome.isEmpty })
        let plain = try String(contentsOfFile: w.latest + "/packets/\(unmeasured.code)/report.html", encoding: .utf8)
        #expect(!plain.contains("成果：\(unmeasured.projectName)"))
    }
}
