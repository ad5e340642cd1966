/// The `[weights]` section: how respondents are weighted up to the frame (docs/indicators.md,
/// "Design weights").
package struct WeightingParameters: Codable, Equatable, Sendable {
    /// How figures are estimated.
    package enum Method: String, Codable, Sendable, CaseIterable {
        /// Design weights from the frame: establishments in the cell ÷ respondents in it.
        case frame
        /// Every respondent counts once (the figures of the respondents themselves).
        case none
    }

    package var method: Method = .frame
    /// A weighting cell with fewer respondents is collapsed (2 or more: a stratum needs two
    /// establishments for a variance).
    package var minRespondents = 3
    /// The largest within-establishment factor (staff ÷ answering workers) of a worker weight.
    package var maxWorkerFactor = 20.0
    /// The service groups of the weighting cells, in order; a code listed in none is その他.
    package var serviceGroups: [ServiceGroup] = ServiceGroup.defaults

    package init() {}

    /// The group of a service code (`その他` when no group lists it).
    package func group(of serviceCode: String) -> String {
        serviceGroups.first { $0.codes.contains(serviceCode) }?.name ?? ServiceGroup.other
    }
}

/// A group of care-insurance service codes (サービス種別) that share a weighting cell.
package struct ServiceGroup: Codable, Equatable, Sendable {
    package var name: String
    package var codes: [String]

    package init(name: String, codes: [String]) {
        self.name = name
        self.codes = codes
    }

    /// The group of every code no group lists.
    package static let other = "その他"

    /// The default groups: establishments that staff alike and answer alike.
    ///
    /// 短期入所 goes with 施設 (most are attached to one); 福祉用具 and unknown codes are その他.
    package static let defaults: [ServiceGroup] = [
        ServiceGroup(name: "施設", codes: ["51", "52", "53", "54", "55", "21", "22"]),
        ServiceGroup(name: "居住", codes: ["27", "28", "32", "33", "36", "37", "38"]),
        ServiceGroup(name: "通所", codes: ["15", "16", "72", "78", "A6"]),
        ServiceGroup(name: "訪問", codes: ["11", "12", "13", "14", "31", "71", "76", "A2"]),
        ServiceGroup(name: "多機能", codes: ["73", "77"]),
        ServiceGroup(name: "居宅介護支援", codes: ["43", "46"]),
    ]
}
