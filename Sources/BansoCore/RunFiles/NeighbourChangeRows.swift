/// A neighbour a municipality gained or lost since the previous wave, and why
/// (`peers/changes.csv`).
package struct NeighbourChangeRow: RunFileRow, Equatable {
    /// Whether the neighbour is new or gone.
    package enum Change: String, Codable, Sendable, CSVCellValue {
        case added, removed
        package static let expectedInCell = "added or removed"
    }

    package enum Column: String, RunFileColumns, CodingKey {
        case code = "municipality_code"
        case name = "municipality_name"
        case previousWave = "previous_wave"
        case neighbourCode = "neighbour_code"
        case neighbourName = "neighbour_name"
        case change
        case features
        case reason
    }
    typealias CodingKeys = Column
    package var code: MunicipalityCode
    package var name: String
    package var previousWave: Wave
    package var neighbourCode: MunicipalityCode
    package var neighbourName: String
    package var change: Change
    /// The features whose standardised gap between the two moved most the way of the change
    /// (`log_population`, a context figure's id, …); empty when none did, and the neighbour was
    /// displaced by others that came closer.
    package var features: [String]
    /// The same in words, for the report.
    package var reason: String

    package init(
        code: MunicipalityCode, name: String, previousWave: Wave, neighbourCode: MunicipalityCode,
        neighbourName: String, change: Change, features: [String], reason: String
    ) {
        self.code = code
        self.name = name
        self.previousWave = previousWave
        self.neighbourCode = neighbourCode
        self.neighbourName = neighbourName
        self.change = change
        self.features = features
        self.reason = reason
    }
}
