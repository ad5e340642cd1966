import BansoAggregate
import BansoClean
import BansoCore
import BansoFeedback
import BansoIngest
import BansoPackets
import BansoPeers
import Foundation

/// What the runner needs to know of each stage: what it reads, its parameters, how to run it.
public struct StageDefinition: Sendable {
    public var name: StageName
    /// Run-folder folders whose files are this stage's inputs (hashed for the up-to-date decision).
    public var reads: [String]
    public var parameters: @Sendable (PipelineConfig) -> [String: String]
    public var run: @Sendable (StageContext) throws -> StageResult

    /// Every stage, in run order.
    public static let all: [StageDefinition] = [
        StageDefinition(name: .ingest, reads: [], parameters: IngestStage.parameters, run: IngestStage.run),
        StageDefinition(name: .clean, reads: ["ingest"], parameters: CleanStage.parameters, run: CleanStage.run),
        StageDefinition(name: .aggregate, reads: ["clean"], parameters: AggregateStage.parameters, run: AggregateStage.run),
        StageDefinition(name: .peers, reads: ["clean", "aggregate"], parameters: PeersStage.parameters, run: PeersStage.run),
        StageDefinition(name: .feedback, reads: ["aggregate", "internal", "peers"], parameters: FeedbackStage.parameters, run: FeedbackStage.run),
        StageDefinition(name: .packets, reads: ["clean", "feedback", "peers"], parameters: PacketsStage.parameters, run: PacketsStage.run),
    ]

    public static func named(_ n: StageName) -> StageDefinition { all.first { $0.name == n }! }
}
