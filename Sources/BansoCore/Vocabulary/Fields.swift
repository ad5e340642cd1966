/// The kinds of input file and their canonical fields.
package enum InputKind: String, Sendable, CaseIterable, Codable {
    case establishments, workers, master, frame
    case modelProjects = "model_projects"
    /// The prefecture's 構築ロードマップ item list.
    case roadmap
    /// The municipalities' self-assessments of the roadmap's 主観 items.
    case selfAssessment = "self_assessment"
    /// Objective context figures for the 地域診断カルテ (見える化 system, e-Stat exports).
    case context
    /// The prefecture's record of the support it gave (支援記録).
    case support
    /// The prefecture's own words to one municipality, printed in its packet only.
    case prefectureComments = "prefecture_comments"
    /// Municipalities' own roadmap items and answers (独自項目).
    case ownItems = "own_items"

    /// The municipality's own answers (its establishments' and workers', its self-assessment), as
    /// against the prefecture's inputs (master, frame, model projects, roadmap, context figures):
    /// a municipality's packet reports problems in its own answers only.
    package var answeredByMunicipality: Bool {
        switch self {
        case .establishments, .workers, .selfAssessment: true
        case .master, .frame, .modelProjects, .roadmap, .context, .support, .prefectureComments, .ownItems: false
        }
    }

    /// Japanese name, as the survey calls the file.
    package var japaneseName: String {
        switch self {
        case .establishments: return "事業所調査"
        case .workers: return "労働者調査"
        case .master: return "市区町村マスタ"
        case .frame: return "事業所台帳"
        case .modelProjects: return "モデル事業"
        case .roadmap: return "ロードマップ項目"
        case .selfAssessment: return "自己評価"
        case .context: return "地域の指標"
        case .support: return "支援記録"
        case .prefectureComments: return "県からのコメント"
        case .ownItems: return "独自項目"
        }
    }

    /// The canonical fields, in the order ingest writes them.
    package var fields: [FieldSpec] {
        switch self {
        case .establishments: return EstablishmentField.specs
        case .workers: return WorkerField.specs
        case .master: return MasterField.specs
        case .frame: return FrameField.specs
        case .modelProjects: return ModelProjectField.specs
        case .roadmap: return RoadmapField.specs
        case .selfAssessment: return SelfAssessmentField.specs
        case .context: return ContextField.specs
        case .support: return SupportLogField.specs
        case .prefectureComments: return PrefectureCommentField.specs
        case .ownItems: return OwnItemField.specs
        }
    }
}

/// One canonical field at run time: its name, the headers that mean it, whether the column must exist.
package struct FieldSpec: Sendable {
    package let name: String
    /// Header texts recognised without a mapping; the first is the contract's default header.
    package let headers: [String]
    /// The file is rejected whole when no column maps to this field.
    package let requiredColumn: Bool

    /// The default (contract) header.
    package var japaneseHeader: String { headers[0] }
}

/// The canonical fields of one kind of input file, as an enum whose raw values are the field names.
package protocol CanonicalField: RawRepresentable<String>, CaseIterable, Hashable, Sendable where AllCases == [Self] {
    /// Header texts recognised without a mapping; the first is the contract's default header.
    var headers: [String] { get }
    /// The file is rejected whole when no column maps to this field.
    var requiredColumn: Bool { get }
}

extension CanonicalField {
    /// The default (contract) header, for messages.
    package var japaneseHeader: String { headers[0] }
    /// Field name → value, keyed by the field (names that are not fields of the kind are dropped).
    package static func keyed(_ fields: [String: String]) -> [Self: String] {
        var out: [Self: String] = [:]
        for (name, value) in fields { if let f = Self(rawValue: name) { out[f] = value } }
        return out
    }

    /// Every field of the kind, in the order ingest writes them.
    package static var specs: [FieldSpec] {
        allCases.map { FieldSpec(name: $0.rawValue, headers: $0.headers, requiredColumn: $0.requiredColumn) }
    }
}

