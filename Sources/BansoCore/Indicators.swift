/// What each indicator is, for computation, disclosure control and the Japanese reports.
public struct IndicatorSpec: Sendable, Equatable {
    /// How the indicator is built (decides its interval and its disclosure rules).
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

    public let name: String
    public let japanese: String
    public let unit: String
    public let form: Form
    public let workerBased: Bool
    public let percentage: Bool
    public let direction: Direction
    /// One sentence for the notes section of the report.
    public let definition: String

    /// Every indicator, in the order reports show them.
    public static let all: [IndicatorSpec] = [
        .init(name: "respondents", japanese: "回答事業所数", unit: "事業所", form: .sampleSize, workerBased: false, percentage: false, direction: .neutral,
              definition: "調査に回答し、点検を通過した事業所の数。"),
        .init(name: "response_rate", japanese: "回答率", unit: "%", form: .sampleSize, workerBased: false, percentage: true, direction: .neutral,
              definition: "回答事業所数 ÷ 事業所台帳の事業所数 × 100。"),
        .init(name: "care_staff_total", japanese: "介護職員数（回答事業所計）", unit: "人", form: .countTotal, workerBased: false, percentage: false, direction: .neutral,
              definition: "回答事業所の介護職員（訪問介護員＋介護職員、正規＋非正規）の合計。"),
        .init(name: "all_staff_total", japanese: "全職員数（回答事業所計）", unit: "人", form: .countTotal, workerBased: false, percentage: false, direction: .neutral,
              definition: "介護職員＋看護職員＋介護支援専門員＋その他職員の合計。"),
        .init(name: "fte_total", japanese: "常勤換算職員数", unit: "人", form: .countTotal, workerBased: false, percentage: false, direction: .neutral,
              definition: "回答事業所の常勤換算職員数の合計。"),
        .init(name: "turnover_rate", japanese: "離職率", unit: "%", form: .ratio, workerBased: false, percentage: true, direction: .higherIsConcern,
              definition: "1年間の離職者数（正規＋非正規）÷ 1年前の介護職員数 × 100。"),
        .init(name: "hiring_rate", japanese: "採用率", unit: "%", form: .ratio, workerBased: false, percentage: true, direction: .higherIsStrength,
              definition: "1年間の採用者数（正規＋非正規）÷ 1年前の介護職員数 × 100。"),
        .init(name: "nonregular_share", japanese: "非正規職員割合", unit: "%", form: .ratio, workerBased: false, percentage: true, direction: .neutral,
              definition: "非正規の介護職員数 ÷ 介護職員数 × 100。"),
        .init(name: "certified_share", japanese: "介護福祉士割合", unit: "%", form: .ratio, workerBased: false, percentage: true, direction: .higherIsStrength,
              definition: "介護福祉士数 ÷ 介護職員数 × 100。"),
        .init(name: "aged_60_plus_share", japanese: "60歳以上職員割合", unit: "%", form: .ratio, workerBased: false, percentage: true, direction: .higherIsConcern,
              definition: "60歳以上の職員数 ÷ 全職員数 × 100。"),
        .init(name: "foreign_share", japanese: "外国籍職員割合", unit: "%", form: .ratio, workerBased: false, percentage: true, direction: .neutral,
              definition: "外国籍の職員数 ÷ 全職員数 × 100。"),
        .init(name: "vacancy_rate", japanese: "欠員率", unit: "%", form: .ratio, workerBased: false, percentage: true, direction: .higherIsConcern,
              definition: "求人数 ÷（介護職員数＋求人数）× 100。"),
        .init(name: "shortage_share", japanese: "不足感のある事業所の割合", unit: "%", form: .share, workerBased: false, percentage: true, direction: .higherIsConcern,
              definition: "従業員の過不足感で「大いに不足」「不足」「やや不足」と答えた事業所 ÷ 回答した事業所 × 100。"),
        .init(name: "care_staff_per_1000_aged_75", japanese: "75歳以上人口千人あたり介護職員数", unit: "人", form: .rate, workerBased: false, percentage: false, direction: .higherIsStrength,
              definition: "回答事業所の介護職員数 ÷ 75歳以上人口 × 1000（回答事業所のみの値で、地域の全職員数ではありません）。"),
        .init(name: "workers_responding", japanese: "回答労働者数", unit: "人", form: .sampleSize, workerBased: true, percentage: false, direction: .neutral,
              definition: "労働者調査に回答し、点検を通過した労働者の数。"),
        .init(name: "mean_monthly_wage_regular", japanese: "正規職員の平均月給", unit: "円", form: .ratio, workerBased: true, percentage: false, direction: .higherIsStrength,
              definition: "月給の回答がある正規職員の月給の平均。"),
        .init(name: "median_monthly_wage_regular", japanese: "正規職員の月給（中央値）", unit: "円", form: .median, workerBased: true, percentage: false, direction: .higherIsStrength,
              definition: "同じく中央値（偶数のときは中央の2つの平均）。"),
        .init(name: "intention_to_leave_share", japanese: "介護の仕事を辞めたい人の割合", unit: "%", form: .ratio, workerBased: true, percentage: true, direction: .higherIsConcern,
              definition: "就業継続意向で「介護の仕事を辞めたい」と答えた人 ÷ 回答者（1〜4）× 100。"),
        .init(name: "mean_age", japanese: "平均年齢", unit: "歳", form: .ratio, workerBased: true, percentage: false, direction: .neutral,
              definition: "年齢の回答がある労働者の平均年齢。"),
        .init(name: "mean_tenure_years", japanese: "平均勤続年数", unit: "年", form: .ratio, workerBased: true, percentage: false, direction: .higherIsStrength,
              definition: "勤続年数の回答がある労働者の平均。"),
    ]

    /// Lookup by name.
    public static func named(_ name: String) -> IndicatorSpec? { all.first { $0.name == name } }
}

/// Japanese names of the peer features.
public let featureJapanese: [String: String] = [
    "log_population": "人口規模", "aged_65_share": "高齢化率", "aged_75_share": "後期高齢者割合",
    "log_density": "人口密度", "care_staff_per_1000_aged_75": "後期高齢者あたり介護職員数",
    "turnover_rate": "離職率", "shortage_share": "不足感",
]
