import CXLSXWriter
import Foundation

/// Why a workbook could not be written: the file and libxlsxwriter's reason.
package struct WorkbookError: Error, CustomStringConvertible {
    package let path: String
    package let reason: String
    package var description: String { "\(path): cannot write the workbook: \(reason)" }
}

/// An Excel workbook written with libxlsxwriter; the only module that sees its C API.
///
/// The file appears at `path` only when `close()` succeeds (it is written beside it first and
/// renamed), and its document properties carry a fixed date, so the same data gives the same bytes.
package final class Workbook {
    /// How a cell's number is shown.
    package enum NumberStyle: Hashable, Sendable {
        /// Whole numbers with thousands separators (人, 円, 事業所).
        case grouped
        /// Decimals, with thousands separators.
        case decimals(Int)
    }

    let path: String
    let temporary: String
    /// Printed at the top of every page, so that a printed sheet names its municipality.
    let title: String
    private var handle: OpaquePointer?
    /// Formats made so far, by look.
    private var formats: [FormatKey: OpaquePointer] = [:]

    /// A look: a key of plain values (a key made by interpolating the enum into a String went
    /// through reflection for every cell).
    private struct FormatKey: Hashable {
        let bold: Bool
        let number: NumberStyle?
        let wrap: Bool
    }
    private var sheets: [Sheet] = []

    /// A new workbook; `title` and `author` go into its document properties.
    package init(path: String, title: String, author: String) throws {
        self.path = path
        self.title = title
        temporary =
            (path as NSString).deletingLastPathComponent + "/.tmp-\(getpid())-" + (path as NSString).lastPathComponent
        guard let wb = banso_workbook_new(temporary) else {
            throw WorkbookError(path: path, reason: "libxlsxwriter could not create it")
        }
        handle = OpaquePointer(wb)
        // 2020-01-01T00:00:00Z, as the packet zips use: no clock in the output.
        let status = banso_workbook_set_properties(wb, title, author, 1_577_836_800)
        guard status == LXW_NO_ERROR else { throw error(status) }
    }

    deinit {
        if handle != nil { unlink(temporary) }
    }

    var workbook: UnsafeMutablePointer<lxw_workbook> { UnsafeMutablePointer(handle!) }

    func error(_ status: lxw_error) -> WorkbookError {
        WorkbookError(path: path, reason: String(cString: lxw_strerror(status)))
    }

    /// A format, made once per distinct look.
    func format(bold: Bool = false, number: NumberStyle? = nil, wrap: Bool = false) -> UnsafeMutablePointer<lxw_format>
    {
        let key = FormatKey(bold: bold, number: number, wrap: wrap)
        if let f = formats[key] { return UnsafeMutablePointer(f) }
        let f = workbook_add_format(workbook)!
        if bold { format_set_bold(f) }
        if wrap { format_set_text_wrap(f) }
        format_set_font_name(f, "Meiryo UI")
        switch number {
        case .grouped?: format_set_num_format(f, "#,##0")
        case .decimals(let n)?: format_set_num_format(f, "#,##0." + String(repeating: "0", count: max(1, n)))
        case nil: break
        }
        formats[key] = OpaquePointer(f)
        return f
    }

    /// A new sheet (Excel limits names to 31 characters).
    package func addSheet(_ name: String) -> Sheet {
        let ws = workbook_add_worksheet(workbook, String(name.prefix(31)))!
        let sheet = Sheet(workbook: self, handle: OpaquePointer(ws))
        sheets.append(sheet)
        return sheet
    }

    /// Writes the file and puts it in place; returns its bytes (for the manifest and the zip).
    package func close() throws -> [UInt8] {
        let status = workbook_close(workbook)
        handle = nil
        guard status == LXW_NO_ERROR else {
            unlink(temporary)
            throw error(status)
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw WorkbookError(path: path, reason: String(cString: strerror(errno)))
        }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// One worksheet: cells, column widths, frozen header, A4 print setup.
package final class Sheet {
    unowned let workbook: Workbook
    let handle: OpaquePointer

    /// The widest unwrapped text written per column, in Excel's character units.
    var textWidths: [Int: Double] = [:]

    init(workbook: Workbook, handle: OpaquePointer) {
        self.workbook = workbook
        self.handle = handle
    }

    /// Excel's width of a text: a full-width (CJK) character takes two units.
    static func displayWidth(_ text: String) -> Double {
        Double(
            text.unicodeScalars.reduce(0) { $0 + ($1.value < 0x1100 || (0xFF61...0xFF9F).contains($1.value) ? 1 : 2) })
    }

    var sheet: UnsafeMutablePointer<lxw_worksheet> { UnsafeMutablePointer(handle) }

    /// A text cell (bold for headers).
    package func text(_ row: Int, _ column: Int, _ value: String, bold: Bool = false, wrap: Bool = false) {
        if !wrap { textWidths[column] = max(textWidths[column] ?? 0, Self.displayWidth(value) + 1) }
        worksheet_write_string(
            sheet, lxw_row_t(row), lxw_col_t(column), value, workbook.format(bold: bold, wrap: wrap))
    }

    /// A number cell shown with `style`; nil leaves the cell empty (never 0).
    package func number(_ row: Int, _ column: Int, _ value: Double?, _ style: Workbook.NumberStyle) {
        guard let value else { return }
        worksheet_write_number(sheet, lxw_row_t(row), lxw_col_t(column), value, workbook.format(number: style))
    }

    /// A drop-down list on `column` for `rows`: Excel accepts only `values` there (a blank too).
    ///
    /// libxlsxwriter copies the list when called, so the C strings live for this call only.
    package func listValidation(column: Int, rows: ClosedRange<Int>, values: [String]) throws {
        var strings: [UnsafeMutablePointer<CChar>?] = values.map { strdup($0) } + [nil]
        defer { for s in strings { free(s) } }
        var validation = lxw_data_validation()
        validation.validate = UInt8(LXW_VALIDATION_TYPE_LIST.rawValue)
        let status = strings.withUnsafeMutableBufferPointer { list in
            validation.value_list = list.baseAddress
            return worksheet_data_validation_range(
                sheet, lxw_row_t(rows.lowerBound), lxw_col_t(column), lxw_row_t(rows.upperBound), lxw_col_t(column),
                &validation)
        }
        guard status == LXW_NO_ERROR else { throw workbook.error(status) }
    }

    /// Column widths: at least `widths`, wider where an unwrapped text needs it (up to 60).
    package func widths(_ widths: [Double]) {
        for (i, w) in widths.enumerated() {
            let width = max(w, min(60, textWidths[i] ?? 0))
            worksheet_set_column(sheet, lxw_col_t(i), lxw_col_t(i), width, nil)
        }
    }

    /// Keeps the header row visible on screen and repeats it on every printed page; A4 paper,
    /// the width fitted to one page; the workbook's title at the top of each page and the page
    /// number at the foot, so that a printed sheet says whose figures it holds.
    package func header(rows: Int, landscape: Bool) {
        // `&` starts a code in Excel's header text; Excel keeps 255 characters.
        let title = String(workbook.title.replacingOccurrences(of: "&", with: "&&").prefix(200))
        worksheet_set_header(sheet, "&L" + title)
        worksheet_set_footer(sheet, "&C&P / &N")
        worksheet_freeze_panes(sheet, lxw_row_t(rows), 0)
        worksheet_repeat_rows(sheet, 0, lxw_row_t(rows - 1))
        worksheet_set_paper(sheet, 9)  // A4
        if landscape { worksheet_set_landscape(sheet) } else { worksheet_set_portrait(sheet) }
        worksheet_fit_to_pages(sheet, 1, 0)
    }
}
