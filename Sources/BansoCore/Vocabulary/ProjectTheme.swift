/// The model projects' テーマ and the 構築ロードマップ's 領域 they belong to.
///
/// A project names its 領域 in the file's optional 領域 column; without it, its テーマ is looked up
/// here. A テーマ this list does not know, without a 領域, belongs to no area: the project is still
/// suggested, but not tied to a stage.
package enum ProjectTheme {
    /// テーマ → 領域, as the sample's roadmap names its areas.
    package static let areas: [String: String] = [
        "介護人材確保": "介護人材", "介護人材": "介護人材", "人材確保": "介護人材",
        "介護予防": "介護予防", "通いの場": "介護予防",
        "生活支援コーディネーター": "生活支援", "生活支援": "生活支援",
        "地域ケア会議": "在宅医療・介護連携", "在宅医療・介護連携": "在宅医療・介護連携",
    ]

    /// The 領域 of a project: its own, else its テーマ's (empty when neither is known).
    package static func area(theme: String, declared: String) -> String {
        declared.isEmpty ? areas[theme] ?? "" : declared
    }
}
