import BansoCore
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A generated prefecture and its pipeline file in a temporary folder, run with the real executables.
struct Workspace {
    let root: String
    var pipeline: String { root + "/p.toml" }
    var output: String { root + "/out" }
    var latest: String { output + "/latest" }
    /// The history store: beside the output folder, shared by every wave's pipeline.
    var history: String { root + "/history-20.sqlite" }
    static var bin: String { TestSupport.binaries }

    init(establishments: Int = 300, workers: Int = 1500, extra: String = "") throws {
        root = TestSupport.temporaryFolder("banso-e2e")
        let (status, _, err) = try TestSupport.run(
            Self.bin + "/banso-synth",
            ["--out", root + "/input", "--establishments", String(establishments), "--workers", String(workers)])
        guard status == 0 else { throw StageFailure(.internal, "banso-synth failed: \(err)") }
        TestSupport.write(
            TestSupport.pipeline(input: root + "/input", output: root + "/out", extra: extra), to: pipeline)
    }

    @discardableResult
    func banso(_ args: [String]) throws -> (Int32, String, String) {
        try TestSupport.run(Self.bin + "/banso", args)
    }

    func run(_ extra: [String] = []) throws -> (Int32, String, String) { try banso(["run", pipeline] + extra) }

    /// Stage name → status in the latest run.json.
    func stageStatus() throws -> [String: String] {
        struct M: Decodable {
            struct S: Decodable {
                let name: String
                let status: String
            }
            let stages: [S]
        }
        let m = try JSONFile.read(M.self, from: FilePath(latest + "/run.json"))
        return Dictionary(uniqueKeysWithValues: m.stages.map { ($0.name, $0.status) })
    }

    func latestTarget() -> String? { try? FileManager.default.destinationOfSymbolicLink(atPath: latest) }

    /// Unfinished runs left in `runs/`.
    func stagingFolders() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: output + "/runs").filter { $0.hasPrefix(".staging") }
    }

    /// The history store's copy of the 2025 wave, unsuppressed, as `banso history --export` writes it.
    func historyExport() throws -> String {
        let file = root + "/history-\(UUID().uuidString).csv"
        let (status, _, err) = try banso(["history", pipeline, "--export", "2025", "--to", file])
        guard status == 0 else { throw StageFailure(.internal, "banso history failed: \(err)") }
        defer { try? FileManager.default.removeItem(atPath: file) }
        return try String(contentsOfFile: file, encoding: .utf8)
    }

    /// The history store holds exactly the wave `latest` published.
    func historyMatchesLatest() throws -> Bool {
        try historyExport() == String(contentsOfFile: latest + "/internal/indicators.csv", encoding: .utf8)
    }

    /// SHA-256 of every file of a run folder but run.json.
    func dataFiles(_ run: String) throws -> [String: String] { try Self.dataFiles(run) }

    /// SHA-256 of every file of a run folder but run.json.
    static func dataFiles(_ run: String) throws -> [String: String] {
        var out: [String: String] = [:]
        let e = FileManager.default.enumerator(atPath: run)!
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: run + "/" + rel, isDirectory: &isDir), !isDir.boolValue,
                rel != "run.json"
            {
                out[rel] = try Hashing.sha256(file: FilePath(run + "/" + rel))
            }
        }
        return out
    }
}

