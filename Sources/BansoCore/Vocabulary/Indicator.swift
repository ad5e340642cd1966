/// The indicators of the survey feedback, in the order reports show them.
///
/// The raw value is the stable identifier written to `indicators.csv` and `summary.csv`; every
/// other property (Japanese label, unit, how it is built, which way is good) is declared here once.
public enum Indicator: String, CaseIterable, Codable, Sendable {
    case respondents
    case responseRate = "response_rate"
    case careStaffTotal = "care_staff_total"
    case allStaffTotal = "all_staff_total"
    case fteTotal = "fte_total"
    case turnoverRate = "turnover_rate"
    case hiringRate = "hiring_rate"
    case nonregularShare = "nonregular_share"
    case certifiedShare = "certified_share"
    case aged60PlusShare = "aged_60_plus_share"
    case foreignShare = "foreign_share"
    case vacancyRate = "vacancy_rate"
    case shortageShare = "shortage_share"
    case careStaffPer1000Aged75 = "care_staff_per_1000_aged_75"
    case workersResponding = "workers_responding"
    case meanMonthlyWageRegular = "mean_monthly_wage_regular"
    case medianMonthlyWageRegular = "median_monthly_wage_regular"
    case intentionToLeaveShare = "intention_to_leave_share"
    case meanAge = "mean_age"
    case meanTenureYears = "mean_tenure_years"

    /// How an indicator is built (decides its interval and its disclosure rules).
    public enum Form: String, Sendable {
        /// A sample size, always published (respondents, response_rate, workers_responding).
        case sampleSize
        /// A sum over establishments (dominance rule applies).
        case countTotal
        /// Σy ÷ Σx over establishment clusters (× 100 when a percentage).
        case ratio
        /// A share of establishments (Wilson interval).
        case share
        /// A median (no interval, no additive parts).
        case median
        /// A per-population rate without sampling interval.
        case rate
    }

    /// Which way is good, for the flags of the feedback.
    public enum Direction: String, Sendable {
        case higherIsConcern, higherIsStrength, neutral
    }

    /// The indicators in identifier order: the row order of `indicators.csv` within a municipality.
    public static let fileOrder: [Indicator] = allCases.sorted { $0.rawValue < $1.rawValue }

    /// The label reports and packet tables use.
    public var japanese: String {
        switch self {
        case .respondents: "回答事業所数"
        case .responseRate: "回答率"
        case .careStaffTotal: "介護職員数（回答事業所計）"
        case .allStaffTotal: "全職員数（回答事業所計）"
        case .fteTotal: "常勤換算職員数"
        case .turnoverRate: "離職率"
        case .hiringRate: "採用率"
        case .nonregularShare: "非正規職員割合"
        case .certifiedShare: "介護福祉士割合"
        case .aged60PlusShare: "60歳以上職員割合"
        case .foreignShare: "外国籍職員割合"
        case .vacancyRate: "欠員率"
        case .shortageShare: "不足感のある事業所の割合"
        case .careStaffPer1000Aged75: "75歳以上人口千人あたり介護職員数"
        case .workersResponding: "回答労働者数"
        case .meanMonthlyWageRegular: "正規職員の平均月給"
        case .medianMonthlyWageRegular: "正規職員の月給（中央値）"
        case .intentionToLeaveShare: "介護の仕事を辞めたい人の割合"
        case .meanAge: "平均年齢"
        case .meanTenureYears: "平均勤続年数"
        }
    }

    /// The unit printed after a value.
    public var unit: String {
        switch self {
        case .respondents: "事業所"
        case .careStaffTotal, .allStaffTotal, .fteTotal, .careStaffPer1000Aged75, .workersResponding: "人"
        case .meanMonthlyWageRegular, .medianMonthlyWageRegular: "円"
        case .meanAge: "歳"
        case .meanTenureYears: "年"
        default: "%"
        }
    }

    /// A percentage (× 100, intervals clipped to 0–100).
    public var percentage: Bool { unit == "%" }

    /// How the indicator is built.
    public var form: Form {
        switch self {
        case .respondents, .responseRate, .workersResponding: .sampleSize
        case .careStaffTotal, .allStaffTotal, .fteTotal: .countTotal
        case .shortageShare: .share
        case .medianMonthlyWageRegular: .median
        case .careStaffPer1000Aged75: .rate
        default: .ratio
        }
    }

