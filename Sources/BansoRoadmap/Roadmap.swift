import BansoCore
import BansoHistory
import Foundation
import Logging

/// Stage roadmap: each municipality's stages of 地域マネジメント, the 地域診断カルテ's figures,
/// and the prefecture's overview against its targets.
///
/// Without `inputs.roadmap` and `inputs.context` it writes an empty `roadmap/` folder and says so.
package enum RoadmapStep: PipelineStage {
    /// What the roadmap stage reads from the pipeline file.
    package struct Settings: StageSettings {
        package var wave: Wave
        package var prefectureCode: PrefectureCode
        /// `inputs.roadmap` is declared: stages are judged.
        package var hasRoadmap: Bool
        /// `inputs.context` is declared: the カルテ's figures are written.
        package var hasContext: Bool
        /// `[roadmap.targets]` (the support lists are only shown, by packets).
        package var targets: [RoadmapTarget]
        /// With `inputs.support`: the dates of the support that counts as given since the last wave.
        package var supportWindow: ClosedRange<Day>?

        package init(_ c: PipelineConfig) {
            wave = c.wave
            prefectureCode = c.prefectureCode
            hasRoadmap = c.roadmap != nil
            hasContext = c.context != nil
            targets = c.roadmapSettings.targets
            supportWindow = c.support != nil ? c.roadmapSettings.supportWindow(wave: c.wave) : nil
        }

        /// The prefecture's own code with check digit.
        var prefectureMunicipalityCode: MunicipalityCode { prefectureCode.municipalityCode }
    }

    package static let name = StageName.roadmap

    /// The cleaned roadmap inputs, the master, the published indicators and the peers (for the カルテ's
    /// comparisons); the previous wave comes from the history store (fingerprinted as a parameter).
    package static let reads: [RunFileDescriptor] = [
        RunFiles.roadmapItems, RunFiles.selfAssessments, RunFiles.context, RunFiles.master, RunFiles.indicators,
        RunFiles.groups, RunFiles.neighbours, RunFiles.support,
    ]

    package static func run(_ ctx: StageContext, _ c: Settings) throws -> StageResult {
        try RunLayout.makeDirectory(ctx.layout.roadmap)
        guard c.hasRoadmap || c.hasContext else {
            ctx.logger.info("no roadmap or context figures in the pipeline file: nothing to do")
            return StageResult()
        }
        let master = try RunFiles.master.read(ctx)
        let context = try RunFiles.context.readIfPresent(ctx)
        let peers = PeerSets(groups: try RunFiles.groups.read(ctx), neighbours: try RunFiles.neighbours.read(ctx))
        var counts: [String: Int] = [:]
        if c.hasContext {
            let karte = Karte.rows(
                context: context, master: master, prefectureCode: c.prefectureMunicipalityCode, peers: peers)
            try RunFiles.karte.write(karte, in: ctx.layout)
            counts["context_figures"] = karte.count
        }
        guard c.hasRoadmap else { return StageResult(counts: counts) }
        let items = try RunFiles.roadmapItems.read(ctx)
        let answers = try RunFiles.selfAssessments.readIfPresent(ctx)
        let figures = RoadmapEvaluation.Figures(published: try RunFiles.indicators.read(ctx), context: context)
        let results = RoadmapEvaluation.items(
            items, answers: answers, municipalities: master.map(\.code), figures: figures)
        let stages = RoadmapEvaluation.stages(results, items: items)
        let answered = RoadmapEvaluation.answered(results)
        let overview = try RoadmapEvaluation.overview(
            stages, items: items, municipalities: master.count, answered: answered,
            targets: c.targets)
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
        if let window = c.supportWindow {
            let outcomes = RoadmapEvaluation.supportOutcomes(
                stages, previous: previous, answered: answered, records: try RunFiles.support.read(ctx), window: window,
                areas: RoadmapItem.areas(items))
            try RunFiles.supportOutcomes.write(outcomes, in: ctx.layout)
            counts["supported"] = outcomes.filter(\.supported).reduce(0) { $0 + $1.municipalities }
        }
        let pairings = RoadmapEvaluation.pairings(stages, master: master, peers: peers)
        try RunFiles.roadmapPairings.write(pairings, in: ctx.layout)
        counts["pairings"] = pairings.count
        let unanswered = master.count - answered.count
        ctx.logger.info(
            "\(items.count) items, \(master.count) municipalities: \(answered.count) answered, \(unanswered) 未回答")
        counts["items"] = items.count
        counts["answered"] = answered.count
        counts["unanswered"] = unanswered
        return StageResult(counts: counts)
    }
}
