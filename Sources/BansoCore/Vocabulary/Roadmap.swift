/// How a roadmap item is judged.
package enum RoadmapKind: String, CaseIterable, Sendable, Codable {
    /// Self-assessed by the municipality (評価 1–4).
    case subjective = "主観"
    /// A published figure reaches a level (基準).
    case objective = "客観"
    /// Residents' own activities (通いの場への参加 …): the figure and its trend are shown, never
    /// judged, never part of a stage's 達成, and a 基準 on it is refused — the prefecture watches
    /// and supports them from the side (側面的に見守る), it does not set them targets.
    case watch = "見守り"
}

/// The three stages of 地域マネジメント (what the roadmap measures a municipality against).
package enum ManagementStage: Int, CaseIterable, Sendable, Codable, CodingKeyRepresentable, Comparable {
    case assess = 1
    case share = 2
    case act = 3

    package static func < (a: ManagementStage, b: ManagementStage) -> Bool { a.rawValue < b.rawValue }

    /// The stage's name as the roadmap states it.
    package var japanese: String {
        switch self {
        case .assess: "現状の把握と目標設定"
        case .share: "現状と目標を関係者間で共有（規範的統合）"
        case .act: "事業の実施と評価"
        }
    }

    /// 第1段階 ….
    package var ordinal: String { "第\(rawValue)段階" }

    /// Reads `1`, `第1段階`, `1段階`, `第１段階` (already NFKC-normalised).
    package init?(text: String) {
        var t = Substring(text)
        if t.hasPrefix("第") { t = t.dropFirst() }
        if t.hasSuffix("段階") { t = t.dropLast(2) }
        guard let n = Int(t), let stage = ManagementStage(rawValue: n) else { return nil }
        self = stage
    }
}

/// The level an objective item's figure must reach: `>= 50`, `> 0`, `<= 15`.
package struct RoadmapThreshold: Sendable, Equatable, CustomStringConvertible {
    package enum Comparison: String, Sendable, CaseIterable {
        case atLeast = ">=", above = ">", atMost = "<=", below = "<", equal = "="
    }
    package var comparison: Comparison
    package var value: Double

    package init(_ comparison: Comparison, _ value: Double) {
        self.comparison = comparison
        self.value = value
    }

    /// Parses an NFKC-normalised threshold; `≥`/`≧`/`以上` are read as `>=`, `≤`/`≦`/`以下` as `<=`,
    /// `未満` as `<` and `超`/`を超える` as `>` (CP932 has `≧` and `≦`, not `≥` and `≤`).
    package init?(text raw: String) {
        var t = raw.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "≥", with: ">=")
            .replacingOccurrences(of: "≤", with: "<=").replacingOccurrences(of: "≧", with: ">=")
            .replacingOccurrences(of: "≦", with: "<=").replacingOccurrences(of: "==", with: "=")
        // `50以上` / `15以下` / `5未満` / `20超` as office forms write them.
        for (suffix, comparison) in [("以上", ">="), ("以下", "<="), ("未満", "<"), ("を超える", ">"), ("超", ">")]
        where t.hasSuffix(suffix) {
            t = comparison + t.dropLast(suffix.count)
            break
        }
        guard
            let comparison = Comparison.allCases.sorted(by: { $0.rawValue.count > $1.rawValue.count }).first(where: {
                t.hasPrefix($0.rawValue)
            })
        else { return nil }
        let number = t.dropFirst(comparison.rawValue.count)
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-") }),
            let v = Double(number), v.isFinite
        else { return nil }
        self.init(comparison, v)
    }

    /// Whether a figure meets the level.
    package func isMet(by x: Double) -> Bool {
        switch comparison {
        case .atLeast: x >= value
        case .above: x > value
        case .atMost: x <= value
        case .below: x < value
        case .equal: x == value
        }
    }

    /// The judgement on a figure whose true value lies, at 95%, within `interval`: met when every
    /// value of the interval meets the level, not met when none does, undecided otherwise.
    ///
    /// A figure without sampling error (a context figure, a 全数 value) has the interval `x...x`
    /// and is judged on the value itself.
    package func judge(_ interval: ClosedRange<Double>) -> RoadmapJudgement {
        let (lo, hi) = (interval.lowerBound, interval.upperBound)
        switch (isMet(by: lo), isMet(by: hi)) {
        case (true, true):
            // `= v` is met by both ends only when the interval is v itself.
            return comparison == .equal && lo != hi ? .undecided : .met
        case (false, false):
            // Neither end equals v, but v may lie between them.
            return comparison == .equal && lo < value && value < hi ? .undecided : .notMet
        default: return .undecided
        }
    }

    /// `>= 50` (the canonical form written to the clean file).
    package var description: String { "\(comparison.rawValue) \(formatNumber(value))" }

    /// `50以上`, for reports.
    package var japanese: String { japanese(unit: "") }

    /// `50%以上` with the figure's unit (`人`, `%`), as an office writes a level.
    package func japanese(unit: String) -> String {
        let v = formatNumber(value) + unit
        switch comparison {
        case .atLeast: return "\(v)以上"
        case .above: return "\(v)を超える"
        case .atMost: return "\(v)以下"
        case .below: return "\(v)未満"
        case .equal: return "\(v)"
        }
    }
}

