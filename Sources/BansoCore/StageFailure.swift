/// Why a stage or command failed, with the exit status the documented table gives it.
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
    package var kind: Kind
    package var message: String
    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    package var description: String { message }
}
