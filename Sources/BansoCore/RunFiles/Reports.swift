/// The JSON reports stages write beside their files (snake_case keys, sorted, for people and tools).

/// What ingest found in one input file.
package struct IngestFileReport: Codable, Sendable, Equatable {
    /// Whether ingest could read the file.
    package enum Status: String, Codable, Sendable {
        case ok
        /// Refused whole (encoding, quoting, a missing required column, an empty file).
        case rejected
    }

    package var path: String
    package var kind: InputKind
    package var sha256: String
    package var bytes: Int
    package var encoding: String
    package var encodingReason: String
    package var delimiter: String
    package var lineEnding: String
    /// Data rows plus blank rows (the header row not counted).
    package var rowsRead: Int
    package var dataRows: Int
    package var blankRowsSkipped: Int
    /// Data rows with non-empty cells beyond the header's columns (those cells are ignored).
    package var rowsWithExtraCells: Int
    package var header: [String]
    /// Header text → canonical field, for the columns that map.
    package var mapping: [String: String]
    package var unknownColumns: [String]
    /// The physical line of the header row (after any title rows above it).
    package var headerLine: Int = 0
    /// Rows above the header (a title such as 令和7年度 介護人材実態調査 事業所票).
    package var titleRowsSkipped: Int = 0
    /// Notes and total rows among the data (※記入上の注意, 合計), not answers.
    package var noteRowsSkipped: Int = 0
    /// Unknown headers that look like a field's header once brackets, underscores and 数 are
    /// ignored: header → the field to map it to in the pipeline file.
    package var suggestedMappings: [String: String] = [:]
    /// What a person should look at although the file could be read.
    package var warnings: [String] = []
    package var status: Status
    package var error: String?
    /// The canonical file written for it under `ingest/` (nil when rejected).
    package var output: String?

    package init(
        path: String, kind: InputKind, sha256: String, bytes: Int, encoding: String, encodingReason: String,
        delimiter: String, lineEnding: String, rowsRead: Int, dataRows: Int, blankRowsSkipped: Int,
        rowsWithExtraCells: Int, header: [String], mapping: [String: String], unknownColumns: [String], status: Status,
        error: String?, output: String?
    ) {
        self.path = path
        self.kind = kind
        self.sha256 = sha256
        self.bytes = bytes
        self.encoding = encoding
        self.encodingReason = encodingReason
        self.delimiter = delimiter
        self.lineEnding = lineEnding
        self.rowsRead = rowsRead
        self.dataRows = dataRows
        self.blankRowsSkipped = blankRowsSkipped
        self.rowsWithExtraCells = rowsWithExtraCells
        self.header = header
        self.mapping = mapping
        self.unknownColumns = unknownColumns
        self.status = status
        self.error = error
        self.output = output
    }

    enum CodingKeys: String, CodingKey {
        case path, kind, sha256, bytes, encoding, delimiter, header, mapping, status, error, output
        case encodingReason = "encoding_reason", lineEnding = "line_ending", rowsRead = "rows_read"
        case dataRows = "data_rows", blankRowsSkipped = "blank_rows_skipped"
        case rowsWithExtraCells = "rows_with_extra_cells", unknownColumns = "unknown_columns"
        case headerLine = "header_line", titleRowsSkipped = "title_rows_skipped", noteRowsSkipped = "note_rows_skipped"
        case suggestedMappings = "suggested_mappings", warnings
    }
}

/// `ingest/report.json`.
package struct IngestReport: Codable, Sendable {
    package var files: [IngestFileReport]
    package init(files: [IngestFileReport]) { self.files = files }

}

/// Row accounting for one input file: read = accepted + rejected + blank rows skipped.
package struct CleanFileReport: Codable, Sendable, Equatable {
    /// Whether the file's rows were cleaned.
    package enum Status: String, Codable, Sendable {
        case ok
        /// Ingest refused the file whole: none of its rows were cleaned.
        case rejectedWhole = "rejected whole"
    }

    package var path: String
    package var kind: InputKind
    package var status: Status
    package var rowsRead: Int
    package var accepted: Int
    package var rejected: Int
    package var blankRowsSkipped: Int
    /// Title rows above the header and notes or total rows among the data.
    package var otherRowsSkipped: Int = 0
    package var rowsWithWarnings: Int
    package var balanced: Bool

    package init(
        path: String, kind: InputKind, status: Status, rowsRead: Int, accepted: Int, rejected: Int,
        blankRowsSkipped: Int, rowsWithWarnings: Int, balanced: Bool
    ) {
        self.path = path
        self.kind = kind
        self.status = status
        self.rowsRead = rowsRead
        self.accepted = accepted
        self.rejected = rejected
        self.blankRowsSkipped = blankRowsSkipped
        self.rowsWithWarnings = rowsWithWarnings
        self.balanced = balanced
    }

    enum CodingKeys: String, CodingKey {
        case path, kind, status, accepted, rejected, balanced
        case rowsRead = "rows_read", blankRowsSkipped = "blank_rows_skipped", rowsWithWarnings = "rows_with_warnings"
        case otherRowsSkipped = "other_rows_skipped"
    }
}

/// `clean/report.json`.
package struct CleanReport: Codable, Sendable {
    package var files: [CleanFileReport]
    /// Rule → number of findings (one row may have several).
    package var rejectsByRule: [String: Int]
    package var warningsByRule: [String: Int]

    package init(files: [CleanFileReport], rejectsByRule: [String: Int], warningsByRule: [String: Int]) {
        self.files = files
        self.rejectsByRule = rejectsByRule
        self.warningsByRule = warningsByRule
    }

    enum CodingKeys: String, CodingKey {
        case files
        case rejectsByRule = "rejects_by_rule", warningsByRule = "warnings_by_rule"
    }
}

/// Counts of what disclosure control did (`aggregate/disclosure.json`).
package struct DisclosureSummary: Codable, Sendable, Equatable {
    package var threshold = 0
    package var dominance = 0
    package var secondary = 0
    package var cells = 0
    /// The share of its parts the other suppressed cells of a table must hold to protect a cell.
    package var protectionShare: Double
    package init(protectionShare: Double) { self.protectionShare = protectionShare }

    enum CodingKeys: String, CodingKey {
        case threshold, dominance, secondary, cells
        case protectionShare = "protection_share"
    }
}
