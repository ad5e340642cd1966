import BansoCSV
import BansoCore
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

/// A change to a working pipeline that must stop the run before anything is read.
struct HostileSetup: CustomTestStringConvertible, Sendable {
    let name: String
    /// Changes the workspace (files under `root/input`, the pipeline file at `root/p.toml`).
    let apply: @Sendable (_ root: String) throws -> Void
    let status: Int32
    let phrase: String
    var testDescription: String { name }
}

/// Replaces `old` with `new` in the pipeline file.
func editPipeline(_ root: String, _ old: String, _ new: String) throws {
    let text = try String(contentsOfFile: root + "/p.toml", encoding: .utf8)
    precondition(text.contains(old), "the pipeline file has no \(old)")
    TestSupport.write(text.replacingOccurrences(of: old, with: new), to: root + "/p.toml")
}

let hostileSetups: [HostileSetup] = [
    HostileSetup(
        name: "a workers glob that also matches the establishment files",
        apply: { try editPipeline($0, "paths = [\"workers_*.csv\"]", "paths = [\"*_0*.csv\"]") }, status: 2,
        phrase: "establishments_01.csv is read twice, as inputs.establishments and inputs.workers"),
    HostileSetup(
        name: "the frame pointing at the master",
        apply: { try editPipeline($0, "frame = \"frame.csv\"", "frame = \"municipalities.csv\"") }, status: 2,
        phrase: "municipalities.csv is read twice, as inputs.master and inputs.frame"),
    HostileSetup(
        name: "a symbolic link to an input under another name",
        apply: { _ = symlink("workers_01.csv", $0 + "/input/workers_09.csv") }, status: 2,
        phrase: "are the same file (a link), read twice"),
    HostileSetup(
        name: "a copy of a file from Windows Explorer",
        apply: {
            try FileManager.default.copyItem(
                atPath: $0 + "/input/workers_01.csv", toPath: $0 + "/input/workers_01 - コピー.csv")
        }, status: 2, phrase: "have identical content"),
    HostileSetup(
        name: "a FIFO matched by a glob",
        apply: { _ = mkfifo($0 + "/input/workers_fifo.csv", 0o644) }, status: 2,
        phrase: "workers_fifo.csv is a named pipe (FIFO), not a file"),
    HostileSetup(
        name: "a device as an input",
        apply: { try editPipeline($0, "frame = \"frame.csv\"", "frame = \"/dev/zero\"") }, status: 2,
        phrase: "/dev/zero is a device, not a file"),
    HostileSetup(
        name: "a folder matched by a glob",
        apply: {
            try FileManager.default.createDirectory(
                atPath: $0 + "/input/workers_old.csv", withIntermediateDirectories: true)
        },
        status: 2, phrase: "workers_old.csv is a directory"),
    HostileSetup(
        name: "a loop of symbolic links",
        apply: { _ = symlink("workers_loop.csv", $0 + "/input/workers_loop.csv") }, status: 2,
        phrase: "workers_loop.csv: a loop of symbolic links"),
]

@Suite("hostile inputs and situations", .serialized)
struct HostileInputTests {
    @Test(
        "each stops the run with its message and status; latest, history and staging untouched",
        arguments: hostileSetups)
    func setup(_ h: HostileSetup) throws {
        let w = try Workspace(establishments: 60, workers: 200)
        #expect(try w.run(["--quiet"]).0 == 0)
        let before = w.latestTarget()
        let history = try Hashing.sha256(file: FilePath(w.history))
        try h.apply(w.root)
        for command in [["run", w.pipeline, "--quiet"], ["run", w.pipeline, "--dry-run"], ["status", w.pipeline]] {
            let (status, _, err) = try w.banso(command)
            #expect(status == h.status, "\(command[0]): \(err)")
            #expect(err.contains(h.phrase), "\(command[0]): \(err)")
            #expect(!err.contains("Fatal error"))
        }
        #expect(w.latestTarget() == before)
        #expect(try Hashing.sha256(file: FilePath(w.history)) == history)
        #expect(try w.stagingFolders().isEmpty)
    }

