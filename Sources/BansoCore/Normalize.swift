import Foundation

/// Text normalisation shared by header matching and value cleaning.
package enum Normalize {
    /// Unicode NFKC (`１２` → `12`, `ｶﾅ` → `カナ`); ASCII text is returned as is (already NFKC).
    package static func nfkc(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        if isStable(text) { return text }
        return text.precomposedStringWithCompatibilityMapping
    }

    /// True when every scalar is one NFKC leaves alone and none can combine with a neighbour: ASCII, hiragana, katakana
    /// (without the combining sound marks) and the unified ideographs.
    ///
    /// Most Japanese cells (`不明`, `12人`, names) pass, and skip Foundation's normaliser.
    @inline(__always)
    static func isStable(_ text: String) -> Bool {
        for u in text.unicodeScalars {
            switch u.value {
            case 0x00...0x7F, 0x3041...0x3096, 0x309D...0x309F, 0x30A1...0x30FF, 0x4E00...0x9FFF: continue
            default: return false
            }
        }
        return true
    }

    /// NFKC, then trimmed of white space at both ends.
    package static func value(_ text: String) -> String {
        let s = nfkc(text)
        // Fast path (almost every cell): nothing to trim, no Foundation bridging.
        if let f = s.utf8.first, let l = s.utf8.last, f > 0x20, l > 0x20, f < 0x80, l < 0x80 { return s }
        let scalars = s.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }

    /// The key a header is matched by: NFKC, and every space removed (`事業所 番号` = `事業所番号`).
    package static func headerKey(_ text: String) -> String {
        String(
            nfkc(text).unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }
                .map(Character.init))
    }

    /// A header with brackets, underscores, separators and 数 removed, for suggestions only.
    ///
    /// `介護職員数（正規）` and `介護職員数_正規` look the same this way; it never maps a column itself.
    package static func looseHeaderKey(_ text: String) -> String {
        let drop: Set<Character> = [
            "_", "-", "(", ")", "[", "]", "{", "}", "・", "･", "/", ":", "数", "「", "」", "【", "】",
        ]
        return String(headerKey(text).filter { !drop.contains($0) })
    }

    /// Markers that mean "missing", compared after NFKC and trimming (so `－` is `-`).
    package static let missingMarkers: Set<String> = [
        "", "-", "―", "ー", "−", "‐", "不明", "無回答", "NA", "N/A", "#N/A", "*", "n/a", "na",
    ]

    /// True when the (already normalised) value is a missing-value marker.
    package static func isMissing(_ normalized: String) -> Bool { missingMarkers.contains(normalized) }
}

extension Character {
    package var isASCIIDigitChar: Bool { asciiValue.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
}
