import BansoCSV
import BansoCore
import Foundation
import Logging
import SystemPackage
import ZIPFoundation

/// One file of a packet, as listed in its manifest.
package struct ManifestFile: Codable, Sendable, Equatable {
    package var name: String
    package var bytes: Int
    package var sha256: String
}

/// `packets/<code>/manifest.json`.
package struct PacketManifest: Codable, Sendable, Equatable {
    package var municipalityCode: MunicipalityCode
    package var municipalityName: String
    package var wave: Wave
    package var pipeline: String
    package var runID: String
    package var files: [ManifestFile]
    enum CodingKeys: String, CodingKey {
        case wave, pipeline, files
        case municipalityCode = "municipality_code", municipalityName = "municipality_name", runID = "run_id"
    }
}

/// Stage packets: per municipality a folder, a zip and a mail draft; a mailing list; an overview.
package enum PacketsStage: PipelineStage {
    /// What packets read from the pipeline file: `[packets]`, `[roadmap]`, `[[reference]]`, the
    /// pipeline's name, wave and prefecture, and which optional inputs and peer features exist.
    package struct Settings: StageSettings {
        package var name: String
        package var wave: Wave
        package var prefectureCode: PrefectureCode
        package var csvEncoding: TextEncoding
        /// `sender`: the From of the mail drafts.
        package var sender: String?
        package var contact: PacketContact
        package var pdf: Bool
        /// `chromium` as configured (nil: found on PATH).
        package var chromium: String?
        /// `qpdf` as configured (nil: found on PATH).
        package var qpdf: String?
        /// `templates`: the prefecture's own templates folder.
        package var templates: InputPath?
        /// `strict_templates`: a warning about them stops the stage.
        package var strictTemplates: Bool
        package var boundaries: InputPath?
        package var boundariesCredit: String?
        package var references: [ReferenceFigure]
        package var roadmap: RoadmapSettings
        /// `inputs.roadmap` and `inputs.context` are declared (the カルテ's sections).
        package var hasRoadmap: Bool
        package var hasContext: Bool
        /// Every report names the features its peers were grouped on (those weighing above 0).
        package var peerFeatures: [PeerFeature]
        /// `[peers] context_features` weighing above 0.
        package var contextFeatures: [String]
        /// With `inputs.support`: the dates of the support given since the last wave.
        package var supportWindow: ClosedRange<Day>?
        /// `[peers] basis`: the report says what the groups were formed on.
        package var peerGrouping: PeerGrouping
        /// `[packets] attach` and `max_mail_mb` (in bytes).
        package var attach: [PacketAttachment]
        package var maxMailBytes: Int

        /// Who issues the packets, as the PDFs' /Author: the prefecture and its section.
        var issuer: String {
            ([PrefectureWording(code: prefectureCode).name] + [contact.section].compactMap { $0 }).joined(
                separator: " ")
        }

        package init(_ c: PipelineConfig) {
            name = c.name
            wave = c.wave
            prefectureCode = c.prefectureCode
            csvEncoding = c.packetEncoding
            sender = c.packetSender
            contact = c.packetContact
            pdf = c.packetPDF
            chromium = c.chromium
            qpdf = c.qpdf
            templates = c.packetTemplates.map { InputPath($0, in: c) }
            strictTemplates = c.strictTemplates
            boundaries = c.boundaries.map { InputPath($0, in: c) }
            boundariesCredit = c.boundariesCredit
            references = c.references
            roadmap = c.roadmapSettings
            hasRoadmap = c.roadmap != nil
            hasContext = c.context != nil
            peerFeatures = c.groupingFeatures
            contextFeatures = c.groupingContextFeatures
            supportWindow = c.support != nil ? c.roadmapSettings.supportWindow(wave: c.wave) : nil
            attach = c.packetAttach
            peerGrouping = c.peerGrouping
            maxMailBytes = c.maxMailBytes
        }

        /// The prefecture's own code with check digit.
        var prefectureMunicipalityCode: MunicipalityCode { prefectureCode.municipalityCode }
    }

    package static let name = StageName.packets

    /// The templates' and boundaries' contents and, when printing, the browser's version: editing a
    /// template or updating Chromium re-runs packets.
    package static func externalInputs(_ s: Settings, inputFolder: FilePath) -> [String: String] {
        var out: [String: String] = [:]
        if let t = s.templates { out["templates"] = templateDigest(t.absolute(in: inputFolder)) }
        if let b = s.boundaries {
            out["boundaries"] = (try? Hashing.sha256(file: b.absolute(in: inputFolder))) ?? "unreadable"
        }
        if s.pdf {
            let versions = (try? PDFPrinter(chromium: s.chromium, qpdf: s.qpdf))?.versions
            out["chromium"] = versions?["chromium"] ?? "none"
            out["qpdf"] = versions?["qpdf"] ?? "none"
        }
        return out
    }

    /// Published data only: the feedback, the published indicators (frame sizes), the peers and
    /// the counts of rejected rows.
    package static let reads: [RunFileDescriptor] = [
        RunFiles.master, RunFiles.quality, RunFiles.summary, RunFiles.groups, RunFiles.neighbours,
        RunFiles.neighbourChanges, RunFiles.suggestions,
        RunFiles.indicators, RunFiles.areas, RunFiles.serviceGroups, RunFiles.trends, RunFiles.roadmapItems,
        RunFiles.roadmapResults, RunFiles.roadmapStages,
        RunFiles.roadmapPrevious, RunFiles.roadmapOverview, RunFiles.karte, RunFiles.roadmapPairings,
        RunFiles.support, RunFiles.supportOutcomes, RunFiles.ownItems, RunFiles.modelProjects,
        RunFiles.prefectureComments,
        RunFiles.selfAssessments,
    ]

    /// Each indicator's chart scale, shared by every report: the municipalities' published values
    /// and intervals, and the prefecture's value.
    static func scales(_ rows: [FeedbackRow]) -> [Indicator: ChartScale] {
        var values: [Indicator: [Double]] = [:]
        for r in rows where !r.suppressed {
            values[r.indicator, default: []] += [r.value, r.ciLow, r.ciHigh, r.prefectureValue].compactMap { $0 }
        }
        return values.compactMapValues { ChartScale(covering: $0) }
    }

    /// A fixed time for zip entries, so the same packet gives the same bytes.
    static let zipDate = Date(timeIntervalSince1970: 1_577_836_800)  // 2020-01-01

    package static func run(_ ctx: StageContext, _ c: Settings) throws -> StageResult {
        let dir = ctx.layout.packets
        let staging = ctx.layout.staging
        // A missing browser or qpdf is a configuration error before anything is written.
        let printer = c.pdf ? try PDFPrinter(chromium: c.chromium, qpdf: c.qpdf) : nil
        let templates = try Templates(directory: c.templates?.absolute(in: ctx.inputFolder))
        var templateWarnings = templates.warnings
        try RunLayout.makeDirectory(dir)
        let master = try RunFiles.master.read(ctx)
        let wording = PrefectureWording(code: c.prefectureCode)

        let summaryRows = try RunFiles.summary.read(ctx)
        var feedback: [MunicipalityCode: [FeedbackRow]] = [:]
        for r in summaryRows { feedback[r.code, default: []].append(r) }
        // Estimated totals exist exactly when aggregate weighted the figures to the frame.
        let weighted = summaryRows.contains { $0.indicator.form == .estimatedTotal }
        let scales = scales(summaryRows)
        var trends: [MunicipalityCode: [Indicator: [TrendRow]]] = [:]
        for t in try RunFiles.trends.read(ctx) { trends[t.code, default: [:]][t.indicator, default: []].append(t) }
        var surveyed: [MunicipalityCode: Int] = [:]
        for r in try RunFiles.indicators.read(ctx) where r.indicator == .responseRate {
            if let d = r.estimate.denominator { surveyed[r.code] = Int(d) }
        }
        var groupOf: [MunicipalityCode: PeerGroupRow] = [:]
        var members: [Int: [PeerGroupRow]] = [:]
        let groupRows = try RunFiles.groups.read(ctx)
        for r in groupRows {
            groupOf[r.code] = r
            members[r.group, default: []].append(r)
        }
        var neighbours: [MunicipalityCode: [PacketData.Neighbour]] = [:]
        let neighbourRows = try RunFiles.neighbours.read(ctx)
        for r in neighbourRows {
            neighbours[r.code, default: []].append(
                PacketData.Neighbour(
                    code: r.neighbourCode, name: r.neighbourName, similarity: r.similarity, closest: r.closestFeatures))
        }
        var suggestions: [MunicipalityCode: [SuggestionRow]] = [:]
        for r in try RunFiles.suggestions.read(ctx) { suggestions[r.code, default: []].append(r) }
        var quality: [MunicipalityCode: [QualityCount]] = [:]
        var prefectureInputProblems: [QualityCount] = []
        for r in try RunFiles.quality.read(ctx) {
            // The prefecture's own inputs (a 見える化 extract, the model-project list) are not the
            // municipality's to fix: they go to the prefecture's summary.
            if r.kind.answeredByMunicipality {
                quality[r.municipality, default: []].append(r)
            } else {
                prefectureInputProblems.append(r)
            }
        }

        // This wave's answers, for next wave's form in each packet.
        var answers: [MunicipalityCode: [SelfAssessment]] = [:]
        for a in try RunFiles.selfAssessments.readIfPresent(ctx) { answers[a.municipality, default: []].append(a) }

        // The prefecture's own words: each municipality's go to its packet only.
        var comments: [MunicipalityCode: [PrefectureComment]] = [:]
        for r in try RunFiles.prefectureComments.readIfPresent(ctx) { comments[r.municipality, default: []].append(r) }

        // Boundaries are read once; a code without a shape is listed in the summary, not an error.
        let boundaryFile = c.boundaries?.absolute(in: ctx.inputFolder)
        let boundaries = try boundaryFile.map { try Boundaries.load(path: $0, known: Set(master.map(\.code))) }
        let mapCredit = c.boundariesCredit ?? boundaryFile.map { "境界：" + ($0.lastComponent?.string ?? "") } ?? ""
        let locatorShapes = boundaries.map { Maps.paths($0, width: Maps.locatorWidth) }
        if let boundaries {
            let missing = boundaries.missing(in: master)
            if !missing.isEmpty {
                ctx.logger.warning(
                    "boundaries: no shape for \(missing.count) municipalities (listed in the summary): \(missing.prefix(5).map(\.code.text).joined(separator: ", "))"
                )
            }
        }

        let roadmap = try RoadmapFiles(ctx, supportWindow: c.supportWindow)
        if c.hasRoadmap { try KarteBuilder.checkSupport(c.roadmap, areas: RoadmapItem.areas(roadmap.items)) }
        let karte = KarteBuilder(
            karte: roadmap.karte, items: roadmap.items, results: roadmap.results, stages: roadmap.stages,
            previous: roadmap.previous, overview: roadmap.overview, settings: c.roadmap,
            received: c.supportWindow == nil ? nil : roadmap.support, pairings: roadmap.pairings,
            ownItems: roadmap.ownItems,
            peers: PeerSets(groups: groupRows, neighbours: neighbourRows), hasRoadmap: c.hasRoadmap,
            hasContext: c.hasContext)

        let contextFeatureLabels = c.contextFeatures.map { id in
            roadmap.karte.first { $0.figure.id == id }?.figure.label ?? id
        }

        let neighbourChanges = Dictionary(grouping: try RunFiles.neighbourChanges.read(ctx), by: \.code)
        let packets: [PacketData] = master.map { m in
            let g = groupOf[m.code]
            var p = PacketData(
                code: m.code, name: m.name, wave: c.wave, wording: wording, feedback: feedback[m.code] ?? [],
                groupNumber: g?.group, groupLabel: g?.label ?? "",
                groupMembers: (g.map { members[$0.group] ?? [] } ?? []).filter { $0.code != m.code }.map(\.name),
                neighbours: neighbours[m.code] ?? [], projects: suggestions[m.code] ?? [],
                quality: quality[m.code] ?? [], surveyed: surveyed[m.code], scales: scales, contact: c.contact)
            p.trends = trends[m.code] ?? [:]
            p.department = m.department
            p.peerGrouping = c.peerGrouping
            p.neighbourChanges = neighbourChanges[m.code] ?? []
            p.references = c.references
            p.karte = karte.karte(for: m.code)
            if c.hasRoadmap {
                p.selfAssessmentForm = SelfAssessmentForm(
                    municipality: m.code, items: roadmap.items, answers: answers[m.code] ?? [])
            }
            let own = comments[m.code] ?? []
            p.prefectureComments = own.filter { $0.area == PrefectureComment.whole }.map(\.comment)
            if var k = p.karte {
                for i in k.areas.indices {
                    k.areas[i].prefectureComments = own.filter { $0.area == k.areas[i].name }.map(\.comment)
                }
                p.karte = k
            }
            p.contextFeatureLabels = contextFeatureLabels
            p.peerFeatures = c.peerFeatures
            p.weighted = weighted
            if let locatorShapes, boundaries?.shapes[m.code] != nil {
                let peers =
                    p.peerBasis == .neighbours
                    ? (neighbours[m.code] ?? []).map(\.code) : (g.map { members[$0.group] ?? [] } ?? []).map(\.code)
                p.locatorMap = Maps.locator(locatorShapes, code: m.code, peers: Set(peers), width: Maps.locatorWidth)
                p.mapCredit = mapCredit
            }
            return p
        }
        if c.templates != nil {
            // The prefecture's own templates: a name its view lacks would render empty, silently.
            let letter = LetterView(
                municipality: "", addressee: "", honorific: "", prefectureName: "", section: nil, fiscalYear: "",
                whole: "", municipalities: "", answered: nil, zipName: "", files: [], deferred: "", karte: nil,
                contact: "", handlingNote: "")
            templateWarnings += templates.unknownNames("report", views: packets.map { ReportView($0, css: "") })
            templateWarnings += templates.unknownNames("letter", views: [letter])
        }
        try reportTemplateWarnings(templateWarnings, strict: c.strictTemplates, ctx)
        // Municipalities are independent: build them on both cores, write in code order.
        let runID = ctx.runID
        let progress = ctx.progress
        let results = parallelMap(packets.indices) { i in
            defer { progress(1) }
            return Result {
                try build(
                    packets[i], email: master[i].email, settings: c, runID: runID, dir: dir, printer: printer,
                    templates: templates, staging: staging)
            }
        }
        var mailing: [[String]] = [
            ["市区町村コード", "市区町村名", "担当者メール", "zipファイル", "バイト数", "SHA-256", "メール下書き", "メールの添付"]
        ]
        for (i, r) in results.enumerated() {
            let built = try r.get()
            let m = master[i]
            let emlName = built.eml.isEmpty ? "" : "mail/\(m.code).eml"
            mailing.append([
                m.code.text, m.name, m.email, built.zipName, String(built.zip.count), Hashing.sha256(built.zip),
                emlName,
                built.attached,
            ])
        }
        try AtomicFile.write(
            try CSVWriter.encode(mailing, options: .excel(.utf8BOM)), to: dir.appending("mailing_list.csv"),
            staging: staging)
        // The 圏域 and service-group tables (published values only), for prefecture staff.
        let areaRows = try RunFiles.areas.read(ctx) + RunFiles.serviceGroups.read(ctx)
        var summaryWarnings: [String] = []
        let summary = PrefectureSummary.render(
            wording: wording, wave: c.wave, master: master, feedback: feedback, groups: groupOf,
            prefecture: surveyedTotal(surveyed), contact: c.contact,
            trends: trends[c.prefectureMunicipalityCode].map { $0.values.flatMap { $0 } } ?? [],
            references: c.references, templates: templates, boundaries: boundaries, mapCredit: mapCredit,
            roadmap: roadmap, roadmapSettings: c.roadmap, prefectureInputs: prefectureInputProblems,
            areas: areaRows, onWarning: { summaryWarnings.append($0) })
        try reportTemplateWarnings(summaryWarnings, strict: c.strictTemplates, ctx)
        try AtomicFile.write(Array(summary.utf8), to: dir.appending("prefecture_summary.html"), staging: staging)
        if let printer {
            _ = try printer.print(
                html: dir.appending("prefecture_summary.html"), to: dir.appending("prefecture_summary.pdf"),
                author: c.issuer, staging: staging)
        }
        _ = try Workbooks.summary(
            wording: wording, wave: c.wave, master: master, feedback: feedback, areas: areaRows,
            trends: trends.values.flatMap { $0.values.flatMap { $0 } }.sorted {
                ($0.code, $0.indicator.rawValue, $0.wave) < ($1.code, $1.indicator.rawValue, $1.wave)
            }, path: dir.appending("prefecture_summary.xlsx"))
        ctx.logger.info("\(packets.count) municipalities")
        return StageResult(counts: ["packets": packets.count])
    }

    /// Logs what looks wrong in the prefecture's templates, or with `strict_templates` stops the
    /// stage with all of it in one message.
    static func reportTemplateWarnings(_ warnings: [String], strict: Bool, _ ctx: StageContext) throws {
        if strict && !warnings.isEmpty {
            throw StageFailure(
                .configuration,
                "[packets] strict_templates: the templates have \(warnings.count) problem(s):\n  "
                    + warnings.joined(separator: "\n  "))
        }
        for warning in warnings { ctx.logger.warning("templates: \(warning)") }
    }

    /// The SHA-256 of the prefecture's own templates, so that editing one re-runs packets.
    static func templateDigest(_ directory: FilePath?) -> String {
        guard let directory else { return "" }
        return Templates.names.map { name in
            (try? Hashing.sha256(file: directory.appending(name))).map { "\(name)=\($0)" } ?? ""
        }.joined(separator: ";")
    }

    /// The prefecture's own surveyed count (the frame), for the summary's total row.
    static func surveyedTotal(_ surveyed: [MunicipalityCode: Int]) -> Int? {
        surveyed.isEmpty ? nil : surveyed.values.reduce(0, +)
    }

    /// Writes one municipality's folder, zip and mail draft; returns the zip's name and bytes, the
    /// draft's bytes and what the draft attached, in words for the mailing list.
    static func build(
        _ p: PacketData, email: String, settings c: Settings, runID: String, dir: FilePath, printer: PDFPrinter? = nil,
        templates: Templates = .standard, staging: StagingWrites? = nil
    ) throws -> (
        zipName: String, zip: [UInt8], eml: [UInt8], attached: String
    ) {
        // The folder name comes from the validated 6-digit code only, never from input text.
        let folder = dir.appending(p.code.text)
        try RunLayout.makeDirectory(folder)
        var files: [(String, [UInt8])] = []
        let html = Array(ReportRenderer.render(p, templates: templates).utf8)
        files.append(("report.html", html))
        if let printer {
            try AtomicFile.write(html, to: folder.appending("report.html"), staging: staging)
            files.append(
                (
                    "report.pdf",
                    try printer.print(
                        html: folder.appending("report.html"), to: folder.appending("report.pdf"), author: c.issuer,
                        staging: staging)
                ))
        }
        let options = CSVWriteOptions.excel(c.csvEncoding)
        let csv = { (rows: [[String]]) throws -> [UInt8] in
            var o = options
            o.replaceUnencodable = c.csvEncoding == .cp932
            return try CSVWriter.encode(rows, options: o)
        }
        files.append(("indicators.csv", try csv(PacketTables.indicators(p))))
        files.append(("peers.csv", try csv(PacketTables.peers(p))))
        files.append(("model_projects.csv", try csv(PacketTables.projects(p))))
        files.append(("data_quality.csv", try csv(PacketTables.quality(p))))
        if let k = p.karte {
            if !k.figures.isEmpty { files.append(("karte.csv", try csv(PacketTables.karte(k)))) }
            if k.hasRoadmap { files.append(("roadmap.csv", try csv(PacketTables.roadmap(k)))) }
        }
        let workbook = "\(p.code)_集計表.xlsx"
        files.append((workbook, try Workbooks.municipality(p, path: folder.appending(workbook))))
        if let form = p.selfAssessmentForm {
            files.append((form.csvName, try csv(form.rows)))
            files.append(
                (
                    form.workbookName,
                    try Workbooks.selfAssessmentForm(p, form, path: folder.appending(form.workbookName))
                ))
        }
        let manifest = PacketManifest(
            municipalityCode: p.code, municipalityName: p.name, wave: c.wave, pipeline: c.name, runID: runID,
            files: files.map { ManifestFile(name: $0.0, bytes: $0.1.count, sha256: Hashing.sha256($0.1)) })
        files.append(("manifest.json", try JSONFile.encode(manifest)))
        for (name, bytes) in files { try AtomicFile.write(bytes, to: folder.appending(name), staging: staging) }

        let archive = try Archive(data: Data(), accessMode: .create)
        for (name, bytes) in files {
            let data = Data(bytes)
            try archive.addEntry(
                with: "\(p.code)/\(name)", type: .file, uncompressedSize: Int64(data.count), modificationDate: zipDate,
                permissions: 0o644, compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        let zip = Array(archive.data ?? Data())
        let zipName = "\(p.code).zip"
        try AtomicFile.write(zip, to: dir.appending(zipName), staging: staging)
        // What the draft carries, in the order `[packets] attach` names them.
        var attachments: [Mail.Attachment] = []
        for kind in c.attach {
            let chosen: [(String, [UInt8])]
            switch kind {
            case .zip: chosen = [(zipName, zip)]
            case .pdf: chosen = files.filter { $0.0 == "report.pdf" }
            case .workbook: chosen = files.filter { $0.0.hasSuffix(".xlsx") }
            case .html: chosen = files.filter { $0.0 == "report.html" }
            case .csv: chosen = files.filter { $0.0.hasSuffix(".csv") }
            }
            attachments += chosen.map { Mail.Attachment(name: $0.0, bytes: $0.1) }
        }
        let zipped = attachments.count == 1 && attachments[0].name == zipName
        let size = attachments.reduce(0) { $0 + $1.bytes.count }
        // Too large for a mail (base64 adds a third): nothing attached, the letter says so.
        let deferred = size * 4 / 3 > c.maxMailBytes ? "\(p.code)" : nil
        var eml: [UInt8] = []
        if MailAddress.isPlausible(email) {
            try RunLayout.makeDirectory(dir.appending("mail"))
            eml = Mail.draft(
                from: c.sender, to: email, packet: p, attachments: attachments,
                listed: zipped || deferred != nil ? files.map(\.0) : attachments.map(\.name), deferred: deferred,
                templates: templates)
            try AtomicFile.write(eml, to: dir.appending("mail/\(p.code).eml"), staging: staging)
        }
        let attached = deferred != nil ? "なし（容量超過のため別送）" : attachments.map(\.name).joined(separator: " ")
        return (zipName, zip, eml, attached)
    }
}

/// The packet CSV tables: Japanese headers and labels first, values rounded as the report shows
/// them (full precision stays in the prefecture's internal files), the English key last.
enum PacketTables {
    /// A value as displayed, without thousands separators (so Excel reads it as a number).
    static func shown(_ v: Double?, _ spec: Indicator) -> String {
        guard let v else { return "" }
        return formatFixed(v, digits: spec.displayDigits)
    }

    static func indicators(_ p: PacketData) -> [[String]] {
        let w = p.wording
        var rows = [
            [
                "指標名", "単位", "値", "95%信頼区間_下限", "95%信頼区間_上限", "標準誤差", "信頼性", "推計値(小地域推定)", "推計値の標準誤差", "集計対象数",
                "秘匿", w.whole, p.regionColumn,
                "比較_中央値", "比較_第1四分位", "比較_第3四分位", "比較の対象", "\(w.within)の位置(四分位)", "\(w.within)の位置(誤差を含む)", "前回調査",
                "前回値", "変化", "コメント", "指標キー",
            ]
        ]
        for spec in Indicator.allCases {
            guard let r = p.row(spec) else { continue }
            let basis = PacketData.peerColumn(r.peerBasis, w)
            rows.append([
                spec.japanese, spec.unit, shown(r.value, spec), shown(r.ciLow, spec), shown(r.ciHigh, spec),
                r.se.map { formatFixed($0, digits: spec.displayDigits + 1) } ?? "", r.reliability?.japanese ?? "",
                shown(r.smallArea, spec), r.smallAreaSE.map { formatFixed($0, digits: spec.displayDigits + 1) } ?? "",
                String(r.n),
                r.suppressed ? "秘匿" : "", shown(r.prefectureValue, spec), shown(r.regionValue, spec),
                shown(r.peerMedian, spec),
                shown(r.peerQ1, spec), shown(r.peerQ3, spec), basis, r.quartile.map(String.init) ?? "",
                r.quartileRange.map(Charts.quartileWords) ?? "",
                r.previousWave?.text ?? "", shown(r.previousValue, spec), shown(r.change, spec), r.comment,
                spec.rawValue,
            ])
        }
        return rows
    }

    static func peers(_ p: PacketData) -> [[String]] {
        var rows = [["区分", "グループ", "グループの特徴", "市区町村名", "類似度", "近い特徴"]]
        for m in p.groupMembers {
            rows.append(["同じグループ", p.groupNumber.map(String.init) ?? "", p.groupLabel, m, "", ""])
        }
        for n in p.neighbours {
            rows.append([
                "状況の近い団体", "", "", n.name, formatFixed(n.similarity, digits: 3),
                n.closest.map(\.japanese).joined(separator: "・"),
            ])
        }
        return rows
    }

    static func projects(_ p: PacketData) -> [[String]] {
        [["実施団体", "事業名", "テーマ", "年度", "関係", "概要"]]
            + p.projects.map {
                [$0.projectMunicipalityName, $0.projectName, $0.theme, $0.fiscalYear, $0.relation, $0.summary]
            }
    }

    static func karte(_ k: KarteData) -> [[String]] {
        [["指標", "単位", "値", "年度", "出典", "県全体", "第1四分位", "中央値", "第3四分位", "比較団体数", "比較団体の中央値", "指標ID"]]
            + k.figures.map { row in
                let f = row.figure
                return [
                    f.label, f.unit, formatNumber(f.value), f.year, f.source, formatNumber(row.prefectureValue),
                    formatNumber(row.prefecture?.q1), formatNumber(row.prefecture?.median),
                    formatNumber(row.prefecture?.q3), String(row.peerCount), formatNumber(row.peers?.median), f.id,
                ]
            }
    }

    static func roadmap(_ k: KarteData) -> [[String]] {
        var rows = [["領域", "段階", "種別", "項目", "自己評価", "値", "下限", "上限", "基準", "判定", "コメント", "単位"]]
        for a in k.areas {
            for i in a.items {
                rows.append([
                    a.name, String(i.stage.rawValue), i.kind.rawValue, i.label,
                    i.notApplicable ? SelfAssessment.notApplicable : i.score.map(String.init) ?? "",
                    formatNumber(i.value), formatNumber(i.interval?.lowerBound), formatNumber(i.interval?.upperBound),
                    i.threshold?.description ?? "", i.kind == .objective ? (i.judgement ?? .noValue).japanese : "",
                    i.comment, i.unit,
                ])
            }
        }
        return rows
    }

    static func quality(_ p: PacketData) -> [[String]] {
        [["調査", "ルール", "内容", "件数"]]
            + p.quality.map { [$0.kind.japaneseName, $0.rule.rawValue, $0.rule.japanese, String($0.rows)] }
    }
}

/// The roadmap stage's files, each empty when the pipeline has no roadmap or context.
struct RoadmapFiles {
    var items: [RoadmapItem]
    var results: [RoadmapItemResult]
    var stages: [RoadmapStageResult]
    var previous: [RoadmapPreviousRow]
    var overview: [RoadmapOverviewRow]
    var karte: [KarteRow]
    var pairings: [PairingRow]
    /// The municipalities' own items (each shown in its own packet only).
    var ownItems: [OwnItem]
    /// The model projects, with their areas (the prefecture's pairing table).
    var projects: [ModelProject]
    /// The support given since the last wave (`inputs.support`, within the window), and how the
    /// municipalities that received it moved.
    var support: [SupportRecord]
    var supportOutcomes: [SupportOutcomeRow]

    /// `window`: the dates of support given since the last wave (nil without `inputs.support`).
    init(_ ctx: StageContext, supportWindow window: ClosedRange<Day>?) throws {
        items = try RunFiles.roadmapItems.readIfPresent(ctx)
        results = try RunFiles.roadmapResults.readIfPresent(ctx)
        stages = try RunFiles.roadmapStages.readIfPresent(ctx)
        previous = try RunFiles.roadmapPrevious.readIfPresent(ctx)
        overview = try RunFiles.roadmapOverview.readIfPresent(ctx)
        karte = try RunFiles.karte.readIfPresent(ctx)
        pairings = try RunFiles.roadmapPairings.readIfPresent(ctx)
        ownItems = try RunFiles.ownItems.readIfPresent(ctx)
        projects = try RunFiles.modelProjects.readIfPresent(ctx)
        support = try window.map { w in try RunFiles.support.readIfPresent(ctx).filter { w.contains($0.date) } } ?? []
        supportOutcomes = try RunFiles.supportOutcomes.readIfPresent(ctx)
    }
}
