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
    /// Run-folder files (or folders) this stage reads, hashed for the up-to-date decision. Listing
    /// files rather than whole folders keeps a change from re-running stages that never read it.
    public var reads: [String]
    public var parameters: @Sendable (PipelineConfig) -> [String: String]
    public var run: @Sendable (StageContext) throws -> StageResult

    /// Every stage, in run order.
    public static let all: [StageDefinition] = [
        StageDefinition(name: .ingest, reads: [], parameters: IngestStage.parameters, run: IngestStage.run),
        StageDefinition(name: .clean, reads: ["ingest"], parameters: CleanStage.parameters, run: CleanStage.run),
        StageDefinition(name: .aggregate, reads: ["clean/establishments.csv", "clean/workers.csv", "clean/master.csv", "clean/frame.csv"], parameters: AggregateStage.parameters, run: AggregateStage.run),
        StageDefinition(name: .peers, reads: ["clean/master.csv", "clean/model_projects.csv", "aggregate/indicators.csv"], parameters: PeersStage.parameters, run: PeersStage.run),
        StageDefinition(name: .feedback, reads: ["aggregate/indicators.csv", "internal/previous_wave.csv", "peers/groups.csv"], parameters: FeedbackStage.parameters, run: FeedbackStage.run),
        StageDefinition(name: .packets, reads: ["clean/master.csv", "clean/quality.csv", "feedback/summary.csv", "peers/groups.csv",
                                                 "peers/neighbours.csv", "peers/suggestions.csv"], parameters: PacketsStage.parameters, run: PacketsStage.run),
    ]

    public static func named(_ n: StageName) -> StageDefinition { all.first { $0.name == n }! }
}
