import Foundation

/// A printed PDF as poppler reads it back: its words' boxes per page, its fonts and its document information.
///
/// The tests use it to look at print the way a reader does: text that crosses other text, pages
/// that hold only a few lines, fonts that print as pictures (Type 3), a missing tag or title.
package struct PrintedPDF {
    /// A word and its box, in points from the page's top left corner.
    package struct Word: Equatable, CustomStringConvertible {
        package let text: String
        package let xMin: Double, yMin: Double, xMax: Double, yMax: Double
        package var description: String { "「\(text)」 at (\(Int(xMin)), \(Int(yMin)))" }
    }

    /// One page: its height and its words.
    package struct Page {
        package let height: Double
        package let words: [Word]
    }

    package let path: String
    package let pages: [Page]
    /// `pdffonts`' table, one line per font below its header.
    package let fonts: [String]
    /// `pdfinfo`'s lines, key and value (`Tagged`, `yes`).
    package let info: [String: String]
    package let bytes: Int

    /// Whether this machine can print PDFs and read them back: chromium, qpdf and poppler's tools
    /// (`scripts/install-deps --with-pdf`); CI (`CI=true`) must, so there the tests run and fail loudly.
    package static let canPrint: Bool =
        ProcessInfo.processInfo.environment["CI"] == "true"
        || (["/usr/bin/chromium", "/usr/bin/chromium-browser"].contains {
            FileManager.default.isExecutableFile(atPath: $0)
        }
            && ["/usr/bin/pdftotext", "/usr/bin/pdffonts", "/usr/bin/pdfinfo", "/usr/bin/qpdf"].allSatisfy {
                FileManager.default.isExecutableFile(atPath: $0)
            })

    /// Reads `path` with pdftotext -bbox, pdffonts and pdfinfo.
    package init(_ path: String) throws {
        self.path = path
        let (_, xml, _) = try TestSupport.run("/usr/bin/pdftotext", ["-bbox", path, "-"])
        pages = xml.components(separatedBy: "<page ").dropFirst().map(Self.page)
        let (_, table, _) = try TestSupport.run("/usr/bin/pdffonts", [path])
        fonts = Array(table.split(separator: "\n").dropFirst(2).map(String.init))
        let (_, lines, _) = try TestSupport.run("/usr/bin/pdfinfo", [path])
        var info: [String: String] = [:]
        for line in lines.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            info[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.info = info
        bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// The PDF's objects as text, unpacked from their compressed streams by qpdf (`--qdf`).
    package func objects() throws -> String {
        let (_, text, _) = try TestSupport.run(
            "/usr/bin/qpdf", ["--qdf", "--object-streams=disable", "--decode-level=none", path, "-"])
        return text
    }

    private static func page(_ xml: String) -> Page {
        func number(_ key: String, in text: Substring) -> Double {
            guard let r = text.range(of: key + "=\"") else { return 0 }
            return Double(text[r.upperBound...].prefix { $0 != "\"" }) ?? 0
        }
        let head = xml.prefix { $0 != ">" }
        var words: [Word] = []
        for part in xml.components(separatedBy: "<word ").dropFirst() {
            guard let close = part.firstIndex(of: ">"), let end = part.range(of: "</word>") else { continue }
            let attributes = part[..<close]
            let text = part[part.index(after: close)..<end.lowerBound]
                .replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
                .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
            words.append(
                Word(
                    text: text, xMin: number("xMin", in: attributes), yMin: number("yMin", in: attributes),
                    xMax: number("xMax", in: attributes), yMax: number("yMax", in: attributes)))
        }
        return Page(height: number("height", in: head), words: words)
    }

    /// Pairs of words on one page whose boxes cross by more than a point each way.
    package var overlaps: [(page: Int, Word, Word)] {
        var found: [(Int, Word, Word)] = []
        for (n, page) in pages.enumerated() {
            let words = page.words
            for i in words.indices {
                for j in words.indices where j > i {
                    let a = words[i], b = words[j]
                    let x = min(a.xMax, b.xMax) - max(a.xMin, b.xMin)
                    let y = min(a.yMax, b.yMax) - max(a.yMin, b.yMin)
                    if x > 1 && y > 1 { found.append((n + 1, a, b)) }
                }
            }
        }
        return found
    }

    /// The word printed smallest (the height of its box, about its size in points), if any.
    package var smallest: Word? {
        pages.flatMap(\.words).min { $0.yMax - $0.yMin < $1.yMax - $1.yMin }
    }

    /// How far down each page its text reaches, as a share of the printable height.
    ///
    /// The 12 mm margins (34 pt) are left out: the running footer prints in the bottom one.
    package var fill: [Double] {
        pages.map { page in
            let margin = 34.0
            let body = page.words.filter { $0.yMax < page.height - margin }.map(\.yMax)
            guard let bottom = body.max() else { return 0 }
            return (bottom - margin) / (page.height - 2 * margin)
        }
    }
}