/// The establishment survey (事業所調査).
package enum EstablishmentField: String, CanonicalField {
    case establishmentID = "establishment_id"
    case establishmentName = "establishment_name"
    case municipalityCode = "municipality_code"
    case serviceType = "service_type"
    case responseDate = "response_date"
    case careStaffRegular = "care_staff_regular"
    case careStaffNonregular = "care_staff_nonregular"
    case careStaffYearAgo = "care_staff_year_ago"
    case hiresRegular = "hires_regular"
    case hiresNonregular = "hires_nonregular"
    case separationsRegular = "separations_regular"
    case separationsNonregular = "separations_nonregular"
    case nurses
    case careManagers = "care_managers"
    case otherStaff = "other_staff"
    case fteTotal = "fte_total"
    case certifiedCareWorkers = "certified_care_workers"
    case staffAged60Plus = "staff_aged_60_plus"
    case foreignStaff = "foreign_staff"
    case vacancies
    case shortagePerception = "shortage_perception"
    case comment

    package var headers: [String] {
        switch self {
        case .establishmentID: ["事業所番号", "介護保険事業所番号"]
        case .establishmentName: ["事業所名", "事業所名称"]
        case .municipalityCode: ["市区町村コード", "市町村コード", "自治体コード"]
        case .serviceType: ["サービス種別", "サービス種類"]
        case .responseDate: ["回答日", "回答年月日"]
        case .careStaffRegular: ["介護職員数_正規"]
        case .careStaffNonregular: ["介護職員数_非正規"]
        case .careStaffYearAgo: ["1年前の介護職員数"]
        case .hiresRegular: ["採用者数_正規"]
        case .hiresNonregular: ["採用者数_非正規"]
        case .separationsRegular: ["離職者数_正規"]
        case .separationsNonregular: ["離職者数_非正規"]
        case .nurses: ["看護職員数"]
        case .careManagers: ["介護支援専門員数"]
        case .otherStaff: ["その他職員数"]
        case .fteTotal: ["常勤換算職員数"]
        case .certifiedCareWorkers: ["介護福祉士数"]
        case .staffAged60Plus: ["60歳以上職員数"]
        case .foreignStaff: ["外国籍職員数"]
        case .vacancies: ["求人数"]
        case .shortagePerception: ["従業員の過不足感"]
        case .comment: ["自由記述"]
        }
    }

    package var requiredColumn: Bool {
        switch self {
        case .establishmentID, .municipalityCode, .serviceType, .responseDate: true
        default: false
        }
    }
}

/// The establishment survey's count fields, in the order clean writes and aggregate reads them.
///
/// An `Int` enum so that per-establishment values live in a plain array indexed by the case
/// (90,000 establishments × 15 look-ups per indicator add up).
package enum CountField: Int, CaseIterable, Sendable {
    case careStaffRegular, careStaffNonregular, careStaffYearAgo, hiresRegular, hiresNonregular
    case separationsRegular, separationsNonregular, nurses, careManagers, otherStaff, fteTotal
    case certifiedCareWorkers, staffAged60Plus, foreignStaff, vacancies

    /// The survey field it is.
    package var field: EstablishmentField {
        switch self {
        case .careStaffRegular: .careStaffRegular
        case .careStaffNonregular: .careStaffNonregular
        case .careStaffYearAgo: .careStaffYearAgo
        case .hiresRegular: .hiresRegular
        case .hiresNonregular: .hiresNonregular
        case .separationsRegular: .separationsRegular
        case .separationsNonregular: .separationsNonregular
        case .nurses: .nurses
        case .careManagers: .careManagers
        case .otherStaff: .otherStaff
        case .fteTotal: .fteTotal
        case .certifiedCareWorkers: .certifiedCareWorkers
        case .staffAged60Plus: .staffAged60Plus
        case .foreignStaff: .foreignStaff
        case .vacancies: .vacancies
        }
    }

    /// A decimal (常勤換算) rather than a head count.
    package var isDecimal: Bool { self == .fteTotal }
}

/// The worker survey (労働者調査).
package enum WorkerField: String, CanonicalField {
    case establishmentID = "establishment_id"
    case occupation
    case employmentType = "employment_type"
    case sex
    case age
    case tenureYears = "tenure_years"
    case monthlyWage = "monthly_wage"
    case intentionToContinue = "intention_to_continue"

    package var headers: [String] {
        switch self {
        case .establishmentID: ["事業所番号", "介護保険事業所番号"]
        case .occupation: ["職種"]
        case .employmentType: ["雇用形態"]
        case .sex: ["性別"]
        case .age: ["年齢"]
        case .tenureYears: ["勤続年数"]
        case .monthlyWage: ["月給", "月給(税込)"]
        case .intentionToContinue: ["就業継続意向"]
        }
    }

    package var requiredColumn: Bool { [.establishmentID, .occupation, .employmentType].contains(self) }
}

