import BansoAggregate
import BansoCore
import BansoHistory
import Foundation
import Logging
import SystemPackage

/// Keeps the history store equal to what `latest` published.
///
/// Aggregate never writes the store. The runner loads a run's wave into it only after the run is
/// published, and before every run it checks that the store matches `latest` (a run killed
/// between publishing and loading is caught up then). So a run that fails or is killed leaves the
/// store as it was, and the store never holds figures no published run showed.
struct HistorySync {
    let path: FilePath

    /// Checks, before `staging` is published, that the store can take its wave (version, lock, rows).
    func checkWritable(staging: FilePath, wave: Wave, pipeline: String, takeOver: Bool) throws {
        let layout = RunLayout(root: staging)
        guard RunFiles.internalIndicators.exists(in: layout) else { return }
        try HistoryStore(path: path).checkWritable(
            wave: wave, rows: try RunFiles.internalIndicators.read(in: layout), pipeline: pipeline, takeOver: takeOver)
    }

    /// Loads the wave of a published run into the store unless the store already holds exactly it.
    func sync(run: FilePath, logger: Logger, takeOver: Bool = false) throws {
        let manifest = try RunManifest.read(run: run)
        guard let aggregate = manifest.stages.first(where: { $0.name == .aggregate }),
            let indicatorsHash = aggregate.outputs[RunFiles.internalIndicators.id.path]
        else { return }
        // The panel travels with the indicators: a run that wrote one is loaded again into a
        // store that holds its indicators without it.
        let panelHash = aggregate.outputs[RunFiles.panel.id.path]
        let source = panelHash.map { indicatorsHash + ":" + $0 } ?? indicatorsHash
        let store = try HistoryStore(path: path)
        let layout = RunLayout(root: run)
        let owner = try store.owner(wave: manifest.wave)
        if !takeOver, let owner, owner != manifest.pipeline {
            // Another pipeline owns the wave: this run folder's wave is not loaded over it.
            logger.warning(
                "history store: wave \(manifest.wave) belongs to pipeline '\(owner)'; runs/\(run.lastComponent?.string ?? "") of '\(manifest.pipeline)' is not loaded into it"
            )
            return
        }
        if try store.source(wave: manifest.wave) != source || (owner != nil && owner != manifest.pipeline) {
            let rows = try RunFiles.internalIndicators.read(in: layout)
            try store.replace(
                wave: manifest.wave, pipeline: manifest.pipeline, runID: manifest.runID, rows: rows, source: source,
                pipelineFile: manifest.pipelineFile,
                panel: panelHash != nil ? try RunFiles.panel.read(in: layout).flatMap(\.units) : [])
            logger.info("history store: wave \(manifest.wave) loaded from runs/\(run.lastComponent?.string ?? "")")
        }
        try syncPeers(manifest, layout: layout, store: store, logger: logger)
        // The roadmap of the wave, when the run evaluated one.
        guard let roadmap = manifest.stages.first(where: { $0.name == .roadmap }),
            let stages = roadmap.outputs[RunFiles.roadmapStages.id.path],
            let items = roadmap.outputs[RunFiles.roadmapResults.id.path]
        else {
            // The wave was published without a roadmap: the store must not keep an older one.
            if try store.roadmapSource(wave: manifest.wave) != nil {
                try store.removeRoadmap(wave: manifest.wave)
                logger.info("history store: roadmap of wave \(manifest.wave) removed (the published run has none)")
            }
            return
        }
        let roadmapSource = stages + ":" + items
        if try store.roadmapSource(wave: manifest.wave) == roadmapSource { return }
        try store.replaceRoadmap(
            wave: manifest.wave, stages: try RunFiles.roadmapStages.read(in: layout),
            items: try RunFiles.roadmapResults.read(in: layout), source: roadmapSource)
        logger.info("history store: roadmap of wave \(manifest.wave) loaded")
    }

    /// Loads the wave's neighbours and features, unless the store holds exactly them.
    func syncPeers(_ manifest: RunManifest, layout: RunLayout, store: HistoryStore, logger: Logger) throws {
        guard let peers = manifest.stages.first(where: { $0.name == .peers }),
            let neighbours = peers.outputs[RunFiles.neighbours.id.path],
            let features = peers.outputs[RunFiles.features.id.path]
        else { return }
        let context = peers.outputs[RunFiles.contextFeatures.id.path]
        let source = [neighbours, features, context ?? ""].joined(separator: ":")
        if try store.peersSource(wave: manifest.wave) == source { return }
        var snapshot = HistoryStore.Peers(wave: manifest.wave, neighbours: [:], features: [:])
        for r in try RunFiles.neighbours.read(in: layout).sorted(by: { ($0.code, $0.order) < ($1.code, $1.order) }) {
            snapshot.neighbours[r.code, default: []].append(r.neighbourCode)
        }
        for r in try RunFiles.features.read(in: layout) {
            for (feature, z) in zip(PeerFeature.allCases, r.z) {
                snapshot.features[r.code, default: [:]][feature.rawValue] = z
            }
        }
        if context != nil {
            for r in try RunFiles.contextFeatures.read(in: layout) {
                snapshot.features[r.code, default: [:]][r.id] = r.z
            }
        }
        try store.replacePeers(snapshot, source: source)
        logger.info("history store: peers of wave \(manifest.wave) loaded")
    }
}
