/// The kinds of input file and their canonical fields.
public enum InputKind: String, Sendable, CaseIterable, Codable {
    case establishments, workers, master, frame
    case modelProjects = "model_projects"

    /// Japanese name, as the survey calls the file.
    public var japaneseName: String {
        switch self {
        case .establishments: return "事業所調査"
        case .workers: return "労働者調査"
        case .master: return "市区町村マスタ"
        case .frame: return "事業所台帳"
        case .modelProjects: return "モデル事業"
        }
    }

    /// The canonical fields, in the order ingest writes them.
    public var fields: [FieldSpec] {
        switch self {
        case .establishments: return FieldSpec.establishment
        case .workers: return FieldSpec.worker
        case .master: return FieldSpec.master
        case .frame: return FieldSpec.frame
        case .modelProjects: return FieldSpec.modelProject
        }
    }
}

/// One canonical field: its name, the headers that mean it, and whether the column must exist.
public struct FieldSpec: Sendable {
    public let name: String
    /// Header texts recognised without a mapping; the first is the contract's default header.
    public let headers: [String]
    /// The file is rejected whole when no column maps to this field.
    public let requiredColumn: Bool

    init(_ name: String, _ headers: [String], required: Bool = false) {
        self.name = name
        self.headers = headers
        self.requiredColumn = required
    }

    /// The default (contract) header.
    public var japaneseHeader: String { headers[0] }

    static let establishment: [FieldSpec] = [
        FieldSpec("establishment_id", ["事業所番号", "介護保険事業所番号"], required: true),
        FieldSpec("establishment_name", ["事業所名", "事業所名称"]),
        FieldSpec("municipality_code", ["市区町村コード", "市町村コード", "自治体コード"], required: true),
        FieldSpec("service_type", ["サービス種別", "サービス種類"], required: true),
        FieldSpec("response_date", ["回答日", "回答年月日"], required: true),
        FieldSpec("care_staff_regular", ["介護職員数_正規"]),
        FieldSpec("care_staff_nonregular", ["介護職員数_非正規"]),
        FieldSpec("care_staff_year_ago", ["1年前の介護職員数"]),
        FieldSpec("hires_regular", ["採用者数_正規"]),
        FieldSpec("hires_nonregular", ["採用者数_非正規"]),
        FieldSpec("separations_regular", ["離職者数_正規"]),
        FieldSpec("separations_nonregular", ["離職者数_非正規"]),
        FieldSpec("nurses", ["看護職員数"]),
        FieldSpec("care_managers", ["介護支援専門員数"]),
        FieldSpec("other_staff", ["その他職員数"]),
        FieldSpec("fte_total", ["常勤換算職員数"]),
        FieldSpec("certified_care_workers", ["介護福祉士数"]),
        FieldSpec("staff_aged_60_plus", ["60歳以上職員数"]),
        FieldSpec("foreign_staff", ["外国籍職員数"]),
        FieldSpec("vacancies", ["求人数"]),
        FieldSpec("shortage_perception", ["従業員の過不足感"]),
        FieldSpec("comment", ["自由記述"]),
    ]

    /// The establishment survey's count fields, in the order clean writes and aggregate reads them.
    public static let establishmentCounts = [
        "care_staff_regular", "care_staff_nonregular", "care_staff_year_ago", "hires_regular", "hires_nonregular",
        "separations_regular", "separations_nonregular", "nurses", "care_managers", "other_staff", "fte_total",
        "certified_care_workers", "staff_aged_60_plus", "foreign_staff", "vacancies",
    ]

    static let worker: [FieldSpec] = [
        FieldSpec("establishment_id", ["事業所番号", "介護保険事業所番号"], required: true),
        FieldSpec("occupation", ["職種"], required: true),
        FieldSpec("employment_type", ["雇用形態"], required: true),
        FieldSpec("sex", ["性別"]),
        FieldSpec("age", ["年齢"]),
        FieldSpec("tenure_years", ["勤続年数"]),
        FieldSpec("monthly_wage", ["月給", "月給(税込)"]),
        FieldSpec("intention_to_continue", ["就業継続意向"]),
    ]

    static let master: [FieldSpec] = [
        FieldSpec("municipality_code", ["市区町村コード", "市町村コード"], required: true),
        FieldSpec("municipality_name", ["市区町村名", "市町村名"], required: true),
        FieldSpec("population", ["人口", "総人口"], required: true),
        FieldSpec("population_65_plus", ["65歳以上人口"], required: true),
        FieldSpec("population_75_plus", ["75歳以上人口"], required: true),
        FieldSpec("area_km2", ["面積", "面積(km2)"], required: true),
        FieldSpec("contact_email", ["担当者メール", "担当者メールアドレス"], required: true),
    ]

    static let frame: [FieldSpec] = [
        FieldSpec("establishment_id", ["事業所番号", "介護保険事業所番号"], required: true),
        FieldSpec("municipality_code", ["市区町村コード", "市町村コード"], required: true),
        FieldSpec("service_type", ["サービス種別", "サービス種類"], required: true),
    ]

    static let modelProject: [FieldSpec] = [
        FieldSpec("municipality_code", ["市区町村コード", "市町村コード"], required: true),
        FieldSpec("project_name", ["事業名"], required: true),
        FieldSpec("theme", ["テーマ"], required: true),
        FieldSpec("fiscal_year", ["年度"]),
        FieldSpec("summary", ["概要"]),
    ]
}

/// Care-insurance service kinds (サービス種別) the survey knows; others are kept with a warning.
public let serviceTypes: [String: String] = [
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
public let serviceCodesByLabel: [String: String] = Dictionary(serviceTypes.map { ($1, $0) }, uniquingKeysWith: { a, b in min(a, b) })

/// A coded answer's codes and labels, looked up either way (labels are accepted in place of codes).
public struct CodeList: Sendable {
    /// Code → label.
    public let labels: [String: String]
    /// Label → code.
    public let codes: [String: String]

    public init(_ labels: [String: String]) {
        self.labels = labels
        codes = Dictionary(labels.map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The label of a code.
    public subscript(_ code: String) -> String? { labels[code] }
}

/// Coded answers with their labels.
public enum Categories {
    public static let shortage = CodeList(["1": "大いに不足", "2": "不足", "3": "やや不足", "4": "適当", "5": "過剰"])
    public static let occupation = CodeList(["1": "訪問介護員", "2": "介護職員", "3": "看護職員", "4": "介護支援専門員", "5": "生活相談員", "6": "その他"])
    public static let employment = CodeList(["1": "正規職員", "2": "非正規職員"])
    public static let sex = CodeList(["1": "男性", "2": "女性", "3": "回答しない"])
    public static let intention = CodeList(["1": "今の職場で続けたい", "2": "介護の仕事は続けたいが職場は変えたい", "3": "介護の仕事を辞めたい", "4": "わからない"])
}
