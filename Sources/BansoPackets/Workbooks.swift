import BansoCore
import BansoXLSX
import SystemPackage

/// The Excel workbooks of the packets: what municipal and prefectural staff open first.
///
/// Japanese sheet names and headers, numbers shown with the report's precision and unit in the
/// header, 秘匿 as text (never 0), frozen header rows, A4 print setup with the header repeated.
package enum Workbooks {
    package static func style(_ spec: Indicator) -> Workbook.NumberStyle {
        spec.displayDigits == 0 ? .grouped : .decimals(spec.displayDigits)
    }

    /// A median or quartile of the peers: interpolated between two municipalities, it may fall
    /// between whole numbers (a quartile of 0.25 vacancies was shown as 「0」), so a value that is
    /// not whole keeps one more digit than the indicator shows.
    package static func quantileStyle(_ value: Double?, _ spec: Indicator) -> Workbook.NumberStyle {
        guard let value, spec.displayDigits == 0, value.rounded() != value else { return style(spec) }
        return .decimals(1)
    }

    /// `packets/<code>/<code>_自己評価票.xlsx`: next wave's form, this wave's answers filled in, a
    /// drop-down of the answers ingest reads on 評価.
    static func selfAssessmentForm(_ p: PacketData, _ form: SelfAssessmentForm, path: FilePath) throws -> [UInt8] {
        let book = try Workbook(
            path: path.string, title: "\(p.name) 構築ロードマップ 自己評価票（\(HTML.fiscalYear(p.wave))の回答を記入済み）",
            author: p.wording.name)
        let sheet = book.addSheet("自己評価票")
        let rows = form.rows
        for (r, row) in rows.enumerated() {
            for (c, cell) in row.enumerated() { sheet.text(r, c, cell, bold: r == 0, wrap: c == 4) }
        }
        if rows.count > 1 {
            try sheet.listValidation(column: 5, rows: 1...(rows.count - 1), values: SelfAssessmentForm.choices)
        }
        sheet.widths([12, 10, 16, 9, 48, 24, 12, 40])
        sheet.header(rows: 1, landscape: true)
        return try book.close()
    }

    /// `packets/<code>/<code>_集計表.xlsx`.
    static func municipality(_ p: PacketData, path: FilePath) throws -> [UInt8] {
        let w = p.wording
        let book = try Workbook(
            path: path.string, title: "\(p.name) \(HTML.fiscalYear(p.wave)) 介護人材実態調査 集計表", author: w.name)
        let sheet = book.addSheet("指標")
        let headers = [
            "指標", "単位", "値", "95%信頼区間 下限", "上限", "信頼性", "集計対象数", w.whole, p.regionColumn, "比較 中央値",
            "比較 第1四分位", "比較 第3四分位", "比較の対象", "\(w.within)の位置(四分位)", "前回値", "変化", "コメント",
            "推計値(小地域推定)",
        ]
        for (c, h) in headers.enumerated() { sheet.text(0, c, h, bold: true) }
        var row = 1
        for spec in Indicator.allCases {
            guard let r = p.row(spec) else { continue }
            let s = style(spec)
            sheet.text(row, 0, spec.japanese)
            sheet.text(row, 1, spec.unit)
            if r.suppressed {
                sheet.text(row, 2, "秘匿")
            } else if r.value == nil {
                sheet.text(row, 2, "—")
            } else {
                sheet.number(row, 2, r.value, s)
                // A 全数 value is exact: its interval has no width and is not printed.
                if r.reliability != .census {
                    sheet.number(row, 3, r.ciLow, s)
                    sheet.number(row, 4, r.ciHigh, s)
                }
                if let mark = r.reliability { sheet.text(row, 5, mark.japanese) }
            }
            sheet.number(row, 6, Double(r.n), .grouped)
            sheet.number(row, 7, r.prefectureValue, s)
            sheet.number(row, 8, r.regionValue, s)
            sheet.number(row, 9, r.peerMedian, quantileStyle(r.peerMedian, spec))
            sheet.number(row, 10, r.peerQ1, quantileStyle(r.peerQ1, spec))
            sheet.number(row, 11, r.peerQ3, quantileStyle(r.peerQ3, spec))
            sheet.text(row, 12, PacketData.peerColumn(r.peerBasis, w))
            if let q = r.quartileRange { sheet.text(row, 13, Charts.quartileWords(q)) }
            sheet.number(row, 14, r.previousValue, s)
            sheet.number(row, 15, r.change, s)
            if !r.comment.isEmpty { sheet.text(row, 16, r.comment, wrap: true) }
            sheet.number(row, 17, r.smallArea, s)
            row += 1
        }
        sheet.widths([30, 7, 12, 12, 12, 8, 10, 12, 12, 12, 12, 12, 14, 12, 12, 10, 60, 14])
        sheet.header(rows: 1, landscape: true)

        let peers = book.addSheet("類似団体")
        for (c, h) in ["区分", "団体", "類似度（0〜1）", "特に近い特徴"].enumerated() { peers.text(0, c, h, bold: true) }
        row = 1
        for m in p.groupMembers {
            peers.text(row, 0, "同じグループ（\(p.groupNumber.map(String.init) ?? "") \(p.groupLabel)）")
            peers.text(row, 1, m)
            row += 1
        }
        for n in p.neighbours {
            peers.text(row, 0, "状況の近い\(w.municipalities)")
            peers.text(row, 1, n.name)
            peers.number(row, 2, n.similarity, .decimals(2))
            peers.text(row, 3, n.closest.map(\.japanese).joined(separator: "・"))
            row += 1
        }
        peers.widths([36, 16, 14, 50])
        peers.header(rows: 1, landscape: false)

        let projects = book.addSheet("モデル事業")
        for (c, h) in ["実施団体", "事業名", "テーマ", "年度", "関係", "概要"].enumerated() { projects.text(0, c, h, bold: true) }
        for (i, pr) in p.projects.enumerated() {
            for (c, v) in [
                pr.projectMunicipalityName, pr.projectName, pr.theme, pr.fiscalYear, pr.relation, pr.summary,
            ]
            .enumerated() {
                projects.text(i + 1, c, v, wrap: c == 5)
            }
        }
        projects.widths([14, 28, 20, 10, 16, 60])
        projects.header(rows: 1, landscape: true)

        let quality = book.addSheet("データの品質")
        for (c, h) in ["調査", "内容", "件数"].enumerated() { quality.text(0, c, h, bold: true) }
        for (i, q) in p.quality.enumerated() {
            quality.text(i + 1, 0, q.kind.japaneseName)
            quality.text(i + 1, 1, q.rule.japanese)
            quality.number(i + 1, 2, Double(q.rows), .grouped)
        }
        quality.widths([14, 44, 8])
        quality.header(rows: 1, landscape: false)

        // The glossary is printed in the workbook rather than in the PDF (the report keeps it on screen).
        let glossary = book.addSheet("用語の説明")
        for (c, h) in ["用語", "説明"].enumerated() { glossary.text(0, c, h, bold: true) }
        for (i, d) in ReportView.glossary(p).enumerated() {
            glossary.text(i + 1, 0, d.term)
            glossary.text(i + 1, 1, d.definition, wrap: true)
        }
        glossary.widths([24, 90])
        glossary.header(rows: 1, landscape: false)
        if let k = p.karte { karteSheets(k, book: book, wording: w) }
        return try book.close()
    }

    /// The カルテ's sheets: 地域の状況 (context figures), ロードマップ (stages) and ロードマップ項目 (items).
    static func karteSheets(_ k: KarteData, book: Workbook, wording w: PrefectureWording) {
        if !k.figures.isEmpty {
            let sheet = book.addSheet("地域の状況")
            let headers = ["指標", "単位", "値", "年度", "\(w.within)の第1四分位", "中央値", "第3四分位", "比較団体の中央値", "比較団体数", "出典"]
            for (c, h) in headers.enumerated() { sheet.text(0, c, h, bold: true) }
            for (i, row) in k.figures.enumerated() {
                let style: Workbook.NumberStyle = .decimals(1)
                let f = row.figure
                sheet.text(i + 1, 0, f.label)
                sheet.text(i + 1, 1, f.unit)
                if f.value == nil { sheet.text(i + 1, 2, "—") } else { sheet.number(i + 1, 2, f.value, style) }
                sheet.text(i + 1, 3, f.year)
                sheet.number(i + 1, 4, row.prefecture?.q1, style)
                sheet.number(i + 1, 5, row.prefecture?.median, style)
                sheet.number(i + 1, 6, row.prefecture?.q3, style)
                sheet.number(i + 1, 7, row.peers?.median, style)
                sheet.number(i + 1, 8, Double(row.peerCount), .grouped)
                sheet.text(i + 1, 9, f.source)
            }
            sheet.widths([28, 6, 12, 12, 14, 12, 12, 16, 10, 44])
            sheet.header(rows: 1, landscape: true)
        }
        guard k.hasRoadmap else { return }
        let sheet = book.addSheet("ロードマップ")
        let headers = ["領域", "段階", "自己評価の平均", "回答した項目", "主観項目", "客観項目 達成", "評価できた客観項目", "客観項目", "達成", "到達段階"]
        for (c, h) in headers.enumerated() { sheet.text(0, c, h, bold: true) }
        var row = 1
        for a in k.areas {
            for s in a.stages {
                sheet.text(row, 0, a.name)
                sheet.text(row, 1, s.stage.ordinal)
                if let score = s.selfScore {
                    sheet.number(row, 2, score, .decimals(1))
                } else if s.selfItems > 0 {
                    sheet.text(row, 2, "未回答")
                }
                sheet.number(row, 3, Double(s.selfAnswered), .grouped)
                sheet.number(row, 4, Double(s.selfItems), .grouped)
                sheet.number(row, 5, Double(s.objectiveAchieved), .grouped)
                sheet.number(row, 6, Double(s.objectiveAssessable), .grouped)
                sheet.number(row, 7, Double(s.objectiveItems), .grouped)
                sheet.text(row, 8, s.achieved ? "達成" : "—")
                sheet.text(row, 9, KarteText.reached(a.reached))
                row += 1
            }
        }
        sheet.widths([20, 10, 14, 12, 10, 14, 18, 10, 8, 18])
        sheet.header(rows: 1, landscape: true)

        let items = book.addSheet("ロードマップ項目")
        // The packet's roadmap.csv, column for column: 領域, 段階, 種別, 項目, 自己評価, 値, 下限, 上限,
        // 基準, 判定, コメント, 単位.
        let table = PacketTables.roadmap(k)
        let (score, value, low, high, level, comment, unit) = (4, 5, 6, 7, 8, 10, 11)
        for (c, h) in table[0].enumerated() { items.text(0, c, h, bold: true) }
        for (r, line) in table.dropFirst().enumerated() {
            for (c, v) in line.enumerated() where !v.isEmpty {
                if [score, value, low, high].contains(c), let x = Double(v) {
                    items.number(r + 1, c, x, c == score ? .grouped : .decimals(1))
                } else if c == level, let t = RoadmapThreshold(text: v) {
                    // 「50%以上」 as the report writes it, not the file's `>= 50`.
                    items.text(r + 1, c, t.japanese(unit: line[unit]))
                } else {
                    // A line break inside a cell hides all but one line at the default row height.
                    items.text(
                        r + 1, c, c == comment ? v.replacingOccurrences(of: "\n", with: " ") : v,
                        wrap: c == 3 || c == comment)
                }
            }
        }
        items.widths([20, 6, 6, 44, 9, 9, 9, 9, 10, 10, 44, 6])
        items.header(rows: 1, landscape: true)
    }

    /// `packets/prefecture_summary.xlsx`: every municipality's published values, one row each.
    static func summary(
        wording w: PrefectureWording, wave: Wave, master: [MasterEntry], feedback: [MunicipalityCode: [FeedbackRow]],
        areas: [AreaIndicatorRow] = [], trends: [TrendRow] = [], path: FilePath
    ) throws -> [UInt8] {
        let book = try Workbook(
            path: path.string, title: "\(w.name) \(HTML.fiscalYear(wave)) 介護人材実態調査 \(w.municipalities)一覧",
            author: w.name)
        let sheet = book.addSheet("\(w.municipalities)一覧")
        let indicators = Indicator.allCases.filter { spec in
            feedback.values.contains { $0.contains { $0.indicator == spec } }
        }
        sheet.text(0, 0, "コード", bold: true)
        sheet.text(0, 1, w.municipalities, bold: true)
        for (c, spec) in indicators.enumerated() {
            sheet.text(0, c + 2, "\(spec.japanese)（\(spec.unit)）", bold: true, wrap: true)
        }
        var row = 1
        for m in master {
            sheet.text(row, 0, m.code.text)
            sheet.text(row, 1, m.name)
            for (c, spec) in indicators.enumerated() {
                guard let r = feedback[m.code]?.first(where: { $0.indicator == spec }) else { continue }
                if r.suppressed { sheet.text(row, c + 2, "秘匿") } else { sheet.number(row, c + 2, r.value, style(spec)) }
            }
            row += 1
        }
        sheet.text(row, 1, w.whole, bold: true)
        let any = feedback.values.first ?? []
        for (c, spec) in indicators.enumerated() {
            sheet.number(row, c + 2, any.first { $0.indicator == spec }?.prefectureValue, style(spec))
        }
        sheet.widths([9, 14] + indicators.map { _ in 12 })
        sheet.header(rows: 1, landscape: true)
        detailSheet(book.addSheet("指標の詳細"), master: master, feedback: feedback, wording: w)
        if !areas.isEmpty { areaSheet(book.addSheet("圏域・サービス別"), areas, wording: w) }
        if Set(trends.map(\.wave)).count > 1 { trendSheet(book.addSheet("推移"), trends, master: master, wording: w) }
        return try book.close()
    }

    /// Every municipality's every indicator with its interval, reliability, count and the change
    /// from the previous wave (a long table to filter or pivot; published values only).
    static func detailSheet(
        _ sheet: Sheet, master: [MasterEntry], feedback: [MunicipalityCode: [FeedbackRow]], wording w: PrefectureWording
    ) {
        let headers = [
            "コード", w.municipalities, "圏域", "指標", "単位", "値", "95%信頼区間 下限", "上限", "信頼性", "集計対象数", "秘匿", "前回調査", "前回値",
            "変化", "変化の95%信頼区間 下限", "上限", "継続回答の変化", "類似団体全体", "指標キー",
        ]
        for (c, h) in headers.enumerated() { sheet.text(0, c, h, bold: true) }
        var row = 1
        for m in master {
            for r in feedback[m.code] ?? [] {
                let s = style(r.indicator)
                sheet.text(row, 0, m.code.text)
                sheet.text(row, 1, m.name)
                sheet.text(row, 2, m.regionName)
                sheet.text(row, 3, r.indicator.japanese)
                sheet.text(row, 4, r.indicator.unit)
                if r.suppressed {
                    sheet.text(row, 10, "秘匿")
                } else if r.value != nil {
                    sheet.number(row, 5, r.value, s)
                    if r.reliability != .census {
                        sheet.number(row, 6, r.ciLow, s)
                        sheet.number(row, 7, r.ciHigh, s)
                    }
                    if let mark = r.reliability { sheet.text(row, 8, mark.japanese) }
                }
                sheet.number(row, 9, Double(r.n), .grouped)
                if let wave = r.previousWave { sheet.text(row, 11, wave.text) }
                sheet.number(row, 12, r.previousValue, s)
                sheet.number(row, 13, r.change, s)
                sheet.number(row, 14, r.changeLow, s)
                sheet.number(row, 15, r.changeHigh, s)
                sheet.number(row, 16, r.panelChange, s)
                sheet.number(row, 17, r.peerPooled, s)
                sheet.text(row, 18, r.indicator.rawValue)
                row += 1
            }
        }
        sheet.widths([9, 14, 10, 30, 7, 12, 12, 12, 8, 10, 6, 9, 12, 10, 12, 12, 12, 12, 28])
        sheet.header(rows: 1, landscape: true)
    }

    /// Every published value over the waves, oldest first: the trends of every municipality and
    /// the prefecture.
    static func trendSheet(_ sheet: Sheet, _ trends: [TrendRow], master: [MasterEntry], wording w: PrefectureWording) {
        let names = Dictionary(master.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let headers = ["コード", w.municipalities, "指標", "調査", "値", "95%信頼区間 下限", "上限", "秘匿", "指標キー"]
        for (c, h) in headers.enumerated() { sheet.text(0, c, h, bold: true) }
        for (i, t) in trends.enumerated() {
            let row = i + 1
            let s = style(t.indicator)
            sheet.text(row, 0, t.code.text)
            sheet.text(row, 1, names[t.code] ?? w.whole)
            sheet.text(row, 2, t.indicator.japanese)
            sheet.text(row, 3, t.wave.text)
            if t.suppressed {
                sheet.text(row, 7, "秘匿")
            } else {
                sheet.number(row, 4, t.value, s)
                sheet.number(row, 5, t.ciLow, s)
                sheet.number(row, 6, t.ciHigh, s)
            }
            sheet.text(row, 8, t.indicator.rawValue)
        }
        sheet.widths([9, 14, 30, 9, 12, 12, 12, 6, 28])
        sheet.header(rows: 1, landscape: true)
    }

    /// The 圏域 and service-group figures, one row per area, group and indicator (published values
    /// with their intervals and counts; a long table to filter or pivot).
    static func areaSheet(_ sheet: Sheet, _ areas: [AreaIndicatorRow], wording w: PrefectureWording) {
        let headers = ["圏域", "サービスの種類", "指標", "単位", "値", "95%信頼区間 下限", "上限", "信頼性", "集計対象数", "秘匿", "指標キー"]
        for (c, h) in headers.enumerated() { sheet.text(0, c, h, bold: true) }
        for (i, a) in areas.enumerated() {
            let row = i + 1
            let s = style(a.indicator)
            sheet.text(row, 0, a.region == nil ? w.whole : "\(a.name)圏域")
            sheet.text(row, 1, a.serviceGroup ?? "全体")
            sheet.text(row, 2, a.indicator.japanese)
            sheet.text(row, 3, a.indicator.unit)
            if a.suppressed {
                sheet.text(row, 9, "秘匿")
            } else if a.estimate.value != nil {
                sheet.number(row, 4, a.estimate.value, s)
                if a.estimate.reliability != .census {
                    sheet.number(row, 5, a.estimate.ciLow, s)
                    sheet.number(row, 6, a.estimate.ciHigh, s)
                }
                if let mark = a.estimate.reliability { sheet.text(row, 7, mark.japanese) }
            }
            sheet.number(row, 8, Double(a.estimate.n), .grouped)
            sheet.text(row, 10, a.indicator.rawValue)
        }
        sheet.widths([14, 14, 30, 7, 12, 12, 12, 8, 10, 6, 28])
        sheet.header(rows: 1, landscape: true)
    }
}
