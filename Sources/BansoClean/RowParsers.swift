import BansoCSV
import BansoCore

/// The outcome of checking one establishment row.
enum EstablishmentOutcome {
    case accepted(EstablishmentRow)
    /// Every E finding of the row, and its municipality when that was readable.
    case rejected([Finding], municipality: String?)
}

/// Checks one establishment row against every rule of the contract.
enum EstablishmentParser {
    /// The fields parse reads, in the order of the `columns` it is given.
    static let fieldOrder = ["source_line", "establishment_id", "establishment_name", "municipality_code", "service_type",
                             "response_date"] + CleanColumns.countFields + ["shortage_perception", "comment"]
    /// The Japanese header of each count field, for messages.
    static let countLabels = CleanColumns.countFields.map { name in
        InputKind.establishments.fields.first { $0.name == name }!.japaneseHeader
    }

    /// Column positions for `fieldOrder` from a header index (-1 when absent).
    static func columns(_ cols: [String: Int]) -> [Int] { fieldOrder.map { cols[$0] ?? -1 } }

    static func parse(_ r: CSVRecord, columns: [Int], file: String, order: Int, sourceIndex: Int,
                      prefecture: String, known: Set<String>?, window: ClosedRange<Day>?) -> EstablishmentOutcome {
        @inline(__always) func bytes(_ k: Int) -> ArraySlice<UInt8> { columns[k] >= 0 && columns[k] < r.count ? r[columns[k]] : [] }
        func text(_ k: Int) -> String { String(decoding: bytes(k), as: UTF8.self) }
        let (lineK, idK, nameK, muniK, serviceK, dateK, countsK) = (0, 1, 2, 3, 4, 5, 6)
        let shortageK = countsK + CleanColumns.countFields.count, commentK = shortageK + 1
        let line = NumberParser.plain(bytes(lineK)).map { Int($0) } ?? r.line
        var errors: [Finding] = []
        var warns: [Finding] = []
        var id = ""
        func add(_ field: String, _ value: String, _ p: CellProblem) {
            let f = Finding(file: file, line: line, establishmentID: id, field: field, rule: p.rule, value: value,
                            message: p.message, fileOrder: order)
            if p.rule.severity == .error { errors.append(f) } else { warns.append(f) }
        }
        func required(_ k: Int, _ label: String) -> Bool {
            if Values.isMissing(bytes(k)) {
                add(fieldOrder[k], text(k), CellProblem(.required, "\(label) is required (empty or a missing-value marker)"))
                return false
            }
            return true
        }

        if required(idK, "事業所番号") {
            switch Values.establishmentID(text(idK), prefecture: prefecture) {
            case .success(let v): id = v
            case .failure(let p): id = Normalize.value(text(idK)); add("establishment_id", text(idK), p)
            }
        }
        var municipality: String?
        if required(muniK, "市区町村コード") {
            switch Values.municipality(text(muniK), known: known) {
            case .success(let m): municipality = m
            case .failure(let p): add("municipality_code", text(muniK), p)
            }
        }
        var service: String?
        if required(serviceK, "サービス種別") {
            let st = Values.serviceType(text(serviceK))
            service = st.code
            if let p = st.problem { add("service_type", text(serviceK), p) }
        }
        var date: Day?
        if required(dateK, "回答日") {
            switch DateParser.parse(text(dateK)) {
            case .success(let d):
                date = d
                if let window, !window.contains(d) {
                    add("response_date", text(dateK),
                        CellProblem(.outsideSurveyWindow, "回答日 \(d): outside the survey window \(window.lowerBound) – \(window.upperBound) (kept)"))
                }
            case .failure(let problem):
                let why: String
                switch problem {
                case .unrecognised: why = "not a date (accepted: 2025-10-01, 2025/10/1, 2025年10月1日, 令和7年10月1日, R7.10.1, H31.4.30, Excel serial)"
                case .noSuchDay: why = "no such day"
                case .outsideEra(let s): why = s
                }
                add("response_date", text(dateK), CellProblem(.date, "回答日 \"\(Normalize.value(text(dateK)))\": \(why)"))
            }
        }
        // Counts in CleanColumns.countFields order.
        var v = [Double?](repeating: nil, count: CleanColumns.countFields.count)
        for i in v.indices {
            let k = countsK + i
            let result = i == 10 ? Values.decimal(bytes(k), label: countLabels[i]) : Values.count(bytes(k), label: countLabels[i])
            switch result {
            case .success(let x): v[i] = x
            case .failure(let p): add(fieldOrder[k], text(k), p)
            }
        }
        var shortage: String?
        switch Values.category(bytes(shortageK), Categories.shortage, label: "従業員の過不足感") {
        case .success(let x): shortage = x
        case .failure(let p): add("shortage_perception", text(shortageK), p)
        }

        // Cross-field rules, where every field they need is present.
        func sum(_ a: Int, _ b: Int) -> Double? {
            guard let x = v[a], let y = v[b] else { return nil }
            return x + y
        }
        let careNow = sum(0, 1)
        let hires = sum(3, 4)
        let seps = sum(5, 6)
        if let seps, let ago = v[2], let hires, seps > ago + hires {
            add("separations_regular", formatNumber(seps), CellProblem(.separationsExceed,
                "離職者数 \(formatNumber(seps)) > 1年前の介護職員数 \(formatNumber(ago)) + 採用者数 \(formatNumber(hires)): more people left than could have"))
        }
        if let careNow, let ago = v[2], let hires, let seps {
            let expected = ago + hires - seps
            if abs(careNow - expected) > max(3, 0.2 * careNow) {
                add("care_staff_regular", formatNumber(careNow), CellProblem(.staffBalance,
                    "介護職員数 \(formatNumber(careNow)) differs from 1年前 \(formatNumber(ago)) + 採用 \(formatNumber(hires)) − 離職 \(formatNumber(seps)) = \(formatNumber(expected)) by more than max(3, 20%) (kept)"))
            }
        }
        if let careNow, let cert = v[11], cert > careNow {
            add("certified_care_workers", formatNumber(cert), CellProblem(.certifiedExceedsCareStaff,
                "介護福祉士数 \(formatNumber(cert)) > 介護職員数 \(formatNumber(careNow)) (kept)"))
        }
        var allNow: Double?
        if let careNow, let n = v[7], let m = v[8], let o = v[9] { allNow = careNow + n + m + o }
        if let allNow, let x = v[12], x > allNow {
            add("staff_aged_60_plus", formatNumber(x), CellProblem(.aged60ExceedsStaff, "60歳以上職員数 \(formatNumber(x)) > 全職員数 \(formatNumber(allNow)) (kept)"))
        }
        if let allNow, let x = v[13], x > allNow {
            add("foreign_staff", formatNumber(x), CellProblem(.foreignExceedsStaff, "外国籍職員数 \(formatNumber(x)) > 全職員数 \(formatNumber(allNow)) (kept)"))
        }

        guard errors.isEmpty, let municipality, let service, let date else {
            return .rejected(errors, municipality: municipality)
        }
        var cells = [file, String(line), id, Normalize.value(text(nameK)), municipality, service, date.description]
        for x in v { cells.append(formatNumber(x)) }
        cells.append(shortage ?? "")
        cells.append(Normalize.nfkc(text(commentK)))
        let encoded = (try? CSVWriter.encodeRow(cells, options: CSVWriteOptions())) ?? []
        return .accepted(EstablishmentRow(sourceIndex: sourceIndex, line: line, id: id, date: date, encoded: encoded,
                                          municipality: municipality, warnings: warns))
    }
}

