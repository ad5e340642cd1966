/// One establishment's parts of one key rate in one wave (`internal/panel.csv`): what the next
/// wave matches its own respondents against, through the history store.
package struct PanelUnit: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case establishmentID = "establishment_id"
        case municipality = "municipality_code"
        case indicator
        case y, x
    }
    typealias CodingKeys = Column
    package var establishmentID: EstablishmentID
    package var municipality: MunicipalityCode
    package var indicator: Indicator
    /// The numerator's part (separations, hires, vacancies; 1 or 0 for 不足感).
    package var y: Double
    /// The denominator's part.
    package var x: Double

    package init(
        establishmentID: EstablishmentID, municipality: MunicipalityCode, indicator: Indicator, y: Double, x: Double
    ) {
        self.establishmentID = establishmentID
        self.municipality = municipality
        self.indicator = indicator
        self.y = y
        self.x = x
    }
}

/// The change of a key rate from the previous wave on the establishments that answered both
/// (`aggregate/panel_changes.csv`, published).
package struct PanelChangeRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case municipality = "municipality_code"
        case name = "municipality_name"
        case indicator
        case previousWave = "previous_wave"
        case matched
        case respondents
        case previousRespondents = "previous_respondents"
        case change
        case ciLow = "change_ci_low"
        case ciHigh = "change_ci_high"
        case se
        case suppressed
        case rule = "suppression_rule"
    }
    typealias CodingKeys = Column
    package var municipality: MunicipalityCode
    package var name: String
    package var indicator: Indicator
    package var previousWave: Wave
    /// Establishments that gave the rate's parts in both waves (matched by 事業所番号).
    package var matched: Int
    /// Establishments that gave them in this wave, and in the previous one.
    package var respondents: Int
    package var previousRespondents: Int
    /// This wave's rate minus the previous wave's, both over the matched establishments, in points.
    package var change: Double?
    package var ciLow: Double?
    package var ciHigh: Double?
    package var se: Double?
    package var suppressed = false
    package var rule: SuppressionRule?

    package init(
        municipality: MunicipalityCode, name: String, indicator: Indicator, previousWave: Wave, matched: Int,
        respondents: Int, previousRespondents: Int
    ) {
        self.municipality = municipality
        self.name = name
        self.indicator = indicator
        self.previousWave = previousWave
        self.matched = matched
        self.respondents = respondents
        self.previousRespondents = previousRespondents
    }

    /// The share of establishments that answered one wave but not the other, of those that
    /// answered either: above `PanelChangeRow.turnoverNote` the report says the all-respondent
    /// change mixes places.
    package var respondentTurnover: Double {
        let either = respondents + previousRespondents - matched
        return either > 0 ? Double(either - matched) / Double(either) : 0
    }

    /// Above this share of changed respondents, the all-respondent change is said to be partly
    /// a change of who answered.
    package static let turnoverNote = 0.30
}
