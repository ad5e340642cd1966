/// One establishment's parts of the key rates in one wave (`internal/panel.csv`, one row per
/// respondent: a row per rate would be four times the rows to write).
package struct PanelRow: RunFileRow, Equatable {
    package enum Column: String, RunFileColumns, CodingKey {
        case establishmentID = "establishment_id"
        case municipality = "municipality_code"
        case turnoverY = "turnover_rate_y"
        case turnoverX = "turnover_rate_x"
        case hiringY = "hiring_rate_y"
        case hiringX = "hiring_rate_x"
        case vacancyY = "vacancy_rate_y"
        case vacancyX = "vacancy_rate_x"
        case shortageY = "shortage_share_y"
        case shortageX = "shortage_share_x"
    }
    /// The rates, in column order.
    package static let indicators = Indicator.keyRates
    static let columns: [(y: Column, x: Column)] = [
        (.turnoverY, .turnoverX), (.hiringY, .hiringX), (.vacancyY, .vacancyX), (.shortageY, .shortageX),
    ]
    package var establishmentID: EstablishmentID
    package var municipality: MunicipalityCode
    /// Each rate's (y, x) in `indicators` order; nil where the establishment lacks a field.
    package var parts: [(y: Double, x: Double)?]

    package init(establishmentID: EstablishmentID, municipality: MunicipalityCode, parts: [(y: Double, x: Double)?]) {
        self.establishmentID = establishmentID
        self.municipality = municipality
        self.parts = parts
    }

    package static func == (a: PanelRow, b: PanelRow) -> Bool {
        a.establishmentID == b.establishmentID && a.municipality == b.municipality && a.units == b.units
    }

    /// The row as one unit per rate it has.
    package var units: [PanelUnit] {
        zip(Self.indicators, parts).compactMap { indicator, p in
            p.map {
                PanelUnit(
                    establishmentID: establishmentID, municipality: municipality, indicator: indicator, y: $0.y, x: $0.x
                )
            }
        }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Column.self)
        establishmentID = try c.decode(EstablishmentID.self, forKey: .establishmentID)
        municipality = try c.decode(MunicipalityCode.self, forKey: .municipality)
        parts = try Self.columns.map { y, x in
            guard let yv = try c.decodeIfPresent(Double.self, forKey: y),
                let xv = try c.decodeIfPresent(Double.self, forKey: x)
            else { return nil }
            return (yv, xv)
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Column.self)
        try c.encode(establishmentID, forKey: .establishmentID)
        try c.encode(municipality, forKey: .municipality)
        for ((y, x), p) in zip(Self.columns, parts) {
            try c.encodeIfPresent(p?.y, forKey: y)
            try c.encodeIfPresent(p?.x, forKey: x)
        }
    }
}

/// One establishment's parts of one key rate in one wave: what the next wave matches its own
/// respondents against, through the history store.
package struct PanelUnit: Sendable, Equatable {
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
