import BansoAggregate
import BansoCore
import BansoIngest
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a stage did in a run (recorded in `run.json`).
public struct StageRecord: Codable, Sendable, Equatable {
    public var name: String
    /// "ran", "skipped" (up to date; outputs carried over) or "failed".
    public var status: String
    public var reason: String
    public var durationSeconds: Double
    public var counts: [String: Int]
    /// SHA-256 over version, parameters and input file hashes.
    public var fingerprint: String
    public var parameters: [String: String]
    public var inputs: [String: String]
    public var outputs: [String: String]
    enum CodingKeys: String, CodingKey {
        case name, status, reason, counts, fingerprint, parameters, inputs, outputs
        case durationSeconds = "duration_seconds"
    }
}

/// One input file of a run.
public struct InputRecord: Codable, Sendable, Equatable {
    public var path: String
    public var kind: String
    public var bytes: Int
    public var sha256: String
}

/// `run.json`: the run manifest (the only data file with timestamps).
public struct RunManifest: Codable, Sendable {
    public var programVersion: String
    public var pipeline: String
    public var pipelineFile: String
    public var pipelineSHA256: String
    public var runID: String
    public var wave: String
    public var startedAt: String
    public var finishedAt: String
    public var inputs: [InputRecord]
    public var stages: [StageRecord]
    enum CodingKeys: String, CodingKey {
        case pipeline, wave, inputs, stages
        case programVersion = "program_version", pipelineFile = "pipeline_file", pipelineSHA256 = "pipeline_sha256"
        case runID = "run_id", startedAt = "started_at", finishedAt = "finished_at"
    }
}

/// How to run: which stages, forced or not.
public struct RunOptions: Sendable {
    public var only: StageName?
    public var from: StageName?
    public var force = false
    public var dryRun = false
    public var wait = false
    public init(only: StageName? = nil, from: StageName? = nil, force: Bool = false, dryRun: Bool = false, wait: Bool = false) {
        self.only = only
        self.from = from
        self.force = force
        self.dryRun = dryRun
        self.wait = wait
    }
}

/// Runs the pipeline: staging folder, per-stage fingerprints, atomic `latest`, a lock.
///
/// Output folder layout:
///
///     <output>/latest            symlink to the last run that finished (switched by rename)
///     <output>/runs/<time>-<id>  finished runs, the newest `runs.keep` kept
///     <output>/runs/.staging-*   a run in progress (removed by the next run if it died)
///     <output>/history.sqlite    history store (0600)
///     <output>/banso.log         every run's log lines, appended
///     <output>/.lock             flock(2) lock file
public final class Runner: @unchecked Sendable {
    public let config: PipelineConfig
    let log: Log
    var lockFD: Int32 = -1

    public init(config: PipelineConfig, log: Log) {
        self.config = config
        self.log = log
    }

    deinit { if lockFD >= 0 { close(lockFD) } }

    public var output: String { config.output }
    public var latestPath: String { output + "/latest" }
    public var runsPath: String { output + "/runs" }
    public var historyPath: String { output + "/history.sqlite" }