/// The outcome of checking one worker row.
enum WorkerOutcome {
    case accepted([ArraySlice<UInt8>], warnings: [Finding])
    case rejected([Finding], municipality: String?)
}

/// Checks worker rows; built once per file so the hot loop reuses its buffers.
struct WorkerParser {
    let file: String
    let fileBytes: ArraySlice<UInt8>
    let order: Int
    let prefecture: String
    let establishments: [String: String]
    let frame: [String: String]
    /// False when checking a single file without a run (inspect, fuzzing): unknown_establishment is not checked.
    var checkEstablishments = true
    var cells: [ArraySlice<UInt8>] = Array(repeating: [], count: CleanColumns.workers.count)
    var columns: [Int] = []

    init(file: String, order: Int, prefecture: String, establishments: [String: String], frame: [String: String]) {
        self.file = file
        self.fileBytes = Array(file.utf8)[...]
        self.order = order
        self.prefecture = prefecture
        self.establishments = establishments
        self.frame = frame
    }

    static let categorical: [(column: Int, field: String, table: CodeList, label: String, required: Bool, low: UInt8, high: UInt8)] = [
        (2, "occupation", Categories.occupation, "職種", true, 0x31, 0x36),
        (3, "employment_type", Categories.employment, "雇用形態", true, 0x31, 0x32),
        (4, "sex", Categories.sex, "性別", false, 0x31, 0x33),
        (8, "intention_to_continue", Categories.intention, "就業継続意向", false, 0x31, 0x34),
    ]

