import Foundation
import SystemPackage

/// What a stage reads from the pipeline file: exactly that, and nothing else.
///
/// A stage receives its settings, never the whole `PipelineConfig`, so the runner's fingerprint
/// (the canonical encoding of the settings) covers everything the stage can read: a key that
/// changes what a stage writes changes its fingerprint, and a cached run equals a forced one.
/// Where things are on disk (the input folder, the run folder, the history store) is not a
/// setting: it travels in the `StageContext`, so moving a checkout re-runs nothing.
package protocol StageSettings: Codable, Equatable, Sendable {
    /// Takes from a validated pipeline file what the stage reads.
    init(_ config: PipelineConfig)
}

extension StageSettings {
    /// The settings as top-level name → canonical JSON (sorted keys), for the fingerprint and
    /// `run.json`; a change is then reported by the names that changed.
    package func parameters() -> [String: String] {
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
package struct InputPath: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Relative to the input folder, or absolute.
    package var path: String

    package init(_ absolute: String, in config: PipelineConfig) { path = config.displayPath(absolute) }

    /// The file on disk, for a stage running with `ctx.inputFolder`.
    package func absolute(in inputFolder: FilePath) -> FilePath { inputFolder.pushing(FilePath(path)) }

    package var description: String { path }

    package init(from decoder: Decoder) throws { path = try decoder.singleValueContainer().decode(String.self) }

    package func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(path)
    }
}

/// A stage of the pipeline, as the runner sees it: its settings, what it reads, how it runs.
package protocol PipelineStage {
    /// What the stage reads from the pipeline file.
    associatedtype Settings: StageSettings
    static var name: StageName { get }
    /// Run-folder files this stage reads: the same descriptors its code reads through (a read of
    /// anything else fails), hashed for the up-to-date decision.
    static var reads: [RunFileDescriptor] { get }
    /// Digests of what the stage reads from outside the run folder and the pipeline file
    /// (templates, boundaries, the browser's version), by name.
    static func externalInputs(_ settings: Settings, inputFolder: FilePath) -> [String: String]
    static func run(_ ctx: StageContext, _ settings: Settings) throws -> StageResult
}

extension PipelineStage {
    package static func externalInputs(_ settings: Settings, inputFolder: FilePath) -> [String: String] { [:] }
}

/// A survey wave's name: a year, optionally with a suffix (`2025`, `2025-autumn`).
///
/// Waves are ordered as text, so starting with the four-digit year makes text order the order of
/// the waves; `2024年度`, `R6` or `2024 ` are refused rather than sorted where they do not belong.
package struct Wave: ValidatedText, Comparable, CSVCellValue {
    /// The name as written (`2025`).
    package let text: String

    /// Validates a name; nil for anything that is not a wave's.
    package init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let year = parts.first, year.count == 4, year.allSatisfy({ $0.isASCII && $0.isNumber }),
            parts.dropFirst().allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
            )
        else { return nil }
        self.text = text
    }

    /// The year it starts with (`2025-autumn` → 2025).
    package var year: Int { Int(text.prefix(4))! }

    package static func < (a: Wave, b: Wave) -> Bool { a.text < b.text }

    /// What a wrong name gets told.
    package static let expected =
        "a survey wave: a four-digit year, optionally with a suffix (\"2025\", \"2025-autumn\")"

}
