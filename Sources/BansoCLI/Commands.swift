import ArgumentParser
import BansoCore
import BansoHistory
import BansoRunner
import Foundation
import SystemPackage

/// Options every pipeline command shares (the stage executables take exactly these).
package struct PipelineOptions: ParsableArguments {
    @Argument(help: "The pipeline file (TOML), e.g. pipelines/sample.toml.")
    package var pipeline: String

    @Option(name: .long, help: "Write outputs under DIR instead of the pipeline file's `output`.")
    package var output: String?

    @Option(name: .long, help: "Resolve relative input paths against DIR instead of the pipeline file's `input`.")
    package var input: String?

    @Flag(name: .long, help: "Run even when up to date.")
    package var force = false

    @Flag(name: .long, help: "Print what would run and why; change nothing.")
    package var dryRun = false

    @Flag(name: .long, help: "Wait for another run of the same pipeline to finish instead of exiting with status 3.")
    package var wait = false

    @Flag(name: .long, help: "No progress lines on stderr (the log file still gets them).")
    package var quiet = false

    package init() {}

    func loadConfig() throws -> PipelineConfig {
        try PipelineConfig.load(path: pipeline, outputOverride: output, inputOverride: input)
    }
}

/// Runs a body, turning failures into a message on stderr and the documented exit status.
func guarded(_ body: () throws -> Void) {
    StandardStreams.ignoreBrokenPipes()
    do {
        try body()
    } catch let e as ConfigError {
        StandardStreams.error("banso: \(StandardStreams.logSafe(e.description))\n")
        exit(StageFailure.Kind.configuration.rawValue)
    } catch let e as StageFailure {
        StandardStreams.error("banso: \(StandardStreams.logSafe(e.description))\n")
        exit(e.kind.rawValue)
    } catch let e as ExitCode {
        exit(e.rawValue)
    } catch {
        StandardStreams.error("banso: internal error: \(describe(error))\n")
        exit(StageFailure.Kind.internal.rawValue)
    }
}

/// Runs the pipeline with `options`; shared by `banso run` and the stage executables.
///
/// `overrides` (`--set`) need `scratch` (`--scratch DIR`): a run with other settings never
/// replaces production's `latest` or writes its history store.
func runPipeline(
    _ p: PipelineOptions, only: StageName?, from: StageName?, overrides: [String] = [], scratch: String? = nil,
    allowStale: Bool = false, takeOverWave: Bool = false
) throws {
    var config = try PipelineConfig.load(
        path: p.pipeline, outputOverride: p.output, inputOverride: p.input, overrides: overrides)
    if let scratch { config = try ScratchRun.configure(config, directory: scratch) }
    let console = RunConsole(quiet: p.quiet)
    if !p.dryRun { console.append(to: FilePath(config.output).appending("banso.log")) }
    let runner = Runner(config: config, console: console)
    try runner.run(
        RunOptions(
            only: only, from: from, force: p.force, dryRun: p.dryRun, wait: p.wait, allowStale: allowStale,
            takeOverWave: takeOverWave))
}

extension StageName: ExpressibleByArgument {}

