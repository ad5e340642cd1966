import BansoAggregate
import BansoCSV
import BansoCore
import BansoHistory
import BansoIngest
import Foundation
import SystemPackage

/// What decides whether a stage's last run still holds: the program version, its parameters
/// and the hashes of everything it reads.
struct Fingerprint {
    /// The parameter every stage carries: a new program version re-runs every stage.
    static let versionKey = "program_version"

    let config: PipelineConfig
    let historyPath: FilePath

    /// Hashes of the files under the given run-folder paths (files or folders), keyed by relative path.
    ///
    /// `known` holds digests already taken in this run (a stage's outputs, hashed when it finished):
    /// a later stage reading them is not made to read them again, since no stage writes another's files.
    /// A file this run wrote into its staging folder is not read either: its digest was taken as
    /// it was written (`StagingWrites.recordedDigest`).
    static func hashes(
        of paths: [String], in root: FilePath, known: [String: String] = [:], writes: StagingWrites? = nil
    ) throws -> [String: String] {
        var out: [String: String] = [:]
        let fm = FileManager.default
        for folder in paths {
            let base = root.appending(folder)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: base.string, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue {
                out[folder] = try known[folder] ?? writes?.recordedDigest(of: base) ?? Hashing.sha256(file: base)
                continue
            }
            guard let e = fm.enumerator(atPath: base.string) else { continue }
            var files: [String] = []
            while let rel = e.nextObject() as? String {
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: base.appending(rel).string, isDirectory: &isDir), !isDir.boolValue {
                    files.append(rel)
                }
            }
            let sorted = files.sorted()
            let digests = parallelMap(sorted.indices) { i in
                Result {
                    let path = base.appending(sorted[i])
                    return try known[folder + "/" + sorted[i]] ?? writes?.recordedDigest(of: path)
                        ?? Hashing.sha256(file: path)
                }
            }
            for (rel, d) in zip(sorted, digests) { out[folder + "/" + rel] = try d.get() }
        }
        return out
    }

    /// Every input file with its hash (computed once per run).
    ///
    /// Two inputs with the same content are refused: a copy of a file (`workers - コピー.csv`)
    /// would count every row twice.
    func inputRecords() throws -> [InputRecord] {
        let records = try hashInputs()
        var first: [String: InputRecord] = [:]
        for r in records {
            if let other = first[r.sha256] {
                throw StageFailure(
                    .configuration,
                    "\(config.displayPath(config.file)): \(other.path) (\(other.kind.rawValue)) and \(r.path) "
                        + "(\(r.kind.rawValue)) have identical content (SHA-256 \(r.sha256.prefix(12))…); one is a copy "
                        + "of the other and its rows would be counted twice: remove it or narrow the paths")
            }
            first[r.sha256] = r
        }
        return records
    }

    func hashInputs() throws -> [InputRecord] {
        let inputs = IngestStage.inputs(config)
        let config = self.config
        return try parallelMap(inputs.indices) { k in
            Result {
                let input = inputs[k]
                let attrs = try? FileManager.default.attributesOfItem(atPath: input.path.string)
                return InputRecord(
                    path: config.displayPath(input.path.string), kind: input.kind,
                    bytes: (attrs?[.size] as? NSNumber)?.intValue ?? 0, sha256: try Hashing.sha256(file: input.path))
            }
        }.map { try $0.get() }
    }

    /// Every stage's settings and external inputs, taken once for a run: the external ones hash
    /// files and start the browser for its version, which the run ID and each stage both need.
    func settings() -> [StageName: [String: String]] {
        Dictionary(uniqueKeysWithValues: StageDefinition.all.map { ($0.name, $0.parameters(config)) })
    }

    /// The parameters of a stage (its entry of `settings`), with the program version and what it
    /// reads from the history store.
    func parameters(_ s: StageDefinition, settings: [StageName: [String: String]]) throws -> [String: String] {
        var p = settings[s.name] ?? [:]
        p[Self.versionKey] = bansoVersion
        if s.name == .aggregate, FileManager.default.fileExists(atPath: historyPath.string) {
            // Aggregate snapshots the earlier waves from the history store: a correction to one of
            // them re-runs aggregate (and everything after it) for this wave.
            let h = try HistoryStore(path: historyPath)
            let earlier = try h.earlierWaves(before: config.wave, limit: AggregateStage.earlierWaves)
            if !earlier.isEmpty {
                p["history.earlier_waves"] = earlier.map(\.text).joined(separator: ";")
                p["history.earlier_digest"] = Hashing.sha256(
                    try earlier.flatMap { try h.rows(wave: $0) }.map { $0.cells.joined(separator: ",") }
                        .joined(separator: "\n"))
            }
        }
        if s.name == .aggregate, FileManager.default.fileExists(atPath: historyPath.string) {
            // The previous wave's respondents are the matched panel's other half.
            let h = try HistoryStore(path: historyPath)
            if let previous = try h.previousWave(before: config.wave) {
                let panel = try h.panel(wave: previous)
                if !panel.isEmpty {
                    p["history.panel_digest"] = Hashing.sha256(
                        panel.map {
                            "\($0.establishmentID),\($0.municipality),\($0.indicator.rawValue),\($0.y),\($0.x)"
                        }
                        .joined(separator: "\n"))
                }
            }
        }
        if s.name == .peers, FileManager.default.fileExists(atPath: historyPath.string) {
            // The previous wave's neighbours: a change to them re-runs peers.
            if let previous = try HistoryStore(path: historyPath).previousPeers(before: config.wave) {
                p["history.peers_previous"] =
                    previous.wave.text + ":"
                    + (try HistoryStore(path: historyPath).peersSource(wave: previous.wave) ?? "")
            }
        }
        if s.name == .roadmap, FileManager.default.fileExists(atPath: historyPath.string) {
            // The stage reached last wave is shown beside this one: a change to it re-runs the roadmap.
            let previous = try HistoryStore(path: historyPath).roadmapPrevious(before: config.wave)
            if !previous.isEmpty {
                p["history.roadmap_previous"] = Hashing.sha256(
                    previous.map { $0.cells.joined(separator: ",") }.joined(separator: "\n"))
            }
        }
        return p
    }

    /// A stage's input hashes: the input files for ingest, else the run-folder files it declares.
    func inputHashes(
        _ s: StageDefinition, inputs: [InputRecord], in root: FilePath, known: [String: String] = [:],
        writes: StagingWrites? = nil
    ) throws -> [String: String] {
        s.name == .ingest
            ? Dictionary(uniqueKeysWithValues: inputs.map { ("input:" + $0.path, $0.sha256) })
            : try Self.hashes(of: s.reads.map(\.id.path), in: root, known: known, writes: writes)
    }

    /// One SHA-256 over sorted parameters and input hashes.
    static func digest(parameters: [String: String], inputs: [String: String]) -> String {
        var text = ""
        for k in parameters.keys.sorted() { text += "p \(k)=\(parameters[k]!)\n" }
        for k in inputs.keys.sorted() { text += "i \(k)=\(inputs[k]!)\n" }
        return Hashing.sha256(text)
    }

    /// A content id of the run's inputs and parameters (no clock involved).
    func runID(inputs: [InputRecord], settings: [StageName: [String: String]]) -> String {
        var text = "\(bansoVersion)\n"
        for i in inputs { text += "\(i.kind.rawValue) \(i.path) \(i.sha256)\n" }
        for s in StageDefinition.all {
            for (k, v) in (settings[s.name] ?? [:]).sorted(by: { $0.key < $1.key }) { text += "\(s.name) \(k)=\(v)\n" }
        }
        return String(Hashing.sha256(text).prefix(16))
    }
}
