/// The features similar municipalities (類似団体) are grouped on, in the order of the contract.
package enum PeerFeature: String, CaseIterable, Codable, CodingKeyRepresentable, Sendable {
    case logPopulation = "log_population"
    case aged65Share = "aged_65_share"
    case aged75Share = "aged_75_share"
    case logDensity = "log_density"
    case careStaffPer1000Aged75 = "care_staff_per_1000_aged_75"
    case turnoverRate = "turnover_rate"
    case shortageShare = "shortage_share"

    /// The name reports use.
    package var japanese: String {
        switch self {
        case .logPopulation: "人口規模"
        case .aged65Share: "高齢化率"
        case .aged75Share: "後期高齢者割合"
        case .logDensity: "人口密度"
        case .careStaffPer1000Aged75: "後期高齢者あたり介護職員数"
        case .turnoverRate: "離職率"
        case .shortageShare: "不足感"
        }
    }

    /// A survey outcome (turnover, shortage, staffing) rather than the municipality's situation.
    ///
    /// Grouping on outcomes is circular — "municipalities like you" would mean "with turnover like
    /// yours" — so these weigh 0 unless a pipeline file gives them a weight (`[peers.weights]`),
    /// and the reports then say the groups use survey results.
    package var isOutcome: Bool { indicator != nil }

    /// The weight when `[peers.weights]` says nothing: 1 for the situation, 0 for an outcome.
    package var defaultWeight: Double { isOutcome ? 0 : 1 }

    /// The published indicator the feature is taken from (nil: computed from the master).
    package var indicator: Indicator? {
        switch self {
        case .careStaffPer1000Aged75: .careStaffPer1000Aged75
        case .turnoverRate: .turnoverRate
        case .shortageShare: .shortageShare
        default: nil
        }
    }

    /// Words for a group whose centroid is high or low on the feature (nil: not used in labels,
    /// since population size always opens the label).
    package var groupWords: (high: String, low: String)? {
        switch self {
        case .logPopulation: nil
        case .aged65Share: ("高齢化率高", "高齢化率低")
        case .aged75Share: ("後期高齢者割合高", "後期高齢者割合低")
        case .logDensity: ("人口密度高", "人口密度低")
        case .careStaffPer1000Aged75: ("介護職員多", "介護職員少")
        case .turnoverRate: ("離職率高", "離職率低")
        case .shortageShare: ("不足感強", "不足感弱")
        }
    }
}

extension PeerFeature: CSVCellValue {
    package static var expectedInCell: String { "a peer feature" }
}