    /// Computed from the worker survey (threshold counts workers, not establishments).
    public var workerBased: Bool {
        switch self {
        case .workersResponding, .meanMonthlyWageRegular, .medianMonthlyWageRegular, .intentionToLeaveShare, .meanAge,
            .meanTenureYears:
            true
        default: false
        }
    }

    /// Which way is good.
    public var direction: Direction {
        switch self {
        // An older workforce is a fact to plan for, not a good or a bad value (like 平均年齢).
        case .turnoverRate, .vacancyRate, .shortageShare, .intentionToLeaveShare: .higherIsConcern
        case .hiringRate, .certifiedShare, .careStaffPer1000Aged75, .meanMonthlyWageRegular, .medianMonthlyWageRegular,
            .meanTenureYears:
            .higherIsStrength
        default: .neutral
        }
    }

    /// Decimals shown to people: whole numbers for counts and yen, one decimal otherwise.
    public var displayDigits: Int {
        if self == .fteTotal { return 1 }
        if unit == "円" || form == .countTotal || (form == .sampleSize && !percentage) { return 0 }
        return 1
    }

    /// One sentence for the notes section of the report.
    public var definition: String {
        switch self {
        case .respondents: "調査に回答し、点検を通過した事業所の数。"
        case .responseRate: "回答事業所数 ÷ 事業所台帳の事業所数 × 100。"
        case .careStaffTotal: "回答事業所の介護職員（訪問介護員＋介護職員、正規＋非正規）の合計。"
        case .allStaffTotal: "介護職員＋看護職員＋介護支援専門員＋その他職員の合計。"
        case .fteTotal: "回答事業所の常勤換算職員数の合計。"
        case .turnoverRate: "1年間の離職者数（正規＋非正規）÷ 1年前の介護職員数 × 100。"
        case .hiringRate: "1年間の採用者数（正規＋非正規）÷ 1年前の介護職員数 × 100。"
        case .nonregularShare: "非正規の介護職員数 ÷ 介護職員数 × 100。"
        case .certifiedShare: "介護福祉士数 ÷ 介護職員数 × 100。"
        case .aged60PlusShare: "60歳以上の職員数 ÷ 全職員数 × 100。"
        case .foreignShare: "外国籍の職員数 ÷ 全職員数 × 100。"
        case .vacancyRate: "求人数 ÷（介護職員数＋求人数）× 100。"
        case .shortageShare: "従業員の過不足感で「大いに不足」「不足」「やや不足」と答えた事業所 ÷ 回答した事業所 × 100。"
        case .careStaffPer1000Aged75: "回答事業所の介護職員数 ÷ 75歳以上人口 × 1000（回答事業所のみの値で、地域の全職員数ではありません）。"
        case .workersResponding: "労働者調査に回答し、点検を通過した労働者の数。"
        case .meanMonthlyWageRegular: "月給の回答がある正規職員の月給の平均。"
        case .medianMonthlyWageRegular: "同じく中央値（偶数のときは中央の2つの平均）。"
        case .intentionToLeaveShare: "就業継続意向で「介護の仕事を辞めたい」と答えた人 ÷ 回答者（1〜4）× 100。"
        case .meanAge: "年齢の回答がある労働者の平均年齢。"
        case .meanTenureYears: "勤続年数の回答がある労働者の平均。"
        }
    }
}

/// How an indicator cell was withheld by disclosure control.
public enum SuppressionRule: String, CaseIterable, Codable, Sendable {
    /// Too few establishments (or workers) behind the value.
    case threshold
    /// One establishment makes up most of a count total.
    case dominance
    /// Withheld so that another withheld cell cannot be recovered from the prefecture total.
    case secondary
}

/// What a municipality's values are compared with.
public enum PeerBasis: String, CaseIterable, Codable, Sendable {
    /// Its peer group (類似団体), with at least four members.
    case group
    /// Its nearest municipalities, when its group is too small to compare with.
    case neighbours
}

/// What the feedback points out about a value whose interval lies outside the comparison.
public enum FeedbackFlag: String, CaseIterable, Codable, Sendable {
    /// The direction that matters for the indicator is the worse one.
    case concern
    /// The better direction.
    case strength
    /// Outside the range, for an indicator with no good or bad direction.
    case note
}
