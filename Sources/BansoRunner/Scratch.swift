import BansoCore
import BansoHistory
import Foundation
import SystemPackage

/// An analyst's scratch run: the production pipeline with other settings, written elsewhere.
///
/// It never publishes into the production `latest` and never writes the production history
/// store: its outputs go to the scratch folder, and it reads the earlier waves from a snapshot
/// of the store taken into that folder when it starts.
package enum ScratchRun {
    /// The store's snapshot inside a scratch folder.
    package static let snapshotName = "history-snapshot.sqlite"

    /// The configuration of a scratch run of `production` into `directory`.
    package static func configure(_ production: PipelineConfig, directory: String) throws -> PipelineConfig {
        let scratch = URL(
            fileURLWithPath: directory, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        )
        .standardizedFileURL.path
        let output = URL(fileURLWithPath: production.output).standardizedFileURL.path
        guard scratch != output, !scratch.hasPrefix(output + "/"), !output.hasPrefix(scratch + "/") else {
            throw StageFailure(
                .configuration,
                "--scratch \(directory) is the production output folder \(production.output) or overlaps it; "
                    + "name a folder of its own, such as /tmp/scratch-k5")
        }
        try RunLayout.makeDirectory(FilePath(scratch))
        var config = production
        config.output = scratch
        config.history = scratch + "/" + snapshotName
        try HistoryStore.snapshot(from: FilePath(production.history), to: FilePath(config.history))
        return config
    }
}
