import BansoCSV

/// A run-file row declared once: its stored properties and its `Column` coding keys are the
/// file's columns, and `Codable` is its one reader and one writer.
///
/// GRDB's records over `Codable` are the model: the row type says what a row is, and a small
/// encoder and decoder (`CSVRowEncoder`, `CSVRowDecoder`) turn it into cells and back, in the
/// column order of `Column.allCases`. A cell is written as the hand-written writers did:
/// numbers through `formatNumber`, whole numbers as digits, `true`/`false`, a vocabulary's raw
/// value, a list joined with `;`, and nil as an empty cell. The coding keys' string values are
/// the column names: a row whose properties are named as its columns declares
/// `typealias CodingKeys = Column`; one whose columns are an input's vocabulary (the master's
/// `MasterField`) declares `CodingKeys` with the same raw values. A row whose columns are not its
/// properties one to one (an `Estimate` spread over columns, a label written beside its code, a
/// share that follows from counts) writes its `init(from:)` and `encode(to:)` out, keyed by its
/// columns: still one reader and one writer, by column name, never by position.
package protocol RunFileRow: Sendable, Codable {
    associatedtype Column: RunFileColumns
}

extension RunFileRow {
    /// Reads one record, with the columns' positions looked up once for a whole file.
    package init(_ row: TypedRow<Column>, positions: ColumnPositions<Column>) throws {
        try self.init(from: CSVRowDecoder(row: row, positions: positions))
    }

    /// The cells in `Column.allCases` order.
    package var cells: [String] { cells(ColumnPositions()) }

    /// The cells, with the columns' positions looked up once for a whole file.
    package func cells(_ positions: ColumnPositions<Column>) -> [String] {
        let encoder = CSVRowEncoder<Column>(positions: positions)
        // Rows hold strings, numbers, flags, vocabularies and lists of them: nothing can fail.
        do { try encode(to: encoder) } catch {
            preconditionFailure("\(Self.self) cannot be written as a CSV row: \(error)")
        }
        return encoder.storage.cells
    }
}

/// A value of a cell that says what a cell should hold when it does not parse ("a stage 1, 2 or
/// 3"); other vocabularies are "one of the known <Type> values".
package protocol CSVCellValue {
    static var expectedInCell: String { get }
}

/// Each column's position by name, built once per file: `RunFileColumns.position` searches
/// `allCases` through generic code, which a file of a few hundred thousand rows feels.
package struct ColumnPositions<Column: RunFileColumns>: Sendable {
    let byName: [String: Int]
    package init() {
        byName = Dictionary(uniqueKeysWithValues: Column.allCases.enumerated().map { ($1.rawValue, $0) })
    }
}

/// The cells being written, shared by the containers of one row.
final class CSVCellStorage {
    var cells: [String]
    init(count: Int) { cells = Array(repeating: "", count: count) }
}

/// Writes a `Codable` row as the cells of its columns.
struct CSVRowEncoder<Column: RunFileColumns>: Encoder {
    let storage = CSVCellStorage(count: Column.allCases.count)
    let positions: ColumnPositions<Column>
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(RowContainer<Key>(storage: storage, positions: positions))
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        preconditionFailure("a run-file row is a keyed record, not a list")
    }
    func singleValueContainer() -> any SingleValueEncodingContainer {
        preconditionFailure("a run-file row is a keyed record, not a single value")
    }

    struct RowContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let storage: CSVCellStorage
        let positions: ColumnPositions<Column>
        var codingPath: [any CodingKey] { [] }

        func position(_ key: Key) -> Int {
            guard let position = positions.byName[key.stringValue] else {
                preconditionFailure("\(key.stringValue) is not a column of \(Column.self)")
            }
            return position
        }
        mutating func encodeNil(forKey key: Key) throws { storage.cells[position(key)] = "" }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            storage.cells[position(key)] = try CellEncoder.text(value)
        }
        // The plain types written as `CellEncoder.text` writes them, without its run-time casts
        // (a keyed container is called through an existential: the generic method is not
        // specialised, and each cell's cast showed in every stage that writes a large file).
        mutating func encode(_ value: String, forKey key: Key) throws { storage.cells[position(key)] = value }
        mutating func encode(_ value: Double, forKey key: Key) throws {
            storage.cells[position(key)] = formatNumber(value)
        }
        mutating func encode(_ value: Int, forKey key: Key) throws { storage.cells[position(key)] = String(value) }
        mutating func encode(_ value: Bool, forKey key: Key) throws {
            storage.cells[position(key)] = value ? "true" : "false"
        }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) }
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        { preconditionFailure("a cell holds one value, not a record (\(key.stringValue))") }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            preconditionFailure("a cell holds one value (\(key.stringValue))")
        }
        mutating func superEncoder() -> any Encoder { preconditionFailure("no super encoder for a run-file row") }
        mutating func superEncoder(forKey key: Key) -> any Encoder { preconditionFailure("no super encoder") }
    }
}