    static let fields = ["source_line", "establishment_id", "occupation", "employment_type", "sex", "age",
                         "tenure_years", "monthly_wage", "intention_to_continue"]

    /// The typed value's text; the input bytes themselves when they already are that text
    /// (plain digits without a leading zero), which saves making a String per cell.
    @inline(__always)
    static func canonical(_ v: Double?, _ input: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let v else { return [] }
        if let f = input.first, f != 0x30 || input.count == 1, input.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return input }
        return Array(formatNumber(v).utf8)[...]
    }

    mutating func parse(_ r: CSVRecord, cols: [String: Int]) -> WorkerOutcome {
        if columns.isEmpty { columns = Self.fields.map { cols[$0] ?? -1 } }
        @inline(__always) func bytes(_ k: Int) -> ArraySlice<UInt8> { columns[k] >= 0 && columns[k] < r.count ? r[columns[k]] : [] }
        func text(_ k: Int) -> String { String(decoding: bytes(k), as: UTF8.self) }
        let lineBytes = bytes(0)
        var errors: [Finding] = []
        var warns: [Finding] = []
        var id = ""
        func add(_ field: String, _ value: String, _ p: CellProblem) {
            let line = Int(String(decoding: lineBytes, as: UTF8.self)) ?? r.line
            let f = Finding(file: file, line: line, establishmentID: id, field: field, rule: p.rule, value: value,
                            message: p.message, fileOrder: order)
            if p.rule.severity == .error { errors.append(f) } else { warns.append(f) }
        }
        var municipality: String?
        let idBytes = bytes(1)
        if Values.isMissing(idBytes) {
            add("establishment_id", text(1), CellProblem(.required, "事業所番号 is required"))
        } else {
            switch Values.establishmentID(text(1), prefecture: prefecture) {
            case .success(let v):
                id = v
                municipality = establishments[v] ?? frame[v] ?? (checkEstablishments ? nil : "")
                if municipality == nil {
                    add("establishment_id", text(1), CellProblem(.unknownEstablishment,
                        "事業所番号 \(v): not among the accepted establishment answers nor in the frame, so the worker has no municipality"))
                }
            case .failure(let p):
                id = Normalize.value(text(1))
                add("establishment_id", text(1), p)
            }
        }
        var codes: [ArraySlice<UInt8>] = [[], [], [], []]
        for (n, c) in Self.categorical.enumerated() {
            let b = bytes(c.column)
            // A single listed digit is the code itself: no String needed.
            if b.count == 1, let d = b.first, d >= c.low && d <= c.high { codes[n] = b; continue }
            switch Values.category(b, c.table, label: c.label) {
            case .success(let v?): codes[n] = Array(v.utf8)[...]
            case .success(nil): if c.required { add(c.field, text(c.column), CellProblem(.required, "\(c.label) is required")) }
            case .failure(let p): add(c.field, text(c.column), p)
            }
        }
        var age: Double?
        switch Values.count(bytes(5), label: "年齢") {
        case .success(let v):
            age = v
            if let v, !(15...99).contains(v) { add("age", text(5), CellProblem(.outOfRange, "年齢 \(formatNumber(v)): must be 15–99")) }
        case .failure(let p): add("age", text(5), p)
        }
        var tenure: Double?
        switch Values.decimal(bytes(6), label: "勤続年数") {
        case .success(let v):
            tenure = v
            if let v, v > 60 { add("tenure_years", text(6), CellProblem(.outOfRange, "勤続年数 \(formatNumber(v)): must be 0–60")) }
        case .failure(let p): add("tenure_years", text(6), p)
        }
        var wage: Double?
        switch Values.number(bytes(7), allowMan: true) {
        case .missing: break
        case .invalid(let t): add("monthly_wage", text(7), CellProblem(.notANumber, "月給 \"\(t)\": not a number"))
        case .value(let v):
            if v < 0 { add("monthly_wage", text(7), CellProblem(.negative, "月給 \(formatNumber(v)): must be 0 or more")) }
            else {
                wage = v.rounded()
                if !(50_000...2_000_000).contains(v) {
                    add("monthly_wage", text(7), CellProblem(.wageOutOfRange, "月給 \(formatNumber(v)) yen: outside 50,000–2,000,000 (kept; check 万円 vs 円)"))
                }
            }
        }
        guard errors.isEmpty, let municipality else { return .rejected(errors, municipality: municipality) }
        cells[0] = fileBytes
        cells[1] = lineBytes
        cells[2] = Array(id.utf8)[...]
        cells[3] = Array(municipality.utf8)[...]
        for n in 0..<3 { cells[4 + n] = codes[n] }
        cells[7] = Self.canonical(age, bytes(5))
        cells[8] = Self.canonical(tenure, bytes(6))
        cells[9] = Self.canonical(wage, bytes(7))
        cells[10] = codes[3]
        return .accepted(cells, warnings: warns)
    }
}