    @Test("SIGTERM during a run: exit 143, staging removed, latest and history unchanged; the next run completes")
    func terminated() throws {
        let w = try Workspace(establishments: 3000, workers: 40000)
        #expect(try w.run(["--quiet"]).0 == 0)
        let before = w.latestTarget()
        let history = try w.historyExport()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Workspace.bin + "/banso")
        p.arguments = ["run", w.pipeline, "--force", "--quiet"]
        let err = Pipe()
        p.standardError = err
        try p.run()
        usleep(400_000)
        p.terminate()
        p.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if p.terminationStatus == 143 {
            #expect(message.contains("stopped by SIGTERM; the run was not published"))
            #expect(w.latestTarget() == before)
            #expect(try w.historyExport() == history)
        } else {
            #expect(p.terminationStatus == 0, "\(message)")  // finished before the signal
        }
        #expect(try w.stagingFolders().isEmpty)
        #expect(try w.run(["--quiet"]).0 == 0)
        #expect(try w.historyMatchesLatest())
    }

    @Test("a log reader that goes away (| head) does not kill the run")
    func brokenPipe() throws {
        let w = try Workspace(establishments: 300, workers: 2000)
        let (status, out, err) = try TestSupport.run(
            "/bin/bash",
            [
                "-c", "\"$0\" run \"$1\" --force 2>&1 | head -1; exit ${PIPESTATUS[0]}", Workspace.bin + "/banso",
                w.pipeline,
            ])
        #expect(status == 0, "\(out) \(err)")
        #expect(out.split(separator: "\n").count == 1)
        #expect(w.latestTarget() != nil)
        #expect(try w.stagingFolders().isEmpty)
    }

    @Test("--output naming a file: a configuration error, not a Foundation error")
    func outputIsAFile() throws {
        let w = try Workspace(establishments: 60, workers: 200)
        TestSupport.write("not a folder", to: w.root + "/afile")
        let (status, _, err) = try w.run(["--output", w.root + "/afile", "--quiet"])
        #expect(status == 2)
        #expect(err.contains("the output \(w.root)/afile is a file, not a folder"), "\(err)")
        #expect(!err.contains("NSCocoaErrorDomain"))
        // Below a file: the same, naming the file in the way.
        let (below, _, belowErr) = try w.run(["--output", w.root + "/afile/out", "--quiet"])
        #expect(below == 2)
        #expect(belowErr.contains("is below \(w.root)/afile, which is a file, not a folder"), "\(belowErr)")
        #expect(!belowErr.contains("NSCocoaErrorDomain"))
    }

    @Test("a file name with a line break cannot forge a line in banso.log")
    func forgedLogLine() throws {
        let w = try Workspace(establishments: 60, workers: 200)
        let forged = "workers_9\n2026-01-01T00:00:00Z ERROR forged.csv"
        try FileManager.default.moveItem(atPath: w.root + "/input/workers_02.csv", toPath: w.root + "/input/" + forged)
        let (status, _, err) = try w.run([])
        #expect(status == 0, "\(err)")
        let log = try String(contentsOfFile: w.output + "/banso.log", encoding: .utf8)
        #expect(log.contains("workers_9"))
        #expect(!log.split(separator: "\n").contains { $0.hasPrefix("2026-01-01T00:00:00Z ERROR forged") })
        #expect(!err.split(separator: "\n").contains { $0.hasPrefix("2026-01-01T00:00:00Z ERROR forged") })
    }

    @Test("an encoding error names the line of the bad byte, not where parsing had got to")
    func encodingLine() throws {
        let w = try Workspace(establishments: 60, workers: 200)
        var bytes = Array((officeHeader + "\n").utf8)
        for n in 0..<199 { bytes += Array((officeRow(id: "20100\(String(format: "%05d", n))") + "\n").utf8) }
        bytes += try TextEncoder.encode(officeRow(id: "2010099999", comment: "髙橋") + "\n", as: .cp932)
        TestSupport.write(bytes, to: w.root + "/input/establishments_01.csv")
        let (status, _, err) = try w.run(["--quiet"])
        #expect(status == 1)
        #expect(err.contains("establishments_01.csv: line 201, byte offset"), "\(err)")
    }

    @Test("no CP932 converter on the system: exit 4 naming what to install")
    func noCP932() throws {
        let w = try Workspace(establishments: 60, workers: 200)
        var env = ProcessInfo.processInfo.environment
        env["BANSO_TEST_CP932_NAME"] = "NO-SUCH-ENCODING"
        let (status, _, err) = try TestSupport.run(Workspace.bin + "/banso", ["run", w.pipeline], environment: env)
        #expect(status == 4)
        #expect(err.contains("cannot convert CP932") && err.contains("install"))
    }

    @Test("banso-synth asked for more municipalities than a prefecture has codes: an error, not an overflow")
    func synthTooMany() throws {
        let out = TestSupport.temporaryFolder("banso-synth-many")
        let (status, _, err) = try TestSupport.run(
            Workspace.bin + "/banso-synth",
            [
                "--prefecture", "44", "--municipalities", "1000", "--establishments", "10", "--workers", "10", "--out",
                out,
            ])
        #expect(status != 0 && status < 128, "exit \(status)")
        #expect(err.contains("at most 999 municipalities"), "\(err)")
        let (ok, _, okErr) = try TestSupport.run(
            Workspace.bin + "/banso-synth",
            [
                "--prefecture", "44", "--municipalities", "999", "--establishments", "2000", "--workers", "10", "--out",
                out,
            ])
        #expect(ok == 0, "\(okErr)")
    }

    @Test("the history store locked by another process: refused in words, not published, latest unchanged")
    func storeLocked() throws {
        let w = try Workspace(establishments: 60, workers: 200)
        #expect(try w.run(["--quiet"]).0 == 0)
        let before = w.latestTarget()
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            "import sqlite3,sys,time\nc=sqlite3.connect(sys.argv[1],isolation_level=None)\nc.execute('BEGIN EXCLUSIVE')\n"
                + "print('locked',flush=True)\ntime.sleep(60)", w.history,
        ]
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        defer { holder.terminate() }
        _ = out.fileHandleForReading.availableData  // "locked"
        var env = ProcessInfo.processInfo.environment
        env["BANSO_TEST_HISTORY_BUSY_SECONDS"] = "1"
        let (status, _, err) = try TestSupport.run(
            Workspace.bin + "/banso", ["run", w.pipeline, "--force", "--quiet"], environment: env)
        #expect(status != 0)
        #expect(err.contains("is locked by another process") && err.contains("stayed locked for 1 s"), "\(err)")
        #expect(!err.contains("database is locked"))
        #expect(w.latestTarget() == before)
        #expect(try w.stagingFolders().isEmpty)
    }

    @Test("a history store written by a newer version is refused up front, naming versions, before anything runs")
    func newerStore() throws {
        let w = try Workspace(establishments: 60, workers: 200)
        #expect(try w.run(["--quiet"]).0 == 0)
        let before = w.latestTarget()
        let (py, _, pyErr) = try TestSupport.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.execute(\"INSERT INTO grdb_migrations VALUES ('v99')\")\nc.commit()",
                w.history,
            ])
        try #require(py == 0, "\(pyErr)")
        let (status, _, err) = try w.run(["--force", "--quiet"])
        #expect(status == 2, "\(err)")
        #expect(err.contains("was written by a newer version of banso"), "\(err)")
        #expect(w.latestTarget() == before)
    }

    @Test("a test copy of a wave's pipeline (same wave, same store) does not replace the wave; --take-over-wave does")
    func waveOwner() throws {
        let w = try Workspace(establishments: 60, workers: 200)
        #expect(try w.run(["--quiet"]).0 == 0)
        let store = try Hashing.sha256(file: FilePath(w.history))
        let text = try String(contentsOfFile: w.pipeline, encoding: .utf8)
            .replacingOccurrences(of: "name = \"test-2025\"", with: "name = \"test-copy\"")
            .replacingOccurrences(of: "output = \"\(w.output)\"", with: "output = \"\(w.root)/out-copy\"")
        TestSupport.write(
            text.replacingOccurrences(of: "min_establishments = 3", with: "min_establishments = 5"),
            to: w.root + "/copy.toml")
        let (status, _, err) = try w.banso(["run", w.root + "/copy.toml", "--quiet"])
        #expect(status == 2, "\(err)")
        #expect(
            err.contains("wave 2025 belongs to pipeline 'test-2025' (\(w.pipeline)), and this is 'test-copy'"), "\(err)"
        )
        #expect(err.contains("--scratch") && err.contains("--take-over-wave"))
        #expect(try Hashing.sha256(file: FilePath(w.history)) == store)
        #expect(!FileManager.default.fileExists(atPath: w.root + "/out-copy/latest"))
        // Taken over on purpose, the wave is the copy's.
        #expect(try w.banso(["run", w.root + "/copy.toml", "--quiet", "--take-over-wave"]).0 == 0)
        #expect(try Hashing.sha256(file: FilePath(w.history)) != store)
    }

    @Test(
        "the prefecture's own templates: a misspelt name is warned with a suggestion; the shipped ones copied raise nothing"
    )
    func misspeltTemplateNames() throws {
        let templates = TestSupport.packageRoot + "/Sources/BansoPackets/Templates/"
        let w = try Workspace(establishments: 60, workers: 200, extra: "[packets]\ntemplates = \"tpl\"\n")
        for name in ["report.mustache", "prefecture_summary.mustache", "letter.mustache"] {
            TestSupport.write(
                try String(contentsOfFile: templates + name, encoding: .utf8), to: w.root + "/tpl/" + name)
        }
        try editPipeline(w.root, "templates = \"tpl\"", "templates = \"\(w.root)/tpl\"")
        #expect(try w.run(["--quiet"]).0 == 0)
        let clean = try String(contentsOfFile: w.output + "/banso.log", encoding: .utf8)
        #expect(
            !clean.contains("is nothing the view provides"),
            "\(clean.split(separator: "\n").filter { $0.contains("templates:") })")
        let letter = try String(contentsOfFile: templates + "letter.mustache", encoding: .utf8)
        TestSupport.write(
            letter.replacingOccurrences(of: "{{municipality}}", with: "{{municipalty}}"),
            to: w.root + "/tpl/letter.mustache")
        #expect(try w.run(["--quiet"]).0 == 0)
        let log = try String(contentsOfFile: w.output + "/banso.log", encoding: .utf8)
        #expect(
            log.contains(
                "{{municipalty}} is nothing the view provides, so it renders empty (did you mean {{municipality}}?)"),
            "\(log.suffix(2000))")
        // strict_templates: the same is a configuration error, and nothing is published.
        let before = w.latestTarget()
        try editPipeline(w.root, "[packets]\n", "[packets]\nstrict_templates = true\n")
        let (strict, _, err) = try w.run(["--quiet"])
        #expect(strict == 2 && err.contains("strict_templates") && err.contains("{{municipalty}}"), "\(err)")
        #expect(w.latestTarget() == before)
    }
}
