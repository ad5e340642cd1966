import BansoCore
import Foundation
import GRDB
import SystemPackage

/// The history store: unsuppressed indicator values of every wave, in SQLite.
///
/// It stays inside the prefecture (0600 permissions, never packed). Schema:
///
///     CREATE TABLE indicator_history (
///       wave TEXT NOT NULL, municipality_code TEXT NOT NULL, indicator TEXT NOT NULL,
///       municipality_name TEXT NOT NULL, value REAL, numerator REAL, denominator REAL,
///       n INTEGER NOT NULL, ci_low REAL, ci_high REAL,
///       suppressed INTEGER NOT NULL, suppression_rule TEXT NOT NULL,
///       se REAL, interval_method TEXT NOT NULL DEFAULT '',   -- since v4; NULL for waves stored before
///       reliability TEXT NOT NULL DEFAULT '',                 -- since v6: census, reference or empty
///       PRIMARY KEY (wave, municipality_code, indicator));
///     CREATE TABLE waves (wave TEXT PRIMARY KEY, pipeline TEXT NOT NULL, run_id TEXT NOT NULL,
///       source_sha256 TEXT NOT NULL);
///     CREATE TABLE panel_units (                              -- since v7: the next wave's matched panel
///       wave TEXT NOT NULL, establishment_id TEXT NOT NULL, municipality_code TEXT NOT NULL,
///       indicator TEXT NOT NULL, y REAL NOT NULL, x REAL NOT NULL,
///       PRIMARY KEY (wave, establishment_id, indicator));
///     CREATE TABLE peer_neighbours (...), peer_features (...), peer_waves (...);  -- since v8: each
///       wave's nearest municipalities and their standardised features (docs/history.md)
///
/// Only the runner writes it, right after a run is published, from that run's
/// `internal/indicators.csv` (`source_sha256` is that file's hash); so the store changes only
/// together with a successful publish, and a run that fails or is killed leaves it as it was.
package struct HistoryStore {
    package let path: FilePath
    let queue: DatabaseQueue

    /// How long a write waits for another process's lock (30 s; the tests shorten it).
    static let busySeconds: Double =
        ProcessInfo.processInfo.environment["BANSO_TEST_HISTORY_BUSY_SECONDS"].flatMap(Double.init) ?? 30

    /// Opens (creating when needed) the store at `path`.
    package init(path: FilePath) throws {
        self.path = path
        let existed = FileManager.default.fileExists(atPath: path.string)
        do {
            var configuration = Configuration()
            // Every wave's pipeline shares the store: wait for another writer rather than fail.
            configuration.busyMode = .timeout(Self.busySeconds)
            queue = try DatabaseQueue(path: path.string, configuration: configuration)
        } catch {
            throw StageFailure(.internal, "history store \(path): cannot open it: \(Self.describe(error))")
        }
        if !existed { _ = path.withPlatformString { chmod($0, 0o600) } }
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE indicator_history (
                      wave TEXT NOT NULL, municipality_code TEXT NOT NULL, indicator TEXT NOT NULL,
                      municipality_name TEXT NOT NULL, value REAL, numerator REAL, denominator REAL,
                      n INTEGER NOT NULL, ci_low REAL, ci_high REAL,
                      suppressed INTEGER NOT NULL, suppression_rule TEXT NOT NULL,
                      PRIMARY KEY (wave, municipality_code, indicator));
                    CREATE TABLE waves (wave TEXT PRIMARY KEY, pipeline TEXT NOT NULL, run_id TEXT NOT NULL);
                    """)
        }
        migrator.registerMigration("v2") { db in
            // The hash of the run file a wave was loaded from: what ties the store to `latest`.
            try db.execute(sql: "ALTER TABLE waves ADD COLUMN source_sha256 TEXT NOT NULL DEFAULT ''")
        }
        migrator.registerMigration("v3") { db in
            // The roadmap: stages reached and self-assessment scores per wave (comments stay in the run folder).
            try db.execute(
                sql: """
                    CREATE TABLE roadmap_stages (
                      wave TEXT NOT NULL, municipality_code TEXT NOT NULL, area TEXT NOT NULL, stage INTEGER NOT NULL,
                      self_score REAL, self_answered INTEGER NOT NULL, achieved INTEGER NOT NULL, reached INTEGER NOT NULL,
                      PRIMARY KEY (wave, municipality_code, area, stage));
                    CREATE TABLE roadmap_scores (
                      wave TEXT NOT NULL, municipality_code TEXT NOT NULL, item_id TEXT NOT NULL, score INTEGER NOT NULL,
                      PRIMARY KEY (wave, municipality_code, item_id));
                    CREATE TABLE roadmap_waves (wave TEXT PRIMARY KEY, source_sha256 TEXT NOT NULL);
                    """)
        }
        migrator.registerMigration("v4") { db in
            // The standard error crosses from aggregate to feedback through the store too: the
            // change from an earlier wave is judged by both waves' SEs. Waves stored before have
            // NULL, and `Estimate.standardError` falls back to their interval.
            try db.execute(
                sql: """
                    ALTER TABLE indicator_history ADD COLUMN se REAL;
                    ALTER TABLE indicator_history ADD COLUMN interval_method TEXT NOT NULL DEFAULT '';
                    """)
        }
        migrator.registerMigration("v5") { db in
            // Which pipeline file owns each wave, beside its name (one owner per wave).
            try db.execute(sql: "ALTER TABLE waves ADD COLUMN pipeline_file TEXT NOT NULL DEFAULT ''")
        }
        migrator.registerMigration("v6") { db in
            // 全数 and 参考値 travel with the value: a change from a 参考値 is never flagged either.
            try db.execute(sql: "ALTER TABLE indicator_history ADD COLUMN reliability TEXT NOT NULL DEFAULT ''")
        }
        migrator.registerMigration("v7") { db in
            // Each respondent's parts of the key rates: the next wave's matched panel.
            try db.execute(
                sql: """
                    CREATE TABLE panel_units (
                      wave TEXT NOT NULL, establishment_id TEXT NOT NULL, municipality_code TEXT NOT NULL,
                      indicator TEXT NOT NULL, y REAL NOT NULL, x REAL NOT NULL,
                      PRIMARY KEY (wave, establishment_id, indicator));
                    """)
        }
        migrator.registerMigration("v8") { db in
            // Each wave's nearest municipalities and the standardised features they were found on:
            // the next wave says which neighbours changed and why.
            try db.execute(
                sql: """
                    CREATE TABLE peer_neighbours (
                      wave TEXT NOT NULL, municipality_code TEXT NOT NULL, rank INTEGER NOT NULL,
                      neighbour_code TEXT NOT NULL, PRIMARY KEY (wave, municipality_code, rank));
                    CREATE TABLE peer_features (
                      wave TEXT NOT NULL, municipality_code TEXT NOT NULL, feature TEXT NOT NULL, z REAL NOT NULL,
                      PRIMARY KEY (wave, municipality_code, feature));
                    CREATE TABLE peer_waves (wave TEXT PRIMARY KEY, source_sha256 TEXT NOT NULL);
                    """)
        }
        do {
            // A store a newer version wrote has changes this one cannot know: writing it would fail
            // on every run (or worse, write rows it does not understand).
            if try queue.read({ try migrator.hasBeenSuperseded($0) }) {
                throw StageFailure(
                    .configuration,
                    "history store \(path) was written by a newer version of banso than \(bansoVersion) (its schema "
                        + "has changes this version does not know): run that version, or name another store with "
                        + "the pipeline file's `history` key")
            }
            try migrator.migrate(queue)
        } catch let e as StageFailure {
            throw e
        } catch {
            throw StageFailure(.internal, "history store \(path): cannot update its schema: \(Self.describe(error))")
        }
    }

    /// Checks, before a run is published, that its wave can be written: the store takes a write
    /// lock (waiting as a write would) and the rows are unique by municipality and indicator.
    ///
    /// So `latest` never moves while the store could not follow it.
    package func checkWritable(wave: Wave, rows: [IndicatorRow], pipeline: String? = nil, takeOver: Bool = false)
        throws
    {
        if let pipeline, !takeOver, let owner = try owner(wave: wave), owner != pipeline {
            let file = (try ownerFile(wave: wave)).flatMap { $0.isEmpty ? nil : " (\($0))" } ?? ""
            throw StageFailure(
                .configuration,
                "history store \(path): wave \(wave) belongs to pipeline '\(owner)'\(file), and this is '\(pipeline)'; the run "
                    + "is not published. A copy of a wave's pipeline for trying things must not replace that wave: use "
                    + "a scratch run (banso run FILE --scratch DIR) or its own `history` store. To make this pipeline "
                    + "the wave's owner on purpose, run it with --take-over-wave")
        }
        if let repeated = Self.repeatedRows(rows).first {
            throw StageFailure(
                .data,
                "history store \(path): wave \(wave) has two rows for \(repeated.key); the run is not published")
        }
        do {
            try queue.inDatabase { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                try db.execute(sql: "ROLLBACK")
            }
        } catch {
            throw StageFailure(
                .internal, "history store \(path) cannot be written: \(Self.describe(error)); the run is not published")
        }
    }

    /// Rows that repeat an earlier row's municipality and indicator, in row order.
    ///
    /// Each with the repeat's and the first's positions (0-based) and the repeat in words. A wave
    /// holds one value per municipality and indicator; a run's rows and an imported file are both
    /// checked with this.
    package static func repeatedRows(_ rows: [IndicatorRow]) -> [(index: Int, first: Int, key: String)] {
        struct Key: Hashable {
            let code: MunicipalityCode
            let indicator: Indicator
        }
        var first: [Key: Int] = [:]
        var out: [(index: Int, first: Int, key: String)] = []
        for (n, r) in rows.enumerated() {
            let key = Key(code: r.code, indicator: r.indicator)
            if let f = first[key] {
                out.append((n, f, "\(r.code) \(r.name), \(r.indicator.rawValue)"))
            } else {
                first[key] = n
            }
        }
        return out
    }

    /// A stored wave's name or a stored row's code; a store edited by hand with text that is not
    /// one is named, not trusted.
    func stored<T: ValidatedText>(_ text: String, in wave: Wave? = nil) throws -> T {
        guard let value = T(text) else {
            let found = wave.map { "wave \($0) holds \"\(text)\", which is" } ?? "\"\(text)\" is"
            throw StageFailure(.data, "history store \(path): \(found) not \(T.expected)")
        }
        return value
    }

    /// An SQLite error in words a user can act on (never SQLite's own text alone).
    static func describe(_ error: Error) -> String {
        guard let e = error as? DatabaseError else { return "\(error)" }
        switch e.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return "it is locked by another process (another banso run, or a program holding it open) and stayed "
                + "locked for \(formatNumber(busySeconds)) s"
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return "it is read-only (permissions of the file or its folder)"
        case .SQLITE_FULL:
            return "the disk is full"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return "it is damaged or not a Bansō history store (restore it from a backup, or name another store)"
        case .SQLITE_CANTOPEN:
            return "it cannot be opened (does its folder exist?)"
        case .SQLITE_CONSTRAINT:
            return "a row would appear twice (\(e.message ?? "constraint"))"
        case .SQLITE_IOERR:
            return "reading or writing the file failed (disk error)"
        default:
            return "SQLite error \(e.resultCode.rawValue) (\(e.message ?? "no message"))"
        }
    }

    /// Copies the store at `source` (if any) to `destination`, reading it only: what a scratch run
    /// works on, so that the production store is never written.
    package static func snapshot(from source: FilePath, to destination: FilePath) throws {
        try? FileManager.default.removeItem(atPath: destination.string)
        guard FileManager.default.fileExists(atPath: source.string) else { return }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(busySeconds)
            let from = try DatabaseQueue(path: source.string, configuration: configuration)
            let to = try DatabaseQueue(path: destination.string)
            try from.backup(to: to)
            _ = destination.withPlatformString { chmod($0, 0o600) }
        } catch {
            throw StageFailure(
                .internal, "history store \(source): cannot take a snapshot for the scratch run: \(describe(error))")
        }
    }

    /// Opens the store when it exists (readers must not create it).
    package static func openIfPresent(path: FilePath) throws -> HistoryStore? {
        FileManager.default.fileExists(atPath: path.string) ? try HistoryStore(path: path) : nil
    }

    /// The pipeline (by name) whose published runs fill `wave`, if the wave is stored.
    package func owner(wave: Wave) throws -> String? {
        try queue.read { db in
            try String.fetchOne(db, sql: "SELECT pipeline FROM waves WHERE wave = ?", arguments: [wave.text])
        }
    }

    /// The pipeline file whose runs fill `wave` (empty for waves stored before schema v5, or imported).
    package func ownerFile(wave: Wave) throws -> String? {
        try queue.read { db in
            try String.fetchOne(db, sql: "SELECT pipeline_file FROM waves WHERE wave = ?", arguments: [wave.text])
        }
    }

    /// The hash of the run file `wave` was loaded from, if the wave is stored.
    package func source(wave: Wave) throws -> String? {
        try queue.read { db in
            try String.fetchOne(db, sql: "SELECT source_sha256 FROM waves WHERE wave = ?", arguments: [wave.text])
        }
    }

    /// Replaces everything stored for `wave` with `rows` (idempotent: a re-run never duplicates).
    ///
    /// `panel` is the wave's respondents' parts of the key rates, replaced in the same transaction.
    package func replace(
        wave: Wave, pipeline: String, runID: String, rows: [IndicatorRow], source: String = "",
        pipelineFile: String = "", panel: [PanelUnit] = []
    ) throws {
        do {
            try queue.write { db in
                try db.execute(sql: "DELETE FROM indicator_history WHERE wave = ?", arguments: [wave.text])
                try db.execute(sql: "DELETE FROM panel_units WHERE wave = ?", arguments: [wave.text])
                let unit = try db.makeStatement(
                    sql: """
                        INSERT INTO panel_units (wave, establishment_id, municipality_code, indicator, y, x)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """)
                for u in panel {
                    try unit.execute(arguments: [
                        wave.text, u.establishmentID.text, u.municipality.text, u.indicator.rawValue, u.y, u.x,
                    ])
                }
                let statement = try db.makeStatement(
                    sql: """
                        INSERT INTO indicator_history (wave, municipality_code, indicator, municipality_name, value, numerator,
                          denominator, n, ci_low, ci_high, suppressed, suppression_rule, se, interval_method,
                          reliability)
                          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for r in rows {
                    let e = r.estimate
                    try statement.execute(arguments: [
                        wave.text, r.code.text, r.indicator.rawValue, r.name, e.value, e.numerator, e.denominator, e.n,
                        e.ciLow,
                        e.ciHigh,
                        r.suppressed, r.rule?.rawValue ?? "", e.se, e.method?.rawValue ?? "",
                        e.reliability?.rawValue ?? "",
                    ])
                }
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO waves (wave, pipeline, run_id, source_sha256, pipeline_file)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [wave.text, pipeline, runID, source, pipelineFile])
            }
        } catch let e as StageFailure {
            throw e
        } catch {
            throw StageFailure(.internal, "history store \(path): cannot store wave \(wave): \(Self.describe(error))")
        }
    }

    /// The hash of the run files `wave`'s roadmap was loaded from, if stored.
    package func roadmapSource(wave: Wave) throws -> String? {
        try queue.read { db in
            try String.fetchOne(
                db, sql: "SELECT source_sha256 FROM roadmap_waves WHERE wave = ?", arguments: [wave.text])
        }
    }

    /// Replaces `wave`'s roadmap (stages and answered scores) in one transaction.
    package func replaceRoadmap(
        wave: Wave, stages: [RoadmapStageResult], items: [RoadmapItemResult], source: String
    ) throws {
        do {
            try queue.write { db in
                try db.execute(sql: "DELETE FROM roadmap_stages WHERE wave = ?", arguments: [wave.text])
                try db.execute(sql: "DELETE FROM roadmap_scores WHERE wave = ?", arguments: [wave.text])
                let stage = try db.makeStatement(
                    sql: """
                        INSERT INTO roadmap_stages (wave, municipality_code, area, stage, self_score, self_answered, achieved,
                          reached) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for s in stages {
                    try stage.execute(arguments: [
                        wave.text, s.municipality.text, s.area, s.stage.rawValue, s.selfScore, s.selfAnswered,
                        s.achieved,
                        s.reached,
                    ])
                }
                let score = try db.makeStatement(
                    sql: "INSERT INTO roadmap_scores (wave, municipality_code, item_id, score) VALUES (?, ?, ?, ?)")
                for i in items {
                    if let s = i.score { try score.execute(arguments: [wave.text, i.municipality.text, i.item, s]) }
                }
                try db.execute(
                    sql: "INSERT OR REPLACE INTO roadmap_waves (wave, source_sha256) VALUES (?, ?)",
                    arguments: [wave.text, source])
            }
        } catch {
            throw StageFailure(
                .internal, "history store \(path): cannot store the roadmap of wave \(wave): \(Self.describe(error))")
        }
    }

    /// Forgets `wave`'s roadmap (a wave re-run without one).
    package func removeRoadmap(wave: Wave) throws {
        do {
            try queue.write { db in
                for table in ["roadmap_stages", "roadmap_scores", "roadmap_waves"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE wave = ?", arguments: [wave.text])
                }
            }
        } catch {
            throw StageFailure(
                .internal, "history store \(path): cannot remove the roadmap of wave \(wave): \(Self.describe(error))")
        }
    }

    /// The stage reached per municipality and area in the latest wave before `wave` that has a roadmap.
    package func roadmapPrevious(before wave: Wave) throws -> [RoadmapPreviousRow] {
        try queue.read { db in
            guard
                let text = try String.fetchOne(
                    db, sql: "SELECT MAX(wave) FROM roadmap_waves WHERE wave < ?", arguments: [wave.text])
            else { return [] }
            let previous: Wave = try stored(text)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT municipality_code, area, MAX(reached) AS reached, SUM(self_answered) AS answered
                    FROM roadmap_stages WHERE wave = ? GROUP BY municipality_code, area ORDER BY municipality_code, area
                    """, arguments: [previous.text])
            return try rows.map {
                RoadmapPreviousRow(
                    wave: previous, municipality: try stored($0["municipality_code"], in: previous), area: $0["area"],
                    reached: $0["reached"], answered: ($0["answered"] as Int) > 0)
            }
        }
    }

    /// Every wave stored, ascending.
    package func waves() throws -> [Wave] {
        try queue.read { db in try String.fetchAll(db, sql: "SELECT wave FROM waves ORDER BY wave") }.map {
            try stored($0)
        }
    }

    /// Up to `limit` waves before `wave`, oldest first.
    package func earlierWaves(before wave: Wave, limit: Int) throws -> [Wave] {
        try queue.read { db in
            try String.fetchAll(
                db, sql: "SELECT wave FROM waves WHERE wave < ? ORDER BY wave DESC LIMIT ?",
                arguments: [wave.text, limit])
        }.reversed().map { try stored($0) }
    }

    /// Loads a wave the prefecture has only as published figures (the long format of
    /// `aggregate/indicators.csv`), marked as imported: trends then start before Bansō.
    package func importWave(_ wave: Wave, rows: [IndicatorRow], file: String, sha256: String) throws {
        let rows = rows.map { r -> IndicatorRow in
            var r = r
            r.wave = wave
            return r
        }
        try replace(wave: wave, pipeline: "imported from \(file)", runID: "", rows: rows, source: "imported:\(sha256)")
    }

    /// The latest wave before `wave`, if any.
    package func previousWave(before wave: Wave) throws -> Wave? {
        try queue.read { db in
            try String.fetchOne(db, sql: "SELECT MAX(wave) FROM waves WHERE wave < ?", arguments: [wave.text])
        }.map { try stored($0) }
    }

    /// One wave's peers as the next wave compares with them.
    package struct Peers: Sendable, Equatable {
        package var wave: Wave
        /// Each municipality's nearest municipalities, nearest first.
        package var neighbours: [MunicipalityCode: [MunicipalityCode]]
        /// Each municipality's standardised features (`PeerFeature` raw values and context ids).
        package var features: [MunicipalityCode: [String: Double]]
        package init(
            wave: Wave, neighbours: [MunicipalityCode: [MunicipalityCode]],
            features: [MunicipalityCode: [String: Double]]
        ) {
            self.wave = wave
            self.neighbours = neighbours
            self.features = features
        }
    }

    /// The hash of the run files `wave`'s peers were loaded from, if stored.
    package func peersSource(wave: Wave) throws -> String? {
        try queue.read { db in
            try String.fetchOne(db, sql: "SELECT source_sha256 FROM peer_waves WHERE wave = ?", arguments: [wave.text])
        }
    }

    /// Replaces `wave`'s neighbours and features in one transaction.
    package func replacePeers(_ peers: Peers, source: String) throws {
        do {
            try queue.write { db in
                for table in ["peer_neighbours", "peer_features", "peer_waves"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE wave = ?", arguments: [peers.wave.text])
                }
                let neighbour = try db.makeStatement(
                    sql:
                        "INSERT INTO peer_neighbours (wave, municipality_code, rank, neighbour_code) VALUES (?, ?, ?, ?)"
                )
                for code in peers.neighbours.keys.sorted() {
                    for (rank, n) in peers.neighbours[code]!.enumerated() {
                        try neighbour.execute(arguments: [peers.wave.text, code.text, rank + 1, n.text])
                    }
                }
                let feature = try db.makeStatement(
                    sql: "INSERT INTO peer_features (wave, municipality_code, feature, z) VALUES (?, ?, ?, ?)")
                for code in peers.features.keys.sorted() {
                    for (name, z) in peers.features[code]!.sorted(by: { $0.key < $1.key }) {
                        try feature.execute(arguments: [peers.wave.text, code.text, name, z])
                    }
                }
                try db.execute(
                    sql: "INSERT INTO peer_waves (wave, source_sha256) VALUES (?, ?)",
                    arguments: [peers.wave.text, source])
            }
        } catch {
            throw StageFailure(
                .internal,
                "history store \(path): cannot store the peers of wave \(peers.wave): \(Self.describe(error))")
        }
    }

    /// The peers of the latest wave before `wave` that has them.
    package func previousPeers(before wave: Wave) throws -> Peers? {
        try queue.read { db in
            guard
                let previous = try String.fetchOne(
                    db, sql: "SELECT MAX(wave) FROM peer_waves WHERE wave < ?", arguments: [wave.text])
            else { return nil }
            let stored: Wave = try self.stored(previous)
            var peers = Peers(wave: stored, neighbours: [:], features: [:])
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT municipality_code, neighbour_code FROM peer_neighbours WHERE wave = ?
                    ORDER BY municipality_code, rank
                    """, arguments: [previous])
            for row in rows {
                let code: MunicipalityCode = try self.stored(row["municipality_code"], in: stored)
                peers.neighbours[code, default: []].append(try self.stored(row["neighbour_code"], in: stored))
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT municipality_code, feature, z FROM peer_features WHERE wave = ?",
                arguments: [previous])
            {
                let code: MunicipalityCode = try self.stored(row["municipality_code"], in: stored)
                peers.features[code, default: [:]][row["feature"]] = row["z"]
            }
            return peers
        }
    }

    /// The respondents' parts of the key rates stored with `wave` (empty for a wave stored before
    /// the panel was kept, or imported).
    package func panel(wave: Wave) throws -> [PanelUnit] {
        try queue.read { db in
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT establishment_id, municipality_code, indicator, y, x FROM panel_units
                    WHERE wave = ? ORDER BY municipality_code, establishment_id, indicator
                    """, arguments: [wave.text])
            var out: [PanelUnit] = []
            while let row = try cursor.next() {
                let name: String = row["indicator"]
                guard let indicator = Indicator(rawValue: name) else {
                    throw StageFailure(.data, "history store \(path): unknown indicator \(name) in wave \(wave)")
                }
                out.append(
                    PanelUnit(
                        establishmentID: try stored(row["establishment_id"], in: wave),
                        municipality: try stored(row["municipality_code"], in: wave), indicator: indicator,
                        y: row["y"], x: row["x"]))
            }
            return out
        }
    }

    /// Rows of one wave, sorted by municipality code then indicator.
    package func rows(wave: Wave) throws -> [IndicatorRow] {
        try queue.read { db in
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT municipality_code, municipality_name, indicator, value, numerator, denominator, n, ci_low, ci_high,
                      suppressed, suppression_rule, se, interval_method, reliability
                    FROM indicator_history WHERE wave = ? ORDER BY municipality_code, indicator
                    """, arguments: [wave.text])
            var out: [IndicatorRow] = []
            while let row = try cursor.next() {
                let name: String = row["indicator"]
                guard let indicator = Indicator(rawValue: name) else {
                    throw StageFailure(.data, "history store \(path): unknown indicator \(name) in wave \(wave)")
                }
                var e = Estimate(
                    value: row["value"], numerator: row["numerator"], denominator: row["denominator"], n: row["n"],
                    ciLow: row["ci_low"], ciHigh: row["ci_high"], se: row["se"],
                    method: IntervalMethod(rawValue: row["interval_method"]))
                e.reliability = Reliability(rawValue: row["reliability"])
                var r = IndicatorRow(
                    wave: wave, code: try stored(row["municipality_code"], in: wave), name: row["municipality_name"],
                    indicator: indicator,
                    estimate: e)
                r.suppressed = row["suppressed"]
                let rule: String = row["suppression_rule"]
                r.rule = SuppressionRule(rawValue: rule)
                out.append(r)
            }
            return out
        }
    }

    /// Writes one wave as CSV in the `indicators.csv` columns.
    ///
    /// Unsuppressed values (internal use only) unless `published`, which applies the disclosure decisions stored with
    /// them.
    package func export(wave: Wave, to path: FilePath, published: Bool = false) throws {
        let rows = try rows(wave: wave)
        guard !rows.isEmpty else {
            throw StageFailure(
                .data,
                "history store \(self.path): no rows for wave \(wave) (waves: \(try waves().map(\.text).joined(separator: ", ")))"
            )
        }
        try CSVTable.write(
            path, header: IndicatorRow.Column.header, rows: rows.map { published ? $0.published.cells : $0.cells },
            permissions: 0o600)
    }
}