    /// The finished run `latest` points at, if any.
    public func latestRun() -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: latestPath) else { return nil }
        let full = target.hasPrefix("/") ? target : output + "/" + target
        return FileManager.default.fileExists(atPath: full + "/run.json") ? full : nil
    }

    func latestManifest() -> RunManifest? {
        guard let run = latestRun() else { return nil }
        return try? JSONFile.read(RunManifest.self, from: run + "/run.json")
    }

    // MARK: lock

    /// Takes the pipeline's lock (released by the kernel if the process dies).
    func acquireLock(wait: Bool) throws {
        try RunLayout.makeDirectory(output)
        let path = output + "/.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StageFailure(.internal, "cannot create the lock file \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard wait else {
                close(fd)
                throw StageFailure(.lockHeld, "another run of pipeline '\(config.name)' is in progress (\(holder.isEmpty ? "lock \(path)" : holder)); try again later or use --wait")
            }
            log.info("waiting for the lock held by \(holder) …")
            guard flock(fd, LOCK_EX) == 0 else { close(fd); throw StageFailure(.internal, "cannot lock \(path)") }
        }
        ftruncate(fd, 0)
        let note = "pid \(getpid()) since \(Log.timestamp())\n"
        _ = note.withCString { write(fd, $0, strlen($0)) }
        lockFD = fd
    }

    // MARK: fingerprints

    /// Hashes of the files under the given folders of a run folder, keyed by relative path.
    func hashes(of folders: [String], in root: String) throws -> [String: String] {
        var out: [String: String] = [:]
        let fm = FileManager.default
        for folder in folders {
            let base = root + "/" + folder
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: base, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue {
                out[folder] = try Hashing.sha256(file: base)
                continue
            }
            guard let e = fm.enumerator(atPath: base) else { continue }
            var files: [String] = []
            while let rel = e.nextObject() as? String {
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: base + "/" + rel, isDirectory: &isDir), !isDir.boolValue { files.append(rel) }
            }
            let sorted = files.sorted()
            let digests = parallelMap(sorted.indices) { i in Result { try Hashing.sha256(file: base + "/" + sorted[i]) } }
            for (rel, d) in zip(sorted, digests) { out[folder + "/" + rel] = try d.get() }
        }
        return out
    }

    /// Every input file with its hash (computed once per run).
    func inputRecords() throws -> [InputRecord] {
        let inputs = IngestStage.inputs(config).map { ($0.kind.rawValue, $0.path) }
        let config = self.config
        return try parallelMap(inputs.indices) { k in
            Result {
                let (kind, path) = inputs[k]
                let attrs = try? FileManager.default.attributesOfItem(atPath: path)
                return InputRecord(path: config.displayPath(path), kind: kind,
                                   bytes: (attrs?[.size] as? NSNumber)?.intValue ?? 0, sha256: try Hashing.sha256(file: path))
            }
        }.map { try $0.get() }
    }

    /// The parameters of a stage, including what it reads from outside the run folder.
    func parameters(_ s: StageDefinition) throws -> [String: String] {
        var p = s.parameters(config)
        p["program_version"] = bansoVersion
        if s.name == .aggregate {
            // Aggregate snapshots the previous wave from the history store.
            if FileManager.default.fileExists(atPath: historyPath) {
                let h = try HistoryStore(path: historyPath)
                if let prev = try h.previousWave(before: config.wave) {
                    p["history.previous_wave"] = prev
                    p["history.previous_digest"] = Hashing.sha256(try h.rows(wave: prev).map { $0.cells(reveal: true).joined(separator: ",") }.joined(separator: "\n"))
                }
            }
        }
        return p
    }

    /// A stage's input hashes: the input files for ingest, else the files it reads in `root`.
    func inputHashes(_ s: StageDefinition, inputs: [InputRecord], in root: String) throws -> [String: String] {
        s.name == .ingest
            ? Dictionary(uniqueKeysWithValues: inputs.map { ("input:" + $0.path, $0.sha256) })
            : try hashes(of: s.reads, in: root)
    }

    static func fingerprint(parameters: [String: String], inputs: [String: String]) -> String {
        var text = ""
        for k in parameters.keys.sorted() { text += "p \(k)=\(parameters[k]!)\n" }
        for k in inputs.keys.sorted() { text += "i \(k)=\(inputs[k]!)\n" }
        return Hashing.sha256(text)
    }

    /// Why a stage must run, or nil when its recorded run still holds.
    static func staleness(previous: StageRecord?, parameters: [String: String], inputs: [String: String]) -> String? {
        guard let previous, previous.status != "failed" else { return "no earlier successful run of this stage" }
        if previous.parameters["program_version"] != parameters["program_version"] {
            return "program version changed (\(previous.parameters["program_version"] ?? "?") → \(parameters["program_version"] ?? "?"))"
        }
        let changedParams = Set(parameters.keys).union(previous.parameters.keys).filter { parameters[$0] != previous.parameters[$0] }.sorted()
        if !changedParams.isEmpty { return "parameters changed: \(changedParams.joined(separator: ", "))" }
        let changedInputs = Set(inputs.keys).union(previous.inputs.keys).filter { inputs[$0] != previous.inputs[$0] }.sorted()
        if !changedInputs.isEmpty {
            let shown = changedInputs.prefix(3).joined(separator: ", ") + (changedInputs.count > 3 ? " and \(changedInputs.count - 3) more" : "")
            return "inputs changed: \(shown)"
        }
        return nil
    }

    // MARK: run

    /// Runs the pipeline; returns the manifest of the published run (nil for a dry run).
    @discardableResult
    public func run(_ options: RunOptions) throws -> RunManifest? {
        let started = Date()
        if !options.dryRun { try acquireLock(wait: options.wait) }
        let previous = latestManifest()
        let previousRun = latestRun()
        var previousStages: [String: StageRecord] = [:]
        for s in previous?.stages ?? [] { previousStages[s.name] = s }

        if (options.only ?? options.from).map({ $0 != .ingest }) == true && previousRun == nil {
            throw StageFailure(.data, "no earlier run to start from: run the whole pipeline first (banso run \(config.file))")
        }
        let inputs = try inputRecords()
        // inputRecords() keeps IngestStage.inputs order: absolute path → digest, for ingest.
        let digests = Dictionary(zip(IngestStage.inputs(config).map(\.path), inputs.map(\.sha256)), uniquingKeysWith: { a, _ in a })
        let pipelineHash = try Hashing.sha256(file: config.file)
        var idText = "\(bansoVersion)\n"
        for i in inputs { idText += "\(i.kind) \(i.path) \(i.sha256)\n" }
        for s in StageDefinition.all { for (k, v) in s.parameters(config).sorted(by: { $0.key < $1.key }) { idText += "\(s.name) \(k)=\(v)\n" } }
        let runID = String(Hashing.sha256(idText).prefix(16))

        if options.dryRun { return try dryRun(options, previousStages: previousStages, previousRun: previousRun, inputs: inputs) }

        try RunLayout.makeDirectory(runsPath)
        try removeStaleStaging()
        let stamp = Log.compactTimestamp(started)
        let staging = runsPath + "/.staging-\(stamp)-\(getpid())"
        try RunLayout.makeDirectory(staging, permissions: 0o750)
        var keepStaging = false
        defer { if !keepStaging { try? FileManager.default.removeItem(atPath: staging) } }
        log.info("run \(runID) of '\(config.name)' (wave \(config.wave)) → \(output)")

        var records: [StageRecord] = []
        for s in StageDefinition.all {
            let params = try parameters(s)
            let inputHashes = try self.inputHashes(s, inputs: inputs, in: staging)
            let fp = Self.fingerprint(parameters: params, inputs: inputHashes)
            let prior = previousStages[s.name.rawValue]
            var reason: String
            var mustRun: Bool
            if let only = options.only {
                mustRun = s.name == only
                reason = mustRun ? "selected with --only" : "not selected (--only \(only.rawValue)); outputs carried over from the latest run"
            } else if let from = options.from, s.name >= from {
                mustRun = true
                reason = "selected with --from \(from.rawValue)"
            } else if let from = options.from, s.name < from {
                mustRun = false
                reason = "before --from \(from.rawValue); outputs carried over from the latest run"
            } else if options.force {
                mustRun = true
                reason = "forced"
            } else if let why = Self.staleness(previous: prior, parameters: params, inputs: inputHashes) {
                mustRun = true
                reason = why
            } else if previousRun == nil || !s.name.outputs.allSatisfy({ FileManager.default.fileExists(atPath: previousRun! + "/" + $0) }) {
                mustRun = true
                reason = "outputs missing from the latest run"
            } else {
                mustRun = false
                reason = "up to date"
            }
            let t0 = Date()
            var counts: [String: Int] = [:]
            if mustRun {
                log.stageStart(s.name, reason: reason)
                // Packets carry the id of the data they were made from (their own fingerprint), so that
                // identical inputs give identical packets even when something unrelated changed.
                var ctx = StageContext(config: config, layout: RunLayout(root: staging), historyPath: historyPath,
                                       runID: s.name == .packets ? String(fp.prefix(16)) : runID,
                                       log: { [log] in log.info($0) })
                let meter = log.progressMeter(for: s.name)
                ctx.progress = { meter.add($0) }
                ctx.inputDigests = digests
                defer { meter.finish() }
                do {
                    counts = try s.run(ctx).counts
                } catch {
                    let failure = (error as? StageFailure) ?? StageFailure(.internal, "\(error)")
                    log.error("stage \(s.name.rawValue) failed: \(failure.message)")
                    throw StageFailure(failure.kind, "stage \(s.name.rawValue) failed: \(failure.message)")
                }
            } else {
                guard let previousRun else { throw StageFailure(.data, "no earlier run to carry \(s.name.rawValue) over from") }
                try carryOver(s.name, from: previousRun, to: staging)
                counts = prior?.counts ?? [:]
                log.stageSkipped(s.name, reason: reason)
            }
            let duration = Date().timeIntervalSince(t0)
            // Carried-over outputs are hard links to the files already hashed in the latest run.
            let outputs = !mustRun && prior?.outputs.isEmpty == false ? prior!.outputs : try hashes(of: s.name.outputs, in: staging)
            let record = StageRecord(name: s.name.rawValue, status: mustRun ? "ran" : "skipped", reason: reason,
                                     durationSeconds: (duration * 1000).rounded() / 1000, counts: counts,
                                     fingerprint: mustRun ? fp : (prior?.fingerprint ?? fp),
                                     parameters: mustRun ? params : (prior?.parameters ?? params),
                                     inputs: mustRun ? inputHashes : (prior?.inputs ?? inputHashes), outputs: outputs)
            if mustRun { log.stageDone(s.name, seconds: duration, counts: counts) }
            records.append(record)
        }
        let manifest = RunManifest(programVersion: bansoVersion, pipeline: config.name, pipelineFile: config.file,
                                   pipelineSHA256: pipelineHash, runID: runID, wave: config.wave,
                                   startedAt: Log.timestamp(started), finishedAt: Log.timestamp(), inputs: inputs, stages: records)
        try JSONFile.write(manifest, to: staging + "/run.json")
        try publish(staging: staging, name: "\(stamp)-\(runID.prefix(8))")
        keepStaging = true
        try prune()
        log.info("run \(runID) published: \(latestPath) (\(String(format: "%.2f", Date().timeIntervalSince(started))) s)")
        return manifest
    }

    /// Reports what a run would do, changing nothing.
    func dryRun(_ options: RunOptions, previousStages: [String: StageRecord], previousRun: String?, inputs: [InputRecord]) throws -> RunManifest? {
        var upstreamWouldRun = false
        for s in StageDefinition.all {
            let params = try parameters(s)
            var line: String
            if let only = options.only {
                line = s.name == only ? "would run: selected with --only" : "would carry over"
            } else if let from = options.from {
                line = s.name >= from ? "would run: selected with --from" : "would carry over"
            } else if options.force {
                line = "would run: forced"
            } else if upstreamWouldRun {
                line = "would run if its inputs change (an upstream stage would run)"
            } else {
                let inputHashes = previousRun.flatMap { try? self.inputHashes(s, inputs: inputs, in: $0) } ?? [:]
                if let why = Self.staleness(previous: previousStages[s.name.rawValue], parameters: params, inputs: inputHashes) {
                    line = "would run: \(why)"
                    upstreamWouldRun = true
                } else {
                    line = "up to date, would be skipped"
                }
            }
            log.plain("\(s.name.rawValue): \(line)")
        }
        return nil
    }

    /// Hard-links a stage's outputs from the latest run into the staging folder (files are never
    /// changed in place, so sharing them is safe).
    func carryOver(_ stage: StageName, from run: String, to staging: String) throws {
        let fm = FileManager.default
        for folder in stage.outputs {
            let src = run + "/" + folder
            guard fm.fileExists(atPath: src) else {
                throw StageFailure(.data, "the latest run has no \(folder)/ to carry over; run the stage that writes it")
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
            try fm.createDirectory(atPath: dst, withIntermediateDirectories: true, attributes: [.posixPermissions: attrs[.posixPermissions] ?? 0o755])
            for name in try fm.contentsOfDirectory(atPath: src).sorted() { try linkTree(src + "/" + name, dst + "/" + name) }
        } else if link(src, dst) != 0 {
            try fm.copyItem(atPath: src, toPath: dst)
        }
    }

    /// Renames the staging folder into `runs/` and switches `latest` with one rename(2).
    func publish(staging: String, name: String) throws {
        // Two runs in the same second with the same inputs would share a name: number them.
        var final = runsPath + "/" + name
        var n = 2
        while FileManager.default.fileExists(atPath: final) { final = runsPath + "/" + name + "-\(n)"; n += 1 }
        let published = (final as NSString).lastPathComponent
        guard rename(staging, final) == 0 else { throw StageFailure(.internal, "cannot publish \(final): \(String(cString: strerror(errno)))") }
        let tmp = output + "/.latest-\(getpid())"
        unlink(tmp)
        guard symlink("runs/" + published, tmp) == 0, rename(tmp, latestPath) == 0 else {
            throw StageFailure(.internal, "cannot switch \(latestPath): \(String(cString: strerror(errno)))")
        }
        let dirFD = open(output, O_RDONLY)
        if dirFD >= 0 { fsync(dirFD); close(dirFD) }
    }

    /// Removes what a killed run left (we hold the lock, so nothing else is running).
    func removeStaleStaging() throws {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: runsPath)) ?? [] where name.hasPrefix(".staging-") {
            log.info("removing the unfinished run \(name) left by an earlier, interrupted run")
            try fm.removeItem(atPath: runsPath + "/" + name)
        }
        for name in (try? fm.contentsOfDirectory(atPath: output)) ?? [] where name.hasPrefix(".latest-") {
            unlink(output + "/" + name)
        }
    }

    /// Keeps the newest `runs.keep` finished runs (and always the one `latest` points at).
    func prune() throws {
        let fm = FileManager.default
        let current = latestRun().map { ($0 as NSString).lastPathComponent }
        let runs = ((try? fm.contentsOfDirectory(atPath: runsPath)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        for name in runs.dropLast(config.keepRuns) where name != current {
            try? fm.removeItem(atPath: runsPath + "/" + name)
        }
    }

    // MARK: status

    /// Each stage of the latest run: up to date, or why not.
    public func status() throws -> [(StageName, String)] {
        guard let run = latestRun(), let manifest = latestManifest() else {
            return StageDefinition.all.map { ($0.name, "never run (no latest run in \(output))") }
        }
        let inputs = try inputRecords()
        var byName: [String: StageRecord] = [:]
        for s in manifest.stages { byName[s.name] = s }
        var out: [(StageName, String)] = []
        var upstreamStale = false
        for s in StageDefinition.all {
            let params = try parameters(s)
            let inputHashes = try self.inputHashes(s, inputs: inputs, in: run)
            if let why = Self.staleness(previous: byName[s.name.rawValue], parameters: params, inputs: inputHashes) {
                out.append((s.name, "out of date: \(why)"))
                upstreamStale = true
            } else if upstreamStale {
                out.append((s.name, "up to date with the latest run's files, but an upstream stage is out of date"))
            } else {
                out.append((s.name, "up to date"))
            }
        }
        return out
    }
}
