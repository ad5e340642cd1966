import BansoCore
import Foundation

/// RFC 5322 mail drafts with the packet attached; Bansō never sends mail itself.
package enum Mail {
    /// RFC 2047 encoded-words (UTF-8, base64), each at most 75 characters, folded with CRLF SP.
    package static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for ch in text {
            let bytes = Array(String(ch).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    /// Base64 in lines of 76 characters (RFC 2045), each ended by CRLF.
    ///
    /// Made as bytes: slicing the encoded String every 76 characters walked it grapheme by
    /// grapheme, a twentieth of the packets stage's time.
    static func base64Lines(_ bytes: [UInt8]) -> [UInt8] {
        let b64 = [UInt8](Data(bytes).base64EncodedData())
        var out: [UInt8] = []
        out.reserveCapacity(b64.count + b64.count / 76 * 2 + 2)
        var i = 0
        while i < b64.count {
            let j = min(i + 76, b64.count)
            out.append(contentsOf: b64[i..<j])
            out.append(contentsOf: [0x0D, 0x0A])
            i = j
        }
        return out
    }

    /// `Mon, 01 Dec 2025 09:00:00 +0900`: the day of issue at nine in the morning, Japan time.
    package static func rfc5322(_ d: Day) -> String {
        // Zeller's congruence for the weekday (Gregorian): no calendar, no clock.
        let (y, m) = d.month < 3 ? (d.year - 1, d.month + 12) : (d.year, d.month)
        let h = (d.day + 13 * (m + 1) / 5 + y + y / 4 - y / 100 + y / 400) % 7  // 0 = Saturday
        let weekday = ["Sat", "Sun", "Mon", "Tue", "Wed", "Thu", "Fri"][h]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.month - 1]
        let day = d.day < 10 ? "0\(d.day)" : "\(d.day)"
        return "\(weekday), \(day) \(month) \(d.year) 09:00:00 +0900"
    }

    /// One file a draft carries.
    package struct Attachment: Sendable {
        package var name: String
        package var bytes: [UInt8]
        package init(name: String, bytes: [UInt8]) {
            self.name = name
            self.bytes = bytes
        }

        /// The MIME type from the name's extension.
        var contentType: String {
            switch name.split(separator: ".").last.map(String.init) ?? "" {
            case "zip": "application/zip"
            case "pdf": "application/pdf"
            case "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            case "html": "text/html; charset=UTF-8"
            case "csv": "text/csv"
            case "json": "application/json"
            default: "application/octet-stream"
            }
        }

        /// The part's headers: an ASCII name as it is, any other in RFC 2231 (`filename*`) with
        /// an RFC 2047 `name` beside it for clients that read only that.
        var headers: String {
            let ascii = name.unicodeScalars.allSatisfy { $0.isASCII && $0 != "\"" && $0 != "\\" }
            let nameParameter = ascii ? "name=\"\(name)\"" : "name=\"\(Mail.encodedWords(name))\""
            let filename =
                ascii
                ? "filename=\"\(name)\""
                : "filename*=UTF-8''"
                    + name.utf8.map { b in
                        let safe =
                            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                            || b == 0x2D || b == 0x2E || b == 0x5F
                        return safe ? String(UnicodeScalar(b)) : String(format: "%%%02X", b)
                    }.joined()
            return "Content-Type: \(contentType); \(nameParameter)\r\n" + "Content-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; \(filename)\r\n\r\n"
        }
    }

    /// The draft: multipart/mixed with a short Japanese cover letter and the attachments.
    ///
    /// `attachments` are what `[packets] attach` chose (the zip, or the PDF and the workbook…);
    /// `listed` are the files the letter lists (the zip's contents when the zip is attached);
    /// `deferred` says the files were too large to attach and come separately (then nothing is
    /// attached and the letter says so).
    ///
    /// From is `[packets] sender`, Reply-To the contact's mail address (`[packets] email`) when
    /// it differs, so that a reply reaches the section and not whoever sent the batch; Date is the
    /// date of issue (`[packets] issued`, 09:00 JST), so that the same packet gives the same bytes.
    /// Without an issue date there is no Date (the mail client or MTA adds one), and never a
    /// Message-ID.
    package static func draft(
        from sender: String?, to address: String, packet p: PacketData, attachments: [Attachment],
        listed: [String] = ["report.html"], deferred: String? = nil, templates: Templates = .standard
    ) -> [UInt8] {
        let fy = HTML.fiscalYear(p.wave)
        let subject = "【介護人材実態調査】\(fy) 結果のご報告（\(p.name)）"
        let honorific = PrefectureWording.honorific(p.name)
        let zip = attachments.count == 1 && attachments[0].name.hasSuffix(".zip") ? attachments[0].name : nil
        var body = templates.render(
            LetterView(
                municipality: p.name, addressee: p.department.isEmpty ? "介護保険担当課" : p.department,
                honorific: honorific, prefectureName: p.wording.name, section: p.contact.section,
                fiscalYear: fy, whole: p.wording.whole, municipalities: p.wording.municipalities,
                answered: p.noAnswers ? nil : HTML.grouped(p.row(.respondents)?.value ?? 0, digits: 0),
                zipName: zip, files: attachmentLines(listed), deferred: deferred,
                karte: karteSentence(p.karte, prefecture: p.wording.name), contact: p.contactLine,
                handlingNote: p.handlingNote),
            "letter")
        while body.hasSuffix("\n") { body.removeLast() }
        let code = p.code
        let boundary = "banso-\(code)-0-boundary"
        var h = ""
        if let sender { h += "From: \(sender)\r\n" }
        if let reply = p.contact.email, reply != sender { h += "Reply-To: \(reply)\r\n" }
        if let issued = p.contact.issued { h += "Date: \(rfc5322(issued))\r\n" }
        h += "To: \(address)\r\n"
        h += "Subject: \(encodedWords(subject))\r\n"
        h += "MIME-Version: 1.0\r\n"
        h += "X-Unsent: 1\r\n"
        h += "Content-Type: multipart/mixed; boundary=\"\(boundary)\"\r\n"
        h += "\r\n"
        h += "This is a multi-part message in MIME format.\r\n"
        h += "--\(boundary)\r\n"
        h += "Content-Type: text/plain; charset=UTF-8\r\n"
        h += "Content-Transfer-Encoding: base64\r\n\r\n"
        var out = Array(h.utf8)
        out += base64Lines(Array(body.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        for a in deferred == nil ? attachments : [] {
            out += Array(("--\(boundary)\r\n" + a.headers).utf8)
            out += base64Lines(a.bytes)
        }
        out += Array("--\(boundary)--\r\n".utf8)
        return out
    }
}

/// What the cover letter template says.
struct LetterView: Encodable {
    let municipality: String
    /// The section addressed: the master's 担当課, else 介護保険担当課.
    let addressee: String
    let honorific: String
    let prefectureName: String
    let section: String?
    let fiscalYear: String
    let whole: String
    let municipalities: String
    /// Establishments that answered; nil for the letter to a municipality without answers.
    let answered: String?
    /// The zip's name when the zip is what is attached.
    let zipName: String?
    /// What is attached (or, with the zip, what it holds), one line each, as the letter lists it.
    let files: [String]
    /// The packet folder's name when the files were too large to attach and come separately.
    let deferred: String?
    /// What the report's second half holds (the カルテ, the roadmap); nil without them.
    let karte: String?
    let contact: String
    let handlingNote: String
}

extension Mail {
    /// The letter's list of what is attached: exactly the files in the zip, grouped as a reader
    /// opens them (the CSVs as one line).
    static func attachmentLines(_ files: [String]) -> [String] {
        var lines: [String] = []
        let forms = files.filter { $0.hasPrefix("self_assessment_") || $0.hasSuffix("_自己評価票.xlsx") }
        if files.contains("report.html") { lines.append("report.html … 結果のご報告（ブラウザで開き、印刷もできます）") }
        if files.contains("report.pdf") { lines.append("report.pdf … 同じ内容の印刷用の PDF") }
        for f in files where f.hasSuffix(".xlsx") && !forms.contains(f) { lines.append("\(f) … 同じ内容の表（Excel の集計表）") }
        let csv = files.filter { $0.hasSuffix(".csv") && !forms.contains($0) }
        if !csv.isEmpty { lines.append("\(csv.joined(separator: "、")) … 同じ内容の表（CSV）") }
        if !forms.isEmpty {
            lines.append("\(forms.joined(separator: "、")) … 次回の自己評価票（今回の回答を記入済み。評価と回答日を更新してお返しください）")
        }
        if files.contains("manifest.json") { lines.append("manifest.json … 添付ファイルの一覧と確認用の値") }
        return lines
    }

    /// The sentence that points to the カルテ and the roadmap in the report, when it has them.
    static func karteSentence(_ k: KarteData?, prefecture: String) -> String? {
        guard let k else { return nil }
        if k.hasRoadmap {
            return "資料の後半には、地域診断カルテと構築ロードマップ（領域ごとの到達段階と、次の段階に向けて\(prefecture)が用意している支援）をまとめています。"
        }
        return k.figures.isEmpty ? nil : "資料の後半には、地域の状況を示す指標を地域診断カルテとしてまとめています。"
    }
}
