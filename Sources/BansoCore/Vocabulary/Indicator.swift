/// The indicators of the survey feedback, in the order reports show them.
///
/// The raw value is the stable identifier written to `indicators.csv` and `summary.csv`; every
/// other property (Japanese label, unit, how it is built, which way is good) is declared here once.
package enum Indicator: String, CaseIterable, Codable, Sendable {
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
    case estimatedCareStaff = "estimated_care_staff"
    case estimatedHires = "estimated_hires"
    case estimatedSeparations = "estimated_separations"
    case estimatedVacancies = "estimated_vacancies"

    /// The key rates: what the small-area model, the pooled peer figures, the matched panel and
    /// the summary's headlines speak of.
    package static let keyRates: [Indicator] = [.turnoverRate, .hiringRate, .vacancyRate, .shortageShare]

    /// How an indicator is built (decides its interval and its disclosure rules).
    package enum Form: String, Sendable {
        /// A sample size, always published (respondents, response_rate, workers_responding).
        case sampleSize
        /// A sum over establishments (dominance rule applies).
        case countTotal
        /// A weighted total over the frame, with a standard error (dominance rule on the
        /// respondents' own values).
        case estimatedTotal
        /// Σy ÷ Σx over establishment clusters (× 100 when a percentage).
        case ratio
        /// A share of establishments (Wilson interval).
        case share
        /// A median (no interval, no additive parts).
        case median
        /// A per-population rate without sampling interval.
        case rate

        /// A count (a sample size or a total): shown among the sizes, never compared or flagged
        /// (a larger municipality is not a better or worse one).
        package var isCount: Bool {
            switch self {
            case .sampleSize, .countTotal, .estimatedTotal: true
            case .ratio, .share, .median, .rate: false
            }
        }
    }

    /// Which way is good, for the flags of the feedback.
    package enum Direction: String, Sendable {
        case higherIsConcern, higherIsStrength, neutral
    }

    /// The survey an indicator is computed from.
    package enum Survey: String, Sendable {
        /// The establishment survey (threshold counts establishments).
        case establishments
        /// The worker survey (threshold counts workers).
        case workers
    }

    /// The unit printed after a value.
    package enum Unit: String, Sendable {
        case establishments = "事業所"
        case persons = "人"
        case yen = "円"
        case age = "歳"
        case years = "年"
        case percent = "%"
    }

    /// The indicators in identifier order: the row order of `indicators.csv` within a municipality.
    package static let fileOrder: [Indicator] = allCases.sorted { $0.rawValue < $1.rawValue }

    /// The report's headline cards, in their order (`IndicatorSpec.headline`).
    package static let headline: [Indicator] = allCases.filter { $0.spec.headline != nil }.sorted {
        $0.spec.headline! < $1.spec.headline!
    }

    /// The prefecture summary's columns, in their order (`IndicatorSpec.summaryColumn`).
    package static let summaryColumns: [Indicator] = allCases.filter { $0.spec.summaryColumn != nil }.sorted {
        $0.spec.summaryColumn! < $1.spec.summaryColumn!
    }

    /// Everything said about the indicator, declared once (one exhaustive switch: a new case does
    /// not compile until it has every property).
    package var spec: IndicatorSpec {
        switch self {
        case .respondents:
            IndicatorSpec(
                japanese: "回答事業所数", short: "回答事業所", english: "Responding establishments",
                unit: .establishments, form: .sampleSize, survey: .establishments, direction: .neutral, digits: 0,
                summaryColumn: 0, definition: "調査に回答し、点検を通過した事業所の数。")
        case .responseRate:
            IndicatorSpec(
                japanese: "回答率", english: "Response rate", unit: .percent, form: .sampleSize,
                survey: .establishments, direction: .neutral, digits: 1, definition: "回答事業所数 ÷ 事業所台帳の事業所数 × 100。")
        case .careStaffTotal:
            IndicatorSpec(
                japanese: "介護職員数（回答事業所計）", english: "Care staff (responding establishments)", unit: .persons,
                form: .countTotal, survey: .establishments, direction: .neutral, digits: 0,
                definition: "回答事業所の介護職員（訪問介護員＋介護職員、正規＋非正規）の合計。")
        case .allStaffTotal:
            IndicatorSpec(
                japanese: "全職員数（回答事業所計）", english: "All staff (responding establishments)", unit: .persons,
                form: .countTotal, survey: .establishments, direction: .neutral, digits: 0,
                definition: "介護職員＋看護職員＋介護支援専門員＋その他職員の合計。")
        case .fteTotal:
            IndicatorSpec(
                japanese: "常勤換算職員数", english: "Full-time equivalent staff", unit: .persons, form: .countTotal,
                survey: .establishments, direction: .neutral, digits: 1, definition: "回答事業所の常勤換算職員数の合計。")
        case .turnoverRate:
            IndicatorSpec(
                japanese: "離職率", english: "Turnover rate", unit: .percent, form: .ratio, survey: .establishments,
                direction: .higherIsConcern, digits: 1, headline: 0, summaryColumn: 1,
                definition: "1年間の離職者数（正規＋非正規）÷ 1年前の介護職員数 × 100。", smallestDifference: 2)
        case .hiringRate:
            IndicatorSpec(
                japanese: "採用率", english: "Hiring rate", unit: .percent, form: .ratio, survey: .establishments,
                direction: .higherIsStrength, digits: 1, headline: 1, summaryColumn: 2,
                definition: "1年間の採用者数（正規＋非正規）÷ 1年前の介護職員数 × 100。", smallestDifference: 2)
        case .nonregularShare:
            IndicatorSpec(
                japanese: "非正規職員割合", english: "Non-regular staff share", unit: .percent, form: .ratio,
                survey: .establishments, direction: .neutral, digits: 1, definition: "非正規の介護職員数 ÷ 介護職員数 × 100。")
        case .certifiedShare:
            IndicatorSpec(
                japanese: "介護福祉士割合", english: "Certified care worker share", unit: .percent, form: .ratio,
                survey: .establishments, direction: .higherIsStrength, digits: 1, headline: 4, summaryColumn: 5,
                definition: "介護福祉士数 ÷ 介護職員数 × 100。")
        case .aged60PlusShare:
            // An older workforce is a fact to plan for, not a good or a bad value (like 平均年齢).
            IndicatorSpec(
                japanese: "60歳以上職員割合", english: "Staff aged 60 and over", unit: .percent, form: .ratio,
                survey: .establishments, direction: .neutral, digits: 1, definition: "60歳以上の職員数 ÷ 全職員数 × 100。")
        case .foreignShare:
            IndicatorSpec(
                japanese: "外国籍職員割合", english: "Foreign staff share", unit: .percent, form: .ratio,
                survey: .establishments, direction: .neutral, digits: 1, definition: "外国籍の職員数 ÷ 全職員数 × 100。")
        case .vacancyRate:
            IndicatorSpec(
                japanese: "欠員率", english: "Vacancy rate", unit: .percent, form: .ratio, survey: .establishments,
                direction: .higherIsConcern, digits: 1, headline: 3, summaryColumn: 4,
                definition: "求人数 ÷（介護職員数＋求人数）× 100。", smallestDifference: 2)
        case .shortageShare:
            IndicatorSpec(
                japanese: "不足感のある事業所の割合", short: "不足感", english: "Establishments reporting a shortage",
                unit: .percent, form: .share, survey: .establishments, direction: .higherIsConcern, digits: 1,
                headline: 2, summaryColumn: 3,
                definition: "従業員の過不足感で「大いに不足」「不足」「やや不足」と答えた事業所 ÷ 回答した事業所 × 100。",
                smallestDifference: 5)
        case .careStaffPer1000Aged75:
            IndicatorSpec(
                japanese: "75歳以上人口千人あたり介護職員数", english: "Care staff per 1,000 aged 75+", unit: .persons,
                form: .rate, survey: .establishments, direction: .higherIsStrength, digits: 1,
                definition: "回答事業所の介護職員数 ÷ 75歳以上人口 × 1000（回答事業所のみの値で、地域の全職員数ではありません）。")
        case .workersResponding:
            IndicatorSpec(
                japanese: "回答労働者数", english: "Responding workers", unit: .persons, form: .sampleSize,
                survey: .workers, direction: .neutral, digits: 0, definition: "労働者調査に回答し、点検を通過した労働者の数。")
        case .meanMonthlyWageRegular:
            IndicatorSpec(
                japanese: "正規職員の平均月給", short: "平均月給(正規)", english: "Mean monthly wage (regular staff)",
                unit: .yen, form: .ratio, survey: .workers, direction: .higherIsStrength, digits: 0, headline: 5,
                summaryColumn: 6, definition: "月給の回答がある正規職員の月給の平均。")
        case .medianMonthlyWageRegular:
            IndicatorSpec(
                japanese: "正規職員の月給（中央値）", english: "Median monthly wage (regular staff)", unit: .yen,
                form: .median, survey: .workers, direction: .higherIsStrength, digits: 0,
                definition: "同じく中央値（偶数のときは中央の2つの平均）。")
        case .intentionToLeaveShare:
            IndicatorSpec(
                japanese: "介護の仕事を辞めたい人の割合", english: "Workers intending to leave care work", unit: .percent,
                form: .ratio, survey: .workers, direction: .higherIsConcern, digits: 1,
                definition: "就業継続意向で「介護の仕事を辞めたい」と答えた人 ÷ 回答者（1〜4）× 100。")
        case .meanAge:
            IndicatorSpec(
                japanese: "平均年齢", english: "Mean age", unit: .age, form: .ratio, survey: .workers,
                direction: .neutral, digits: 1, definition: "年齢の回答がある労働者の平均年齢。")
        case .meanTenureYears:
            IndicatorSpec(
                japanese: "平均勤続年数", english: "Mean tenure", unit: .years, form: .ratio, survey: .workers,
                direction: .higherIsStrength, digits: 1, definition: "勤続年数の回答がある労働者の平均。")
        case .estimatedCareStaff:
            IndicatorSpec(
                japanese: "推計介護職員数", english: "Estimated care staff", unit: .persons, form: .estimatedTotal,
                survey: .establishments, direction: .neutral, digits: 0,
                definition: "事業所台帳のすべての事業所についての介護職員数の推計（回答事業所の値を重みで拡大した合計）。")
        case .estimatedHires:
            IndicatorSpec(
                japanese: "推計採用者数", english: "Estimated hires", unit: .persons, form: .estimatedTotal,
                survey: .establishments, direction: .neutral, digits: 0,
                definition: "事業所台帳のすべての事業所についての1年間の採用者数（正規＋非正規）の推計。")
        case .estimatedSeparations:
            IndicatorSpec(
                japanese: "推計離職者数", english: "Estimated separations", unit: .persons, form: .estimatedTotal,
                survey: .establishments, direction: .neutral, digits: 0,
                definition: "事業所台帳のすべての事業所についての1年間の離職者数（正規＋非正規）の推計。")
        case .estimatedVacancies:
            IndicatorSpec(
                japanese: "推計欠員数", english: "Estimated vacancies", unit: .persons, form: .estimatedTotal,
                survey: .establishments, direction: .neutral, digits: 0,
                definition: "事業所台帳のすべての事業所についての求人数の推計。")
        }
    }

    /// The label reports and packet tables use.
    package var japanese: String { spec.japanese }
    /// The unit printed after a value.
    package var unit: String { spec.unit.rawValue }
    /// A percentage (× 100, intervals clipped to 0–100).
    package var percentage: Bool { spec.unit == .percent }
    /// How the indicator is built.
    package var form: Form { spec.form }
    /// Computed from the worker survey (threshold counts workers, not establishments).
    package var workerBased: Bool { spec.survey == .workers }
    /// Which way is good.
    package var direction: Direction { spec.direction }
    /// Decimals shown to people.
    package var displayDigits: Int { spec.digits }
    /// One sentence for the notes section of the report.
    package var definition: String { spec.definition }
    /// `IndicatorSpec.smallestDifference`.
    package var smallestDifference: Double? { spec.smallestDifference }
}