/// The municipality master (市区町村マスタ).
package enum MasterField: String, CanonicalField {
    case municipalityCode = "municipality_code"
    case municipalityName = "municipality_name"
    case population
    case population65Plus = "population_65_plus"
    case population75Plus = "population_75_plus"
    case areaKm2 = "area_km2"
    case contactEmail = "contact_email"
    /// The section the packet is addressed to (optional; 介護保険担当課 without it).
    case department
    /// The prefecture's own classification of the municipality (総務省's 類似団体 類型, say):
    /// the peer groups with `[peers] basis = "type"` (optional).
    case classification
    /// The 圏域 (老人福祉圏域, say) the municipality belongs to: its code and name (optional; both
    /// or neither, for every municipality).
    case regionCode = "region_code"
    case regionName = "region_name"

    package var headers: [String] {
        switch self {
        case .municipalityCode: ["市区町村コード", "市町村コード"]
        case .municipalityName: ["市区町村名", "市町村名"]
        case .population: ["人口", "総人口"]
        case .population65Plus: ["65歳以上人口"]
        case .population75Plus: ["75歳以上人口"]
        case .areaKm2: ["面積", "面積(km2)"]
        case .contactEmail: ["担当者メール", "担当者メールアドレス"]
        case .department: ["担当課", "担当部署", "担当課名"]
        case .classification: ["類型", "団体類型", "類似団体区分"]
        case .regionCode: ["圏域コード", "老人福祉圏域コード"]
        case .regionName: ["圏域名", "老人福祉圏域名", "圏域"]
        }
    }

    package var requiredColumn: Bool { ![.department, .classification, .regionCode, .regionName].contains(self) }
}

/// The establishment frame (事業所台帳).
package enum FrameField: String, CanonicalField {
    case establishmentID = "establishment_id"
    case municipalityCode = "municipality_code"
    case serviceType = "service_type"

    package var headers: [String] {
        switch self {
        case .establishmentID: ["事業所番号", "介護保険事業所番号"]
        case .municipalityCode: ["市区町村コード", "市町村コード"]
        case .serviceType: ["サービス種別", "サービス種類"]
        }
    }

    package var requiredColumn: Bool { true }
}

/// The model projects (モデル事業).
package enum ModelProjectField: String, CanonicalField {
    case municipalityCode = "municipality_code"
    case projectName = "project_name"
    case theme
    case fiscalYear = "fiscal_year"
    case summary
    /// The roadmap 領域 the project belongs to (optional; else its テーマ's, `ProjectTheme`).
    case area
    /// What the project changed, when the prefecture measured it (optional, all three together).
    case outcomeIndicator = "outcome_indicator"
    case outcomeBefore = "outcome_before"
    case outcomeAfter = "outcome_after"
    /// The 年度 the outcome was measured in (optional).
    case outcomeYear = "outcome_year"

    package var headers: [String] {
        switch self {
        case .municipalityCode: ["市区町村コード", "市町村コード"]
        case .projectName: ["事業名"]
        case .theme: ["テーマ"]
        case .fiscalYear: ["年度"]
        case .summary: ["概要"]
        case .area: ["領域"]
        case .outcomeIndicator: ["成果指標", "指標"]
        case .outcomeBefore: ["実施前"]
        case .outcomeAfter: ["実施後"]
        case .outcomeYear: ["成果年度", "測定年度"]
        }
    }

    package var requiredColumn: Bool { [.municipalityCode, .projectName, .theme].contains(self) }
}

/// The 構築ロードマップ's item list (one row per item).
package enum RoadmapField: String, CanonicalField {
    case itemID = "item_id"
    case area
    case stage
    case label
    case kind
    case indicator
    case threshold

    package var headers: [String] {
        switch self {
        case .itemID: ["項目ID", "項目番号"]
        case .area: ["領域", "分野"]
        case .stage: ["段階"]
        case .label: ["項目", "項目名"]
        case .kind: ["種別", "評価種別"]
        case .indicator: ["指標"]
        case .threshold: ["基準", "基準値"]
        }
    }

    /// A list of 主観 items only needs no 指標 or 基準 column.
    package var requiredColumn: Bool { ![.indicator, .threshold].contains(self) }
}

/// One record of support the prefecture gave a municipality (`inputs.support`).
package enum SupportLogField: String, CanonicalField {
    case municipalityCode = "municipality_code"
    case area
    case stage
    /// An offer's id of `[roadmap.support]`, or the support in words.
    case support
    case date
    case note

    package var headers: [String] {
        switch self {
        case .municipalityCode: ["市区町村コード", "市町村コード", "自治体コード"]
        case .area: ["領域"]
        case .stage: ["段階"]
        case .support: ["支援ID", "支援", "支援内容"]
        case .date: ["実施日", "実施年月日"]
        case .note: ["備考"]
        }
    }

    package var requiredColumn: Bool { self != .note }
}

