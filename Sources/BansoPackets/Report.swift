import BansoCore
import BansoFeedback
import Foundation

/// Everything one municipality's packet is built from (published data only).
public struct PacketData: Sendable {
    public var code: String
    public var name: String
    public var prefectureName: String
    public var wave: String
    public var feedback: [FeedbackRow]
    public var groupNumber: Int?
    public var groupLabel: String
    /// Other members of the group (names).
    public var groupMembers: [String]
    /// (code, name, similarity, closest features in Japanese).
    public var neighbours: [(code: String, name: String, similarity: Double, closest: String)]
    /// (municipality name, project, theme, fiscal year, relation, summary).
    public var projects: [(municipality: String, name: String, theme: String, year: String, relation: String, summary: String)]
    /// (kind, rule, rows) rejected among this municipality's answers.
    public var quality: [(kind: String, rule: String, rows: Int)]

    public init(code: String, name: String, prefectureName: String, wave: String, feedback: [FeedbackRow], groupNumber: Int?,
                groupLabel: String, groupMembers: [String], neighbours: [(code: String, name: String, similarity: Double, closest: String)],
                projects: [(municipality: String, name: String, theme: String, year: String, relation: String, summary: String)],
                quality: [(kind: String, rule: String, rows: Int)]) {
        self.code = code
        self.name = name
        self.prefectureName = prefectureName
        self.wave = wave
        self.feedback = feedback
        self.groupNumber = groupNumber
        self.groupLabel = groupLabel
        self.groupMembers = groupMembers
        self.neighbours = neighbours
        self.projects = projects
        self.quality = quality
    }
}

/// Japanese descriptions of the validation rules for the data-quality section.
let ruleJapanese: [String: String] = [
    "required": "必須項目の未記入", "establishment_id_format": "事業所番号の形式誤り", "establishment_id_prefecture": "事業所番号の県コード誤り",
    "municipality_code_format": "市区町村コードの形式誤り", "check_digit": "市区町村コードの検査数字誤り",
    "unknown_municipality": "県内にない市区町村コード", "service_type_format": "サービス種別の形式誤り", "date": "回答日が日付として読めない",
    "not_a_number": "数値欄に文字", "not_an_integer": "人数欄に小数", "negative": "負の数", "invalid_category": "選択肢にない回答",
    "separations_exceed": "離職者数が1年前の職員数＋採用者数を超える", "duplicate": "同じ事業所の重複回答（最新の回答を採用）",
    "unknown_establishment": "事業所調査・台帳にない事業所番号", "out_of_range": "年齢・勤続年数が範囲外",
]

