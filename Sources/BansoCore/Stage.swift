import Foundation

/// The stages, in the order the runner runs them (feedback needs the peer groups).
public enum StageName: String, CaseIterable, Sendable, Codable, Comparable {
    case ingest, clean, aggregate, peers, feedback, packets

    public static func < (a: StageName, b: StageName) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The folders (relative to the run folder) the stage owns.
    public var outputs: [String] {
        switch self {
        case .ingest: return ["ingest"]
        case .clean: return ["clean"]
        case .aggregate: return ["internal", "aggregate"]
        case .peers: return ["peers"]
        case .feedback: return ["feedback"]
        case .packets: return ["packets"]
        }
    }
}

/// What a stage gets to work with.
public struct StageContext: Sendable {
    public var config: PipelineConfig
    /// The run folder the stage reads upstream outputs from and writes its own into.
    public var layout: RunLayout
    /// The history store (outside run folders: it accumulates waves).
    public var historyPath: String
    /// A content id of this run's inputs and parameters (packets carry it; no clock involved).
    public var runID: String
    /// Progress and log lines.
    public var log: @Sendable (String) -> Void
    /// Progress: called with a count of rows (or municipalities) just done; thread-safe.
    public var progress: @Sendable (Int) -> Void = { _ in }
    /// SHA-256 of input files the caller has already hashed (absolute path → digest), so that
    /// ingest does not read them a second time.
    public var inputDigests: [String: String] = [:]

    public init(config: PipelineConfig, layout: RunLayout, historyPath: String, runID: String,
                log: @escaping @Sendable (String) -> Void) {
        self.config = config
        self.layout = layout
        self.historyPath = historyPath
        self.runID = runID
        self.log = log
    }
}

/// Counts a stage reports to the run manifest.
public struct StageResult: Codable, Sendable, Equatable {
    public var counts: [String: Int]
    public init(counts: [String: Int] = [:]) { self.counts = counts }
}