/// What is said about one indicator: its labels, unit, form, survey, direction, place in the
/// report and the summary, definition and display digits.
package struct IndicatorSpec: Sendable {
    /// The label reports and packet tables use.
    package var japanese: String
    /// A label short enough for one line of a table header (the label itself by default).
    package var short: String
    /// For logs, analysts and the English documentation.
    package var english: String
    package var unit: Indicator.Unit
    package var form: Indicator.Form
    package var survey: Indicator.Survey
    package var direction: Indicator.Direction
    /// Decimals shown to people.
    package var digits: Int
    /// Its place among the report's headline cards; nil for none.
    package var headline: Int?
    /// Its column in the prefecture summary's table; nil for none.
    package var summaryColumn: Int?
    /// One sentence for the notes section of the report.
    package var definition: String
    /// The smallest difference from the peers' pooled figure worth pointing out, in the value's unit.
    ///
    /// nil: the indicator is not compared with a pooled figure. A difference beyond the sampling
    /// error but smaller than this is not a matter for discussion.
    package var smallestDifference: Double?

    init(
        japanese: String, short: String? = nil, english: String, unit: Indicator.Unit, form: Indicator.Form,
        survey: Indicator.Survey, direction: Indicator.Direction, digits: Int, headline: Int? = nil,
        summaryColumn: Int? = nil, definition: String, smallestDifference: Double? = nil
    ) {
        self.japanese = japanese
        self.short = short ?? japanese
        self.english = english
        self.unit = unit
        self.form = form
        self.survey = survey
        self.direction = direction
        self.digits = digits
        self.headline = headline
        self.summaryColumn = summaryColumn
        self.definition = definition
        self.smallestDifference = smallestDifference
    }
}

