import Foundation

/// What a stage reads from the pipeline file: exactly that, and nothing else.
///
/// A stage receives its settings, never the whole `PipelineConfig`, so the runner's fingerprint
/// (the canonical encoding of the settings) covers everything the stage can read: a key that
/// changes what a stage writes changes its fingerprint, and a cached run equals a forced one.
/// Where things are on disk (the input folder, the run folder, the history store) is not a
/// setting: it travels in the `StageContext`, so moving a checkout re-runs nothing.
public protocol StageSettings: Codable, Equatable, Sendable {
    /// Takes from a validated pipeline file what the stage reads.
    init(_ config: PipelineConfig)
}

extension StageSettings {
    /// The settings as top-level name → canonical JSON (sorted keys), for the fingerprint and
    /// `run.json`; a change is then reported by the names that changed.
    public func parameters() -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Settings are plain values (strings, numbers, arrays, keyed tables): encoding cannot fail.
        guard let data = try? encoder.encode(self),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { preconditionFailure("stage settings \(Self.self) do not encode as a JSON object") }
        var out: [String: String] = [:]
        for (key, value) in object {
            let bytes = try? JSONSerialization.data(
                withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
            out[key] = bytes.map { String(decoding: $0, as: UTF8.self) } ?? "null"
        }
        return out
    }
}

/// A path in the pipeline file as the fingerprint sees it: relative to the input folder when
/// inside it (so a moved checkout changes nothing), absolute otherwise.
public struct InputPath: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Relative to the input folder, or absolute.
    public var path: String

    public init(_ absolute: String, in config: PipelineConfig) { path = config.displayPath(absolute) }

    /// The file on disk, for a stage running with `ctx.inputFolder`.
    public func absolute(in inputFolder: String) -> String {
        path.hasPrefix("/") ? path : (inputFolder.hasSuffix("/") ? inputFolder : inputFolder + "/") + path
    }

    public var description: String { path }

    public init(from decoder: Decoder) throws { path = try decoder.singleValueContainer().decode(String.self) }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(path)
    }
}

/// A stage of the pipeline, as the runner sees it: its settings, what it reads, how it runs.
public protocol PipelineStage {
    /// What the stage reads from the pipeline file.
    associatedtype Settings: StageSettings
    static var name: StageName { get }
    /// Run-folder files this stage reads: the same descriptors its code reads through (a read of
    /// anything else fails), hashed for the up-to-date decision.
    static var reads: [RunFileDescriptor] { get }
    /// Digests of what the stage reads from outside the run folder and the pipeline file
    /// (templates, boundaries, the browser's version), by name.
    static func externalInputs(_ settings: Settings, inputFolder: String) -> [String: String]
    static func run(_ ctx: StageContext, _ settings: Settings) throws -> StageResult
}

extension PipelineStage {
    public static func externalInputs(_ settings: Settings, inputFolder: String) -> [String: String] { [:] }
}
