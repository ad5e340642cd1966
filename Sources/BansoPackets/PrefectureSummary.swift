import BansoAggregate
import BansoCore
import BansoFeedback

/// The prefecture's internal overview of every municipality (published values only).
enum PrefectureSummary {
    static let columns = ["respondents", "turnover_rate", "hiring_rate", "shortage_share", "vacancy_rate", "certified_share",
                          "mean_monthly_wage_regular"]

    static func render(prefectureName: String, wave: String, master: [MasterEntry], feedback: [String: [FeedbackRow]],
                       groups: [String: (Int, String)]) -> String {
        let e = HTML.escape
        var h = "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<title>\(e(prefectureName)) \(HTML.fiscalYear(wave)) 介護人材実態調査 市町村一覧</title>\n"
        h += "<style>\n\(ReportRenderer.css)\n</style>\n</head>\n<body>\n<main>\n"
        h += "<h1>\(e(prefectureName)) 介護人材実態調査 市町村一覧（\(HTML.fiscalYear(wave))）</h1>\n"
        h += "<p class=\"lead\">県内部用の一覧です。開示制限を適用した値のみを表示しています（「秘匿」は非公表）。各市町村名から、その市町村に送るフィードバック資料を開けます。</p>\n"
        h += "<table>\n<thead><tr><th>コード</th><th>市町村</th><th>類似団体グループ</th>"
        for c in columns { h += "<th>\(e(IndicatorSpec.named(c)?.japanese ?? c))</th>" }
        h += "</tr></thead>\n<tbody>\n"
        for m in master {
            let rows = feedback[m.code] ?? []
            h += "<tr><td>\(e(m.code))</td><td><a href=\"\(e(m.code))/report.html\">\(e(m.name))</a></td>"
            h += "<td>\(groups[m.code].map { "\($0.0) \(e($0.1))" } ?? "")</td>"
            for c in columns {
                let r = rows.first { $0.indicator == c }
                let text = r.map { $0.suppressed ? "秘匿" : HTML.display($0.value, spec: IndicatorSpec.named(c)) } ?? "—"
                h += "<td class=\"num\">\(text)</td>"
            }
            h += "</tr>\n"
        }
        h += "</tbody>\n</table>\n</main>\n</body>\n</html>\n"
        return h
    }
}