/// `banso`: the runner and the analyst tools.
package struct Banso: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "banso",
        abstract: "Bansō (伴走): the care-workforce survey pipeline, from survey CSVs to packets for every municipality.",
        discussion: """
            Stages, in order: ingest → clean → aggregate → peers → roadmap → feedback → packets.
            Outputs go to <output>/runs/<time>-<id>/; <output>/latest points at the last run that finished.

            Examples:
              banso run pipelines/sample.toml                 # nightly: runs what changed
              banso run pipelines/sample.toml --only peers    # after editing [peers] k
              banso run pipelines/sample.toml --from aggregate --dry-run
              banso status pipelines/sample.toml
              banso inspect input/sample/establishments_01.csv --kind establishments

            Exit status: 0 success, 1 data failure, 2 configuration or usage error, 3 lock held,
            4 internal error.
            """,
        subcommands: [
            RunCommand.self, StatusCommand.self, InspectCommand.self, ExplainCommand.self, DiffCommand.self,
            HistoryCommand.self, BenchmarkPeersCommand.self, BenchmarkReaderCommand.self,
            BenchmarkBoundariesCommand.self,
        ])

    package init() {}
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the pipeline: every stage whose inputs, parameters or program version changed.",
        discussion: """
            A stage is skipped when the SHA-256 of its inputs, its parameters and the program version
            equal those recorded in the latest run; its outputs are carried over. A stage that re-runs
            and writes identical bytes does not re-run the stages after it.

            Examples:
              banso run pipelines/sample.toml
              banso run pipelines/sample.toml --force          # everything, e.g. after an upgrade
              banso run pipelines/sample.toml --only clean     # one stage, reading the latest run
              banso run pipelines/sample.toml --from peers     # peers and every stage after it
              banso run pipelines/sample.toml --dry-run        # what would run, and why
              banso run pipelines/sample.toml --scratch /tmp/k5 --set peers.k=5   # try a setting aside
            """)

    @OptionGroup var options: PipelineOptions

    @Option(name: .long, help: "Run only this stage (ingest, clean, aggregate, peers, roadmap, feedback, packets).")
    var only: StageName?

    @Option(name: .long, help: "Run this stage and every stage after it.")
    var from: StageName?

    @Option(
        name: .customLong("set"), parsing: .singleValue,
        help: ArgumentHelp(
            "Use another value for one key of the pipeline file, without editing it (needs --scratch).",
            valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A scratch run into DIR: its own latest there, the history store read from a snapshot; "
                + "production's latest and store are never written.", valueName: "DIR"))
    var scratch: String?

    @Flag(
        name: .long,
        help: "With --only: carry the later stages over even when out of date, marking the run STALE.txt.")
    var allowStale = false

    @Flag(
        name: .long,
        help: "Write this pipeline's wave into the history store although another pipeline's runs fill it.")
    var takeOverWave = false

    func validate() throws {
        if allowStale && only == nil { throw ValidationError("--allow-stale goes with --only STAGE") }
        if only != nil && from != nil { throw ValidationError("use either --only or --from, not both") }
        if !overrides.isEmpty && scratch == nil {
            throw ValidationError(
                "--set needs --scratch DIR: a run with other settings must not replace production's latest or "
                    + "its history store (adopt a setting by editing the pipeline file)")
        }
        if scratch != nil && options.output != nil {
            throw ValidationError("use either --scratch or --output, not both")
        }
    }

    func run() throws {
        guarded {
            try runPipeline(
                options, only: only, from: from, overrides: overrides, scratch: scratch, allowStale: allowStale,
                takeOverWave: takeOverWave)
        }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show, for each stage, whether the latest run is up to date and why not.",
        discussion: "Example:\n  banso status pipelines/sample.toml")

    @OptionGroup var options: PipelineOptions

    func run() throws {
        guarded {
            let config = try options.loadConfig()
            let runner = Runner(config: config, console: RunConsole(quiet: true))
            print("latest: \(runner.latestRun()?.string ?? "none")")
            if let latest = runner.latestRun(),
                let marker = try? String(contentsOfFile: latest.appending(Runner.staleMarker).string, encoding: .utf8)
            {
                print("published with --allow-stale:\n" + marker)
            }
            for (stage, state) in try runner.status() { print("\(stage.rawValue): \(state)") }
        }
    }
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the waves in the history store, export one wave to CSV, or import an earlier wave.",
        discussion: """
            The store is the pipeline's `history` (default history-<prefecture_code>.sqlite beside the
            output folder), shared by the pipelines of every wave. It holds unsuppressed values:
            exports are for use inside the prefecture only unless --published is given.

            Examples:
              banso history pipelines/sample.toml
              banso history pipelines/sample.toml --export 2024 --to /tmp/wave-2024.csv
              banso history pipelines/sample.toml --import published-2023.csv --wave 2023
            """)

    @OptionGroup var options: PipelineOptions

    @Option(name: .long, help: "The wave to export.")
    var export: String?

    @Option(name: .long, help: "The CSV file to write.")
    var to: String?

    @Flag(name: .long, help: "Apply the disclosure decisions stored with the values (suppressed cells empty).")
    var published = false

    @Option(
        name: .customLong("import"),
        help: "A published indicators CSV (the columns of aggregate/indicators.csv) to load as an earlier wave.")
    var importFile: String?

    @Option(name: .long, help: "The wave the imported file is (with --import).")
    var wave: String?

    @Flag(name: .long, help: "With --import: replace a wave the store already has.")
    var replace = false

    func run() throws {
        guarded {
            let config = try options.loadConfig()
            let path = FilePath(config.history)
            if let file = importFile {
                guard let waveText = wave else {
                    throw StageFailure(.configuration, "--import needs --wave, e.g. --wave 2023")
                }
                guard let wave = Wave(waveText) else {
                    throw StageFailure(.configuration, "--wave \"\(waveText)\": expected \(Wave.expected)")
                }
                guard wave < config.wave else {
                    throw StageFailure(
                        .configuration,
                        "wave \(wave) is not before this pipeline's wave \(config.wave): import earlier waves only")
                }
                let rows = try RunFiles.indicators.read(file: FilePath(file))
                guard !rows.isEmpty else {
                    throw StageFailure(
                        .data, "\(file) has no rows: an empty file would wipe wave \(wave); nothing imported")
                }
                // Line 1 is the header; the file's rows are one line each.
                let duplicates = HistoryStore.repeatedRows(rows).map {
                    "line \($0.index + 2) repeats line \($0.first + 2) (\($0.key))"
                }
                if !duplicates.isEmpty {
                    throw StageFailure(
                        .data, at: .init(file: file),
                        "\(duplicates.count) rows repeat a municipality and indicator: "
                            + duplicates.prefix(10).joined(separator: "; ")
                            + (duplicates.count > 10 ? " and \(duplicates.count - 10) more" : "") + "; nothing imported"
                    )
                }
                try RunLayout.makeDirectory(path.removingLastComponent())
                let store = try HistoryStore(path: path)
                if let owner = try store.owner(wave: wave), !replace {
                    throw StageFailure(
                        .configuration,
                        "wave \(wave) is already in \(path) (from \(owner)); add --replace to replace it with \(file)")
                }
                try store.importWave(wave, rows: rows, file: file, sha256: try Hashing.sha256(file: FilePath(file)))
                print("imported wave \(wave) from \(file): \(rows.count) rows into \(path)")
                return
            }
            guard FileManager.default.fileExists(atPath: path.string) else {
                throw StageFailure(
                    .data,
                    "no history store at \(path) yet: it is filled when a run is published; run the pipeline first")
            }
            let store = try HistoryStore(path: path)
            if let text = export {
                guard let to else { throw StageFailure(.configuration, "--export needs --to FILE") }
                guard let wave = Wave(text) else {
                    throw StageFailure(.configuration, "--export \"\(text)\": expected \(Wave.expected)")
                }
                try store.export(wave: wave, to: FilePath(to), published: published)
                print("wrote \(to)")
            } else {
                for w in try store.waves() { print(w) }
            }
        }
    }
}

