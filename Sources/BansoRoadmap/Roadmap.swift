import BansoAggregate
import BansoCore
import Foundation
import Logging

/// Stage roadmap: each municipality's stages of 地域マネジメント, the 地域診断カルテ's figures,
/// and the prefecture's overview against its targets.
///
/// Without `inputs.roadmap` and `inputs.context` it writes an empty `roadmap/` folder and says so.
public enum RoadmapStep {
    public static func parameters(_ c: PipelineConfig) -> [String: String] {
        [
            "wave": c.wave, "prefecture_code": c.prefectureCode, "targets": c.roadmapSettings.targetsFingerprint,
            "self_score_to_achieve": formatNumber(RoadmapEvaluation.selfScoreToAchieve),
        ]
    }

    /// The cleaned roadmap inputs, the master, the published indicators and the peers (for the カルテ's
    /// comparisons); the previous wave comes from the history store (fingerprinted as a parameter).
    public static let reads: [RunFileDescriptor] = [
        RunFiles.roadmapItems, RunFiles.selfAssessments, RunFiles.context, RunFiles.master, RunFiles.indicators,
        RunFiles.groups, RunFiles.neighbours,
    ]

    public static func run(_ ctx: StageContext) throws -> StageResult {
        let c = ctx.config
        try RunLayout.makeDirectory(ctx.layout.roadmap)
        guard c.roadmap != nil || c.context != nil else {
            ctx.logger.info("no roadmap or context figures in the pipeline file: nothing to do")
            return StageResult()
        }
        let master = try RunFiles.master.read(ctx)
        let context = try RunFiles.context.readIfPresent(ctx)
        let peers = PeerSets(groups: try RunFiles.groups.read(ctx), neighbours: try RunFiles.neighbours.read(ctx))
        var counts: [String: Int] = [:]
        if c.context != nil {
            let karte = Karte.rows(
                context: context, master: master, prefectureCode: c.prefectureMunicipalityCode, peers: peers)
            try RunFiles.karte.write(karte, in: ctx.layout)
            counts["context_figures"] = karte.count
        }
        guard c.roadmap != nil else { return StageResult(counts: counts) }
        let items = try RunFiles.roadmapItems.read(ctx)
        let answers = try RunFiles.selfAssessments.readIfPresent(ctx)
        let figures = RoadmapEvaluation.Figures(published: try RunFiles.indicators.read(ctx), context: context)
        let results = RoadmapEvaluation.items(
            items, answers: answers, municipalities: master.map(\.code), figures: figures)
        let stages = RoadmapEvaluation.stages(results, items: items)
        let answered = RoadmapEvaluation.answered(results)
        let overview = try RoadmapEvaluation.overview(
            stages, items: items, municipalities: master.count, answered: answered,
            targets: c.roadmapSettings.targets)
        for area in RoadmapItem.areas(items) {
            let missing = ManagementStage.allCases.filter { s in !items.contains { $0.area == area && $0.stage == s } }
            if !missing.isEmpty {
                ctx.logger.warning(
                    "roadmap: \(area) has no items for \(missing.map(\.ordinal).joined(separator: ", ")); no municipality can reach beyond it"
                )
            }
        }
        var previous: [RoadmapPreviousRow] = []
        if let history = try HistoryStore.openIfPresent(path: ctx.historyPath) {
            previous = try history.roadmapPrevious(before: c.wave)
        }
        try RunFiles.roadmapResults.write(results, in: ctx.layout)
        try RunFiles.roadmapStages.write(stages, in: ctx.layout)
        try RunFiles.roadmapOverview.write(overview, in: ctx.layout)
        try RunFiles.roadmapPrevious.write(previous, in: ctx.layout)
        let unanswered = master.count - answered.count
        ctx.logger.info(
            "\(items.count) items, \(master.count) municipalities: \(answered.count) answered, \(unanswered) 未回答")
        counts["items"] = items.count
        counts["answered"] = answered.count
        counts["unanswered"] = unanswered
        return StageResult(counts: counts)
    }
}