/// Renders the municipality's report: one self-contained, printable HTML file.
public enum ReportRenderer {
    static let css = """
    :root{--ink:#1a1a1a;--muted:#555;--line:#bdbdbd;--accent:#0b3d91;--pref:#8c3b00}
    *{box-sizing:border-box}
    body{font-family:"Hiragino Kaku Gothic ProN","Hiragino Sans","Yu Gothic","YuGothic","Meiryo","Noto Sans CJK JP","Noto Sans JP",sans-serif;color:var(--ink);margin:0;line-height:1.6;font-size:14px;background:#fff}
    main{max-width:960px;margin:0 auto;padding:24px}
    h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;border-left:6px solid var(--accent);padding-left:8px;margin:28px 0 10px}
    .sub{color:var(--muted);margin:0 0 12px}
    .lead{background:#f3f6fb;border:1px solid #c9d6ea;padding:10px 14px;border-radius:4px}
    .cards{display:grid;grid-template-columns:repeat(3,1fr);gap:10px}
    .card{border:1px solid var(--line);border-radius:4px;padding:8px 10px}
    .card .k{font-size:12px;color:var(--muted)} .card .v{font-size:22px;font-weight:bold}
    .card .c{font-size:12px;color:var(--muted)}
    table{border-collapse:collapse;width:100%;font-size:12.5px}
    table.compare{table-layout:fixed}
    table.compare col.c1{width:24%} table.compare col.c2{width:14%} table.compare col.c3{width:10%}
    table.compare col.c4{width:30%} table.compare col.c5{width:12%} table.compare col.c6{width:10%}
    table.compare svg.chart{width:100%;height:auto}
    tr.comment td{border-top:none;padding-top:0;font-size:12px;color:var(--muted)}
    tr.has-comment td{border-bottom:none}
    th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:middle}
    th{background:#eef1f5;font-weight:bold} td.num{text-align:right;white-space:nowrap}
    .legend{font-size:12px;color:var(--muted);margin:6px 0}
    .legend span{margin-right:14px;white-space:nowrap}
    .flag-concern{border-left:4px solid #8c3b00;padding-left:6px}
    .flag-strength{border-left:4px solid #0b3d91;padding-left:6px}
    .flag-note{border-left:4px dotted #555;padding-left:6px}
    .sup{color:var(--muted)}
    .note{font-size:12px;color:var(--muted)}
    dl.defs dt{font-weight:bold;margin-top:6px} dl.defs dd{margin:0 0 0 1em}
    svg{vertical-align:middle}
    @page{size:A4 portrait;margin:12mm}
    @media print{
      body{font-size:10.5pt} main{max-width:none;padding:0}
      h2{break-after:avoid} tr,.card,section.keep{break-inside:avoid}
      thead{display:table-header-group}
      .cards{grid-template-columns:repeat(3,1fr)}
      a{color:inherit;text-decoration:none}
      .lead{background:none}
      th{background:none;border-bottom:1.5px solid #000}
    }
    """

    static let headline = ["turnover_rate", "hiring_rate", "shortage_share", "vacancy_rate", "certified_share", "mean_monthly_wage_regular"]