/// A stage executable: `banso-<stage> PIPELINE.toml [options]`, the same code path as `banso run PIPELINE.toml --only
/// <stage>`.
///
/// Its name (and so its stage) comes from argv[0].
struct StageCommand: ParsableCommand {
    /// Set once by `stageMain` before parsing, on the main thread.
    nonisolated(unsafe) static var chosen: StageName = .ingest
    static var stage: StageName { chosen }

    static var configuration: CommandConfiguration {
        let s = stage.rawValue
        return CommandConfiguration(
            commandName: "banso-\(s)",
            abstract:
                "Run the \(s) stage of a pipeline, reading what the latest run left (= banso run PIPELINE --only \(s)).",
            discussion: """
                The other stages' outputs are carried over from <output>/latest; the result is published as a
                new run. Exit status: 0 success, 1 data failure, 2 configuration error, 3 lock held, 4 internal error.

                Example:
                  banso-\(s) pipelines/sample.toml
                """)
    }

    @OptionGroup var options: PipelineOptions

    func run() throws { guarded { try runPipeline(options, only: Self.stage, from: nil) } }
}

/// The entry point of a stage executable.
package func stageMain(_ stage: StageName) {
    StageCommand.chosen = stage
    StageCommand.main()
}

/// An unexpected error in words: a file error names its file and the reason, not an error domain.
func describe(_ error: Error) -> String {
    let ns = error as NSError
    let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    var reason = ns.localizedFailureReason ?? ns.localizedDescription
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        reason = Errno(rawValue: Int32(underlying.code)).words
    } else if ns.domain == NSPOSIXErrorDomain {
        reason = Errno(rawValue: Int32(ns.code)).words
    }
    return path.map { "\($0): \(reason)" } ?? "\(error)"
}
