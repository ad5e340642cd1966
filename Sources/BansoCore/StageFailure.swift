import SystemPackage

/// Why a stage or command failed, with the exit status the documented table gives it.
///
/// A failure keeps where it happened (file, line, field) apart from what happened until
/// `description`, the one place a failure becomes the text a user reads.
package struct StageFailure: Error, CustomStringConvertible {
    /// Exit statuses (README, "Exit status").
    package enum Kind: Int32, Sendable {
        /// Input data cannot be used (a file rejected whole, conservation broken, a missing upstream output).
        case data = 1
        /// The pipeline file or the command line is wrong.
        case configuration = 2
        /// Another run holds the pipeline's lock.
        case lockHeld = 3
        /// A bug or an environment failure (disk full, permissions on the output folder).
        case `internal` = 4
    }

    /// Where a failure is: a file, and when known the line and the field (column) in it.
    package struct Location: Sendable, Equatable, CustomStringConvertible {
        /// The file as the user named it (an input relative to the input folder) or as it lies
        /// in the run folder.
        package var file: FilePath
        package var line: Int?
        package var field: String?

        package init(file: FilePath, line: Int? = nil, field: String? = nil) {
            self.file = file
            self.line = line
            self.field = field
        }

        /// A file named in a message as the user wrote it.
        package init(file: String, line: Int? = nil, field: String? = nil) {
            self.init(file: FilePath(file), line: line, field: field)
        }

        /// `clean/workers.csv line 12, column age`.
        package var description: String {
            var text = file.string
            if let line { text += " line \(line)" }
            if let field { text += line == nil ? " column \(field)" : ", column \(field)" }
            return text
        }
    }

    package var kind: Kind
    package var location: Location?
    /// What went wrong and what to do, without the location.
    package var message: String
    /// What was being done, outermost first (`stage aggregate failed`).
    package var context: [String] = []

    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package init(_ kind: Kind, at location: Location, _ message: String) {
        self.kind = kind
        self.location = location
        self.message = message
    }

    /// The same failure inside a larger step (`stage clean failed`).
    package func within(_ step: String) -> StageFailure {
        var copy = self
        copy.context.insert(step, at: 0)
        return copy
    }

    /// The text a user reads: the steps, the location, the message.
    package var description: String {
        (context + [location?.description].compactMap { $0 } + [message]).joined(separator: ": ")
    }
}
