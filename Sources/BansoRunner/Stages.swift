import BansoAggregate
import BansoClean
import BansoCore
import BansoFeedback
import BansoIngest
import BansoPackets
import BansoPeers
import BansoRoadmap
import SystemPackage

/// What the runner needs to know of each stage: what it reads, its settings, how to run it.
///
/// Made from a `PipelineStage`: the settings are taken from the pipeline file once, and the
/// same value is both fingerprinted and handed to the stage, so nothing the stage reads escapes
/// the fingerprint.
package struct StageDefinition: Sendable {
    package var name: StageName
    /// Run-folder files this stage reads (hashed for the up-to-date decision).
    ///
    /// Files rather than whole folders, so that a change re-runs only the stages that read it.
    package var reads: [RunFileDescriptor]
    /// The stage's settings (by top-level name) and its external inputs (`external.` names).
    package var parameters: @Sendable (PipelineConfig) -> [String: String]
    package var run: @Sendable (StageContext, PipelineConfig) throws -> StageResult

    init<S: PipelineStage>(_ stage: S.Type) {
        name = S.name
        reads = S.reads
        parameters = { config in
            let settings = S.Settings(config)
            var p = settings.parameters()
            for (k, v) in S.externalInputs(settings, inputFolder: FilePath(config.inputBase)) { p["external." + k] = v }
            return p
        }
        run = { ctx, config in try S.run(ctx, S.Settings(config)) }
    }

    /// Every stage, in run order.
    package static let all: [StageDefinition] = [
        StageDefinition(IngestStage.self), StageDefinition(CleanStage.self), StageDefinition(AggregateStage.self),
        StageDefinition(PeersStage.self), StageDefinition(RoadmapStep.self), StageDefinition(FeedbackStage.self),
        StageDefinition(PacketsStage.self),
    ]
}
