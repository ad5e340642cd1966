import BansoCSV
import Foundation
import SystemPackage

/// Where each stage's outputs live inside one run folder.
package struct RunLayout: Sendable {
    /// The run folder (a staging folder while the run is in progress).
    package let root: FilePath
    /// The staging folder's writes, while the runner fills it (nil for a run read by a tool).
    ///
    /// What the stages write is synced with the folder and hashed on its way out.
    package let staging: StagingWrites?

    package init(root: FilePath, staging: StagingWrites? = nil) {
        self.root = root
        self.staging = staging
    }

    package func path(_ relative: String) -> FilePath { root.appending(relative) }
    package var ingest: FilePath { path("ingest") }
    package var clean: FilePath { path("clean") }
    package var `internal`: FilePath { path("internal") }
    package var aggregate: FilePath { path("aggregate") }
    package var peers: FilePath { path("peers") }
    package var roadmap: FilePath { path("roadmap") }
    package var feedback: FilePath { path("feedback") }
    package var packets: FilePath { path("packets") }

    /// Creates a folder (and parents) with the given permissions.
    package static func makeDirectory(_ path: FilePath, permissions: Int = 0o755) throws {
        try FileManager.default.createDirectory(
            atPath: path.string, withIntermediateDirectories: true,
            attributes: [.posixPermissions: permissions])
    }
}
