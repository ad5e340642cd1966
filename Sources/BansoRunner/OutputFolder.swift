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
    let path: String
    let keep: Int

    var latestPath: String { path + "/latest" }
    var runsPath: String { path + "/runs" }

    /// Creates the output folder, or says plainly why it cannot be used (a file in the way,
    /// no permission to create or write it).
    func prepare() throws {
        var st = stat()
        if stat(path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else {
                throw StageFailure(
                    .configuration, "the output \(path) is a file, not a folder; name a folder (output or --output)")
            }
        } else {
            var parent = (path as NSString).deletingLastPathComponent
            while !parent.isEmpty && parent != "/" && !FileManager.default.fileExists(atPath: parent) {
                parent = (parent as NSString).deletingLastPathComponent
            }
            var parentStat = stat()
            if !parent.isEmpty && stat(parent, &parentStat) == 0 && parentStat.st_mode & S_IFMT != S_IFDIR {
                throw StageFailure(
                    .configuration,
                    "the output \(path) is below \(parent), which is a file, not a folder; name a folder (output or --output)"
                )
            }
            if !parent.isEmpty && access(parent, W_OK) != 0 {
                throw StageFailure(
                    .internal, "cannot create the output folder \(path): \(parent) is not writable (permissions)")
            }
            do {
                try RunLayout.makeDirectory(path)
            } catch {
                throw StageFailure(.internal, "cannot create the output folder \(path): \(error.localizedDescription)")
            }
        }
        guard access(path, W_OK) == 0 else {
            throw StageFailure(.internal, "the output folder \(path) is not writable (permissions)")
        }
    }

    /// The finished run `latest` points at, if any.
    func latestRun() -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: latestPath) else { return nil }
        let full = target.hasPrefix("/") ? target : path + "/" + target
        return FileManager.default.fileExists(atPath: full + "/run.json") ? full : nil
    }

    func latestManifest() -> RunManifest? { latestRun().flatMap { try? RunManifest.read(run: $0) } }

    /// A new staging folder for a run starting now.
    func makeStaging(stamp: String) throws -> String {
        try RunLayout.makeDirectory(runsPath)
        let staging = runsPath + "/.staging-\(stamp)-\(getpid())"
        try RunLayout.makeDirectory(staging, permissions: 0o750)
        return staging
    }

    /// Hard-links a stage's outputs from the latest run into the staging folder (files are never
    /// changed in place, so sharing them is safe).
    func carryOver(_ stage: StageName, from run: String, to staging: String) throws {
        let fm = FileManager.default
        for folder in stage.outputs {
            let src = run + "/" + folder
            guard fm.fileExists(atPath: src) else {
                throw StageFailure(
                    .data, "the latest run has no \(folder)/ to carry over; run the stage that writes it")
            }
            try linkTree(src, staging + "/" + folder)
        }
    }

    func linkTree(_ src: String, _ dst: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        fm.fileExists(atPath: src, isDirectory: &isDir)
        if isDir.boolValue {
            let attrs = try fm.attributesOfItem(atPath: src)
            try fm.createDirectory(
                atPath: dst, withIntermediateDirectories: true,
                attributes: [.posixPermissions: attrs[.posixPermissions] ?? 0o755])
            for name in try fm.contentsOfDirectory(atPath: src).sorted() {
                try linkTree(src + "/" + name, dst + "/" + name)
            }
        } else if link(src, dst) != 0 {
            try fm.copyItem(atPath: src, toPath: dst)
        }
    }

    /// Renames the staging folder into `runs/` and switches `latest` with one rename(2); returns
    /// the published run folder.
    @discardableResult
    func publish(staging: String, name: String) throws -> String {
        // Two runs in the same second with the same inputs would share a name: number them.
        var final = runsPath + "/" + name
        var n = 2
        while FileManager.default.fileExists(atPath: final) {
            final = runsPath + "/" + name + "-\(n)"
            n += 1
        }
        let published = (final as NSString).lastPathComponent
        guard rename(staging, final) == 0 else {
            throw StageFailure(.internal, "cannot publish \(final): \(Errno.last.words)")
        }
        let tmp = path + "/.latest-\(getpid())"
        unlink(tmp)
        guard symlink("runs/" + published, tmp) == 0, rename(tmp, latestPath) == 0 else {
            throw StageFailure(.internal, "cannot switch \(latestPath): \(Errno.last.words)")
        }
        let dirFD = open(path, O_RDONLY)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
        recordPublication(published)
        return final
    }

    /// The log of publications: a run's folder name says when its clock thought it started,
    /// which a clock set ahead makes wrong; the order of publication is what `diff --previous`
    /// and pruning need.
    var publicationLog: String { runsPath + "/.published" }

    func recordPublication(_ name: String) {
        let fd = open(publicationLog, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { return }
        let line = Array((name + "\n").utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
    }

    /// The finished runs, oldest publication first: those published before the log existed by
    /// name, then the logged ones in the order they were published.
    func publicationOrder() -> [String] {
        let runs = Set(
            ((try? FileManager.default.contentsOfDirectory(atPath: runsPath)) ?? []).filter { !$0.hasPrefix(".") })
        let text = (try? String(contentsOfFile: publicationLog, encoding: .utf8)) ?? ""
        var logged: [String] = []
        var seen: Set<String> = []
        for line in text.split(separator: "\n").map(String.init).reversed() where runs.contains(line) {
            if seen.insert(line).inserted { logged.append(line) }
        }
        logged.reverse()
        return runs.subtracting(logged).sorted() + logged
    }

    /// The run published before the one `latest` points at (which may have been set back by hand).
    func runBeforeLatest() -> String? {
        guard let current = latestRun().map({ ($0 as NSString).lastPathComponent }) else { return nil }
        let order = publicationOrder()
        guard let i = order.firstIndex(of: current), i > 0 else { return nil }
        return runsPath + "/" + order[i - 1]
    }

    /// Removes what a killed run left (the caller holds the lock, so nothing else is running).
    func removeStaleStaging(logger: Logger) throws {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: runsPath)) ?? [] where name.hasPrefix(".staging-") {
            logger.info("removing the unfinished run \(name) left by an earlier, interrupted run")
            try fm.removeItem(atPath: runsPath + "/" + name)
        }
        for name in (try? fm.contentsOfDirectory(atPath: path)) ?? [] where name.hasPrefix(".latest-") {
            unlink(path + "/" + name)
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
        let current = latestRun().map { ($0 as NSString).lastPathComponent }
        for name in publicationOrder().dropLast(keep) where name != current {
            if rename(runsPath + "/" + name, runsPath + "/" + Self.prunedPrefix + name) != 0 {
                try? fm.removeItem(atPath: runsPath + "/" + name)
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
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? []).filter {
            $0.hasPrefix(Self.prunedPrefix)
        }
        guard !names.isEmpty else { return sweep }
        DispatchQueue.global(qos: .utility).async(group: sweep.group) {
            for name in names.sorted() { try? FileManager.default.removeItem(atPath: runs + "/" + name) }
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
