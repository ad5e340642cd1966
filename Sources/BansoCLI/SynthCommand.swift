import ArgumentParser
import BansoSynth
import Foundation
import SystemPackage

/// `banso-synth`: writes a synthetic prefecture (same seed, same bytes).
package struct SynthCommand: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "banso-synth",
        abstract:
            "Write a synthetic prefecture: master, frame, model projects, survey files with real-world mess and known defects.",
        discussion: """
            Municipalities are the real ones of the prefecture (codes and names from the reference list),
            topped up with synthetic codes when more are asked for. Populations and answers are synthetic.
            The lines broken on purpose are listed in <out>/_truth/broken_lines.csv (outside the survey globs).

            Examples:
              banso-synth --out input/sample                      # 長野県, 77 municipalities
              banso-synth --prefecture 01 --municipalities 185 --establishments 90000 --workers 1000000 --out /tmp/big
            """)

    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: "2-digit prefecture code.") var prefecture = "20"
    @Option(help: "Number of municipalities (default: all of the prefecture's).") var municipalities: Int?
    @Option(help: "Responding establishments.") var establishments = 1500
    @Option(help: "Worker rows.") var workers = 12000
    @Option(help: "Establishment survey files.") var establishmentFiles = 3
    @Option(help: "Worker survey files.") var workerFiles = 2
    @Option(help: "Defective rows per 1,000 establishment rows (workers: half that).") var defects = 30
    @Flag(help: "Clean values only: no full-width digits, units, era dates or markers.") var tidy = false
    @Option(help: "Survey wave (a year): the answers are dated in its autumn.") var wave = "2025"
    @Option(help: "Output folder.") var out: String
    @Option(
        help:
            "How establishments answer: by-service (40–90% by service group, scaled per municipality; turnover by service group) or uniform (82% everywhere, as input/sample was written)."
    ) var response = "by-service"
    @Option(
        help:
            "Also write the population the respondents were drawn from (every frame establishment, its true values, whether it answered) to this CSV."
    ) var population: String?

    package init() {}

    package func run() throws {
        var o = SynthOptions()
        o.seed = seed
        o.wave = wave
        o.prefectureCode = prefecture
        o.municipalities = municipalities
        o.establishments = establishments
        o.workers = workers
        o.establishmentFiles = establishmentFiles
        o.workerFiles = workerFiles
        o.defectsPerThousand = defects
        o.messy = !tidy
        guard let model = SynthOptions.Response(rawValue: response) else {
            throw ValidationError("--response: expected by-service or uniform, found \"\(response)\"")
        }
        o.response = model
        let truth = try Synth.generate(o, into: FilePath(out))
        try FileManager.default.createDirectory(atPath: out + "/_truth", withIntermediateDirectories: true)
        var text = "file,line,rule\n"
        for b in (truth.broken + (truth.roadmap?.broken ?? [])).sorted() {
            text += "\(b.file),\(b.line),\(b.rule.rawValue)\n"
        }
        try text.write(toFile: out + "/_truth/broken_lines.csv", atomically: true, encoding: .utf8)
        if let population { try Synth.writePopulation(truth, to: FilePath(population)) }
        print(
            "wrote \(out): \(truth.municipalities.count) municipalities, \(truth.establishments.count) establishments, \(truth.workers.count) workers, \(truth.broken.count) broken lines"
        )
    }
}
