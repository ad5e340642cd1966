import ArgumentParser
import BansoCSV
import BansoCore
import BansoPackets
import BansoPeers
import BansoSynth
import Foundation
import SystemPackage

/// `banso benchmark-peers`: times the peer grouping of every municipality of Japan.
struct BenchmarkPeersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark-peers",
        abstract:
            "Time peers (Ward, silhouettes for k = 3…8, neighbours) on every municipality of Japan with synthetic populations.",
        discussion: "Example:\n  banso benchmark-peers")

    func run() throws {
        guarded {
            let master = Synth.nation()
            let start = Date()
            let result = PeersStage.compute(
                PeersStage.features(master: master, published: [], weights: [:]), k: nil, neighbours: 5)
            let seconds = Date().timeIntervalSince(start)
            print(
                "{\"municipalities\": \(master.count), \"k\": \(result.k), \"seconds\": \(String(format: "%.4f", seconds))}"
            )
        }
    }
}

/// `banso benchmark-reader`: the CSV reader alone (records counted, nothing else), for comparing
/// with libcsv from C on the same files.
struct BenchmarkReaderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark-reader",
        abstract: "Read CSV files with Bansō's reader (detection, decoding, libcsv, records) and print MB/s.",
        discussion: "Example:\n  banso benchmark-reader benchmarks/work/reader-200mb.csv")

    @Argument(help: "CSV files.") var files: [String]

    func run() throws {
        guarded {
            var bytes = 0, records = 0, fields = 0
            let start = Date()
            for f in files {
                let summary = try CSVReader.read(path: FilePath(f)) { r in fields += r.count }
                bytes += summary.bytes
                records += summary.records
            }
            let seconds = Date().timeIntervalSince(start)
            print(
                "{\"bytes\": \(bytes), \"rows\": \(records), \"fields\": \(fields), \"seconds\": \(String(format: "%.4f", seconds)), \"mb_per_s\": \(String(format: "%.1f", Double(bytes) / 1e6 / seconds))}"
            )
        }
    }
}

/// `banso benchmark-boundaries`: reads a boundaries file and draws its maps, reporting the peak
/// memory against the file's size (`[packets] boundaries` must stay within 3× the file).
struct BenchmarkBoundariesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark-boundaries",
        abstract:
            "Read a GeoJSON or TopoJSON boundaries file, draw the summary map's paths, print time and peak memory.",
        discussion: "Example:\n  banso benchmark-boundaries --prefecture 01 benchmarks/work/boundaries.topojson")

    @Option(help: "The prefecture whose municipality codes count as known (2 digits).") var prefecture = "01"
    @Argument(help: "A GeoJSON or TopoJSON file.") var file: String

    func run() throws {
        guarded {
            // Every code the prefecture could have: the file decides which are drawn.
            let known = Set(
                (1..<1000).compactMap { try? MunicipalityCode.normalize(prefecture + threeDigits($0)).get() })
            let start = Date()
            let boundaries = try Boundaries.load(path: FilePath(file), known: known)
            let paths = Maps.paths(boundaries, width: Maps.summaryWidth)
            let seconds = Date().timeIntervalSince(start)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let peak = Double(usage.ru_maxrss) * 1024  // kilobytes on Linux
            print(
                "{\"bytes\": \(bytes), \"municipalities\": \(paths.paths.count), \"seconds\": \(String(format: "%.3f", seconds)), "
                    + "\"peak_rss_mb\": \(String(format: "%.1f", peak / 1e6)), "
                    + "\"peak_rss_per_file_byte\": \(String(format: "%.2f", peak / Double(max(bytes, 1))))}")
        }
    }

    private func threeDigits(_ n: Int) -> String { String(String(n + 1000).dropFirst()) }
}
