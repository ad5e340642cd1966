import BansoCSV
import BansoCore
import BansoHistory
import BansoIngest
import Foundation
import Logging
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the pipeline: a staging folder, per-stage fingerprints, an atomic `latest`, a lock.
///
/// The pieces live beside it: `RunPlan` decides run / skip / carry, `Fingerprint` hashes what
/// stages read, `OutputFolder` stages, links, publishes and prunes, `PipelineLock` keeps one run
/// per output folder, `RunManifest` is `run.json`.
package final class Runner: @unchecked Sendable {
    package let config: PipelineConfig
    let console: RunConsole
    let logger: Logger
    let lock = PipelineLock()
    let folder: OutputFolder
    let fingerprint: Fingerprint

    package init(config: PipelineConfig, console: RunConsole) {
        self.config = config
        self.console = console
        self.logger = console.logger()
        folder = OutputFolder(path: FilePath(config.output), keep: config.keepRuns)
        fingerprint = Fingerprint(config: config, historyPath: FilePath(config.history))
    }

    package var output: FilePath { folder.path }
    package var latestPath: FilePath { folder.latestPath }
    package var historyPath: FilePath { fingerprint.historyPath }

    /// The finished run `latest` points at, if any.
    package func latestRun() -> FilePath? { folder.latestRun() }

    /// The run published before the one `latest` points at, in publication order.
    package func runBeforeLatest() -> FilePath? { folder.runBeforeLatest() }

    /// Every stage's state against the latest run (what dry runs and `status` decide from).
    func statesAgainstLatest(inputs: [InputRecord]) throws -> [RunPlan.StageState] {
        let manifest = folder.latestManifest()
        let run = folder.latestRun()
        let settings = fingerprint.settings()
        return try StageDefinition.all.map { s in
            RunPlan.StageState(
                name: s.name, previous: manifest?.stages.first { $0.name == s.name },
                parameters: try fingerprint.parameters(s, settings: settings),
                inputs: try run.map { try fingerprint.inputHashes(s, inputs: inputs, in: $0) } ?? [:],
                outputsInLatest: run.map { r in
                    s.name.outputs.allSatisfy { FileManager.default.fileExists(atPath: r.appending($0).string) }
                }
                    ?? false)
        }
    }

    // MARK: run

    /// Runs the pipeline; returns the manifest of the published run (nil for a dry run).
    @discardableResult
    package func run(_ options: RunOptions) throws -> RunManifest? {
        let started = Date()
        guard TextEncoder.cp932Available else { throw StageFailure(.internal, TextEncoder.cp932Missing) }
        let partial = (options.only ?? options.from).map { $0 != .ingest } == true
        let noEarlierRun = StageFailure(
            .data, "no earlier run to start from: run the whole pipeline first (banso run \(config.file))")
        if options.dryRun {
            if partial && folder.latestRun() == nil { throw noEarlierRun }
            let inputs = try fingerprint.inputRecords()
            let decisions = RunPlan.decideAll(try statesAgainstLatest(inputs: inputs), options: options)
            for (s, d) in zip(StageDefinition.all, decisions) {
                let line: String
                switch d.action {
                case .run where d.provisional: line = "would run if its inputs change (an upstream stage would run)"
                case .run: line = "would run: \(d.reason)"
                case .skip: line = "up to date, would be skipped"
                case .carry: line = "would carry over"
                }
                console.plain("\(s.name.rawValue): \(line)")
            }
            return nil
        }

        SignalGuard.shared.install()
        try folder.prepare()
        try lock.acquire(output: output, pipeline: config.name, wait: options.wait, logger: logger)
        let previousRun = folder.latestRun()
        try migrateHistory()
        let history = HistorySync(path: historyPath)
        if let previousRun { try history.sync(run: previousRun, logger: logger) }
        if partial && previousRun == nil { throw noEarlierRun }
        let previous = folder.latestManifest()
        let inputs = try fingerprint.inputRecords()
        // Absolute path → digest, so that ingest does not hash every input a second time.
        let digests = Dictionary(
            zip(IngestStage.inputs(config).map(\.path), inputs.map(\.sha256)), uniquingKeysWith: { a, _ in a })
        let pipelineHash = try Hashing.sha256(file: FilePath(config.file))
        let settings = fingerprint.settings()
        let runID = fingerprint.runID(inputs: inputs, settings: settings)

        try folder.removeStaleStaging(logger: logger)
        // The runs the previous run pruned are deleted while this one works.
        let sweep = folder.sweepPruned()
        defer { sweep.wait() }
        let stamp = Timestamps.compact(started)
        let staging = try folder.makeStaging(stamp: stamp)
        var keepStaging = false
        SignalGuard.shared.track(staging)
        defer {
            SignalGuard.shared.track(nil)
            if !keepStaging { try? FileManager.default.removeItem(atPath: staging.string) }
        }
        logger.info("run \(runID) of '\(config.name)' (wave \(config.wave)) → \(output)")

        // Files in the staging folder are not synced one by one (thousands in packets): the whole
        // folder is synced once below, before it is published.
        let writes = StagingWrites()
        var records: [StageRecord] = []
        /// Stages carried over with --allow-stale although what they read changed.
        var stale: [String] = []
        /// Every run-folder file hashed so far in this run (each is read once for its digest).
        var outputDigests: [String: String] = [:]
        for s in StageDefinition.all {
            let params = try fingerprint.parameters(s, settings: settings)
            let inputHashes = try fingerprint.inputHashes(
                s, inputs: inputs, in: staging, known: outputDigests, writes: writes)
            let fp = Fingerprint.digest(parameters: params, inputs: inputHashes)
            let prior = previous?.stages.first { $0.name == s.name }
            let state = RunPlan.StageState(
                name: s.name, previous: prior, parameters: params, inputs: inputHashes,
                outputsInLatest: previousRun.map { r in
                    s.name.outputs.allSatisfy { FileManager.default.fileExists(atPath: r.appending($0).string) }
                } ?? false)
            let decision = RunPlan.decide(state, options: options)
            let mustRun = decision.action == .run
            let stageLogger = console.logger(stage: s.name)
            let t0 = Date()
            var counts: [String: Int] = [:]
            if mustRun {
                logger.stageStart(s.name, reason: decision.reason)
                // Packets carry the id of the data they were made from (their own fingerprint), so that
                // identical inputs give identical packets even when something unrelated changed.
                var ctx = StageContext(
                    inputFolder: FilePath(config.inputBase), layout: RunLayout(root: staging, staging: writes),
                    historyPath: historyPath,
                    runID: s.name == .packets ? String(fp.prefix(16)) : runID, logger: stageLogger, reads: s.reads)
                let meter = console.progressMeter(for: s.name)
                ctx.progress = { meter.add($0) }
                ctx.inputDigests = digests
                ctx.runFileDigests = inputHashes
                defer { meter.finish() }
                do {
                    counts = try s.run(ctx, config).counts
                } catch {
                    let failure = ((error as? StageFailure) ?? StageFailure(.internal, "\(error)"))
                        .within("stage \(s.name.rawValue) failed")
                    logger.error("\(failure)")
                    throw failure
                }
            } else {
                guard let previousRun else {
                    throw StageFailure(.data, "no earlier run to carry \(s.name.rawValue) over from")
                }
                try folder.carryOver(s.name, from: previousRun, to: staging)
                counts = prior?.counts ?? [:]
                if options.allowStale, let only = options.only, s.name > only,
                    let why = RunPlan.staleness(previous: prior, parameters: params, inputs: inputHashes)
                {
                    stale.append("\(s.name.rawValue): \(why)")
                }
                logger.stageSkipped(s.name, reason: decision.reason)
            }
            let duration = Date().timeIntervalSince(t0)
            // Carried-over outputs are hard links to the files already hashed in the latest run.
            let outputs =
                !mustRun && prior?.outputs.isEmpty == false
                ? prior!.outputs : try Fingerprint.hashes(of: s.name.outputs, in: staging, writes: writes)
            // Only what this run wrote and hashed: a carried-over file is hashed afresh when read, so a
            // hand-edited file in `latest` still re-runs the stages that read it.
            if mustRun { outputDigests.merge(outputs) { a, _ in a } }
            records.append(
                StageRecord(
                    name: s.name, status: mustRun ? .ran : .skipped, reason: decision.reason,
                    durationSeconds: (duration * 1000).rounded() / 1000, counts: counts,
                    fingerprint: mustRun ? fp : (prior?.fingerprint ?? fp),
                    parameters: mustRun ? params : (prior?.parameters ?? params),
                    inputs: mustRun ? inputHashes : (prior?.inputs ?? inputHashes), outputs: outputs))
            if mustRun { logger.stageDone(s.name, seconds: duration, counts: counts) }
            if let failAfter = ProcessInfo.processInfo.environment["BANSO_TEST_FAIL_AFTER"],
                failAfter == s.name.rawValue
            {
                // Fault injection for the tests of what a failed run leaves behind.
                throw StageFailure(.internal, "stopped after stage \(s.name.rawValue) (BANSO_TEST_FAIL_AFTER)")
            }
        }
        if !stale.isEmpty {
            // Visible where people look: the run folder, and beside the mailing list when the
            // packets themselves are out of date.
            let text =
                "This run was published with --allow-stale: these stages were carried over from an earlier run "
                + "although what they read has changed, so their files do not match the stages before them.\n"
                + "Run the pipeline again without --only before mailing packets.\n\n" + stale.joined(separator: "\n")
                + "\n"
            try AtomicFile.write(Array(text.utf8), to: staging.appending(Runner.staleMarker), staging: writes)
            if stale.contains(where: { $0.hasPrefix("packets:") }) {
                try AtomicFile.write(
                    Array(text.utf8), to: staging.appending("packets").appending(Runner.staleMarker), staging: writes)
            }
            logger.warning("published with --allow-stale; out of date: \(stale.joined(separator: "; "))")
        }
        let manifest = RunManifest(
            programVersion: bansoVersion, pipeline: config.name, pipelineFile: config.file,
            pipelineSHA256: pipelineHash, runID: runID, wave: config.wave, startedAt: Timestamps.iso8601(started),
            finishedAt: Timestamps.iso8601(), inputs: inputs, stages: records)
        try JSONFile.write(manifest, to: staging.appending("run.json"), staging: writes)
        SignalGuard.shared.track(nil)
        // Everything the run wrote reaches the disk before `latest` can point at it (Linux's sync
        // waits for the writes), so a power cut never publishes a half-written file.
        sync()
        // `latest` moves only when the store can follow it: a locked store, a newer version's store
        // or duplicate rows stop the run here, unpublished.
        try history.checkWritable(
            staging: staging, wave: config.wave, pipeline: config.name, takeOver: options.takeOverWave)
        let published = try folder.publish(staging: staging, name: "\(stamp)-\(runID.prefix(8))")
        keepStaging = true
        // The history store follows the published run, never a run that did not publish.
        do {
            try history.sync(run: published, logger: logger, takeOver: options.takeOverWave)
        } catch {
            let failure = (error as? StageFailure) ?? StageFailure(.internal, "\(error)")
            throw StageFailure(
                failure.kind,
                "the run was published (latest → runs/\(published.lastComponent?.string ?? "")), but the history "
                    + "store was not updated: \(failure). The next `banso run \(config.file)` loads this wave "
                    + "into the store before it starts")
        }
        folder.prune()
        logger.info(
            "run \(runID) published: \(latestPath) (\(String(format: "%.2f", Date().timeIntervalSince(started))) s)")
        return manifest
    }

    /// The file that marks a run published with stages out of date (`--allow-stale`).
    package static let staleMarker = "STALE.txt"

    /// Moves a store kept inside the output folder (before waves shared one) to its shared place.
    func migrateHistory() throws {
        let old = output.appending("history.sqlite")
        let fm = FileManager.default
        guard historyPath != old, fm.fileExists(atPath: old.string), !fm.fileExists(atPath: historyPath.string) else {
            return
        }
        try RunLayout.makeDirectory(historyPath.removingLastComponent())
        guard OutputFolder.rename(old, historyPath) else {
            throw StageFailure(
                .internal, "cannot move the history store \(old) to \(historyPath): \(Errno.last.words)"
            )
        }
        logger.info("history store moved to \(historyPath), where every wave's pipeline shares it")
    }

    // MARK: status

    /// Each stage of the latest run: up to date, or why not.
    package func status() throws -> [(StageName, String)] {
        guard folder.latestManifest() != nil else {
            return StageDefinition.all.map { ($0.name, "never run (no latest run in \(output))") }
        }
        let decisions = RunPlan.decideAll(
            try statesAgainstLatest(inputs: try fingerprint.inputRecords()), options: RunOptions())
        return zip(StageDefinition.all, decisions).map { s, d in
            switch d.action {
            case .run where d.provisional:
                return (s.name, "up to date with the latest run's files, but an upstream stage is out of date")
            case .run: return (s.name, "out of date: \(d.reason)")
            case .skip, .carry: return (s.name, "up to date")
            }
        }
    }
}