    /// The report HTML.
    public static func render(_ p: PacketData) -> String {
        let e = HTML.escape
        let fy = HTML.fiscalYear(p.wave)
        var byIndicator: [String: FeedbackRow] = [:]
        for r in p.feedback { byIndicator[r.indicator] = r }
        var h = "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(e(p.name)) \(fy) 介護人材実態調査 フィードバック</title>\n<style>\n\(css)\n</style>\n</head>\n<body>\n<main>\n"
        h += "<header>\n<h1>\(e(p.name)) 介護人材実態調査 フィードバック</h1>\n"
        h += "<p class=\"sub\">\(e(p.prefectureName))　\(fy)調査（\(e(p.wave))）　市区町村コード \(e(p.code))</p>\n"
        h += "<p class=\"lead\">この資料は、貴自治体の介護人材の状況を、県全体や状況の似た自治体（類似団体）と見比べ、今後の取組を話し合うための材料です。順位付けではありません。値には調査の誤差があり、95%信頼区間を併せて示しています。</p>\n</header>\n"

        // Headline figures.
        h += "<section class=\"keep\">\n<h2>主な指標</h2>\n<div class=\"cards\">\n"
        for name in headline {
            guard let r = byIndicator[name], let spec = IndicatorSpec.named(name) else { continue }
            h += "<div class=\"card\"><div class=\"k\">\(e(spec.japanese))</div>"
            if r.suppressed {
                h += "<div class=\"v sup\">秘匿</div><div class=\"c\">回答が少ないため表示しません</div></div>\n"
                continue
            }
            h += "<div class=\"v\">\(HTML.display(r.value, spec: spec))<small> \(e(spec.unit))</small></div>"
            var line = "県 \(HTML.display(r.prefectureValue, spec: spec))"
            if let m = r.peerMedian { line += "／類似団体 \(HTML.display(m, spec: spec))" }
            h += "<div class=\"c\">\(e(line))</div></div>\n"
        }
        h += "</div>\n</section>\n"

        // Each indicator against peers and prefecture.
        h += "<section>\n<h2>指標ごとの比較</h2>\n"
        h += "<p class=\"legend\"><span>● 貴自治体（線は95%信頼区間）</span><span>◇ 県全体</span><span>▯ 類似団体の中ほど半分（四分位範囲）</span><span>｜ 類似団体の中央値</span><span>■ 県内の分布で位置する四分の一</span><span>△ 話し合いたい点　○ 強み</span></p>\n"
        h += "<table class=\"compare\">\n<colgroup><col class=\"c1\"><col class=\"c2\"><col class=\"c3\"><col class=\"c4\"><col class=\"c5\"><col class=\"c6\"></colgroup>\n"
        h += "<thead><tr><th>指標</th><th>貴自治体</th><th>県全体</th><th>類似団体の比較</th><th>県内での位置</th><th>前回比</th></tr></thead>\n<tbody>\n"
        for spec in IndicatorSpec.all {
            guard let r = byIndicator[spec.name] else { continue }
            let valueCell: String
            if r.suppressed {
                valueCell = "<span class=\"sup\">秘匿</span>"
            } else if r.value == nil {
                valueCell = "<span class=\"sup\">回答なし</span>"
            } else {
                var v = "\(HTML.display(r.value, spec: spec)) \(e(spec.unit))"
                if let lo = r.ciLow, let hi = r.ciHigh { v += "<br><span class=\"note\">（\(HTML.display(lo, spec: spec))〜\(HTML.display(hi, spec: spec))）</span>" }
                valueCell = v
            }
            var change = "—"
            if let c = r.change {
                let arrow = c > 0 ? "▲" : c < 0 ? "▼" : "±"
                change = "\(arrow)\(HTML.display(abs(c), spec: spec))\(spec.percentage ? "ポイント" : " " + e(spec.unit))"
                change += "<br><span class=\"note\">前回 \(HTML.display(r.previousValue, spec: spec))</span>"
            }
            let flagClass = r.flag.isEmpty ? "" : " class=\"flag-\(e(r.flag))\""
            let chart = spec.form == .sampleSize || r.suppressed ? "" :
                Charts.interval(value: r.value, low: r.ciLow, high: r.ciHigh,
                                prefecture: spec.form == .countTotal ? nil : r.prefectureValue, peerQ1: r.peerQ1,
                                peerMedian: r.peerMedian, peerQ3: r.peerQ3, label: "\(spec.japanese)の比較")
            h += "<tr\(r.comment.isEmpty ? "" : " class=\"has-comment\"")><td\(flagClass)>\(e(spec.japanese))"
            h += "</td><td class=\"num\">\(valueCell)</td><td class=\"num\">\(r.suppressed && r.prefectureValue == nil ? "—" : HTML.display(r.prefectureValue, spec: spec))</td>"
            h += "<td>\(chart)</td><td>\(spec.form == .sampleSize ? "" : Charts.quartileStrip(r.suppressed ? nil : r.quartile))</td><td class=\"num\">\(change)</td></tr>\n"
            if !r.comment.isEmpty {
                let mark = r.flag == "concern" ? "△ " : r.flag == "strength" ? "○ " : "・"
                h += "<tr class=\"comment\"><td colspan=\"6\"\(flagClass)>\(mark)\(e(r.comment))</td></tr>\n"
            }
        }
        h += "</tbody>\n</table>\n"
        h += "<p class=\"note\">「秘匿」は、回答事業所が少ない、1事業所の値が大部分を占める、または他の値から逆算できるため公表しない値です。前回からの変化は、前回も公表された値どうしの差です。</p>\n</section>\n"

        // Peer group and neighbours.
        h += "<section class=\"keep\">\n<h2>類似団体</h2>\n"
        if let g = p.groupNumber {
            h += "<p>貴自治体はグループ \(g)「\(e(p.groupLabel))」に属します（人口規模、高齢化率、後期高齢者割合、人口密度、後期高齢者あたり介護職員数、離職率、不足感の7つの特徴で分類）。</p>\n"
            if !p.groupMembers.isEmpty {
                h += "<p>同じグループの団体：\(p.groupMembers.map(e).joined(separator: "、"))</p>\n"
            }
        }
        if !p.neighbours.isEmpty {
            h += "<table>\n<thead><tr><th>状況の近い団体</th><th>類似度（0〜1）</th><th>特に近い特徴</th></tr></thead>\n<tbody>\n"
            for nb in p.neighbours {
                h += "<tr><td>\(e(nb.name))</td><td class=\"num\">\(String(format: "%.2f", nb.similarity))</td><td>\(e(nb.closest))</td></tr>\n"
            }
            h += "</tbody>\n</table>\n"
        }
        h += "</section>\n"

