import BansoCSV
import BansoCore
import Foundation
import SystemPackage

/// Prints HTML to small, tagged A4 PDFs (`[packets] pdf = true`): headless Chromium prints, qpdf packs.
///
/// Chromium writes a tagged PDF (language from `<html lang>`, title from `<title>`) whose fonts
/// are TrueType subsets when the text is set in a TrueType face (BIZ UDPGothic, docs/outputs.md);
/// its structure tree is most of the file, so qpdf packs the objects into compressed object
/// streams (a 10-page report: 380 KB → about 240 KB). Chromium stamps the time into /CreationDate
/// and /ModDate; they are set to a fixed date of the same length, the browser's user agent in
/// /Creator gives way to /Author (the issuer), and qpdf's /ID is derived from the content, so the
/// same report gives the same bytes.
struct PDFPrinter: Sendable {
    /// The browser, an executable file.
    let chromium: String
    /// qpdf, an executable file.
    let qpdf: String

    /// Names Debian and others give the browser.
    static let browserNames = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]

    /// Finds both programs: the configured ones, or the first of their names on PATH.
    init(chromium: String?, qpdf: String?) throws {
        self.chromium = try Self.locate(
            configured: chromium, setting: "chromium", names: Self.browserNames,
            missing: "headless Chromium with Japanese fonts")
        self.qpdf = try Self.locate(
            configured: qpdf, setting: "qpdf", names: ["qpdf"], missing: "qpdf (it packs the printed PDFs small)")
    }

    /// The configured program, or the first of `names` on PATH.
    static func locate(configured: String?, setting: String, names: [String], missing: String) throws -> String {
        if let configured {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: configured, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: configured)
            else {
                throw StageFailure(.configuration, "[packets] \(setting) = \(configured) is not an executable file")
            }
            return configured
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            for name in names where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        throw StageFailure(
            .configuration,
            "[packets] pdf = true needs \(missing), and none was found on PATH (" + names.joined(separator: ", ")
                + "): install them with scripts/install-deps --with-pdf "
                + "(Debian: chromium fonts-morisawa-bizud-gothic qpdf), set [packets] \(setting) = \"/path/to/\(names[0])\", "
                + "or set pdf = false"
        )
    }

    /// Each program's own version line (`Chromium 120.0.6099.224 built on Debian …`, `qpdf
    /// version 11.3.0`), or "unknown" when it does not answer within 20 seconds: a new version may
    /// print differently.
    var versions: [String: String] { ["chromium": Self.version(chromium), "qpdf": Self.version(qpdf)] }

    /// One program's version line, or "unknown".
    static func version(_ program: String) -> String {
        let file = NSTemporaryDirectory() + "banso-version-\(getpid())-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: file) }
        guard let outcome = try? ChildProcess.run(program, ["--version"], timeout: 20, output: file),
            outcome == .exited(0), let data = FileManager.default.contents(atPath: file)
        else { return "unknown" }
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }

    /// How long one page may take to print before the browser is killed (a report takes 1–3 s).
    static let timeout = 120.0

    /// Prints `html` (a file) to `pdf` with `author` as its /Author; returns the PDF's bytes.
    ///
    /// Each program runs in its own process group with its signals at their defaults, is killed
    /// with its whole group after `timeout` seconds or when banso is stopped, and what it wrote
    /// must be a PDF.
    func print(html: FilePath, to pdf: FilePath, author: String, staging: StagingWrites? = nil) throws -> [UInt8] {
        let work = pdf.removingLastComponent().string + "/.chromium-\(getpid())-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let raw = work + "/printed.pdf"
        let fixed = work + "/fixed.pdf"
        let packed = work + "/packed.pdf"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try run(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                "--user-data-dir=\(work)/profile",
                "--print-to-pdf=\(raw)", URL(fileURLWithPath: html.string).absoluteString,
            ], doing: "print \(html) to PDF")
        let printed = try Self.readPDF(
            raw,
            written:
                "\(chromium) finished but wrote no PDF for \(html) (is [packets] chromium a Chromium or Chrome browser?)"
        )
        try AtomicFile.write(Self.withAuthor(Self.fixedDates(printed), author), to: FilePath(fixed))
        try run(
            qpdf,
            [
                "--object-streams=generate", "--compression-level=9", "--recompress-flate", "--deterministic-id",
                fixed, packed,
            ], doing: "pack the PDF of \(html)")
        let bytes = try Self.readPDF(
            packed, written: "\(qpdf) finished but wrote no PDF for \(html) (is [packets] qpdf the qpdf program?)")
        try AtomicFile.write(bytes, to: pdf, staging: staging)
        return bytes
    }

    /// Runs one of the two programs; anything but a clean exit is a failure naming it and the step.
    private func run(_ program: String, _ arguments: [String], doing step: String) throws {
        switch try ChildProcess.run(program, arguments, timeout: Self.timeout) {
        case .exited(0): return
        case .timedOut:
            throw StageFailure(
                .internal,
                "\(program) did not \(step) within \(Int(Self.timeout)) s and was stopped; "
                    + "check that it runs headless on this machine (scripts/install-deps --with-pdf), or set pdf = false"
            )
        case .exited(let code):
            throw StageFailure(.internal, "\(program) could not \(step) (exit status \(code))")
        case .signalled(let signo):
            throw StageFailure(.internal, "\(program) was killed by signal \(signo) while trying to \(step)")
        }
    }

    /// The bytes at `path` when they are a PDF; `written` is the failure otherwise.
    private static func readPDF(_ path: String, written: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path), data.starts(with: Array("%PDF-".utf8)) else {
            throw StageFailure(.internal, written)
        }
        return Array(data)
    }

    /// Replaces the document information's `/Creator (…)` with `/Author <…>` padded to the same length.
    ///
    /// Chromium puts its user agent in /Creator and sets no /Author; the slot is long enough for an
    /// issuer of about 25 characters (UTF-16, in hex), and a longer one is cut to fit. Nothing
    /// moves, so the cross-reference table stays right. Without a /Creator the bytes are kept.
    static func withAuthor(_ bytes: [UInt8], _ author: String) -> [UInt8] {
        let key = Array("/Creator (".utf8)
        guard let start = bytes.firstRange(of: key)?.lowerBound else { return bytes }
        var end = start + key.count
        var depth = 1
        while end < bytes.count && depth > 0 {
            switch bytes[end] {
            case UInt8(ascii: "\\"): end += 1
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"): depth -= 1
            default: break
            }
            end += 1
        }
        let slot = end - start
        var characters = Array(author)
        while !characters.isEmpty {
            let hex = ([0xFEFF] + String(characters).utf16).map { String(format: "%04X", $0) }.joined()
            let entry = Array("/Author <\(hex)>".utf8)
            if entry.count <= slot {
                var out = bytes
                out.replaceSubrange(
                    start..<end, with: entry + Array(repeating: UInt8(ascii: " "), count: slot - entry.count))
                return out
            }
            characters.removeLast()
        }
        return bytes
    }

    /// Replaces every `(D:YYYYMMDDHHMMSS+HH'MM')` with 2020-01-01, byte for byte the same length.
    static func fixedDates(_ bytes: [UInt8]) -> [UInt8] {
        let pattern = Array("(D:".utf8)
        let fixed = Array("20200101000000".utf8)
        var out = bytes
        var i = 0
        while i + 3 + 14 < out.count {
            if out[i] == pattern[0] && out[i + 1] == pattern[1] && out[i + 2] == pattern[2]
                && out[(i + 3)..<(i + 17)].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
            {
                out.replaceSubrange((i + 3)..<(i + 17), with: fixed)
                i += 17
            } else {
                i += 1
            }
        }
        return out
    }
}
