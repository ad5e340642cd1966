import BansoCSV
import BansoCore
import Foundation
import SystemPackage

/// Prints HTML to A4 PDF with headless Chromium (`[packets] pdf = true`).
///
/// Chromium stamps the time into the PDF's /CreationDate and /ModDate; they are set to a fixed
/// date of the same length (so no offset moves), and the same report gives the same bytes.
enum PDFPrinter {
    /// Names Debian and others give the browser.
    static let names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]

    /// The browser to use: the configured one, or the first of `names` on PATH.
    static func find(configured: String?) throws -> String {
        if let configured {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: configured, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: configured)
            else {
                throw StageFailure(.configuration, "[packets] chromium = \(configured) is not an executable file")
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
            "[packets] pdf = true needs headless Chromium with Japanese fonts, and none was found on PATH ("
                + names.joined(separator: ", ") + "): install them with scripts/install-deps --with-pdf "
                + "(Debian: chromium fonts-noto-cjk), set [packets] chromium = \"/path/to/chromium\", or set pdf = false"
        )
    }

    /// The browser's own version line (`Chromium 120.0.6099.224 built on Debian …`), or "unknown"
    /// when it does not answer within 20 seconds: a new browser may print differently.
    static func version(_ chromium: String) -> String {
        let file = NSTemporaryDirectory() + "banso-chromium-version-\(getpid())-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: file) }
        guard let outcome = try? ChildProcess.run(chromium, ["--version"], timeout: 20, output: file),
            outcome == .exited(0), let data = FileManager.default.contents(atPath: file)
        else { return "unknown" }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// How long one page may take to print before the browser is killed (a report takes 1–3 s).
    static let timeout = 120.0

    /// Prints `html` (a file) to `pdf`; returns the PDF's bytes.
    ///
    /// The browser runs in its own process group with its signals at their defaults, is killed
    /// with its whole group after `timeout` seconds or when banso is stopped, and what it wrote
    /// must be a PDF.
    static func print(html: FilePath, to pdf: FilePath, chromium: String, staging: StagingWrites? = nil) throws
        -> [UInt8]
    {
        let work = pdf.removingLastComponent().string + "/.chromium-\(getpid())-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let raw = work + "/out.pdf"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let outcome = try ChildProcess.run(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                "--user-data-dir=\(work)/profile",
                "--print-to-pdf=\(raw)", URL(fileURLWithPath: html.string).absoluteString,
            ], timeout: timeout)
        switch outcome {
        case .exited(0): break
        case .timedOut:
            throw StageFailure(
                .internal,
                "\(chromium) did not finish printing \(html) within \(Int(timeout)) s and was stopped; "
                    + "check that it runs headless on this machine (scripts/install-deps --with-pdf), or set pdf = false"
            )
        case .exited(let code):
            throw StageFailure(.internal, "\(chromium) could not print \(html) to PDF (exit status \(code))")
        case .signalled(let signo):
            throw StageFailure(.internal, "\(chromium) was killed by signal \(signo) while printing \(html)")
        }
        guard let data = FileManager.default.contents(atPath: raw), data.starts(with: Array("%PDF-".utf8)) else {
            throw StageFailure(
                .internal,
                "\(chromium) finished but wrote no PDF for \(html) (is [packets] chromium a Chromium or Chrome browser?)"
            )
        }
        let bytes = fixedDates(Array(data))
        try AtomicFile.write(bytes, to: pdf, staging: staging)
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
