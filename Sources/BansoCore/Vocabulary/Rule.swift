/// Whether a rule rejects the row or keeps it with a flag.
package enum Severity: String, Sendable, Codable { case error = "E", warning = "W" }

/// The validation rules of the survey contract.
///
/// The raw values are stable identifiers written to `rejects.csv`, `warnings.csv` and
/// `quality.csv`, and documented in `docs/rules.md`.
package enum Rule: String, Sendable, CaseIterable, Codable {
    case required
    case establishmentIDFormat = "establishment_id_format"
    case establishmentIDPrefecture = "establishment_id_prefecture"
    case municipalityCodeFormat = "municipality_code_format"
    case checkDigit = "check_digit"
    case unknownMunicipality = "unknown_municipality"
    case wrongPrefecture = "wrong_prefecture"
    case serviceTypeFormat = "service_type_format"
    case unknownServiceType = "unknown_service_type"
    case date
    case outsideSurveyWindow = "outside_survey_window"
    case notANumber = "not_a_number"
    case notAnInteger = "not_an_integer"
    case negative
    case notPositive = "not_positive"
    case invalidCategory = "invalid_category"
    case separationsExceed = "separations_exceed"
    case staffBalance = "staff_balance"
    case certifiedExceedsCareStaff = "certified_exceeds_care_staff"
    case aged60ExceedsStaff = "aged_60_exceeds_staff"
    case foreignExceedsStaff = "foreign_exceeds_staff"
    case duplicate
    case unknownEstablishment = "unknown_establishment"
    case outOfRange = "out_of_range"
    case wageOutOfRange = "wage_out_of_range"
    case wageInMan = "wage_in_man"
    case extraCells = "extra_cells"
    case notInFrame = "not_in_frame"
    case populationInconsistent = "population_inconsistent"
    case invalidEmail = "invalid_email"
    case invalidID = "invalid_id"
    case unknownItem = "unknown_item"
    case objectiveItemAnswered = "objective_item_answered"
    case invalidThreshold = "invalid_threshold"
    case unknownIndicator = "unknown_indicator"
    case prefectureRow = "prefecture_row"
    case implausibleCount = "implausible_count"
    case answerOutsideWave = "answer_outside_wave"
    case unitConverted = "unit_converted"
    case unitMismatch = "unit_mismatch"
    case unknownArea = "unknown_area"
    case regionInconsistent = "region_inconsistent"

    /// E rejects the row; W keeps it and writes a warning.
    package var severity: Severity {
        switch self {
        case .unknownServiceType, .outsideSurveyWindow, .staffBalance, .certifiedExceedsCareStaff,
            .aged60ExceedsStaff, .foreignExceedsStaff, .wageOutOfRange, .wageInMan, .notInFrame, .unitConverted:
            .warning
        default:
            .error
        }
    }

    /// What the rule means, in the words of a data-quality table for municipal staff.
    package var japanese: String {
        switch self {
        case .required: "必須項目の未記入"
        case .establishmentIDFormat: "事業所番号の形式誤り"
        case .establishmentIDPrefecture: "事業所番号の都道府県コード誤り"
        case .municipalityCodeFormat: "市区町村コードの形式誤り"
        case .checkDigit: "市区町村コードの検査数字誤り"
        case .unknownMunicipality: "管内にない市区町村コード"
        case .wrongPrefecture: "他の都道府県の市区町村コード"
        case .serviceTypeFormat: "サービス種別の形式誤り"
        case .unknownServiceType: "未知のサービス種別"
        case .date: "回答日が日付として読めない"
        case .outsideSurveyWindow: "回答日が調査期間外"
        case .notANumber: "数値欄に文字"
        case .notAnInteger: "人数欄に小数"
        case .negative: "負の数"
        case .notPositive: "正の数でない値"
        case .invalidCategory: "選択肢にない回答"
        case .separationsExceed: "離職者数が1年前の職員数＋採用者数を超える"
        case .staffBalance: "職員数の増減が採用・離職と合わない"
        case .certifiedExceedsCareStaff: "介護福祉士数が介護職員数を超える"
        case .aged60ExceedsStaff: "60歳以上職員数が全職員数を超える"
        case .foreignExceedsStaff: "外国籍職員数が全職員数を超える"
        case .duplicate: "同じ事業所の重複回答（最新の回答を採用）"
        case .unknownEstablishment: "事業所調査・台帳にない事業所番号"
        case .outOfRange: "年齢・勤続年数が範囲外"
        case .wageOutOfRange: "月給が想定の範囲外"
        case .wageInMan: "単位のない月給を万円として読み替え"
        case .extraCells: "見出しより多い列（区切りのずれ）"
        case .notInFrame: "事業所台帳にない回答事業所"
        case .populationInconsistent: "人口の内訳が合わない"
        case .invalidEmail: "担当者メールの形式誤り"
        case .invalidID: "IDの形式誤り（英数字・_・-）"
        case .unknownItem: "ロードマップにない項目ID"
        case .objectiveItemAnswered: "客観項目への自己評価"
        case .invalidThreshold: "基準が読めない"
        case .unknownIndicator: "指標でも地域の指標でもない指標ID"
        case .prefectureRow: "都道府県自身の行（市区町村ではない）"
        case .implausibleCount: "1事業所の人数として多すぎる値"
        case .answerOutsideWave: "自己評価の回答日が今回の回答期間外（前年度の回答など）"
        case .unitConverted: "地域の指標の単位を他の行に合わせて換算（割合→％など）"
        case .unitMismatch: "地域の指標の単位が他の行と合わない"
        case .unknownArea: "ロードマップにない領域"
        case .regionInconsistent: "圏域の記入漏れ・圏域コードと圏域名の不一致"
        }
    }
}

/// One problem found in one row: a line of `rejects.csv` or `warnings.csv`.
package struct Finding: Sendable, Equatable, Codable {
    /// The columns of `rejects.csv` and `warnings.csv` are its properties but the sort key.
    typealias CodingKeys = FindingColumn
    package var file: String
    package var line: Int
    package var establishmentID: String
    package var field: String
    package var rule: Rule
    package var value: String
    package var message: String
    /// Position of the file in read order (the sorting key; not written).
    package var fileOrder = 0

    package init(
        file: String, line: Int, establishmentID: String, field: String, rule: Rule, value: String, message: String,
        fileOrder: Int = 0
    ) {
        self.file = file
        self.line = line
        self.establishmentID = establishmentID
        self.field = field
        self.rule = rule
        self.value = value
        self.message = message
        self.fileOrder = fileOrder
    }

    /// The order `rejects.csv` and `warnings.csv` list findings in: file read order, line, field, rule.
    package static func fileOrder(_ a: Finding, _ b: Finding) -> Bool {
        (a.fileOrder, a.line, a.field, a.rule.rawValue) < (b.fileOrder, b.line, b.field, b.rule.rawValue)
    }
}
