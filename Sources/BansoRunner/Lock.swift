import BansoCore
import Foundation
import Logging
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The pipeline's lock: one run per output folder, released by the kernel if the process dies.
final class PipelineLock {
    private var fd: Int32 = -1

    deinit { if fd >= 0 { close(fd) } }

    /// Takes `<output>/.lock`; waits for it with `wait`, else fails with exit status 3.
    func acquire(output: FilePath, pipeline: String, wait: Bool, logger: Logger) throws {
        try RunLayout.makeDirectory(output)
        let path = output.appending(".lock")
        let fd: Int32
        do {
            fd = try FileDescriptor.open(
                path, .readWrite, options: [.create, .closeOnExec],
                permissions: [.ownerReadWrite, .groupRead, .otherRead]
            ).rawValue
        } catch let errno as Errno {
            throw StageFailure(.internal, "cannot create the lock file \(path): \(errno.words)")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder =
                (try? String(contentsOfFile: path.string, encoding: .utf8))?.trimmingCharacters(
                    in: .whitespacesAndNewlines)
                ?? ""
            guard wait else {
                close(fd)
                throw StageFailure(
                    .lockHeld,
                    "another run of pipeline '\(pipeline)' is in progress (\(holder.isEmpty ? "lock \(path)" : holder)); "
                        + "try again later or use --wait")
            }
            logger.info("waiting for the lock held by \(holder) …")
            guard flock(fd, LOCK_EX) == 0 else {
                close(fd)
                throw StageFailure(.internal, "cannot lock \(path)")
            }
        }
        ftruncate(fd, 0)
        let note = "pid \(getpid()) since \(Timestamps.iso8601())\n"
        _ = note.withCString { write(fd, $0, strlen($0)) }
        self.fd = fd
    }
}
