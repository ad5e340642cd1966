import Foundation

/// Writing to stdout and stderr without dying: when the reader has gone (`banso run | head`),
/// writes fail with EPIPE and are dropped (SIGPIPE is ignored by `ignoreBrokenPipes()`), so the
/// run still finishes, cleans up and exits with its status.
package enum StandardStreams {
    /// Ignore SIGPIPE for the whole process; call once at start.
    package static func ignoreBrokenPipes() { signal(SIGPIPE, SIG_IGN) }

    /// Writes text to stderr; errors are dropped.
    package static func error(_ text: String) { write(STDERR_FILENO, text) }

    /// Writes bytes to stdout; errors are dropped.
    package static func output(_ bytes: [UInt8]) { write(STDOUT_FILENO, bytes) }

    static func write(_ fd: Int32, _ text: String) { write(fd, Array(text.utf8)) }

    static func write(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }

    /// Text safe to put in a log: control characters are shown as escapes, and every line after
    /// the first is indented, so that nothing in the text (a newline in a file name) can forge a
    /// line that starts like a log line.
    package static func logSafe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var out = ""
        for u in text.unicodeScalars {
            switch u.value {
            case 0x0A: out += "\n    "
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F: out += String(format: "\\u{%02X}", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
