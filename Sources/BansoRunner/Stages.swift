import BansoAggregate
import BansoClean
import BansoCore
import BansoFeedback
import BansoIngest
import BansoPackets
import BansoPeers
import BansoRoadmap
import Foundation

/// What the runner needs to know of each stage: what it reads, its parameters, how to run it.
public struct StageDefinition: Sendable {
    public var name: StageName
    /// Run-folder files this stage reads: the same descriptors its code reads through (a read of anything else fails),
    /// hashed for the up-to-date decision.
    ///
    /// Files rather than whole folders, so that a change re-runs only the stages that read it.
    public var reads: [RunFileDescriptor]
    public var parameters: @Sendable (PipelineConfig) -> [String: String]
    public var run: @Sendable (StageContext) throws -> StageResult

    /// Every stage, in run order.
    public static let all: [StageDefinition] = [
        StageDefinition(name: .ingest, reads: [], parameters: IngestStage.parameters, run: IngestStage.run),
        StageDefinition(name: .clean, reads: CleanStage.reads, parameters: CleanStage.parameters, run: CleanStage.run),
        StageDefinition(
            name: .aggregate, reads: AggregateStage.reads, parameters: AggregateStage.parameters,
            run: AggregateStage.run),
        StageDefinition(name: .peers, reads: PeersStage.reads, parameters: PeersStage.parameters, run: PeersStage.run),
        StageDefinition(
            name: .roadmap, reads: RoadmapStep.reads, parameters: RoadmapStep.parameters, run: RoadmapStep.run),
        StageDefinition(
            name: .feedback, reads: FeedbackStage.reads, parameters: FeedbackStage.parameters, run: FeedbackStage.run),
        StageDefinition(
            name: .packets, reads: PacketsStage.reads, parameters: PacketsStage.parameters, run: PacketsStage.run),
    ]
}
