/// A 圏域's code as the prefecture writes it in the master (`01`, `A`, `佐久`).
///
/// Any short text without control characters, commas or spaces at its ends: the prefecture's own
/// numbering of its 老人福祉圏域 or 二次医療圏, which has no national form to check against.
package struct RegionCode: ValidatedText, Comparable, CSVCellValue {
    package let text: String

    /// Validates a code; nil when empty, longer than 20 characters or holding a control character.
    package init?(_ text: String) {
        guard !text.isEmpty, text.count <= 20, text == text.trimmingWhitespace,
            !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return nil }
        self.text = text
    }

    package static func < (a: RegionCode, b: RegionCode) -> Bool { a.text < b.text }

    package static let expected = "a 圏域コード: 1 to 20 characters, no control characters (\"01\", \"佐久\")"
}

/// A 圏域 (老人福祉圏域 or 二次医療圏): the level a prefecture plans by, between its municipalities
/// and itself.
package struct Region: Hashable, Sendable, Comparable {
    package var code: RegionCode
    package var name: String
    package init(code: RegionCode, name: String) {
        self.code = code
        self.name = name
    }
    package static func < (a: Region, b: Region) -> Bool { a.code < b.code }
}

extension String {
    /// The text without spaces or line breaks at its ends.
    fileprivate var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
