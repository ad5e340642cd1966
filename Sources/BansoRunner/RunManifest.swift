import BansoCore
import Foundation

/// What a stage did in a run (recorded in `run.json`).
public struct StageRecord: Codable, Sendable, Equatable {
    public var name: StageName
    public var status: StageStatus
    public var reason: String
    public var durationSeconds: Double
    public var counts: [String: Int]
    /// SHA-256 over version, parameters and input file hashes.
    public var fingerprint: String
    public var parameters: [String: String]
    public var inputs: [String: String]
    public var outputs: [String: String]

    public init(
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
public struct InputRecord: Codable, Sendable, Equatable {
    public var path: String
    public var kind: InputKind
    public var bytes: Int
    public var sha256: String
}

/// `run.json`: the run manifest (the only data file with timestamps).
public struct RunManifest: Codable, Sendable {
    public var programVersion: String
    public var pipeline: String
    public var pipelineFile: String
    public var pipelineSHA256: String
    public var runID: String
    public var wave: String
    public var startedAt: String
    public var finishedAt: String
    public var inputs: [InputRecord]
    public var stages: [StageRecord]
    enum CodingKeys: String, CodingKey {
        case pipeline, wave, inputs, stages
        case programVersion = "program_version", pipelineFile = "pipeline_file", pipelineSHA256 = "pipeline_sha256"
        case runID = "run_id", startedAt = "started_at", finishedAt = "finished_at"
    }

    /// `run.json` in a run folder.
    public static func read(run: String) throws -> RunManifest {
        try JSONFile.read(RunManifest.self, from: run + "/run.json")
    }
}

/// How to run: which stages, forced or not.
public struct RunOptions: Sendable {
    public var only: StageName?
    public var from: StageName?
    public var force = false
    public var dryRun = false
    public var wait = false
    public init(
        only: StageName? = nil, from: StageName? = nil, force: Bool = false, dryRun: Bool = false, wait: Bool = false
    ) {
        self.only = only
        self.from = from
        self.force = force
        self.dryRun = dryRun
        self.wait = wait
    }
}
