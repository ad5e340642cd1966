import BansoCore
import Foundation
import Logging
import SystemPackage

/// Helpers shared by the test targets: the package's paths, temporary folders, small pipeline
/// files, stage contexts and running the real executables.
package enum TestSupport {
    /// The package root (the folder holding Package.swift).
    package static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.path + "/Package.swift") { return url.path }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// A stage context over a run folder, logging nowhere, reading what `reads` declares.
    package static func context(
        _ config: PipelineConfig, layout: RunLayout, root: String, reads: [RunFileDescriptor]
    ) -> StageContext {
        StageContext(
            inputFolder: FilePath(config.inputBase), layout: layout,
            historyPath: FilePath(root).appending("history.sqlite"),
            runID: "test",
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, reads: reads)
    }

    /// The cover letter of a mail draft (its text/plain part, decoded).
    package static func letter(_ path: String) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let part = text.components(separatedBy: "Content-Type: text/plain; charset=UTF-8\r\n")[1]
        let b64 = part.components(separatedBy: "\r\n\r\n")[1].components(separatedBy: "--")[0]
            .replacingOccurrences(of: "\r\n", with: "")
        return String(decoding: Data(base64Encoded: b64) ?? Data(), as: UTF8.self)
    }

    /// A new empty folder under the system temporary folder.
    package static func temporaryFolder(_ name: String = "banso") -> String {
        let path = NSTemporaryDirectory() + "\(name)-\(getpid())-\(UUID().uuidString.prefix(8))"
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            // A test cannot go on without its folder; say why (a full disk, usually) rather than trap bare.
            fatalError("cannot make the test folder \(path): \(error.localizedDescription)")
        }
        return path
    }

    /// Writes text (UTF-8) to a file, creating folders.
    package static func write(_ text: String, to path: String) {
        try! FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Writes text (UTF-8) to a file, creating folders.
    package static func write(_ text: String, to path: FilePath) { write(text, to: path.string) }

    /// Writes bytes to a file, creating folders.
    package static func write(_ bytes: [UInt8], to path: FilePath) { write(bytes, to: path.string) }

    /// Writes bytes to a file, creating folders.
    package static func write(_ bytes: [UInt8], to path: String) {
        try! FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// A pipeline file for a folder written by `Synth.generate` (prefecture, window and the header mapping the
    /// generator's second file needs).
    ///
    /// `extra` is appended verbatim.
    package static func pipeline(
        input: String, output: String, prefecture: String = "20", wave: String = "2025",
        workers: Bool = true, roadmap: Bool = false, extra: String = ""
    ) -> String {
        """
        name = "test-\(wave)"
        wave = "\(wave)"
        prefecture_code = "\(prefecture)"
        output = "\(output)"
        input = "\(input)"

        [survey_window]
        start = "\(wave)-09-01"
        end = "\(wave)-11-30"

        [inputs]
        master = "municipalities.csv"
        frame = "frame.csv"
        model_projects = "model_projects.csv"
        \(roadmap ? "roadmap = \"roadmap.csv\"\nself_assessment = [\"self_assessment_*.csv\"]\ncontext = [\"context.csv\"]" : "")

        [inputs.establishments]
        paths = ["establishments_*.csv"]
        [inputs.establishments.headers]
        "介護職員（正規）" = "care_staff_regular"
        \(workers ? "\n[inputs.workers]\npaths = [\"workers_*.csv\"]\n" : "")
        \(extra)
        """
    }

    /// Runs an executable and returns (status, stdout, stderr).
    @discardableResult
    package static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws
        -> (Int32, String, String)
    {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes at once: a child filling one (64 KiB) while we wait on the other would hang.
        final class Box: @unchecked Sendable { var data = Data() }
        let e = Box()
        let reader = DispatchGroup()
        DispatchQueue.global().async(group: reader) { e.data = err.fileHandleForReading.readDataToEndOfFile() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        reader.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e.data, as: UTF8.self))
    }

    /// The folder holding the built executables (the one the tests were built into).
    package static var binaries: String {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().path, Bundle.main.bundleURL.path,
            packageRoot + "/.build/debug",
        ]
        for c in candidates where FileManager.default.isExecutableFile(atPath: c + "/banso") { return c }
        return packageRoot + "/.build/debug"
    }
}

/// Codes, waves and establishment numbers in fixtures are literals; a wrong one is a mistake in
/// the test, caught when it runs. (Only tests may write them as literals: the program reads each
/// from data and checks it.)
extension ValidatedText {
    package init(stringLiteral text: String) {
        guard let value = Self(text) else { preconditionFailure("\(text) is not \(Self.expected)") }
        self = value
    }
}

extension MunicipalityCode: ExpressibleByStringLiteral {}
extension PrefectureCode: ExpressibleByStringLiteral {}
extension Wave: ExpressibleByStringLiteral {}
extension EstablishmentID: ExpressibleByStringLiteral {}

/// Tables whose headings would not sit over their values: a body row with more or fewer cells than
/// the heading row, or a numeric column (`td.num`, right-aligned) under a heading that is not.
///
/// Rows with a rowspan or colspan are left out (their cells do not line up one to one).
package func headerProblems(_ html: String) -> [String] {
    var problems: [String] = []
    for (n, table) in html.components(separatedBy: "<table").dropFirst().enumerated() {
        let body = table.components(separatedBy: "</table>")[0]
        guard body.contains("<thead>"), !body.contains("span=") else { continue }
        let head = body.components(separatedBy: "</thead>")[0]
        let headings = head.components(separatedBy: "<th").dropFirst().filter { !$0.hasPrefix("ead") }
            .map(numeric)
        let rows = body.components(separatedBy: "</thead>")[1].components(separatedBy: "<tr").dropFirst()
        for row in rows {
            let cells = row.components(separatedBy: "<td").dropFirst().map(numeric)
            guard !cells.isEmpty else { continue }
            if cells.count != headings.count {
                problems.append("table \(n + 1): \(headings.count) headings over \(cells.count) cells")
                break
            }
            for (i, numeric) in cells.enumerated() where numeric && !headings[i] {
                problems.append("table \(n + 1): column \(i + 1) holds numbers under a heading aligned left")
            }
        }
    }
    return Array(Set(problems)).sorted()
}

/// Whether a cell's tag (the text after `<td` or `<th`) has `num` among its classes (`num value`).
private func numeric(_ tag: String) -> Bool {
    guard tag.hasPrefix(" class=\"") else { return false }
    let classes = tag.dropFirst(8).prefix { $0 != "\"" }
    return classes.split(separator: " ").contains("num")
}