/// How an indicator cell was withheld by disclosure control.
package enum SuppressionRule: String, CaseIterable, Codable, Sendable {
    /// Too few establishments (or workers) behind the value.
    case threshold
    /// One establishment makes up most of a count total.
    case dominance
    /// Withheld so that another withheld cell cannot be recovered from the prefecture total.
    case secondary
}

/// What a municipality's values are compared with.
package enum PeerBasis: String, CaseIterable, Codable, Sendable {
    /// Its peer group (類似団体), with at least four members.
    case group
    /// Its nearest municipalities, when its group is too small to compare with.
    case neighbours
}

/// What a municipality's value was compared with in the feedback, when it was compared.
package enum ComparisonBasis: Sendable, Equatable {
    /// The middle half of its peers (the group, or the nearest municipalities).
    case peers(PeerBasis)
    /// The rest of the prefecture, when the municipality dominates the prefecture's figure.
    case restOfPrefecture
    /// The prefecture as a whole.
    case prefecture
    /// The peer group's respondents taken together, without the municipality (`PooledPeers`).
    case pooledPeers

    /// What it is called in the feedback and the report: 類似団体, 状況の近い市町村, 県内の他の市町村, 県全体,
    /// 類似団体全体.
    package func japanese(_ w: PrefectureWording) -> String {
        switch self {
        case .peers(.group): "類似団体"
        case .peers(.neighbours): "状況の近い\(w.municipalities)"
        case .restOfPrefecture: "\(w.within)の他の\(w.municipalities)"
        case .prefecture: w.whole
        case .pooledPeers: "類似団体全体"
        }
    }
}

/// What the feedback points out about a value whose interval lies outside the comparison.
package enum FeedbackFlag: String, CaseIterable, Codable, Sendable {
    /// The direction that matters for the indicator is the worse one.
    case concern
    /// The better direction.
    case strength
    /// Outside the range, for an indicator with no good or bad direction.
    case note
}
