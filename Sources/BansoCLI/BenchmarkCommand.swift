import ArgumentParser
import BansoAggregate
import BansoCSV
import BansoCore
import BansoPeers
import Foundation

/// `banso benchmark-peers`: times the peer grouping of every municipality of Japan.
struct BenchmarkPeersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark-peers",
        abstract: "Time peers (Ward, silhouettes for k = 3…8, neighbours) on every municipality of Japan with synthetic populations.",
        discussion: "Example:\n  banso benchmark-peers ../shared/reference/municipalities-jp.tsv")

    @Argument(help: "municipalities-jp.tsv from the shared reference data.") var reference: String

    func run() throws {
        guarded {
            guard let text = try? String(contentsOfFile: reference, encoding: .utf8) else {
                throw StageFailure(.configuration, "cannot read \(reference)")
            }
            var state: UInt64 = 1
            func next() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) }
            var master: [MasterEntry] = []
            for line in text.components(separatedBy: "\n").dropFirst() where !line.isEmpty {
                let cols = line.components(separatedBy: "\t")
                guard cols.count >= 3 else { continue }
                let pop = 300 + next() * 600_000
                master.append(MasterEntry(code: cols[0], name: cols[2], population: pop, aged65: pop * (0.2 + next() * 0.25),
                                          aged75: pop * (0.1 + next() * 0.12), area: 5 + next() * 1500, email: ""))
            }
            let start = Date()
            let result = PeersStage.compute(PeersStage.features(master: master, published: [], weights: [:]), k: nil, neighbours: 5)
            let seconds = Date().timeIntervalSince(start)
            print("{\"municipalities\": \(master.count), \"k\": \(result.k), \"seconds\": \(String(format: "%.4f", seconds))}")
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
            print("{\"bytes\": \(bytes), \"rows\": \(records), \"fields\": \(fields), \"seconds\": \(String(format: "%.4f", seconds)), \"mb_per_s\": \(String(format: "%.1f", Double(bytes) / 1e6 / seconds))}")
        }
    }
}
