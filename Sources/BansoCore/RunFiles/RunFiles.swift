/// Every file that crosses a stage boundary, with its place in the run folder and its row type.
///
/// Producers write and consumers read through these descriptors only; stages declare their
/// reads with them (`StageDefinition.reads`), which is also what the runner fingerprints.
/// Files holding establishment numbers or unsuppressed values are created 0600.
package enum RunFiles {
    // MARK: ingest

    /// Ingest's canonical UTF-8 copies of every input (names depend on the inputs) and its report.
    package static let ingestFolder = RunFolder("ingest")
    package static let ingestReport = JSONRunFile<IngestReport>("ingest/report.json", permissions: 0o600)

    // MARK: clean

    package static let establishments = StreamedCSVFile<CleanEstablishmentColumn>(
        "clean/establishments.csv", permissions: 0o600)
    package static let workers = StreamedCSVFile<CleanWorkerColumn>("clean/workers.csv", permissions: 0o600)
    package static let master = CSVRunFile<MasterEntry>("clean/master.csv", permissions: 0o600)
    /// Absent when the pipeline has no frame.
    package static let frame = CSVRunFile<FrameEntry>("clean/frame.csv", permissions: 0o600)
    /// Absent when the pipeline has no model projects.
    package static let modelProjects = CSVRunFile<ModelProject>("clean/model_projects.csv", permissions: 0o600)
    /// The roadmap's inputs (absent without `inputs.roadmap`, `inputs.self_assessment`, `inputs.context`).
    package static let roadmapItems = CSVRunFile<RoadmapItem>("clean/roadmap_items.csv")
    /// The latest answer per municipality and item; comments are the municipality's own.
    package static let selfAssessments = CSVRunFile<SelfAssessment>("clean/self_assessments.csv", permissions: 0o600)
    package static let context = CSVRunFile<ContextFigure>("clean/context.csv")
    /// The prefecture's record of support given (absent without `inputs.support`).
    package static let support = CSVRunFile<SupportRecord>("clean/support.csv", permissions: 0o600)
    /// Municipalities' own roadmap items (`inputs.own_items`), each for its own packet only.
    package static let ownItems = CSVRunFile<OwnItem>("clean/own_items.csv", permissions: 0o600)
    /// The prefecture's words to single municipalities (absent without `inputs.prefecture_comments`).
    package static let prefectureComments = CSVRunFile<PrefectureComment>(
        "clean/prefecture_comments.csv", permissions: 0o600)
    package static let rejects = CSVRunFile<Finding>("clean/rejects.csv", permissions: 0o600)
    package static let warnings = CSVRunFile<Finding>("clean/warnings.csv", permissions: 0o600)
    package static let quality = CSVRunFile<QualityCount>("clean/quality.csv", permissions: 0o600)
    package static let cleanReport = JSONRunFile<CleanReport>("clean/report.json", permissions: 0o600)

    // MARK: aggregate

    /// The 圏域 and service-group rows with their values and the disclosure decision beside each
    /// (the disclosure audit reads them).
    package static let internalAreas = CSVRunFile<AreaIndicatorRow>("internal/areas.csv", permissions: 0o600)
    /// Each respondent's parts of the key rates, for the next wave's matched panel (loaded into
    /// the history store with the wave).
    package static let panel = CSVRunFile<PanelRow>("internal/panel.csv", permissions: 0o600)
    /// Unsuppressed values with the disclosure decision beside each.
    package static let internalIndicators = CSVRunFile<IndicatorRow>("internal/indicators.csv", permissions: 0o600)
    /// Up to four earlier waves as published, snapshotted from the history store (oldest first).
    package static let earlierWaves = CSVRunFile<IndicatorRow>("internal/earlier_waves.csv", permissions: 0o600)
    /// Published values (disclosure control applied).
    package static let indicators = CSVRunFile<IndicatorRow>("aggregate/indicators.csv")
    /// Every indicator of every 圏域, published (only a header when the master names no 圏域).
    package static let areas = CSVRunFile<AreaIndicatorRow>("aggregate/areas.csv")
    /// Every indicator by service group, for the prefecture and each 圏域, published (absent
    /// without weighting: only a header).
    package static let serviceGroups = CSVRunFile<AreaIndicatorRow>("aggregate/service_groups.csv")
    /// The key rates' change from the previous wave on the establishments that answered both
    /// (only a header without a previous wave in the history store).
    package static let panelChanges = CSVRunFile<PanelChangeRow>("aggregate/panel_changes.csv")
    package static let disclosure = JSONRunFile<DisclosureSummary>("aggregate/disclosure.json")
    /// Every responding establishment's design weight (absent without weighting).
    package static let weights = CSVRunFile<EstablishmentWeightRow>("internal/weights.csv", permissions: 0o600)
    /// Every worker-survey establishment's worker weight (absent without weighting or workers).
    package static let workerWeights = CSVRunFile<WorkerWeightRow>("internal/worker_weights.csv", permissions: 0o600)
    /// The Fay–Herriot model's inputs and outputs, every modelled municipality and indicator.
    package static let internalSmallArea = CSVRunFile<SmallAreaRow>("internal/small_area.csv", permissions: 0o600)
    /// The small-area estimates that may leave the prefecture (their direct value passed disclosure control).
    package static let smallArea = CSVRunFile<SmallAreaEstimate>("aggregate/small_area.csv")
    /// Weight range and design effect per municipality and for the prefecture (absent without weighting).
    package static let weighting = CSVRunFile<WeightingSummaryRow>("internal/weighting.csv", permissions: 0o600)

    // MARK: peers

    package static let features = CSVRunFile<FeatureRow>("peers/features.csv")
    package static let kSelection = CSVRunFile<KSelectionRow>("peers/k_selection.csv")
    package static let groups = CSVRunFile<PeerGroupRow>("peers/groups.csv")
    package static let neighbours = CSVRunFile<NeighbourRow>("peers/neighbours.csv")
    /// The neighbours gained and lost since the previous wave in the history store, and why
    /// (only a header without one).
    package static let neighbourChanges = CSVRunFile<NeighbourChangeRow>("peers/changes.csv")
    package static let rollout = CSVRunFile<RolloutRow>("peers/rollout.csv")
    package static let suggestions = CSVRunFile<SuggestionRow>("peers/suggestions.csv")
    /// With `[peers] context_features`: those context indicators as features (absent otherwise).
    package static let contextFeatures = CSVRunFile<ContextFeatureRow>("peers/context_features.csv")

    // MARK: roadmap

    /// Every item evaluated for every municipality (scores and comments: the prefecture's only).
    package static let roadmapResults = CSVRunFile<RoadmapItemResult>("roadmap/items.csv", permissions: 0o600)
    package static let roadmapStages = CSVRunFile<RoadmapStageResult>("roadmap/stages.csv", permissions: 0o600)
    package static let roadmapOverview = CSVRunFile<RoadmapOverviewRow>("roadmap/overview.csv")
    /// The 地域診断カルテ's context figures with their distributions.
    package static let karte = CSVRunFile<KarteRow>("roadmap/karte.csv")
    /// The stages reached in the previous wave (from the history store).
    package static let roadmapPrevious = CSVRunFile<RoadmapPreviousRow>("roadmap/previous.csv", permissions: 0o600)
    package static let roadmapPairings = CSVRunFile<PairingRow>("roadmap/pairings.csv", permissions: 0o600)
    /// Per area, how supported and unsupported municipalities moved since the last wave.
    package static let supportOutcomes = CSVRunFile<SupportOutcomeRow>("roadmap/support_outcomes.csv")

    // MARK: feedback

    package static let summary = CSVRunFile<FeedbackRow>("feedback/summary.csv")
    /// Each municipality's and the prefecture's published values over the waves, for trend charts.
    package static let trends = CSVRunFile<TrendRow>("feedback/trends.csv")
}
