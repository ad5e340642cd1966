import BansoCSV
import Crypto
import Foundation
import SystemPackage

/// SHA-256 helpers; files are hashed in 1 MiB steps, never read whole.
package enum Hashing {
    /// Lower-case hex SHA-256 of a file's bytes.
    package static func sha256(file path: FilePath) throws -> String {
        do {
            let file = try FileDescriptor.open(path, .readOnly, options: .closeOnExec)
            return try file.closeAfter {
                var hasher = SHA256()
                var chunk = [UInt8](repeating: 0, count: 1 << 20)
                while true {
                    let n = try chunk.withUnsafeMutableBytes { try file.read(into: $0) }
                    if n == 0 { break }
                    chunk.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<n])) }
                }
                return AtomicFile.hex(hasher.finalize())
            }
        } catch let errno as Errno {
            throw FileError(.read, path, reason: errno.words)
        }
    }

    /// Lower-case hex SHA-256 of bytes.
    package static func sha256<D: DataProtocol>(_ data: D) -> String { AtomicFile.hex(SHA256.hash(data: data)) }

    /// Lower-case hex SHA-256 of a string's UTF-8.
    package static func sha256(_ text: String) -> String { sha256(Array(text.utf8)) }
}
