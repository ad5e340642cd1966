import BansoCSV
import Foundation

/// Where each stage's outputs live inside one run folder.
package struct RunLayout: Sendable {
    /// The run folder (a staging folder while the run is in progress).
    package let root: String
    /// The staging folder's writes, while the runner fills it (nil for a run read by a tool).
    ///
    /// What the stages write is synced with the folder and hashed on its way out.
    package let staging: StagingWrites?

    package init(root: String, staging: StagingWrites? = nil) {
        self.root = root
        self.staging = staging
    }

    package func path(_ relative: String) -> String { root + "/" + relative }
    package var ingest: String { path("ingest") }
    package var clean: String { path("clean") }
    package var `internal`: String { path("internal") }
    package var aggregate: String { path("aggregate") }
    package var peers: String { path("peers") }
    package var roadmap: String { path("roadmap") }
    package var feedback: String { path("feedback") }
    package var packets: String { path("packets") }

    /// Creates a folder (and parents) with the given permissions.
    package static func makeDirectory(_ path: String, permissions: Int = 0o755) throws {
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true,
            attributes: [.posixPermissions: permissions])
    }
}
