import BansoCSV
import BansoCore
import Foundation

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
            guard FileManager.default.isExecutableFile(atPath: configured) else {
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
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments = ["--version"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return "unknown" }
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        if done.wait(timeout: .now() + 20) == .timedOut {
            p.terminate()
            return "unknown"
        }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Prints `html` (a file) to `pdf`; returns the PDF's bytes.
    static func print(html: String, to pdf: String, chromium: String) throws -> [UInt8] {
        let work = (pdf as NSString).deletingLastPathComponent + "/.chromium-\(getpid())-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let raw = work + "/out.pdf"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--user-data-dir=\(work)/profile",
            "--print-to-pdf=\(raw)", URL(fileURLWithPath: html).absoluteString,
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let data = FileManager.default.contents(atPath: raw), !data.isEmpty else {
            throw StageFailure(
                .internal, "\(chromium) could not print \(html) to PDF (exit status \(p.terminationStatus))")
        }
        let bytes = fixedDates(Array(data))
        try AtomicFile.write(bytes, to: pdf)
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
