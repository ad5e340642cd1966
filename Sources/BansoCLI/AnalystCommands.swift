import ArgumentParser
import BansoAnalyst
import BansoCSV
import BansoCore
import BansoRunner
import Foundation
import SystemPackage

extension InputKind: ExpressibleByArgument {}
extension EncodingChoice: ExpressibleByArgument {}
extension Indicator: ExpressibleByArgument {}

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract:
            "Show how Bansō reads one file: encoding and why, delimiter, header mapping, first problems. Writes nothing.",
        discussion: """
            Examples:
              banso inspect input/sample/establishments_01.csv
              banso inspect received.csv --kind workers --pipeline pipelines/sample.toml
              banso inspect received.csv --records | head     # JSON Lines, one array of strings per record
            """)

    @Argument(help: "The CSV file.") var file: String
    @Option(help: "establishments, workers, master, frame or model_projects (guessed from the header when omitted).")
    var kind: InputKind?
    @Option(help: "auto, utf-8 or cp932.") var encoding: EncodingChoice = .auto
    @Option(help: "',' or 'tab'.") var delimiter: String = ","
    @Option(help: "A pipeline file whose header mappings and prefecture apply.") var pipeline: String?
    @Flag(help: "Print every record as a JSON array of strings per line (header first), values exactly as read.")
    var records = false
    @Flag(help: "Print the report as JSON.") var json = false

    func delimiterByte() throws -> UInt8 {
        switch delimiter {
        case "tab", "\\t", "\t": return 0x09
        case ",": return UInt8(ascii: ",")
        case ";": return UInt8(ascii: ";")
        default: throw StageFailure(.configuration, "--delimiter: expected ',', ';' or 'tab', found \"\(delimiter)\"")
        }
    }

    func inspect() throws {
        var o = Inspector.Options()
        o.kind = kind
        o.encoding = encoding
        o.delimiter = try delimiterByte()
        if let pipeline { o.config = try PipelineConfig.load(path: pipeline) }
        if records {
            let out = FileHandle.standardOutput
            var failure: String?
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            do {
                try CSVReader.read(
                    path: FilePath(file), options: CSVReadOptions(delimiter: o.delimiter, encoding: o.encoding)
                ) {
                    r in
                    out.write(try encoder.encode(r.strings) + Data([0x0A]))
                }
            } catch { failure = "\(error)" }
            if let failure { throw StageFailure(.data, failure) }
            return
        }
        let report = Inspector.inspect(path: file, options: o)
        if json {
            StandardStreams.output(try JSONFile.encode(report))
        } else {
            print(Inspector.text(report), terminator: "")
        }
        if report.error != nil || !report.missingRequired.isEmpty { throw ExitCode(1) }
    }

    func run() throws { guarded { try inspect() } }
}

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract:
            "Explain one municipality's figures, suppression, peer group, neighbours and suggestions (latest run).",
        discussion: """
            Examples:
              banso explain pipelines/sample.toml 202011
              banso explain pipelines/sample.toml 202011 --indicator turnover_rate
              banso explain pipelines/sample.toml 202011 --json
            """)

    @Argument(help: "The pipeline file.") var pipeline: String
    @Argument(help: "The 6-digit municipality code.") var code: String
    @Option(help: "One indicator only (its identifier, e.g. turnover_rate).") var indicator: Indicator?
    @Option(help: "Read this output folder instead of the pipeline's.") var output: String?
    @Flag(help: "JSON for programs.") var json = false

    func run() throws {
        guarded {
            let config = try PipelineConfig.load(path: pipeline, outputOverride: output)
            guard let run = Runner(config: config, console: RunConsole(quiet: true)).latestRun() else {
                throw StageFailure(.data, "no finished run in \(config.output); run the pipeline first")
            }
            guard let municipality = MunicipalityCode(code) else {
                throw StageFailure(
                    .configuration, "\(code): expected \(MunicipalityCode.expectedInCell), such as 202011")
            }
            let e = try Explainer.explain(run: run, code: municipality, indicator: indicator)
            if json {
                StandardStreams.output(try JSONFile.encode(e))
            } else {
                print(Explainer.text(e), terminator: "")
            }
        }
    }
}

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract:
            "What changed between two runs: inputs, row counts, indicators, groups, neighbours, packets to re-send.",
        discussion: """
            Exit status like diff(1): 0 identical, 1 different, 2 error.

            Examples:
              banso diff output/sample/runs/A output/sample/runs/B
              banso diff pipelines/sample.toml --previous
              banso diff pipelines/sample.toml --previous --csv > changes.csv
            """)

    @Argument(help: "Two run folders, or a pipeline file with --previous.") var paths: [String]
    @Flag(help: "Compare the latest run with the one before it.") var previous = false
    @Flag(help: "CSV output (section,key,before,after).") var csv = false
    @Option(help: "Relative tolerance for indicator values.") var tolerance: Double = 1e-9

    func run() throws {
        do {
            var a: FilePath, b: FilePath
            if previous {
                guard paths.count == 1 else {
                    throw StageFailure(.configuration, "with --previous give the pipeline file only")
                }
                let config = try PipelineConfig.load(path: paths[0])
                // In the order runs were published, from what `latest` points at (folder names
                // carry the clock, which may have been wrong).
                let runner = Runner(config: config, console: RunConsole(quiet: true))
                guard let latest = runner.latestRun(), let before = runner.runBeforeLatest() else {
                    throw StageFailure(
                        .data, "no run published before the one latest points at in \(config.output)/runs")
                }
                a = before
                b = latest
            } else {
                guard paths.count == 2 else {
                    throw StageFailure(.configuration, "give two run folders (or a pipeline file with --previous)")
                }
                (a, b) = (FilePath(paths[0]), FilePath(paths[1]))
            }
            let (items, resend) = try Differ.diff(a, b, tolerance: tolerance)
            if csv {
                var rows = [["section", "key", "before", "after"]]
                rows += items.map { [$0.section, $0.key, $0.before, $0.after] }
                StandardStreams.output(try CSVWriter.encode(rows, options: CSVWriteOptions()))
            } else {
                print("comparing \(a)\n     with \(b)")
                for i in items { print("\(i.section): \(i.key): \(i.before) → \(i.after)") }
                print(
                    items.isEmpty
                        ? "identical" : "packets to re-send: \(resend.isEmpty ? "none" : resend.joined(separator: " "))"
                )
            }
            throw ExitCode(items.isEmpty ? 0 : 1)
        } catch let e as ExitCode {
            throw e
        } catch let e as StageFailure {
            StandardStreams.error("banso diff: \(e)\n")
            throw ExitCode(2)
        } catch let e as ConfigError {
            StandardStreams.error("banso diff: \(e)\n")
            throw ExitCode(2)
        }
    }
}