/// One cell's text: a single value, or a list of them joined with `;`.
final class CellEncoder: Encoder, SingleValueEncodingContainer, UnkeyedEncodingContainer {
    var parts: [String] = []
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var count: Int { parts.count }

    static func text<T: Encodable>(_ value: T) throws -> String {
        switch value {
        case let s as String: return s
        case let d as Double: return formatNumber(d)
        case let i as Int: return String(i)
        case let b as Bool: return b ? "true" : "false"
        case let v as any ValidatedText: return v.text
        default:
            let e = CellEncoder()
            try value.encode(to: e)
            return e.parts.joined(separator: ";")
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        preconditionFailure("a cell holds one value or a list, not a record")
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { self }
    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func encodeNil() throws {}
    func encode(_ value: String) throws { parts.append(value) }
    func encode(_ value: Double) throws { parts.append(formatNumber(value)) }
    func encode(_ value: Int) throws { parts.append(String(value)) }
    func encode(_ value: Bool) throws { parts.append(value ? "true" : "false") }
    func encode<T: Encodable>(_ value: T) throws { parts.append(try Self.text(value)) }
    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        preconditionFailure("a cell holds one value or a list, not a record")
    }
    func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
    func superEncoder() -> any Encoder { self }
}

/// Reads a `Codable` row from a record of a typed run file; a cell that does not parse is an
/// error naming the file, line and column.
struct CSVRowDecoder<Column: RunFileColumns>: Decoder {
    let row: TypedRow<Column>
    let positions: ColumnPositions<Column>
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RowContainer<Key>(row: row, positions: positions))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        preconditionFailure("a run-file row is a keyed record, not a list")
    }
    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        preconditionFailure("a run-file row is a keyed record, not a single value")
    }

    struct RowContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: TypedRow<Column>
        let positions: ColumnPositions<Column>
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { Column.allCases.compactMap { Key(stringValue: $0.rawValue) } }

        /// The key's position in the record.
        func position(_ key: Key) -> Int {
            guard let p = positions.byName[key.stringValue] else {
                preconditionFailure("\(key.stringValue) is not a column of \(Column.self)")
            }
            return p
        }
        func contains(_ key: Key) -> Bool { positions.byName[key.stringValue] != nil }
        func decodeNil(forKey key: Key) throws -> Bool { row.record.string(position(key)).isEmpty }
        // The plain types read as `CellDecoder.value` reads them, without its run-time casts
        // (see the encoder's), and an optional cell's text made once rather than twice.
        func decode(_ type: String.Type, forKey key: Key) throws -> String { row.record.string(position(key)) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
            try parsed(row.record.string(position(key)), key, "a number") { Double($0) }
        }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
            try parsed(row.record.string(position(key)), key, "a whole number") { Int($0) }
        }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { present(key) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
            try present(key).map { try parsed($0, key, "a number") { Double($0) } }
        }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
            try present(key).map { try parsed($0, key, "a whole number") { Int($0) } }
        }
        /// The cell's text, nil when the file has no such column or the cell is empty.
        func present(_ key: Key) -> String? {
            guard let p = positions.byName[key.stringValue] else { return nil }
            let text = row.record.string(p)
            return text.isEmpty ? nil : text
        }
        /// The cell's text parsed; an error naming the file, line and column when it does not parse.
        func parsed<T>(_ text: String, _ key: Key, _ expected: String, _ parse: (String) -> T?) throws -> T {
            guard let value = parse(text) else { throw row.malformed(column(key), text, expected) }
            return value
        }
        func column(_ key: Key) -> Column { Column(rawValue: key.stringValue)! }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let text = row.record.string(position(key))
            do {
                return try CellDecoder.value(type, from: text)
            } catch let problem as CellDecoder.Problem {
                throw row.malformed(column(key), text, problem.expected)
            }
        }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        { preconditionFailure("a cell holds one value, not a record (\(key.stringValue))") }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            preconditionFailure("a cell holds one value (\(key.stringValue))")
        }
        func superDecoder() throws -> any Decoder { preconditionFailure("no super decoder for a run-file row") }
        func superDecoder(forKey key: Key) throws -> any Decoder { preconditionFailure("no super decoder") }
    }
}