/// The prefecture's own comment to one municipality (`inputs.prefecture_comments`).
package enum PrefectureCommentField: String, CanonicalField {
    case municipalityCode = "municipality_code"
    /// An area of the roadmap, or 全体 for the whole packet.
    case area
    case comment

    package var headers: [String] {
        switch self {
        case .municipalityCode: ["市区町村コード", "市町村コード", "自治体コード"]
        case .area: ["領域", "対象"]
        case .comment: ["コメント", "県からのコメント"]
        }
    }

    package var requiredColumn: Bool { true }
}

/// A municipality's own roadmap item (独自項目) with its own answer: shown in its packet only.
package enum OwnItemField: String, CanonicalField {
    case municipalityCode = "municipality_code"
    case itemID = "item_id"
    case area
    case stage
    case label
    /// 1–4 as the roadmap's 主観 items, or empty when not yet answered.
    case score
    case comment

    package var headers: [String] {
        switch self {
        case .municipalityCode: ["市区町村コード", "市町村コード", "自治体コード"]
        case .itemID: ["項目ID", "独自項目ID"]
        case .area: ["領域"]
        case .stage: ["段階"]
        case .label: ["項目", "項目名", "独自項目"]
        case .score: ["評価", "自己評価"]
        case .comment: ["コメント", "備考"]
        }
    }

    package var requiredColumn: Bool { [.municipalityCode, .itemID, .area, .label].contains(self) }
}

/// A municipality's self-assessment of one 主観 item.
package enum SelfAssessmentField: String, CanonicalField {
    case municipalityCode = "municipality_code"
    case itemID = "item_id"
    case score
    case responseDate = "response_date"
    case comment

    package var headers: [String] {
        switch self {
        case .municipalityCode: ["市区町村コード", "市町村コード", "自治体コード"]
        case .itemID: ["項目ID", "項目番号"]
        case .score: ["評価", "自己評価"]
        case .responseDate: ["回答日", "回答年月日"]
        case .comment: ["コメント", "自由記述", "備考欄"]
        }
    }

    package var requiredColumn: Bool { self != .comment }
}

/// One objective context figure of one municipality (long format).
package enum ContextField: String, CanonicalField {
    case municipalityCode = "municipality_code"
    case indicatorID = "indicator_id"
    case label
    case unit
    case value
    case year
    case source

    package var headers: [String] {
        switch self {
        case .municipalityCode: ["市区町村コード", "市町村コード", "自治体コード"]
        case .indicatorID: ["指標ID"]
        case .label: ["指標名"]
        case .unit: ["単位"]
        case .value: ["値", "数値"]
        case .year: ["年度", "年次"]
        case .source: ["出典"]
        }
    }

    package var requiredColumn: Bool { ![.unit, .year].contains(self) }
}

/// Care-insurance service kinds (サービス種別) the survey knows; others are kept with a warning.
package let serviceTypes: [String: String] = [
    "11": "訪問介護", "12": "訪問入浴介護", "13": "訪問看護", "14": "訪問リハビリテーション",
    "15": "通所介護", "16": "通所リハビリテーション", "17": "福祉用具貸与", "21": "短期入所生活介護",
    "22": "短期入所療養介護", "27": "特定施設入居者生活介護", "28": "地域密着型特定施設入居者生活介護",
    "31": "居宅療養管理指導", "32": "認知症対応型共同生活介護", "33": "特定施設入居者生活介護",
    "36": "地域密着型特定施設入居者生活介護", "37": "介護予防認知症対応型共同生活介護",
    "38": "認知症対応型共同生活介護(短期)", "43": "居宅介護支援", "46": "介護予防支援",
    "51": "介護老人福祉施設", "52": "介護老人保健施設", "53": "介護療養型医療施設",
    "54": "地域密着型介護老人福祉施設", "55": "介護医療院", "71": "夜間対応型訪問介護",
    "72": "認知症対応型通所介護", "73": "小規模多機能型居宅介護", "76": "定期巡回・随時対応型訪問介護看護",
    "77": "看護小規模多機能型居宅介護", "78": "地域密着型通所介護", "A2": "訪問型サービス(総合事業)",
    "A6": "通所型サービス(総合事業)",
]

