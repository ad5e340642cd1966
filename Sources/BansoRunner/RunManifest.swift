import BansoCore
import Foundation
import SystemPackage

/// What a stage did in a run (recorded in `run.json`).
package struct StageRecord: Codable, Sendable, Equatable {
    package var name: StageName
    package var status: StageStatus
    package var reason: String
    package var durationSeconds: Double
    package var counts: [String: Int]
    /// SHA-256 over version, parameters and input file hashes.
    package var fingerprint: String
    package var parameters: [String: String]
    package var inputs: [String: String]
    package var outputs: [String: String]

    package init(
        name: StageName, status: StageStatus, reason: String, durationSeconds: Double, counts: [String: Int],
        fingerprint: String, parameters: [String: String], inputs: [String: String], outputs: [String: String]
    ) {
        self.name = name
        self.status = status
        self.reason = reason
        self.durationSeconds = durationSeconds
        self.counts = counts
        self.fingerprint = fingerprint
        self.parameters = parameters
        self.inputs = inputs
        self.outputs = outputs
    }

    enum CodingKeys: String, CodingKey {
        case name, status, reason, counts, fingerprint, parameters, inputs, outputs
        case durationSeconds = "duration_seconds"
    }
}

/// One input file of a run.
package struct InputRecord: Codable, Sendable, Equatable {
    package var path: String
    package var kind: InputKind
    package var bytes: Int
    package var sha256: String
}

/// `run.json`: the run manifest (the only data file with timestamps).
package struct RunManifest: Codable, Sendable {
    package var programVersion: String
    package var pipeline: String
    package var pipelineFile: String
    package var pipelineSHA256: String
    package var runID: String
    package var wave: Wave
    package var startedAt: String
    package var finishedAt: String
    package var inputs: [InputRecord]
    package var stages: [StageRecord]
    enum CodingKeys: String, CodingKey {
        case pipeline, wave, inputs, stages
        case programVersion = "program_version", pipelineFile = "pipeline_file", pipelineSHA256 = "pipeline_sha256"
        case runID = "run_id", startedAt = "started_at", finishedAt = "finished_at"
    }

    /// `run.json` in a run folder.
    package static func read(run: FilePath) throws -> RunManifest {
        try JSONFile.read(RunManifest.self, from: run.appending("run.json"))
    }
}

/// How to run: which stages, forced or not.
package struct RunOptions: Sendable {
    package var only: StageName?
    package var from: StageName?
    package var force = false
    package var dryRun = false
    package var wait = false
    /// With `only`: carry the later stages over even when out of date, and mark the run (`STALE.txt`).
    package var allowStale = false
    /// Write this pipeline's wave into the history store although another pipeline owns it.
    package var takeOverWave = false
    package init(
        only: StageName? = nil, from: StageName? = nil, force: Bool = false, dryRun: Bool = false, wait: Bool = false,
        allowStale: Bool = false, takeOverWave: Bool = false
    ) {
        self.only = only
        self.from = from
        self.force = force
        self.dryRun = dryRun
        self.wait = wait
        self.allowStale = allowStale
        self.takeOverWave = takeOverWave
    }
}
