import BansoCSV
import Crypto
import Foundation

/// SHA-256 helpers; files are hashed in 1 MiB steps, never read whole.
package enum Hashing {
    /// Lower-case hex SHA-256 of a file's bytes.
    package static func sha256(file path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FileWriteError(path: path, reason: "cannot open for reading")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
        }
        return AtomicFile.hex(hasher.finalize())
    }

    /// Lower-case hex SHA-256 of bytes.
    package static func sha256<D: DataProtocol>(_ data: D) -> String { AtomicFile.hex(SHA256.hash(data: data)) }

    /// Lower-case hex SHA-256 of a string's UTF-8.
    package static func sha256(_ text: String) -> String { sha256(Array(text.utf8)) }
}