/// Service labels → codes, for answers that give the label.
package let serviceCodesByLabel: [String: String] = Dictionary(
    serviceTypes.map { ($1, $0) }, uniquingKeysWith: { a, b in min(a, b) })

/// A coded answer's codes and labels, looked up either way (labels are accepted in place of codes).
package struct CodeList: Sendable {
    /// Code → label.
    package let labels: [String: String]
    /// Label → code.
    package let codes: [String: String]

    /// Labels as UTF-8 bytes with their codes, in code order.
    ///
    /// Only labels that read as themselves (already normalised, not a missing-value marker): a
    /// cell holding exactly those bytes is that code without making a String.
    package let labelBytes: [(bytes: [UInt8], code: String)]

    package init(_ labels: [String: String]) {
        self.labels = labels
        codes = Dictionary(labels.map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let byLabel = codes
        labelBytes = labels.sorted { $0.key < $1.key }.compactMap { code, label in
            Normalize.value(label) == label && !Normalize.isMissing(label) && byLabel[label] == code
                && labels[label] == nil ? (Array(label.utf8), code) : nil
        }
    }

    /// The code of a cell that holds a label exactly as listed; nil otherwise.
    @inlinable @inline(__always)
    package func code<Bytes: Collection>(ofLabel bytes: Bytes) -> String? where Bytes.Element == UInt8 {
        for entry in labelBytes where entry.bytes.count == bytes.count && entry.bytes.elementsEqual(bytes) {
            return entry.code
        }
        return nil
    }

    /// The label of a code.
    package subscript(_ code: String) -> String? { labels[code] }
}

/// A coded answer of the survey forms: its code (1, 2, …) and the label printed on the form.
package protocol CodedAnswer: CaseIterable, RawRepresentable<UInt8>, Sendable {
    /// The label on the form (what offices type instead of the code).
    var label: String { get }
}

extension CodedAnswer {
    /// The answer whose code is this ASCII digit (as clean writes it); nil for anything else.
    @inline(__always)
    package init?(digit byte: UInt8) {
        guard byte >= 0x30 else { return nil }
        self.init(rawValue: byte - 0x30)
    }

    /// The code as written in the files (`1`).
    package var code: String { String(rawValue) }

    /// The code list the cleaner reads cells with (a code or a label).
    package static var codeList: CodeList {
        CodeList(Dictionary(uniqueKeysWithValues: allCases.map { ($0.code, $0.label) }))
    }
}

/// 従業員の過不足感 (establishment survey).
package enum ShortageAnswer: UInt8, CodedAnswer {
    case severe = 1, short, somewhat, adequate, surplus

    package var label: String {
        switch self {
        case .severe: "大いに不足"
        case .short: "不足"
        case .somewhat: "やや不足"
        case .adequate: "適当"
        case .surplus: "過剰"
        }
    }

    /// 不足感あり: 大いに不足, 不足 or やや不足 (the numerator of 不足感).
    package var feelsShort: Bool { rawValue <= ShortageAnswer.somewhat.rawValue }
}

/// 雇用形態 (worker survey).
package enum EmploymentType: UInt8, CodedAnswer {
    case regular = 1, nonRegular

    package var label: String {
        switch self {
        case .regular: "正規職員"
        case .nonRegular: "非正規職員"
        }
    }
}

/// 就業継続意向 (worker survey).
package enum IntentionAnswer: UInt8, CodedAnswer {
    case stay = 1, changeWorkplace, leaveCare, unsure

    package var label: String {
        switch self {
        case .stay: "今の職場で続けたい"
        case .changeWorkplace: "介護の仕事は続けたいが職場は変えたい"
        case .leaveCare: "介護の仕事を辞めたい"
        case .unsure: "わからない"
        }
    }
}

/// Coded answers with their labels.
package enum Categories {
    package static let shortage = ShortageAnswer.codeList
    package static let occupation = CodeList([
        "1": "訪問介護員", "2": "介護職員", "3": "看護職員", "4": "介護支援専門員", "5": "生活相談員", "6": "その他",
    ])
    package static let employment = EmploymentType.codeList
    package static let sex = CodeList(["1": "男性", "2": "女性", "3": "回答しない"])
    /// The roadmap's self-assessment (評価).
    package static let selfAssessment = CodeList(["1": "未着手", "2": "検討中", "3": "実施中", "4": "実施し評価・改善している"])
    package static let intention = IntentionAnswer.codeList
}
