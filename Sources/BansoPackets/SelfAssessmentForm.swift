import BansoCore
import SystemPackage

/// Next wave's self-assessment form for one municipality: every 主観 item of the roadmap, filled
/// in with this wave's answer, so that the answers come back in the shape ingest reads.
///
/// The CSV has the input's columns (市区町村コード, 項目ID, 評価, 回答日, コメント) and, for the reader,
/// 領域, 段階 and 項目, which ingest ignores as unknown columns: read back unchanged, it gives this
/// wave's answers again (and in the next wave its dates fall outside the answers window, so a form
/// sent back untouched is not counted as new answers).
package struct SelfAssessmentForm: Sendable {
    package struct Line: Sendable {
        package var item: RoadmapItem
        package var answer: SelfAssessment?
    }
    package var municipality: MunicipalityCode
    package var lines: [Line]

    /// The choices of 評価, as the workbook's drop-down offers them (ingest reads the code, the
    /// label or both).
    package static let choices =
        ["1", "2", "3", "4"].map { "\($0) \(Categories.selfAssessment[$0] ?? "")" } + [SelfAssessment.notApplicable]

    /// The CSV's and the sheet's header.
    package static let header = ["市区町村コード", "項目ID", "領域", "段階", "項目", "評価", "回答日", "コメント"]

    /// The form's file names in the packet.
    package var csvName: String { "self_assessment_\(municipality.text).csv" }
    package var workbookName: String { "\(municipality.text)_自己評価票.xlsx" }

    /// The municipality's form, or nil when the roadmap has no 主観 item.
    package init?(municipality: MunicipalityCode, items: [RoadmapItem], answers: [SelfAssessment]) {
        let subjective = items.filter { $0.kind == .subjective }
        guard !subjective.isEmpty else { return nil }
        let own = Dictionary(answers.map { ($0.item, $0) }, uniquingKeysWith: { a, _ in a })
        self.municipality = municipality
        lines = subjective.map { Line(item: $0, answer: own[$0.id]) }
    }

    /// The rows, header first.
    package var rows: [[String]] {
        [Self.header]
            + lines.map { l in
                let score =
                    l.answer.map { a in
                        a.score.map { "\($0) \(Categories.selfAssessment[String($0)] ?? "")" }
                            ?? SelfAssessment.notApplicable
                    } ?? ""
                return [
                    municipality.text, l.item.id, l.item.area, l.item.stage.ordinal, l.item.label, score,
                    l.answer?.date.description ?? "", l.answer?.comment ?? "",
                ]
            }
    }
}
