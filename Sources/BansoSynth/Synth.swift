import BansoCSV
import BansoCore
import Foundation
import SystemPackage

/// A small, fast, seeded PRNG (SplitMix64): same seed, same numbers on every machine.
package struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    package init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &self)] }
    mutating func uniform(_ a: Double, _ b: Double) -> Double { Double.random(in: a..<b, using: &self) }
}

/// What to generate.
package struct SynthOptions: Sendable {
    package var seed: UInt64 = 42
    package var prefectureCode = "20"
    /// Municipalities; beyond the prefecture's real ones, synthetic codes are added.
    package var municipalities: Int? = nil
    package var establishments = 1500
    package var workers = 12000
    package var establishmentFiles = 3
    package var workerFiles = 2
    /// Rows broken on purpose (each breaks exactly one E rule), per 1,000 establishment rows.
    package var defectsPerThousand = 30
    /// Add the office mess: full-width digits, units, era dates, markers, labels, blank rows.
    package var messy = true
    package var wave = "2025"
    /// Also write a roadmap item list, self-assessments and context figures.
    package var roadmap = true
    /// How establishments answer: by service group and municipality (40–90%), or all alike
    /// (82%, the generator before 0.11, which wrote `input/sample`).
    package var response = Response.byService

    /// How establishments answer.
    package enum Response: String, Sendable, CaseIterable {
        /// 施設 90% … その他 40%, scaled by 0.8–1.15 per municipality; turnover by service group.
        case byService = "by-service"
        /// 82% everywhere, the same turnover everywhere.
        case uniform
    }
    package init() {}

    /// Years before 2025 (0 for 2025 and later).
    var yearsBefore: Double { Double(max(0, 2025 - (Int(wave) ?? 2025))) }
    /// How much more staff leave in an earlier wave (1 in 2025).
    var drift: Double { 1 + 0.6 * yearsBefore }
    /// Wages of an earlier wave relative to 2025.
    var wageFactor: Double { 1 - 0.015 * yearsBefore }
}

/// A municipality of the generated prefecture.
package struct TruthMunicipality: Sendable {
    package var code: String
    package var name: String
    package var population: Int
    package var aged65: Int
    package var aged75: Int
    package var area: Double
    package var email: String
}

/// The clean values of an establishment the generator expects clean to accept.
package struct TruthEstablishment: Sendable {
    package var id: String
    package var municipality: String
    package var serviceType: String
    package var date: Day
    /// The count fields; absent = missing.
    package var values: [CountField: Double]
    package var shortage: Int?
}

/// The clean values of a worker the generator expects clean to accept.
package struct TruthWorker: Sendable {
    package var establishmentID: String
    package var municipality: String
    package var occupation: Int
    package var employment: Int
    package var age: Int?
    package var tenure: Double?
    package var wage: Int?
    package var intention: Int?
}

/// A line the generator broke on purpose, and the rule clean must reject it for.
package struct BrokenLine: Hashable, Sendable, Comparable {
    package var file: String
    package var line: Int
    package var rule: Rule
    package static func < (a: BrokenLine, b: BrokenLine) -> Bool {
        (a.file, a.line, a.rule.rawValue) < (b.file, b.line, b.rule.rawValue)
    }
}

/// Everything the generator knows before it dirties the files.
package struct SynthTruth: Sendable {
    package var municipalities: [TruthMunicipality]
    package var establishments: [TruthEstablishment]
    package var frameOnly: [(id: String, municipality: String)]
    /// Every establishment of the frame with its true values, respondents and the others (the
    /// population a bias study measures against).
    package var population: [(establishment: TruthEstablishment, responded: Bool)] = []
    package var workers: [TruthWorker]
    package var broken: [BrokenLine]
    package var modelProjects: [(municipality: String, name: String, theme: String)]
    /// The roadmap inputs (nil when not generated).
    package var roadmap: SynthRoadmapTruth?
}

