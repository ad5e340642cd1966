import BansoCore

/// The prefecture's internal overview of every municipality (published values only).
enum PrefectureSummary {
    static let columns: [Indicator] = [
        .respondents, .turnoverRate, .hiringRate, .shortageShare, .vacancyRate, .certifiedShare,
        .meanMonthlyWageRegular,
    ]

    /// Column labels short enough for one line of an A4 landscape table.
    static func shortLabel(_ i: Indicator) -> String {
        switch i {
        case .respondents: "回答事業所"
        case .shortageShare: "不足感"
        case .meanMonthlyWageRegular: "平均月給(正規)"
        default: i.japanese
        }
    }

    struct GroupLegend {
        let number: Int
        let label: String
    }

    struct View {
        struct Column {
            let label: String
            let unit: String
        }
        struct Municipality {
            let code: String
            let name: String
            let group: String
            let values: [String]
        }
        let css = Templates.css
        let prefectureName: String
        let prefectureCode: String
        let whole: String
        let municipalitiesWord: String
        let fiscalYear: String
        let columns: [Column]
        let municipalities: [Municipality]
        let groups: [GroupLegend]
        let totals: [String]
        let noAnswers: Int
        let withSuppressed: Int
        let contact: String
    }

    static func render(
        wording: PrefectureWording, wave: String, master: [MasterEntry], feedback: [String: [FeedbackRow]],
        groups: [String: PeerGroupRow], prefecture _: Int?, contact: PacketContact
    ) -> String {
        func cell(_ r: FeedbackRow?, _ c: Indicator) -> String {
            guard let r else { return "—" }
            return r.suppressed ? "秘匿" : HTML.display(r.value, spec: c)
        }
        let anyRows = feedback.values.first ?? []
        let view = View(
            prefectureName: wording.name, prefectureCode: master.first.map { String($0.code.prefix(2)) + "0000" } ?? "",
            whole: wording.whole, municipalitiesWord: wording.municipalities, fiscalYear: HTML.fiscalYear(wave),
            columns: columns.map { View.Column(label: shortLabel($0), unit: $0.unit) },
            municipalities: master.map { m in
                let rows = feedback[m.code] ?? []
                return View.Municipality(
                    code: m.code, name: m.name, group: groups[m.code].map { String($0.group) } ?? "",
                    values: columns.map { c in cell(rows.first { $0.indicator == c }, c) })
            },
            groups: Dictionary(groups.values.map { ($0.group, $0.label) }, uniquingKeysWith: { a, _ in a })
                .sorted { $0.key < $1.key }.map { GroupLegend(number: $0.key, label: $0.value) },
            totals: columns.map { c in HTML.display(anyRows.first { $0.indicator == c }?.prefectureValue, spec: c) },
            noAnswers: master.filter { m in (feedback[m.code]?.first { $0.indicator == .respondents }?.value ?? 0) == 0
            }
            .count,
            withSuppressed: master.filter { m in feedback[m.code]?.contains(where: \.suppressed) ?? false }.count,
            contact: PacketData(
                code: "", name: "", wave: wave, wording: wording, feedback: [], groupNumber: nil, groupLabel: "",
                groupMembers: [], neighbours: [], projects: [], quality: [], contact: contact
            ).contactLine)
        return Templates.render(view, "prefecture_summary")
    }
}