/// One cell's value: a single value, or a list split at `;`.
final class CellDecoder: Decoder, SingleValueDecodingContainer, UnkeyedDecodingContainer {
    /// What the cell should have held, for the message.
    struct Problem: Error { let expected: String }

    let parts: [Substring]
    var currentIndex = 0
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var count: Int? { parts.count }
    var isAtEnd: Bool { currentIndex >= parts.count }
    var text: String { parts.isEmpty ? "" : String(parts[min(currentIndex, parts.count - 1)]) }

    init(_ text: String) { parts = text.isEmpty ? [] : text.split(separator: ";", omittingEmptySubsequences: false) }

    static func value<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        switch type {
        case is String.Type: return text as! T
        case is Double.Type:
            guard let d = Double(text) else { throw Problem(expected: "a number") }
            return d as! T
        case is Int.Type:
            guard let i = Int(text) else { throw Problem(expected: "a whole number") }
            return i as! T
        case is Bool.Type:
            switch text {
            case "true": return true as! T
            case "false": return false as! T
            default: throw Problem(expected: "true or false")
            }
        case let validated as any ValidatedText.Type:
            // Codes and identifiers, the most frequent cells: validated straight from the text.
            guard let value = validated.init(text) else { throw Problem(expected: validated.expected) }
            return value as! T
        default:
            let expected = (T.self as? CSVCellValue.Type)?.expectedInCell
            do {
                return try T(from: CellDecoder(text))
            } catch let problem as Problem {
                // A list's element, or a vocabulary's raw value that is not even of the raw type.
                throw expected.map { Problem(expected: $0) } ?? problem
            } catch {
                throw Problem(expected: expected ?? "one of the known \(T.self) values")
            }
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        preconditionFailure("a cell holds one value or a list, not a record")
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { self }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { parts.isEmpty }
    func decode(_ type: String.Type) throws -> String { try next() }
    func decode(_ type: Double.Type) throws -> Double { try Self.value(type, from: try next()) }
    func decode(_ type: Int.Type) throws -> Int { try Self.value(type, from: try next()) }
    func decode(_ type: Bool.Type) throws -> Bool { try Self.value(type, from: try next()) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try Self.value(type, from: try next()) }

    /// The next part of a list, or the whole cell for a single value.
    func next() throws -> String {
        if parts.count <= 1 && currentIndex == 0 {
            currentIndex = 1
            return parts.first.map(String.init) ?? ""
        }
        guard currentIndex < parts.count else { throw Problem(expected: "more values") }
        defer { currentIndex += 1 }
        return String(parts[currentIndex])
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    { preconditionFailure("a cell holds one value or a list, not a record") }
    func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { self }
    func superDecoder() throws -> any Decoder { self }
}