/// Item and context-indicator ids: `[A-Za-z0-9_-]+`.
package enum RoadmapIdentifier {
    package static func isValid(_ id: String) -> Bool {
        !id.isEmpty
            && id.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
                    || b == 0x2D
            }
    }
}

extension ManagementStage: CSVCellValue {
    package static var expectedInCell: String { "a stage 1, 2 or 3" }
}

extension RoadmapKind: CSVCellValue {
    package static var expectedInCell: String { "主観, 客観 or 見守り" }
}

/// A threshold is written as its text (`>= 50`) in run files.
extension RoadmapThreshold: Codable, CSVCellValue {
    package static var expectedInCell: String { "a threshold such as >= 50" }

    package init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let t = RoadmapThreshold(text: try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.expectedInCell)
        }
        self = t
    }

    package func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// How a 客観 item of the roadmap stands for one municipality (`judgement` in `roadmap/items.csv`).
package enum RoadmapJudgement: String, Sendable, Codable, CaseIterable, CSVCellValue {
    /// The whole 95% interval meets the level: 達成.
    case met
    /// The whole interval misses it: 未達成.
    case notMet = "not_met"
    /// The interval straddles the level, or the value is a 参考値: 判定保留.
    case undecided
    /// Suppressed or missing: 評価できず.
    case noValue = "no_value"

    package static let expectedInCell = "met, not_met, undecided or no_value"

    /// The word in reports and workbooks.
    package var japanese: String {
        switch self {
        case .met: "達成"
        case .notMet: "未達成"
        case .undecided: "判定保留"
        case .noValue: "評価できず"
        }
    }
}

/// What kind of support an offer is (`kind` in `[roadmap.support]`).
package enum SupportKind: String, CaseIterable, Codable, Sendable {
    case training = "研修"
    case meeting = "会議"
    case expert = "専門家派遣"
    case visit = "先進地視察"
    case subsidy = "補助"
    case template = "雛形"
    case other = "その他"
}

/// One offer of the prefecture's support (`[roadmap.support]`).
package struct SupportOffer: Codable, Sendable, Equatable {
    /// Unique in the pipeline file; what a record of support given refers to.
    package var id: String
    package var name: String
    package var kind: SupportKind
    package var date: Day?
    package var capacity: Int?

    package init(id: String, name: String, kind: SupportKind = .other, date: Day? = nil, capacity: Int? = nil) {
        self.id = id
        self.name = name
        self.kind = kind
        self.date = date
        self.capacity = capacity
    }

    /// As a packet shows it: `地域診断カルテの読み方研修（研修・令和7年10月15日・定員30名）`.
    package var japanese: String {
        // The kind is left out where the name already says it (「説明資料の雛形」 is not 「（雛形）」 again).
        var details: [String] = kind == .other || name.contains(kind.rawValue) ? [] : [kind.rawValue]
        if let date { details.append(date.japanese) }
        if let capacity { details.append("定員\(capacity)名") }
        return details.isEmpty ? name : "\(name)（\(details.joined(separator: "・"))）"
    }
}

/// The offers for one stage of one area, or of every area that has no list of its own.
package struct SupportList: Codable, Sendable, Equatable {
    /// Nil: the default for every area (a stage-only key, `1 = [...]`).
    package var area: String?
    package var stage: ManagementStage
    package var offers: [SupportOffer]
    /// The key as the pipeline file writes it, for messages.
    package var key: String

    package init(area: String?, stage: ManagementStage, offers: [SupportOffer], key: String) {
        self.area = area
        self.stage = stage
        self.offers = offers
        self.key = key
    }
}