        // Model projects.
        h += "<section class=\"keep\">\n<h2>参考になるモデル事業</h2>\n"
        if p.projects.isEmpty {
            h += "<p>同じグループや状況の近い団体で、貴自治体がまだ実施していないテーマのモデル事業は今回ありません。</p>\n"
        } else {
            h += "<table>\n<thead><tr><th>実施団体</th><th>事業名</th><th>テーマ</th><th>年度</th><th>関係</th><th>概要</th></tr></thead>\n<tbody>\n"
            for pr in p.projects {
                h += "<tr><td>\(e(pr.municipality))</td><td>\(e(pr.name))</td><td>\(e(pr.theme))</td><td>\(e(pr.year))</td><td>\(e(pr.relation))</td><td>\(e(pr.summary))</td></tr>\n"
            }
            h += "</tbody>\n</table>\n"
        }
        h += "</section>\n"

        // Data quality.
        h += "<section class=\"keep\">\n<h2>データの品質</h2>\n"
        let respondents = byIndicator["respondents"]?.value.map { HTML.grouped($0, digits: 0) } ?? "0"
        h += "<p>集計に用いた回答事業所は \(respondents) 事業所です。"
        if let w = byIndicator["workers_responding"]?.value { h += "労働者調査の回答は \(HTML.grouped(w, digits: 0)) 人です。" }
        h += "</p>\n"
        if p.quality.isEmpty {
            h += "<p>貴自治体の回答で、点検により集計から除いたものはありません。</p>\n"
        } else {
            h += "<p>次の回答は、点検で誤りが見つかったため集計から除きました（件数のみ。1件の回答に複数の誤りがある場合はそれぞれ数えます）。</p>\n"
            h += "<table>\n<thead><tr><th>調査</th><th>内容</th><th>件数</th></tr></thead>\n<tbody>\n"
            for q in p.quality {
                let kind = q.kind == "workers" ? "労働者調査" : "事業所調査"
                h += "<tr><td>\(kind)</td><td>\(e(ruleJapanese[q.rule] ?? q.rule))</td><td class=\"num\">\(q.rows)</td></tr>\n"
            }
            h += "</tbody>\n</table>\n"
        }
        h += "</section>\n"

        // Notes.
        h += "<section>\n<h2>用語の説明</h2>\n<dl class=\"defs\">\n"
        for spec in IndicatorSpec.all where byIndicator[spec.name] != nil {
            h += "<dt>\(e(spec.japanese))</dt><dd>\(e(spec.definition))</dd>\n"
        }
        h += "<dt>95%信頼区間</dt><dd>回答した事業所から推計した値の誤差の幅の目安です。事業所を単位とした比推定の標準誤差（台帳がある場合は有限母集団修正あり）、割合はWilsonの方法によります。</dd>\n"
        h += "<dt>類似団体の中ほど半分</dt><dd>同じグループの団体の値を小さい順に並べたときの、下から25%〜75%の範囲（四分位範囲）です。</dd>\n"
        h += "<dt>県内での位置</dt><dd>県内の市区町村の値を四つに分けたとき、貴自治体の値が入る区分です（左が低い方）。順位ではありません。</dd>\n"
        h += "</dl>\n</section>\n"
        h += "<footer><p class=\"note\">作成：\(e(p.prefectureName))（Bansō 伴走型支援データパイプライン）</p></footer>\n"
        h += "</main>\n</body>\n</html>\n"
        return h
    }
}
