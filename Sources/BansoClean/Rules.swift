import BansoCore

/// Whether a rule rejects the row or keeps it with a flag.
public enum Severity: String, Sendable, Codable { case error = "E", warning = "W" }

/// The validation rules of the survey contract. The raw values are stable identifiers written
/// to `rejects.csv` / `warnings.csv` and documented in the README.
public enum Rule: String, Sendable, CaseIterable, Codable {
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

    public var severity: Severity {
        switch self {
        case .unknownServiceType, .outsideSurveyWindow, .staffBalance, .certifiedExceedsCareStaff,
             .aged60ExceedsStaff, .foreignExceedsStaff, .wageOutOfRange:
            return .warning
        default:
            return .error
        }
    }

    /// One line for the README's rule table.
    public var summary: String {
        switch self {
        case .required: return "a required field is empty or a missing-value marker"
        case .establishmentIDFormat: return "事業所番号 is not 10 characters of digits (the 3rd may be an upper-case letter)"
        case .establishmentIDPrefecture: return "事業所番号 does not start with the pipeline's prefecture code"
        case .municipalityCodeFormat: return "市区町村コード is not 5 or 6 digits"
        case .checkDigit: return "市区町村コード has a wrong check digit"
        case .unknownMunicipality: return "市区町村コード is valid but not in the municipality master"
        case .wrongPrefecture: return "a master code belongs to another prefecture"
        case .serviceTypeFormat: return "サービス種別 is not a 2-character code or a known label"
        case .unknownServiceType: return "サービス種別 is well-formed but not a known service kind"
        case .date: return "回答日 is not a date in any accepted form, or no such day"
        case .outsideSurveyWindow: return "回答日 is outside [survey_window]"
        case .notANumber: return "a numeric field holds text"
        case .notAnInteger: return "a count holds a fraction"
        case .negative: return "a numeric field is below zero"
        case .invalidCategory: return "a coded answer is neither a listed code nor its label"
        case .separationsExceed: return "separations > care staff a year ago + hires"
        case .staffBalance: return "|care staff now − (year ago + hires − separations)| > max(3, 20% of now)"
        case .certifiedExceedsCareStaff: return "介護福祉士数 > care staff now"
        case .aged60ExceedsStaff: return "60歳以上職員数 > all staff now"
        case .foreignExceedsStaff: return "外国籍職員数 > all staff now"
        case .duplicate: return "the same 事業所番号 again; the latest 回答日 is kept (a tie keeps the row read last)"
        case .unknownEstablishment: return "a worker's 事業所番号 is in neither the cleaned survey nor the frame"
        case .outOfRange: return "年齢 outside 15–99 or 勤続年数 outside 0–60"
        case .wageOutOfRange: return "月給 outside 50,000–2,000,000 yen"
        }
    }
}

/// One problem found in one row: a line of `rejects.csv` or `warnings.csv`.
public struct Finding: Sendable, Equatable {
    public var file: String
    public var line: Int
    public var establishmentID: String
    public var field: String
    public var rule: Rule
    public var value: String
    public var message: String
    /// Position of the file in read order (sorting key).
    var fileOrder: Int

    public var csvRow: [String] { [file, String(line), establishmentID, field, rule.rawValue, value, message] }
    public static let header = ["file", "line", "establishment_id", "field", "rule", "value", "message"]
}
