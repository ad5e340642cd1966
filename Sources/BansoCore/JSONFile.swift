import BansoCSV
import Foundation
import SystemPackage

/// Deterministic JSON: sorted keys, pretty-printed, newline-terminated.
package enum JSONFile {
    package static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [0x0A]
    }

    package static func write<T: Encodable>(
        _ value: T, to path: FilePath, permissions: mode_t = 0o644, staging: StagingWrites? = nil
    ) throws {
        try AtomicFile.write(try encode(value), to: path, permissions: permissions, staging: staging)
    }

    package static func read<T: Decodable>(_ type: T.Type, from path: FilePath) throws -> T {
        guard let data = FileManager.default.contents(atPath: path.string) else {
            throw StageFailure(.data, "cannot read \(path); run the stage that writes it first")
        }
        return try JSONDecoder().decode(type, from: data)
    }
}