/// Checks single rows outside a run: what `banso inspect` and the fuzz target use.
public enum RowCheck {
    /// Every finding (E and W) for one establishment row given as canonical field → raw text.
    public static func establishment(_ fields: [String: String], file: String = "<row>", line: Int = 2, prefecture: String,
                                     known: Set<String>? = nil, window: ClosedRange<Day>? = nil) -> [Finding] {
        let (record, cols) = record(fields, kind: .establishments, line: line)
        switch EstablishmentParser.parse(record, columns: EstablishmentParser.columns(cols), file: file, order: 0, sourceIndex: 0, prefecture: prefecture,
                                         known: known, window: window) {
        case .accepted(let row): return row.warnings
        case .rejected(let findings, _): return findings
        }
    }

    /// Every finding for one worker row (its establishment is not looked up).
    public static func worker(_ fields: [String: String], file: String = "<row>", line: Int = 2, prefecture: String) -> [Finding] {
        let (record, cols) = record(fields, kind: .workers, line: line)
        var parser = WorkerParser(file: file, order: 0, prefecture: prefecture, establishments: [:], frame: [:])
        parser.checkEstablishments = false
        switch parser.parse(record, cols: cols) {
        case .accepted(_, let w): return w
        case .rejected(let f, _): return f
        }
    }

    static func record(_ fields: [String: String], kind: InputKind, line: Int) -> (CSVRecord, [String: Int]) {
        let names = ["source_file", "source_line"] + kind.fields.map(\.name)
        let values = ["<row>", String(line)] + kind.fields.map { fields[$0.name] ?? "" }
        return (CSVRecord(line: line, fields: values), Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) }))
    }
}