/// Writes a synthetic prefecture: master, frame, model projects, establishment and worker
/// survey files with real-world mess and known defects.
package enum Synth {
    static let themes = ["介護人材確保", "生活支援コーディネーター", "地域ケア会議", "在宅医療・介護連携", "介護予防"]
    /// Project names, each with the テーマ it belongs to (eight: the generator draws one of eight).
    static let projectNames = [
        "介護職員合同就職説明会", "外国人介護人材受入れ支援", "介護助手導入モデル", "生活支援コーディネーター連絡会",
        "入退院支援ルールづくり", "若手介護職員ネットワーク", "地域ケア会議の定例化", "通いの場づくり",
    ]
    static let projectThemes = [
        "介護職員合同就職説明会": "介護人材確保", "外国人介護人材受入れ支援": "介護人材確保", "介護助手導入モデル": "介護人材確保",
        "生活支援コーディネーター連絡会": "生活支援コーディネーター", "入退院支援ルールづくり": "在宅医療・介護連携",
        "若手介護職員ネットワーク": "介護人材確保", "地域ケア会議の定例化": "地域ケア会議", "通いの場づくり": "介護予防",
    ]
    static let nameStems = ["さくら", "ひまわり", "あおば", "やまびこ", "つばさ", "こもれび", "ｶﾀｸﾘ", "髙原", "すずらん", "清流", "㈱信濃ケア", "ふれあい"]
    static let serviceCodes = ["11", "15", "32", "43", "51", "52", "13", "78", "21", "73"]

    /// Response rates by service group (the default weighting groups): 施設 answer most, 訪問 and
    /// その他 least, as in real surveys (40–90%); each municipality scales them by 0.8–1.15.
    static let responseRates: [String: Double] = [
        "施設": 0.9, "居住": 0.8, "通所": 0.7, "多機能": 0.6, "居宅介護支援": 0.55, "訪問": 0.45, "その他": 0.4,
    ]
    /// Yearly turnover by service group: 訪問 highest, 施設 lowest, so that a survey that hears
    /// more from 施設 under-states the prefecture's turnover unless it is weighted.
    static let turnover: [String: Double] = [
        "施設": 0.09, "居住": 0.12, "通所": 0.16, "多機能": 0.15, "居宅介護支援": 0.11, "訪問": 0.22, "その他": 0.14,
    ]
    static let comments = [
        "人手が足りません。\n夜勤が特に厳しい", "\"処遇改善\"の手続きが複雑", "<script>alert('x')</script>", "=HYPERLINK(\"http://example.com\")",
        "特になし", "①研修の充実 ②ICT化", "+81-3-0000", "@担当者へ",
    ]

    /// Real municipalities of the prefecture (code, name, type), topped up with synthetic ones.
    ///
    /// A prefecture has 999 codes after its own (`xx001`–`xx999`): asking for more is an error,
    /// not a code made of a minus sign.
    package static func municipalities(prefecture: String, count: Int?) throws -> [(
        code: String, name: String, type: Int
    )] {
        var real: [(String, String, Int)] = []
        for m in ReferenceMunicipalities.all where m.code.text.hasPrefix(prefecture) {
            real.append((m.code.text, m.name, m.type))
        }
        let want = count ?? real.count
        if want <= real.count { return Array(real.prefix(want)) }
        var used = Set(real.map(\.0))
        var n = 1
        // Synthetic codes from 900 down, then from 999 down to 901: no real municipality uses them.
        for candidate in Array(stride(from: 900, through: 1, by: -1)) + Array(stride(from: 999, through: 901, by: -1)) {
            guard real.count < want else { break }
            let digits = String(candidate)
            let five = prefecture + String(repeating: "0", count: 3 - digits.count) + digits
            let code = five + String(MunicipalityCode.checkDigit(Array(five.utf8)))
            if used.contains(code) { continue }
            used.insert(code)
            real.append((code, "合成町\(n)", 34))
            n += 1
        }
        guard real.count == want else {
            throw StageFailure(
                .configuration,
                "--municipalities \(want): prefecture \(prefecture) has codes for at most \(real.count) municipalities "
                    + "(\(prefecture)001–\(prefecture)999)")
        }
        return real.sorted { $0.0 < $1.0 }
    }

    /// Generates into `folder` and returns the truth.
    @discardableResult
    package static func generate(_ o: SynthOptions, into folder: FilePath) throws -> SynthTruth {
        try FileManager.default.createDirectory(atPath: folder.string, withIntermediateDirectories: true)
        var rng = SeededRandom(seed: o.seed)
        let munis = try municipalities(prefecture: o.prefectureCode, count: o.municipalities)
        var truthMunis: [TruthMunicipality] = []
        for (code, name, type) in munis {
            let pop: Int
            switch type {
            case 31, 32: pop = rng.int(20_000...380_000)
            case 34: pop = rng.int(3_000...35_000)
            default: pop = rng.int(400...6_000)
            }
            let share65 = rng.uniform(type >= 35 ? 0.36 : 0.26, type >= 35 ? 0.50 : 0.38)
            let aged65 = Int(Double(pop) * share65)
            let aged75 = Int(Double(aged65) * rng.uniform(0.5, 0.62))
            let area = (rng.uniform(15, 700) * 100).rounded() / 100
            truthMunis.append(
                TruthMunicipality(
                    code: code, name: name, population: pop, aged65: aged65, aged75: aged75,
                    area: area, email: "kaigo-\(code)@example.lg.jp"))
        }
        try writeMaster(truthMunis, to: folder.appending("municipalities.csv"))
        try writeBoundaries(truthMunis, to: folder.appending("boundaries.geojson"))

        // Establishments: spread by population; every municipality gets at least one in the frame.
        let totalPop = Double(truthMunis.reduce(0) { $0 + $1.population })
        var frame: [(id: String, muni: String, service: String)] = []
        var idCounter = 0
        func nextID() -> String {
            idCounter += 1
            let third = idCounter % 23 == 0 ? "A" : String(idCounter % 10)
            return o.prefectureCode + third + String(format: "%07d", idCounter * 7 + 1000)
        }
        let uniform = o.response == .uniform
        // About two establishments in three answer by service (below); 82% when uniform.
        let frameSize = Int(Double(o.establishments) / (uniform ? 0.82 : 0.66))
        for m in truthMunis {
            let share = Double(m.population) / totalPop
            let n = max(1, Int((Double(frameSize) * share).rounded()))
            for _ in 0..<n { frame.append((nextID(), m.code, rng.pick(serviceCodes))) }
        }
        let groups = WeightingParameters()
        var municipalityFactor: [String: Double] = [:]
        if !uniform { for m in truthMunis { municipalityFactor[m.code] = rng.uniform(0.8, 1.15) } }
        // A uniform survey draws the values of establishments that did not answer from a stream of
        // their own, so that its files are the same bytes as before the population existed.
        var unseen = SeededRandom(seed: o.seed ^ 0x9E37_79B9_7F4A_7C15)
        var respondents: [TruthEstablishment] = []
        var frameOnly: [(String, String)] = []
        var population: [(establishment: TruthEstablishment, responded: Bool)] = []
        let window = (
            Day(year: Int(o.wave) ?? 2025, month: 9, day: 1)!.ordinal,
            Day(year: Int(o.wave) ?? 2025, month: 11, day: 30)!.ordinal
        )
        /// An establishment's true values, drawn from `r`.
        func draw(_ f: (id: String, muni: String, service: String), _ r: inout SeededRandom) -> TruthEstablishment {
            let group = groups.group(of: f.service)
            let regular = Double(r.int(0...40))
            let nonreg = Double(r.int(0...30))
            let now = regular + nonreg
            // Uniform: the same turnover everywhere; by service: 訪問 highest, 施設 lowest.
            let rate = uniform ? 0.075 : turnover[group] ?? 0.14
            let hires = Double(r.int(0...Int(max(1, uniform ? now * 0.3 : now * 2 * (rate + 0.04)))))
            let hiresReg = Double(r.int(0...Int(hires)))
            // Earlier waves drift: more people left (turnover falls over the years), so that
            // a sample of several waves shows a trend; the 2025 wave is unchanged.
            let ago = max(0, now - hires + Double(r.int(0...Int(max(1, now * 2 * rate * o.drift)))))
            let seps = min(ago + hires, max(0, ago + hires - now))
            let sepsReg = Double(r.int(0...Int(seps)))
            var v: [CountField: Double] = [
                .careStaffRegular: regular, .careStaffNonregular: nonreg, .careStaffYearAgo: ago,
                .hiresRegular: hiresReg, .hiresNonregular: hires - hiresReg,
                .separationsRegular: sepsReg, .separationsNonregular: seps - sepsReg,
                .nurses: Double(r.int(0...6)), .careManagers: Double(r.int(0...3)),
                .otherStaff: Double(r.int(0...8)),
                .certifiedCareWorkers: Double(r.int(0...Int(now))),
                .vacancies: Double(r.int(0...5)),
            ]
            let all = now + v[.nurses]! + v[.careManagers]! + v[.otherStaff]!
            v[.fteTotal] = (all * r.uniform(0.6, 0.95) * 10).rounded() / 10
            v[.staffAged60Plus] = Double(r.int(0...Int(all * 0.4)))
            v[.foreignStaff] = Double(r.int(0...Int(all * 0.1)))
            return TruthEstablishment(
                id: f.id, municipality: f.muni, serviceType: f.service, date: Day(ordinal: window.0), values: v,
                shortage: nil)
        }
        for f in frame {
            let answers =
                uniform
                ? 0.82
                : min(0.95, max(0.3, (responseRates[groups.group(of: f.service)] ?? 0.4) * municipalityFactor[f.muni]!))
            // Uniform decides first (as the generator always did); by service draws the values first.
            var drawn = uniform ? nil : draw(f, &rng)
            if rng.chance(answers) && respondents.count < o.establishments {
                var e = drawn ?? draw(f, &rng)
                // Missing answers are the respondents' own (the population keeps the truth).
                let truth = e.values
                if o.messy && rng.chance(0.05) { e.values[.careStaffYearAgo] = nil }
                if o.messy && rng.chance(0.05) { e.values[.vacancies] = nil }
                // A few answers come in late: kept with an outside_survey_window warning.
                e.date =
                    o.messy && rng.chance(0.01)
                    ? Day(ordinal: window.1 + rng.int(1...20)) : Day(ordinal: rng.int(window.0...window.1))
                e.shortage = rng.chance(0.95) ? rng.int(1...5) : nil
                respondents.append(e)
                var p = e
                p.values = truth
                population.append((p, true))
            } else {
                if drawn == nil { drawn = draw(f, &unseen) }
                population.append((drawn!, false))
                frameOnly.append((f.id, f.muni))
            }
        }
        try writeFrame(frame, to: folder.appending("frame.csv"))

        // Model projects: a handful of municipalities ran one.
        var projects: [(String, String, String)] = []
        for m in truthMunis where rng.chance(0.15) {
            let name = rng.pick(projectNames)
            // A theme is still drawn, so that everything generated after stays the same bytes.
            _ = rng.pick(themes)
            projects.append((m.code, name, projectThemes[name]!))
        }
        try writeProjects(projects, to: folder.appending("model_projects.csv"), rng: &rng)

        var broken: [BrokenLine] = []
        try writeEstablishments(respondents, options: o, folder: folder, rng: &rng, broken: &broken)

        // Workers: from responding establishments mostly, a few from frame-only ones.
        var workers: [TruthWorker] = []
        let staffed = respondents.filter {
            ($0.values[.careStaffRegular] ?? 0) + ($0.values[.careStaffNonregular] ?? 0) > 0
        }
        for n in 0..<o.workers {
            let useFrameOnly = !frameOnly.isEmpty && n % 50 == 49
            let (id, muni) =
                useFrameOnly
                ? rng.pick(frameOnly)
                : {
                    let e = rng.pick(staffed.isEmpty ? respondents : staffed)
                    return (e.id, e.municipality)
                }()
            let regular = rng.chance(0.6)
            var wage: Int? = rng.chance(0.93) ? (regular ? rng.int(190...340) * 1000 : rng.int(90...220) * 1000) : nil
            if let w = wage, o.wageFactor != 1 { wage = Int((Double(w) * o.wageFactor / 1000).rounded()) * 1000 }
            // Now and then an hourly wage typed into the monthly column: kept with a warning.
            if o.messy && wage != nil && rng.chance(0.002) { wage = rng.int(9...15) * 100 }
            workers.append(
                TruthWorker(
                    establishmentID: id, municipality: muni, occupation: rng.int(1...6),
                    employment: regular ? 1 : 2, age: rng.chance(0.97) ? rng.int(19...78) : nil,
                    tenure: rng.chance(0.95) ? Double(rng.int(0...300)) / 10 : nil, wage: wage,
                    intention: rng.chance(0.9) ? rng.int(1...4) : nil))
        }
        try writeWorkers(workers, options: o, folder: folder, rng: &rng, broken: &broken)
        let roadmap = o.roadmap ? try writeRoadmap(truthMunis, options: o, folder: folder) : nil
        return SynthTruth(
            municipalities: truthMunis, establishments: respondents, frameOnly: frameOnly, population: population,
            workers: workers, broken: broken.sorted(), modelProjects: projects, roadmap: roadmap)
    }

    // MARK: writing

    /// The population: every frame establishment with its true values and whether it answered
    /// (`banso-synth --population FILE`), in frame order.
    package static func writePopulation(_ truth: SynthTruth, to path: FilePath) throws {
        var rows = [
            ["establishment_id", "municipality_code", "service_type", "service_group", "responded"]
                + CountField.allCases.map(\.field.rawValue) + ["shortage_perception"]
        ]
        let groups = WeightingParameters()
        for (e, responded) in truth.population {
            rows.append(
                [
                    e.id, e.municipality, e.serviceType, groups.group(of: e.serviceType), responded ? "true" : "false",
                ] + CountField.allCases.map { e.values[$0].map(formatNumber) ?? "" } + [
                    e.shortage.map(String.init) ?? ""
                ])
        }
        try AtomicFile.write(
            try CSVWriter.encode(rows, options: CSVWriteOptions(encoding: .utf8, newline: .lf)), to: path)
    }

    static func writeMaster(_ ms: [TruthMunicipality], to path: FilePath) throws {
        var rows = [["市区町村コード", "市区町村名", "人口", "65歳以上人口", "75歳以上人口", "面積", "担当者メール", "圏域コード", "圏域名"]]
        for (m, region) in zip(ms, regions(ms)) {
            rows.append([
                m.code, m.name, String(m.population), String(m.aged65), String(m.aged75), formatNumber(m.area), m.email,
                region.code, region.name,
            ])
        }
        try AtomicFile.write(
            try CSVWriter.encode(rows, options: CSVWriteOptions(encoding: .utf8BOM, newline: .crlf)), to: path)
    }

    /// A synthetic boundary file for the maps (not real boundaries): hexagons in code order on a
    /// grid near the prefecture, keyed by the 5-digit code in `N03_007` as 国土数値情報 N03 is;
    /// the first municipality gets a second polygon (an island), as coastal ones have.
    static func writeBoundaries(_ ms: [TruthMunicipality], to path: FilePath) throws {
        let columns = max(1, Int(Double(ms.count).squareRoot().rounded(.up)))
        let r = 0.06  // degrees
        func hexagon(_ cx: Double, _ cy: Double, _ radius: Double) -> String {
            let points = (0...6).map { i -> String in
                let a = Double(i % 6) * .pi / 3 + .pi / 6
                return String(format: "[%.4f,%.4f]", cx + radius * cos(a) * 1.22, cy + radius * sin(a))
            }
            return "[[" + points.joined(separator: ",") + "]]"
        }
        var features: [String] = []
        for (i, m) in ms.enumerated() {
            let row = i / columns, column = i % columns
            let cx = 137.6 + (Double(column) + (row % 2 == 0 ? 0 : 0.5)) * r * 2.1
            let cy = 36.9 - Double(row) * r * 1.6
            var polygons = [hexagon(cx, cy, r)]
            if i == 0 { polygons.append(hexagon(cx - r * 2.2, cy + r * 0.8, r / 3)) }
            features.append(
                "{\"type\":\"Feature\",\"properties\":{\"N03_004\":\"\(m.name)\",\"N03_007\":\"\(m.code.prefix(5))\"},"
                    + "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[\(polygons.joined(separator: ","))]}}")
        }
        let text =
            "{\"type\":\"FeatureCollection\",\"name\":\"banso-synth: synthetic boundaries, not real ones\",\"features\":[\n"
            + features.joined(separator: ",\n") + "\n]}\n"
        try AtomicFile.write(Array(text.utf8), to: path)
    }

    static func writeFrame(_ frame: [(id: String, muni: String, service: String)], to path: FilePath) throws {
        var rows = [["事業所番号", "市区町村コード", "サービス種別"]]
        for f in frame { rows.append([f.id, f.muni, f.service]) }
        try AtomicFile.write(
            try CSVWriter.encode(rows, options: CSVWriteOptions(encoding: .utf8, newline: .lf)), to: path)
    }

    static func writeProjects(_ ps: [(String, String, String)], to path: FilePath, rng: inout SeededRandom) throws {
        var rows = [["市区町村コード", "事業名", "テーマ", "年度", "概要", "成果指標", "実施前", "実施後", "成果年度"]]
        for (i, p) in ps.enumerated() {
            let year = 5 + i % 2
            // Every other project was measured: a turnover rate for the staffing ones, a
            // participation rate for 通いの場; the summary claims nothing the figures do not show.
            var outcome = ["", "", "", ""]
            if i % 2 == 0 && p.2 == "介護人材確保" {
                let before = 14.0 + Double(i % 5)
                outcome = [
                    "離職率（%）", formatNumber(before), formatNumber(before - 1.5 - Double(i % 3) * 0.5), "令和\(year + 1)年度",
                ]
            } else if i % 2 == 0 && p.2 == "介護予防" {
                outcome = ["通いの場への参加率（%）", "4.2", "5.6", "令和\(year + 1)年度"]
            }
            rows.append([p.0, p.1, p.2, "令和\(year)年度", "\(p.1)に取り組んだ。"] + outcome)
        }
        try AtomicFile.write(
            try CSVWriter.encode(rows, options: CSVWriteOptions(encoding: .cp932, newline: .crlf)), to: path)
    }

    /// The encoding and line end of survey file `n` (they alternate, as offices send them).
    static func fileStyle(_ n: Int) -> (TextEncoding, CSVWriteOptions.Newline) {
        switch n % 3 {
        case 0: return (.cp932, .crlf)
        case 1: return (.utf8BOM, .crlf)
        default: return (.utf8, .lf)
        }
    }

    /// The establishment files' columns: every field under its contract header.
    static let establishmentHeader = EstablishmentField.allCases.map(\.japaneseHeader)

    /// The column of an establishment field in the files the generator writes.
    static func column(_ f: EstablishmentField) -> Int { EstablishmentField.allCases.firstIndex(of: f)! }

    /// The column of a worker field.
    static func workerColumn(_ f: WorkerField) -> Int { WorkerField.allCases.firstIndex(of: f)! }

    /// Writes a number the way a person might have typed it.
    static func messyNumber(_ v: Double?, _ rng: inout SeededRandom, messy: Bool) -> String {
        guard let v else { return messy ? rng.pick(["", "不明", "-", "無回答", "－"]) : "" }
        let plain = formatNumber(v)
        guard messy else { return plain }
        switch rng.int(0...19) {
        case 0:
            return String(
                plain.map { c in
                    c.isASCIIDigitChar ? Character(UnicodeScalar(c.unicodeScalars.first!.value + 0xFEE0)!) : c
                })
        case 1: return plain + "人"
        case 2: return plain + "名"
        case 3: return v >= 1000 ? formatThousands(v) : plain
        default: return plain
        }
    }

    static func formatThousands(_ v: Double) -> String {
        let s = String(Int(v))
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    static func messyDate(_ d: Day, _ rng: inout SeededRandom, messy: Bool) -> String {
        guard messy else { return d.description }
        let r = d.year - 2018
        switch rng.int(0...8) {
        case 0: return "\(d.year)/\(d.month)/\(d.day)"
        case 1: return "\(d.year)年\(d.month)月\(d.day)日"
        case 2: return "令和\(r)年\(d.month)月\(d.day)日"
        case 3: return "R\(r).\(d.month).\(d.day)"
        case 4: return "R\(r)/\(d.month)/\(d.day)"
        case 5: return String(d.ordinal - Day(year: 1899, month: 12, day: 30)!.ordinal)
        default: return d.description
        }
    }

    static func writeEstablishments(
        _ ests: [TruthEstablishment], options o: SynthOptions, folder: FilePath,
        rng: inout SeededRandom, broken: inout [BrokenLine]
    ) throws {
        let files = max(1, o.establishmentFiles)
        let perFile = (ests.count + files - 1) / files
        let defectRules: [Rule] = [
            .checkDigit, .unknownMunicipality, .negative, .notANumber, .required, .date, .separationsExceed,
            .establishmentIDFormat, .duplicate, .invalidCategory,
        ]
        var kept: [(TruthEstablishment, [String])] = []  // candidates to duplicate
        for f in 0..<files {
            let name = String(format: "establishments_%02d.csv", f + 1)
            let (encoding, newline) = fileStyle(f)
            let options = CSVWriteOptions(encoding: encoding, newline: newline, replaceUnencodable: true)
            var out: [UInt8] = encoding == .utf8BOM ? [0xEF, 0xBB, 0xBF] : []
            var line = 1
            var header = establishmentHeader
            if o.messy && f == 1 {
                header[column(.establishmentID)] = " 事業所 番号 "
                header[column(.careStaffRegular)] = "介護職員（正規）"
            }
            if o.messy && f == 2 { header[column(.serviceType)] = "サービス種別" }
            out += try CSVWriter.encodeRow(header, options: options)
            line += 1
            let slice = ests[min(ests.count, f * perFile)..<min(ests.count, (f + 1) * perFile)]
            for e in slice {
                var cells: [String] = [
                    e.id, rng.pick(nameStems) + (rng.chance(0.5) ? "デイサービス" : "ホーム"),
                    o.messy && rng.chance(0.2) ? String(e.municipality.prefix(5)) : e.municipality,
                    e.serviceType, messyDate(e.date, &rng, messy: o.messy),
                ]
                for k in CountField.allCases {
                    cells.append(messyNumber(e.values[k], &rng, messy: o.messy && !k.isDecimal))
                }
                if let s = e.shortage {
                    cells.append(o.messy && rng.chance(0.3) ? Categories.shortage[String(s)]! : String(s))
                } else {
                    cells.append(o.messy ? rng.pick(["", "無回答"]) : "")
                }
                let comment = o.messy && rng.chance(0.1) ? rng.pick(comments) : ""
                cells.append(comment)
                if o.messy && rng.chance(0.01) {
                    out += try CSVWriter.encodeRow(Array(repeating: "", count: header.count), options: options)
                    line += 1
                }
                out += try CSVWriter.encodeRow(cells, options: options)
                line += 1 + comment.filter { $0 == "\n" }.count
                kept.append((e, cells))
            }
            // Defects: extra rows, each breaking exactly one rule.
            let defects = slice.count * o.defectsPerThousand / 1000
            for n in 0..<defects where !kept.isEmpty {
                let rule = defectRules[n % defectRules.count]
                let (e, base) = kept[rng.int(0...(kept.count - 1))]
                var cells = base
                cells[column(.comment)] = ""
                if rule != .duplicate {
                    cells[column(.establishmentID)] =
                        String(e.id.prefix(3)) + String(format: "9%06d", rng.int(0...999_999))
                }
                switch rule {
                case .checkDigit:
                    let good = e.municipality
                    cells[column(.municipalityCode)] =
                        String(good.prefix(5)) + String((Int(String(good.last!))! + 1) % 10)
                case .unknownMunicipality: cells[column(.municipalityCode)] = "131016"
                case .negative: cells[column(.nurses)] = "-2"
                case .notANumber: cells[column(.careStaffRegular)] = "たくさん"
                case .required: cells[column(.responseDate)] = "不明"
                case .date: cells[column(.responseDate)] = "2025-13-45"
                case .separationsExceed:
                    cells[column(.careStaffYearAgo)] = "1"
                    cells[column(.hiresRegular)] = "0"
                    cells[column(.hiresNonregular)] = "0"
                    cells[column(.separationsRegular)] = "30"
                    cells[column(.separationsNonregular)] = "30"
                case .establishmentIDFormat: cells[column(.establishmentID)] = "12345"
                case .invalidCategory: cells[column(.shortagePerception)] = "9"
                default:  // duplicate: same id, an older date, so the original is kept
                    cells[column(.responseDate)] = Day(ordinal: e.date.ordinal - 30).description
                }
                out += try CSVWriter.encodeRow(cells, options: options)
                broken.append(BrokenLine(file: name, line: line, rule: rule))
                line += 1
            }
            if o.messy {
                out += try CSVWriter.encodeRow(Array(repeating: "", count: header.count), options: options)
                out += newline == .crlf ? [0x0D, 0x0A] : [0x0A]
            }
            try AtomicFile.write(out, to: folder.appending(name))
        }
    }

    static func writeWorkers(
        _ ws: [TruthWorker], options o: SynthOptions, folder: FilePath,
        rng: inout SeededRandom, broken: inout [BrokenLine]
    ) throws {
        guard !ws.isEmpty else { return }
        let files = max(1, o.workerFiles)
        let perFile = (ws.count + files - 1) / files
        let header = WorkerField.allCases.map(\.japaneseHeader)
        for f in 0..<files {
            let name = String(format: "workers_%02d.csv", f + 1)
            let (encoding, newline) = fileStyle(f)
            let options = CSVWriteOptions(encoding: encoding, newline: newline)
            let file = try AtomicFile(path: folder.appending(name))
            if encoding == .utf8BOM { try file.write([0xEF, 0xBB, 0xBF]) }
            try file.write(try CSVWriter.encodeRow(header, options: options))
            var line = 2
            let slice = ws[min(ws.count, f * perFile)..<min(ws.count, (f + 1) * perFile)]
            for w in slice {
                var wage = w.wage.map(String.init) ?? ""
                if o.messy, let v = w.wage, rng.chance(0.15) {
                    wage = v % 10_000 == 0 ? "\(v / 10_000)万円" : (v % 1000 == 0 ? "\(Double(v) / 10_000)万円" : "\(v)円")
                }
                let occupation =
                    o.messy && rng.chance(0.2) ? Categories.occupation[String(w.occupation)]! : String(w.occupation)
                var age = o.messy ? "不明" : ""
                if let a = w.age { age = o.messy && rng.chance(0.1) ? "\(a)歳" : String(a) }
                let tenure: String = w.tenure.map { formatNumber($0) } ?? ""
                let intention: String = w.intention.map { String($0) } ?? ""
                let sex = String(rng.int(1...3))
                let cells: [String] = [
                    w.establishmentID, occupation, String(w.employment), sex, age, tenure, wage, intention,
                ]
                try file.write(try CSVWriter.encodeRow(cells, options: options))
                line += 1
            }
            // Defects.
            let defects = slice.count * o.defectsPerThousand / 2000
            let rules: [Rule] = [.unknownEstablishment, .outOfRange, .invalidCategory, .required]
            for n in 0..<defects {
                let w = slice[slice.startIndex + (n * 7919) % slice.count]
                var cells = [
                    w.establishmentID, String(w.occupation), String(w.employment), "1", "45", "3", "250000", "1",
                ]
                let rule = rules[n % rules.count]
                switch rule {
                case .unknownEstablishment:
                    cells[workerColumn(.establishmentID)] = o.prefectureCode + "98" + String(format: "%06d", n)
                case .outOfRange: cells[workerColumn(.age)] = "120"
                case .invalidCategory: cells[workerColumn(.occupation)] = "9"
                default: cells[workerColumn(.employmentType)] = ""
                }
                try file.write(try CSVWriter.encodeRow(cells, options: options))
                broken.append(BrokenLine(file: name, line: line, rule: rule))
                line += 1
            }
            try file.commit()
        }
    }
}
