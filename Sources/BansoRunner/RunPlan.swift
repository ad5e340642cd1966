import BansoCore

/// What the runner does with a stage.
package enum StageAction: String, Sendable {
    /// Run it and write fresh outputs.
    case run
    /// Up to date: carry its outputs over from the latest run.
    case skip
    /// Not selected (`--only`, `--from`): carry its outputs over whether or not they are up to date.
    case carry
}

/// The action for one stage and why.
package struct StageDecision: Equatable, Sendable {
    package var action: StageAction
    package var reason: String
    /// True when the decision rests on inputs that an upstream stage is about to rewrite (dry
    /// runs and `status` only): the stage re-runs if, and only if, that changes them.
    package var provisional = false

    package init(_ action: StageAction, _ reason: String, provisional: Bool = false) {
        self.action = action
        self.reason = reason
        self.provisional = provisional
    }
}

/// The one place that decides run, skip or carry: used by `run`, `--dry-run` and `status` alike.
package enum RunPlan {
    /// What one stage needs to be decided.
    package struct StageState: Sendable {
        package var name: StageName
        /// Its record in the latest run's manifest.
        package var previous: StageRecord?
        package var parameters: [String: String]
        /// Hashes of what it reads now.
        package var inputs: [String: String]
        /// The latest run holds every output folder of the stage.
        package var outputsInLatest: Bool

        package init(
            name: StageName, previous: StageRecord?, parameters: [String: String], inputs: [String: String],
            outputsInLatest: Bool
        ) {
            self.name = name
            self.previous = previous
            self.parameters = parameters
            self.inputs = inputs
            self.outputsInLatest = outputsInLatest
        }
    }

    /// Decides one stage.
    ///
    /// `upstreamRuns` says an earlier stage will run first (in a real run the hashes are taken after it ran, so it is
    /// false there).
    package static func decide(_ s: StageState, options: RunOptions, upstreamRuns: Bool = false) -> StageDecision {
        if let only = options.only {
            if s.name == only { return StageDecision(.run, "selected with --only") }
            if s.name < only || options.allowStale {
                return StageDecision(
                    .carry, "not selected (--only \(only.rawValue)); outputs carried over from the latest run")
            }
            // A later stage runs when --only changed what it reads, so that `latest` is never a
            // mixture of new peers and feedback describing the old ones.
        }
        if let from = options.from {
            return s.name >= from
                ? StageDecision(.run, "selected with --from \(from.rawValue)")
                : StageDecision(.carry, "before --from \(from.rawValue); outputs carried over from the latest run")
        }
        if options.force { return StageDecision(.run, "forced") }
        if let why = staleness(previous: s.previous, parameters: s.parameters, inputs: s.inputs) {
            return StageDecision(.run, why)
        }
        if !s.outputsInLatest { return StageDecision(.run, "outputs missing from the latest run") }
        if upstreamRuns {
            return StageDecision(
                .run, "an upstream stage runs first; re-runs if that changes its inputs", provisional: true)
        }
        return StageDecision(.skip, "up to date")
    }

    /// Decides every stage from the latest run's files (dry runs and `status`).
    package static func decideAll(_ stages: [StageState], options: RunOptions) -> [StageDecision] {
        var upstreamRuns = false
        return stages.map { s in
            let d = decide(s, options: options, upstreamRuns: upstreamRuns)
            if d.action == .run { upstreamRuns = true }
            return d
        }
    }

    /// Why a stage must run, or nil when its recorded run still holds.
    package static func staleness(previous: StageRecord?, parameters: [String: String], inputs: [String: String])
        -> String?
    {
        guard let previous else { return "no earlier successful run of this stage" }
        let version = Fingerprint.versionKey
        if previous.parameters[version] != parameters[version] {
            return "program version changed (\(previous.parameters[version] ?? "?") → \(parameters[version] ?? "?"))"
        }
        let changedParams = Set(parameters.keys).union(previous.parameters.keys)
            .filter { parameters[$0] != previous.parameters[$0] }.sorted()
        if !changedParams.isEmpty { return "parameters changed: \(changedParams.joined(separator: ", "))" }
        let changedInputs = Set(inputs.keys).union(previous.inputs.keys).filter { inputs[$0] != previous.inputs[$0] }
            .sorted()
        if !changedInputs.isEmpty {
            let shown =
                changedInputs.prefix(3).joined(separator: ", ")
                + (changedInputs.count > 3 ? " and \(changedInputs.count - 3) more" : "")
            return "inputs changed: \(shown)"
        }
        return nil
    }
}
