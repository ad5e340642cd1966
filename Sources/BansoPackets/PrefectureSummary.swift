import BansoCore

/// The prefecture's internal overview of every municipality (published values only).
enum PrefectureSummary {
    static let columns: [Indicator] = [
        .respondents, .turnoverRate, .hiringRate, .shortageShare, .vacancyRate, .certifiedShare,
        .meanMonthlyWageRegular,
    ]

    struct View {
        struct Municipality {
            let code: String
            let name: String
            let group: String
            let values: [String]
        }
        let css = Templates.css
        let prefectureName: String
        let fiscalYear: String
        let columns: [String]
        let municipalities: [Municipality]
    }

    static func render(
        prefectureName: String, wave: String, master: [MasterEntry], feedback: [String: [FeedbackRow]],
        groups: [String: PeerGroupRow]
    ) -> String {
        let view = View(
            prefectureName: prefectureName, fiscalYear: HTML.fiscalYear(wave), columns: columns.map(\.japanese),
            municipalities: master.map { m in
                let rows = feedback[m.code] ?? []
                return View.Municipality(
                    code: m.code, name: m.name, group: groups[m.code].map { "\($0.group) \($0.label)" } ?? "",
                    values: columns.map { c in
                        rows.first { $0.indicator == c }.map { $0.suppressed ? "秘匿" : HTML.display($0.value, spec: c) }
                            ?? "—"
                    })
            })
        return Templates.render(view, "prefecture_summary")
    }
}
