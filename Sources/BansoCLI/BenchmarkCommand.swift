import ArgumentParser
import BansoCSV
import BansoCore
import BansoPeers
import BansoSynth
import Foundation

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
                let summary = try CSVReader.read(path: f) { r in fields += r.count }
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
