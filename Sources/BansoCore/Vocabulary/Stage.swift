import Foundation
import Logging
import SystemPackage

/// The stages, in the order the runner runs them (feedback needs the peer groups; the roadmap
/// evaluates the published indicators and compares peers).
package enum StageName: String, CaseIterable, Sendable, Codable, Comparable {
    case ingest, clean, aggregate, peers, roadmap, feedback, packets

    package static func < (a: StageName, b: StageName) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The folders (relative to the run folder) the stage owns.
    package var outputs: [String] {
        switch self {
        case .ingest: return ["ingest"]
        case .clean: return ["clean"]
        case .aggregate: return ["internal", "aggregate"]
        case .peers: return ["peers"]
        case .roadmap: return ["roadmap"]
        case .feedback: return ["feedback"]
        case .packets: return ["packets"]
        }
    }
}

/// What a stage did in a run (recorded in `run.json`).
package enum StageStatus: String, Codable, Sendable {
    /// The stage ran and wrote its outputs.
    case ran
    /// Its outputs were carried over from the latest run (up to date, or not selected).
    case skipped
}

/// What a stage gets to work with.
///
/// Where things are, not what the stage is asked to do: that is its `StageSettings`, passed
/// beside the context, so that the fingerprint covers everything a stage reads.
package struct StageContext: Sendable {
    /// The folder relative input paths start from (`InputPath.absolute(in:)`).
    package var inputFolder: FilePath
    /// The run folder the stage reads upstream outputs from and writes its own into.
    package var layout: RunLayout
    /// The history store (outside run folders: it accumulates waves).
    package var historyPath: FilePath
    /// A content id of this run's inputs and parameters (packets carry it; no clock involved).
    package var runID: String
    /// Log lines, with the stage in the metadata.
    package var logger: Logger
    /// Progress: called with a count of rows (or municipalities) just done; thread-safe.
    package var progress: @Sendable (Int) -> Void = { _ in }
    /// SHA-256 of input files the caller has already hashed (absolute path → digest), so that
    /// ingest does not read them a second time.
    package var inputDigests: [FilePath: String] = [:]
    /// SHA-256 of the run-folder files the stage reads, as the runner fingerprinted them
    /// (`clean/frame.csv` → digest): two stages of one run that see the same digests read the
    /// same bytes.
    package var runFileDigests: [String: String] = [:]
    /// The run-folder files the stage declared it reads: every typed read checks it.
    package var reads: [RunFileID]

    package init(
        inputFolder: FilePath, layout: RunLayout, historyPath: FilePath, runID: String, logger: Logger,
        reads: [RunFileDescriptor]
    ) {
        self.inputFolder = inputFolder
        self.layout = layout
        self.historyPath = historyPath
        self.runID = runID
        self.logger = logger
        self.reads = reads.map(\.id)
    }

    /// Throws when the stage reads a file it did not declare: the runner would not notice it changing.
    package func checkDeclared(_ file: RunFileDescriptor) throws {
        let path = file.id.path
        guard reads.contains(where: { $0.path == path || path.hasPrefix($0.path + "/") }) else {
            throw StageFailure(
                .internal,
                "\(path) is read without being declared in the stage's reads (a bug: the runner would not re-run "
                    + "the stage when it changes)")
        }
    }
}

/// Counts a stage reports to the run manifest.
package struct StageResult: Codable, Sendable, Equatable {
    package var counts: [String: Int]
    package init(counts: [String: Int] = [:]) { self.counts = counts }
}
