import BansoCore
import BansoTestSupport
import Foundation
import Testing

@Suite("documentation")
struct DocsTests {
    static let outputs =
        (try? String(contentsOfFile: TestSupport.packageRoot + "/docs/outputs.md", encoding: .utf8)) ?? ""

    /// Every CSV run file with its header, as declared in `RunFiles`.
    static let files: [(path: String, header: [String])] = [
        (RunFiles.establishments.id.path, CleanEstablishmentColumn.header),
        (RunFiles.workers.id.path, CleanWorkerColumn.header),
        (RunFiles.master.id.path, MasterEntry.Column.header),
        (RunFiles.frame.id.path, FrameEntry.Column.header),
        (RunFiles.modelProjects.id.path, ModelProject.Column.header),
        (RunFiles.rejects.id.path, Finding.Column.header),
        (RunFiles.warnings.id.path, Finding.Column.header),
        (RunFiles.quality.id.path, QualityCount.Column.header),
        (RunFiles.internalIndicators.id.path, IndicatorRow.Column.header),
        (RunFiles.earlierWaves.id.path, IndicatorRow.Column.header),
        (RunFiles.indicators.id.path, IndicatorRow.Column.header),
        (RunFiles.internalAreas.id.path, AreaIndicatorRow.Column.header),
        (RunFiles.areas.id.path, AreaIndicatorRow.Column.header),
        (RunFiles.serviceGroups.id.path, AreaIndicatorRow.Column.header),
        (RunFiles.panel.id.path, PanelRow.Column.header),
        (RunFiles.panelChanges.id.path, PanelChangeRow.Column.header),
        (RunFiles.features.id.path, FeatureRow.Column.header),
        (RunFiles.kSelection.id.path, KSelectionRow.Column.header),
        (RunFiles.groups.id.path, PeerGroupRow.Column.header),
        (RunFiles.neighbours.id.path, NeighbourRow.Column.header),
        (RunFiles.neighbourChanges.id.path, NeighbourChangeRow.Column.header),
        (RunFiles.rollout.id.path, RolloutRow.Column.header),
        (RunFiles.suggestions.id.path, SuggestionRow.Column.header),
        (RunFiles.contextFeatures.id.path, ContextFeatureRow.Column.header),
        (RunFiles.roadmapItems.id.path, RoadmapItem.Column.header),
        (RunFiles.selfAssessments.id.path, SelfAssessment.Column.header),
        (RunFiles.context.id.path, ContextFigure.Column.header),
        (RunFiles.support.id.path, SupportRecord.Column.header),
        (RunFiles.prefectureComments.id.path, PrefectureComment.Column.header),
        (RunFiles.ownItems.id.path, OwnItem.Column.header),
        (RunFiles.supportOutcomes.id.path, SupportOutcomeRow.Column.header),
        (RunFiles.roadmapResults.id.path, RoadmapItemResult.Column.header),
        (RunFiles.roadmapStages.id.path, RoadmapStageResult.Column.header),
        (RunFiles.roadmapOverview.id.path, RoadmapOverviewRow.Column.header),
        (RunFiles.karte.id.path, KarteRow.Column.header),
        (RunFiles.roadmapPrevious.id.path, RoadmapPreviousRow.Column.header),
        (RunFiles.summary.id.path, FeedbackRow.Column.header),
        (RunFiles.trends.id.path, TrendRow.Column.header),
    ]

    @Test("docs/outputs.md lists every run file with its exact columns", arguments: files.map(\.path))
    func listed(_ path: String) throws {
        let header = Self.files.first { $0.path == path }!.header.joined(separator: ",")
        let line = Self.outputs.split(separator: "\n").first { $0.hasPrefix("| `\(path)` |") }
        #expect(line != nil, "docs/outputs.md has no row for \(path)")
        #expect(line?.contains("`\(header)`") == true, "docs/outputs.md: \(path) should list `\(header)`")
    }

    @Test("docs/rules.md lists every rule, and docs/indicators.md every indicator")
    func vocabularies() throws {
        let rules = try String(contentsOfFile: TestSupport.packageRoot + "/docs/rules.md", encoding: .utf8)
        for r in Rule.allCases {
            #expect(rules.contains("| `\(r.rawValue)` | \(r.severity.rawValue) |"), "\(r.rawValue)")
        }
        let indicators = try String(contentsOfFile: TestSupport.packageRoot + "/docs/indicators.md", encoding: .utf8)
        for i in Indicator.allCases { #expect(indicators.contains("`\(i.rawValue)`"), "\(i.rawValue)") }
    }
}
