import BansoCore
import Foundation
import Logging
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The output folder of a pipeline: finished runs, the staging folder of a run in progress,
/// and `latest`, switched with one rename(2).
///
///     <output>/latest            symlink to the last run that finished
///     <output>/runs/<time>-<id>  finished runs, the newest `runs.keep` kept
///     <output>/runs/.staging-*   a run in progress (removed by the next run if it died)
///     <output>/runs/.pruned-*    runs past `runs.keep`, deleted by the next run as it works
///     <output>/runs/.published   the runs in the order they were published, one name a line
struct OutputFolder {
    let path: FilePath
    let keep: Int

    var latestPath: FilePath { path.appending("latest") }
    var runsPath: FilePath { path.appending("runs") }

    /// Creates the output folder, or says plainly why it cannot be used (a file in the way,
    /// no permission to create or write it).
    func prepare() throws {
        var st = stat()
        if path.withPlatformString({ stat($0, &st) }) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else {
                throw StageFailure(
                    .configuration, "the output \(path) is a file, not a folder; name a folder (output or --output)")
            }
        } else {
            var parent = path.removingLastComponent()
            while !parent.components.isEmpty && !FileManager.default.fileExists(atPath: parent.string) {
                parent = parent.removingLastComponent()
            }
            var parentStat = stat()
            if !parent.isEmpty && parent.withPlatformString({ stat($0, &parentStat) }) == 0
                && parentStat.st_mode & S_IFMT != S_IFDIR
            {
                throw StageFailure(
                    .configuration,
                    "the output \(path) is below \(parent), which is a file, not a folder; name a folder (output or --output)"
                )
            }
            if !parent.isEmpty && parent.withPlatformString({ access($0, W_OK) }) != 0 {
                throw StageFailure(
                    .internal, "cannot create the output folder \(path): \(parent) is not writable (permissions)")
            }
            do {
                try RunLayout.makeDirectory(path)
            } catch {
                throw StageFailure(.internal, "cannot create the output folder \(path): \(error.localizedDescription)")
            }
        }
        guard path.withPlatformString({ access($0, W_OK) }) == 0 else {
            throw StageFailure(.internal, "the output folder \(path) is not writable (permissions)")
        }
    }

    /// The finished run `latest` points at, if any.
    func latestRun() -> FilePath? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: latestPath.string) else {
            return nil
        }
        let full = path.pushing(FilePath(target))
        return FileManager.default.fileExists(atPath: full.appending("run.json").string) ? full : nil
    }

    func latestManifest() -> RunManifest? { latestRun().flatMap { try? RunManifest.read(run: $0) } }

    /// A new staging folder for a run starting now.
    func makeStaging(stamp: String) throws -> FilePath {
        try RunLayout.makeDirectory(runsPath)
        let staging = runsPath.appending(".staging-\(stamp)-\(getpid())")
        try RunLayout.makeDirectory(staging, permissions: 0o750)
        return staging
    }

    /// Hard-links a stage's outputs from the latest run into the staging folder (files are never
    /// changed in place, so sharing them is safe).
    func carryOver(_ stage: StageName, from run: FilePath, to staging: FilePath) throws {
        let fm = FileManager.default
        for folder in stage.outputs {
            let src = run.appending(folder)
            guard fm.fileExists(atPath: src.string) else {
                throw StageFailure(
                    .data, "the latest run has no \(folder)/ to carry over; run the stage that writes it")
            }
            try linkTree(src, staging.appending(folder))
        }
    }

    func linkTree(_ src: FilePath, _ dst: FilePath) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        _ = fm.fileExists(atPath: src.string, isDirectory: &isDir)
        if isDir.boolValue {
            let attrs = try fm.attributesOfItem(atPath: src.string)
            try fm.createDirectory(
                atPath: dst.string, withIntermediateDirectories: true,
                attributes: [.posixPermissions: attrs[.posixPermissions] ?? 0o755])
            for name in try fm.contentsOfDirectory(atPath: src.string).sorted() {
                try linkTree(src.appending(name), dst.appending(name))
            }
        } else if src.withPlatformString({ from in dst.withPlatformString { link(from, $0) } }) != 0 {
            try fm.copyItem(atPath: src.string, toPath: dst.string)
        }
    }

    /// Renames the staging folder into `runs/` and switches `latest` with one rename(2); returns
    /// the published run folder.
    @discardableResult
    func publish(staging: FilePath, name: String) throws -> FilePath {
        // Two runs in the same second with the same inputs would share a name: number them.
        var published = name
        var n = 2
        while FileManager.default.fileExists(atPath: runsPath.appending(published).string) {
            published = name + "-\(n)"
            n += 1
        }
        let final = runsPath.appending(published)
        guard Self.rename(staging, final) else {
            throw StageFailure(.internal, "cannot publish \(final): \(Errno.last.words)")
        }
        let tmp = path.appending(".latest-\(getpid())")
        _ = tmp.withPlatformString { unlink($0) }
        guard tmp.withPlatformString({ symlink("runs/" + published, $0) }) == 0, Self.rename(tmp, latestPath) else {
            throw StageFailure(.internal, "cannot switch \(latestPath): \(Errno.last.words)")
        }
        if let folder = try? FileDescriptor.open(path, .readOnly) {
            _ = fsync(folder.rawValue)
            try? folder.close()
        }
        recordPublication(published)
        return final
    }

    /// The log of publications: a run's folder name says when its clock thought it started,
    /// which a clock set ahead makes wrong; the order of publication is what `diff --previous`
    /// and pruning need.
    var publicationLog: FilePath { runsPath.appending(".published") }

    func recordPublication(_ name: String) {
        guard
            let log = try? FileDescriptor.open(
                publicationLog, .writeOnly, options: [.create, .append, .closeOnExec],
                permissions: [.ownerReadWrite, .groupRead, .otherRead])
        else { return }
        _ = try? log.writeAll((name + "\n").utf8)
        _ = fsync(log.rawValue)
        try? log.close()
    }

    /// rename(2): true when it worked (errno says why not).
    static func rename(_ from: FilePath, _ to: FilePath) -> Bool {
        from.withPlatformString { a in to.withPlatformString { Glibc.rename(a, $0) } } == 0
    }

    /// The finished runs, oldest publication first: those published before the log existed by
    /// name, then the logged ones in the order they were published.
    func publicationOrder() -> [String] {
        let runs = Set(
            ((try? FileManager.default.contentsOfDirectory(atPath: runsPath.string)) ?? []).filter {
                !$0.hasPrefix(".")
            })
        let text = (try? String(contentsOfFile: publicationLog.string, encoding: .utf8)) ?? ""
        var logged: [String] = []
        var seen: Set<String> = []
        for line in text.split(separator: "\n").map(String.init).reversed() where runs.contains(line) {
            if seen.insert(line).inserted { logged.append(line) }
        }
        logged.reverse()
        return runs.subtracting(logged).sorted() + logged
    }

    /// The run published before the one `latest` points at (which may have been set back by hand).
    func runBeforeLatest() -> FilePath? {
        guard let current = latestRun()?.lastComponent?.string else { return nil }
        let order = publicationOrder()
        guard let i = order.firstIndex(of: current), i > 0 else { return nil }
        return runsPath.appending(order[i - 1])
    }

    /// Removes what a killed run left (the caller holds the lock, so nothing else is running).
    func removeStaleStaging(logger: Logger) throws {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: runsPath.string)) ?? [] where name.hasPrefix(".staging-") {
            logger.info("removing the unfinished run \(name) left by an earlier, interrupted run")
            try fm.removeItem(atPath: runsPath.appending(name).string)
        }
        for name in (try? fm.contentsOfDirectory(atPath: path.string)) ?? [] where name.hasPrefix(".latest-") {
            _ = path.appending(name).withPlatformString { unlink($0) }
        }
    }

    /// Keeps the newest `keep` finished runs (and always the one `latest` points at).
    ///
    /// Each older run is renamed to `runs/.pruned-<name>`: out of view at once, one rename(2)
    /// each. Deleting its files takes longer (half a second for a big prefecture's 180 MB and
    /// 2,000 files, mostly waiting for the file system), so the next run deletes it in the
    /// background while its first stages work (`sweepPruned`).
    func prune() {
        let fm = FileManager.default
        let current = latestRun()?.lastComponent?.string
        for name in publicationOrder().dropLast(keep) where name != current {
            if !Self.rename(runsPath.appending(name), runsPath.appending(Self.prunedPrefix + name)) {
                try? fm.removeItem(atPath: runsPath.appending(name).string)
            }
        }
    }

    /// What `prune` puts before the name of a run it set aside.
    static let prunedPrefix = ".pruned-"

    /// Starts deleting the runs an earlier `prune` set aside, on another thread; the caller holds
    /// the lock and waits for it before releasing the lock.
    func sweepPruned() -> PrunedSweep {
        let sweep = PrunedSweep()
        let runs = runsPath
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: runs.string)) ?? []).filter {
            $0.hasPrefix(Self.prunedPrefix)
        }
        guard !names.isEmpty else { return sweep }
        DispatchQueue.global(qos: .utility).async(group: sweep.group) {
            for name in names.sorted() { try? FileManager.default.removeItem(atPath: runs.appending(name).string) }
        }
        return sweep
    }
}

/// The deletion of pruned runs in progress.
final class PrunedSweep: Sendable {
    let group = DispatchGroup()

    /// Blocks until every set-aside run is deleted.
    func wait() { group.wait() }
}