@Suite("runner, end to end", .serialized)
struct RunnerTests {
    @Test("a second run skips everything; touching one input re-runs only what reads it")
    func incremental() throws {
        let w = try Workspace()
        let (s1, _, e1) = try w.run()
        #expect(s1 == 0, "\(e1)")
        #expect(try w.stageStatus().values.allSatisfy { $0 == "ran" })
        let (s2, _, e2) = try w.run()
        #expect(s2 == 0)
        #expect(try w.stageStatus().values.allSatisfy { $0 == "skipped" }, "\(e2)")
        #expect(e2.contains("up to date"))

        // A new model project: ingest and clean re-run; aggregate does not read it; peers and packets do.
        let path = w.root + "/input/model_projects.csv"
        var text = try String(contentsOfFile: path, encoding: .shiftJIS)
        text += "202037,介護助手導入モデル,介護人材確保,令和6年度,新しい事業\r\n"
        try text.data(using: .shiftJIS)!.write(to: URL(fileURLWithPath: path))
        let (s3, _, _) = try w.run()
        #expect(s3 == 0)
        let st = try w.stageStatus()
        #expect(
            st == [
                "ingest": "ran", "clean": "ran", "aggregate": "skipped", "peers": "ran", "roadmap": "skipped",
                "feedback": "skipped", "packets": "ran",
            ])
    }

    @Test("feedback right after aggregate reuses its weighted establishments and writes what feedback alone writes")
    func feedbackReusesAggregate() throws {
        let w = try Workspace()
        #expect(try w.run().0 == 0)
        let log = try String(contentsOfFile: w.output + "/banso.log", encoding: .utf8)
        #expect(log.contains("the establishments as aggregate read and weighted them (kept in memory)"))
        let together = try String(contentsOfFile: w.latest + "/feedback/summary.csv", encoding: .utf8)
        // Pooled peer figures are there to compare (the part that reads the establishments).
        let rows = try RunFiles.summary.read(file: FilePath(w.latest + "/feedback/summary.csv"))
        #expect(rows.contains { $0.peerPooled != nil })
        // In a process of its own feedback reads and weights the clean files itself.
        #expect(try w.run(["--only", "feedback", "--force", "--quiet"]).0 == 0)
        #expect(try w.stageStatus()["aggregate"] == "skipped" && w.stageStatus()["feedback"] == "ran")
        let alone = try String(contentsOfFile: w.latest + "/feedback/summary.csv", encoding: .utf8)
        #expect(alone == together)
    }

    @Test("--only and --from; --dry-run changes nothing; status explains")
    func selection() throws {
        let w = try Workspace()
        #expect(try w.run().0 == 0)
        let (s, _, _) = try w.run(["--only", "peers"])
        #expect(s == 0)
        #expect(
            try w.stageStatus() == [
                "ingest": "skipped", "clean": "skipped", "aggregate": "skipped", "peers": "ran", "roadmap": "skipped",
                "feedback": "skipped", "packets": "skipped",
            ])
        #expect(try w.run(["--from", "feedback"]).0 == 0)
        #expect(
            try w.stageStatus() == [
                "ingest": "skipped", "clean": "skipped", "aggregate": "skipped", "peers": "skipped",
                "roadmap": "skipped", "feedback": "ran", "packets": "ran",
            ])

        let before = w.latestTarget()
        let runsBefore = try FileManager.default.contentsOfDirectory(atPath: w.output + "/runs")
        let text = try String(contentsOfFile: w.pipeline, encoding: .utf8) + "\n[peers]\nk = 4\n"
        try text.write(toFile: w.pipeline, atomically: true, encoding: .utf8)
        let (d, out, _) = try w.run(["--dry-run"])
        #expect(d == 0)
        #expect(out.contains("peers: would run: parameters changed: k"))
        #expect(out.contains("ingest: up to date"))
        #expect(w.latestTarget() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: w.output + "/runs") == runsBefore)
        let (_, status, _) = try w.banso(["status", w.pipeline])
        #expect(status.contains("peers: out of date: parameters changed: k"))
        #expect(status.contains("clean: up to date"))
        // A clean executable is the same as --only clean.
        let (c, _, _) = try TestSupport.run(Workspace.bin + "/banso-clean", [w.pipeline, "--quiet"])
        #expect(c == 0)
        #expect(try w.stageStatus()["clean"] == "ran")
    }

    @Test("--only peers after editing k re-runs what reads the peers; --allow-stale publishes a marked run instead")
    func onlyKeepsLatestConsistent() throws {
        let w = try Workspace()
        #expect(try w.run(["--quiet"]).0 == 0)
        try editPipeline(w.root, "\n\n[inputs]", "\n[peers]\nk = 2\n\n[inputs]")
        #expect(try w.run(["--only", "peers", "--quiet"]).0 == 0)
        let status = try w.stageStatus()
        #expect(status["peers"] == "ran" && status["feedback"] == "ran" && status["packets"] == "ran", "\(status)")
        #expect(status["aggregate"] == "skipped")
        #expect(!FileManager.default.fileExists(atPath: w.latest + "/STALE.txt"))

        try editPipeline(w.root, "k = 2", "k = 9")
        #expect(try w.run(["--only", "peers", "--allow-stale", "--quiet"]).0 == 0)
        #expect(try w.stageStatus()["feedback"] == "skipped")
        let marker = try String(contentsOfFile: w.latest + "/STALE.txt", encoding: .utf8)
        #expect(marker.contains("feedback: inputs changed") && marker.contains("packets: inputs changed"), "\(marker)")
        #expect(FileManager.default.fileExists(atPath: w.latest + "/packets/STALE.txt"))
        let (_, out, _) = try w.banso(["status", w.pipeline])
        #expect(out.contains("published with --allow-stale"))
        // The next ordinary run brings everything up to date and drops the marker.
        #expect(try w.run(["--quiet"]).0 == 0)
        #expect(!FileManager.default.fileExists(atPath: w.latest + "/STALE.txt"))
    }

    @Test("a run published with the clock set ahead: diff --previous keeps the order of publication, and it is pruned")
    func clockAhead() throws {
        let w = try Workspace(establishments: 60, workers: 200, extra: "[runs]\nkeep = 2\n")
        #expect(try w.run(["--quiet"]).0 == 0)
        // The first run as if its clock had been years ahead: its folder name sorts last.
        let first = try #require(w.latestTarget()).replacingOccurrences(of: "runs/", with: "")
        let future = "29991231T000000Z-" + first.suffix(8)
        #expect(rename(w.output + "/runs/" + first, w.output + "/runs/" + future) == 0)
        unlink(w.latest)
        #expect(symlink("runs/" + future, w.latest) == 0)
        let log = try String(contentsOfFile: w.output + "/runs/.published", encoding: .utf8)
        TestSupport.write(log.replacingOccurrences(of: first, with: future), to: w.output + "/runs/.published")

        try editPipeline(w.root, "keep = 2", "keep = 2\n[peers]\nk = 2")
        #expect(try w.run(["--quiet"]).0 == 0)
        let second = try #require(w.latestTarget()).replacingOccurrences(of: "runs/", with: "")
        #expect(second != future)
        // The run before latest is the one published before it, however its folder is named.
        let (status, out, err) = try w.banso(["diff", w.pipeline, "--previous"])
        #expect(status == 1, "\(err)")
        #expect(out.contains("comparing \(w.output)/runs/\(future)"), "\(out.prefix(300))")
        // keep = 2: a third run sets the oldest publication aside, not the run named last.
        try editPipeline(w.root, "k = 2", "k = 3")
        #expect(try w.run(["--quiet"]).0 == 0)
        let third = try #require(w.latestTarget()).replacingOccurrences(of: "runs/", with: "")
        let runs = try FileManager.default.contentsOfDirectory(atPath: w.output + "/runs").filter { !$0.hasPrefix(".") }
        #expect(Set(runs) == [second, third], "\(runs)")
    }

    @Test("a second run while the lock is held exits 3 with a clear message")
    func lock() throws {
        let w = try Workspace()
        #expect(try w.run().0 == 0)
        let fd = open(w.output + "/.lock", O_RDWR)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let (s, _, err) = try w.run(["--force"])
        #expect(s == 3)
        #expect(err.contains("another run of pipeline"))
        close(fd)
        #expect(try w.run(["--force"]).0 == 0)
    }

    @Test("runs past [runs] keep are set aside at once and deleted by the next run; latest is never pruned")
    func prune() throws {
        let w = try Workspace(extra: "[runs]\nkeep = 2\n")
        let runs = w.output + "/runs"
        func listed() throws -> (finished: [String], pruned: [String]) {
            let names = try FileManager.default.contentsOfDirectory(atPath: runs).sorted()
            return (names.filter { !$0.hasPrefix(".") }, names.filter { $0.hasPrefix(".pruned-") })
        }
        var published: [String] = []
        for n in 1...4 {
            let (status, _, err) = try w.run(["--force"])
            #expect(status == 0, "\(err)")
            published.append((w.latestTarget()! as NSString).lastPathComponent)
            let (finished, pruned) = try listed()
            #expect(finished == Array(published.suffix(2)), "after run \(n)")
            // Only what this run pruned is left: what the previous run set aside is gone.
            #expect(pruned == (n > 2 ? [".pruned-" + published[n - 3]] : []), "after run \(n)")
        }
        #expect(try w.dataFiles(w.output + "/" + w.latestTarget()!).count > 100)
    }

    @Test("two forced runs give byte-identical data files")
    func reproducible() throws {
        let w = try Workspace()
        #expect(try w.run().0 == 0)
        let a = w.output + "/" + w.latestTarget()!
        #expect(try w.run(["--force"]).0 == 0)
        let b = w.output + "/" + w.latestTarget()!
        #expect(a != b)
        let fa = try w.dataFiles(a), fb = try w.dataFiles(b)
        #expect(fa.count > 100)
        #expect(fa == fb)
        // diff agrees: identical, exit 0.
        let (d, out, _) = try w.banso(["diff", a, b])
        #expect(d == 0, "\(out)")
    }

    @Test(
        "SIGKILL at any moment leaves latest intact and the next run completes", arguments: [0.05, 0.2, 0.4, 0.7, 1.0])
    func killed(delay: Double) throws {
        let w = try Workspace(establishments: 1500, workers: 20000)
        #expect(try w.run().0 == 0)
        let good = w.latestTarget()!
        let goodFiles = try w.dataFiles(w.output + "/" + good)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Workspace.bin + "/banso")
        p.arguments = ["run", w.pipeline, "--force", "--quiet"]
        try p.run()
        usleep(useconds_t(delay * 1_000_000))
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        // Either the killed run had not published (latest unchanged) or it had finished.
        let now = w.latestTarget()!
        let files = try w.dataFiles(w.output + "/" + now)
        #expect(files == goodFiles, "latest must be a complete run")
        let (s, _, err) = try w.run(["--force"])
        #expect(s == 0, "\(err)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: w.output + "/runs").filter {
            $0.hasPrefix(".staging")
        }
        #expect(leftovers.isEmpty)
        #expect(try w.dataFiles(w.output + "/" + w.latestTarget()!) == goodFiles)
        #expect(try w.historyMatchesLatest())
    }

    @Test("a run that fails after aggregate leaves the history store as latest shows it; the next run updates both")
    func historyFollowsPublish() throws {
        let w = try Workspace(establishments: 200, workers: 800)
        #expect(try w.run(["--quiet"]).0 == 0)
        let before = try w.historyExport()
        #expect(try w.historyMatchesLatest())
        let good = w.latestTarget()
        // Other disclosure parameters: aggregate re-runs with other decisions.
        TestSupport.write(
            try String(contentsOfFile: w.pipeline, encoding: .utf8) + "\n[disclosure]\nmin_establishments = 6\n",
            to: w.pipeline)
        for stage in ["aggregate", "packets"] {
            var env = ProcessInfo.processInfo.environment
            env["BANSO_TEST_FAIL_AFTER"] = stage
            let (status, _, err) = try TestSupport.run(
                Workspace.bin + "/banso", ["run", w.pipeline, "--quiet"], environment: env)
            #expect(status == 4, "\(err)")
            #expect(err.contains("stopped after stage \(stage)"))
            #expect(w.latestTarget() == good)
            #expect(try w.historyExport() == before, "a run that did not publish must not change the history store")
        }
        #expect(try w.run(["--quiet"]).0 == 0)
        #expect(w.latestTarget() != good)
        #expect(try w.historyExport() != before)
        #expect(try w.historyMatchesLatest())
    }
}
