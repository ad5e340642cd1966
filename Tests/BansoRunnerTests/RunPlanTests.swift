import BansoCore
import BansoRunner
import BansoTestSupport
import Testing

/// The state of a stage whose last run still holds, unless a test changes something.
func state(
    _ name: StageName = .peers, version: String = "0.5.0", parameters: [String: String] = ["k": "auto"],
    inputs: [String: String] = ["aggregate/indicators.csv": "aa"], recorded: [String: String]? = nil,
    recordedParameters: [String: String]? = nil, outputsInLatest: Bool = true, previous: Bool = true
) -> RunPlan.StageState {
    var p = parameters
    p["program_version"] = version
    var recordedP = recordedParameters ?? parameters
    recordedP["program_version"] = "0.5.0"
    let record = StageRecord(
        name: name, status: .ran, reason: "", durationSeconds: 0, counts: [:], fingerprint: "",
        parameters: recordedP, inputs: recorded ?? ["aggregate/indicators.csv": "aa"], outputs: [:])
    return RunPlan.StageState(
        name: name, previous: previous ? record : nil, parameters: p, inputs: inputs, outputsInLatest: outputsInLatest)
}

@Suite("run plan")
struct RunPlanTests {
    @Test("up to date is skipped")
    func upToDate() {
        #expect(RunPlan.decide(state(), options: RunOptions()) == StageDecision(.skip, "up to date"))
    }

    @Test(
        "what makes a stage run, and the reason given",
        arguments: [
            (state(previous: false), "no earlier successful run of this stage"),
            (state(version: "0.6.0"), "program version changed (0.5.0 → 0.6.0)"),
            (state(parameters: ["k": "4"], recordedParameters: ["k": "auto"]), "parameters changed: k"),
            (state(inputs: ["aggregate/indicators.csv": "bb"]), "inputs changed: aggregate/indicators.csv"),
            (state(inputs: [:]), "inputs changed: aggregate/indicators.csv"),
            (state(outputsInLatest: false), "outputs missing from the latest run"),
        ])
    func runs(_ s: RunPlan.StageState, _ reason: String) {
        #expect(RunPlan.decide(s, options: RunOptions()) == StageDecision(.run, reason))
    }

    @Test("a long list of changed inputs is shortened")
    func manyInputs() {
        let now = Dictionary(uniqueKeysWithValues: (1...5).map { ("f\($0)", "new") })
        let d = RunPlan.decide(state(inputs: now, recorded: [:]), options: RunOptions())
        #expect(d.reason == "inputs changed: f1, f2, f3 and 2 more")
    }

    @Test("--only, --from and --force override the fingerprints")
    func selections() {
        let stale = state(inputs: ["x": "changed"])
        #expect(RunPlan.decide(state(), options: RunOptions(only: .peers)).action == .run)
        #expect(RunPlan.decide(stale, options: RunOptions(only: .packets)).action == .carry)
        // After --only, a later stage whose inputs changed runs; an up-to-date one is skipped.
        #expect(
            RunPlan.decide(stale, options: RunOptions(only: .aggregate))
                == StageDecision(.run, "inputs changed: aggregate/indicators.csv, x"))
        #expect(RunPlan.decide(state(), options: RunOptions(only: .aggregate)).action == .skip)
        // Unless the analyst asks to keep them as they were.
        #expect(RunPlan.decide(stale, options: RunOptions(only: .aggregate, allowStale: true)).action == .carry)
        #expect(
            RunPlan.decide(state(.feedback), options: RunOptions(from: .peers))
                == StageDecision(.run, "selected with --from peers"))
        #expect(RunPlan.decide(stale, options: RunOptions(from: .feedback)).action == .carry)
        #expect(RunPlan.decide(state(), options: RunOptions(force: true)) == StageDecision(.run, "forced"))
    }

    @Test("dry runs and status: stages after one that runs are provisional, not up to date")
    func downstream() {
        let stages = [
            state(.ingest),
            state(.clean, parameters: ["prefecture_code": "21"], recordedParameters: ["prefecture_code": "20"]),
            state(.aggregate), state(.peers, inputs: ["x": "changed"]),
        ]
        let d = RunPlan.decideAll(stages, options: RunOptions())
        #expect(d.map(\.action) == [.skip, .run, .run, .run])
        #expect(d[1].reason == "parameters changed: prefecture_code" && !d[1].provisional)
        #expect(d[2].provisional)
        #expect(!d[3].provisional && d[3].reason.hasPrefix("inputs changed"))
    }
}
