import BansoCore
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

@testable import BansoPackets

@Suite("printing with a browser")
struct PDFPrinterTests {
    /// A stand-in browser (a shell script with `body` run for a print) and a stand-in qpdf that
    /// copies its input to its output.
    func printer(_ body: String) throws -> (printer: PDFPrinter, html: String) {
        let dir = TestSupport.temporaryFolder("banso-browser")
        TestSupport.write(
            "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in --print-to-pdf=*) out=\"${a#--print-to-pdf=}\";; esac; done\n"
                + body + "\n", to: dir + "/chromium")
        TestSupport.write(
            "#!/bin/sh\nfor a in \"$@\"; do input=\"$output\"; output=\"$a\"; done\ncp \"$input\" \"$output\"\n",
            to: dir + "/qpdf")
        chmod(dir + "/chromium", 0o755)
        chmod(dir + "/qpdf", 0o755)
        TestSupport.write("<html></html>", to: dir + "/r.html")
        return (try PDFPrinter(chromium: dir + "/chromium", qpdf: dir + "/qpdf"), dir + "/r.html")
    }

    @Test("junk written as the PDF is refused")
    func junk() throws {
        let (printer, html) = try printer("echo 'not a pdf' > \"$out\"")
        let error = #expect(throws: StageFailure.self) {
            try printer.print(html: FilePath(html), to: FilePath(html + ".pdf"), author: "長野県")
        }
        #expect(error?.description.contains("wrote no PDF") == true)
        #expect(!FileManager.default.fileExists(atPath: html + ".pdf"))
    }

    @Test("a PDF is accepted, its dates fixed, the browser's /Creator replaced by the issuer as /Author")
    func pdf() throws {
        let (printer, html) = try printer("cp \"$(dirname \"$0\")/printed.pdf\" \"$out\"")
        let creator = "/Creator (Mozilla/5.0 \\(X11; Linux x86_64\\) AppleWebKit/537.36 HeadlessChrome/156.0.0.0)"
        let printed = "%PDF-1.4\n(D:20261206101010+09'00')\n\(creator)\n/Producer (Skia)\n"
        TestSupport.write(printed, to: (html as NSString).deletingLastPathComponent + "/printed.pdf")
        let bytes = try printer.print(html: FilePath(html), to: FilePath(html + ".pdf"), author: "長野県 介護支援課")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("(D:20200101000000+09'00')"))
        // 長野県 介護支援課 in UTF-16BE after its byte-order mark, padded to the slot's length: nothing moves.
        #expect(text.contains("/Author <FEFF957791CE770C00204ECB8B77652F63F48AB2>   "))
        #expect(!text.contains("/Creator") && text.contains("\n/Producer (Skia)\n"))
        #expect(bytes.count == printed.utf8.count)
    }

    @Test("an issuer too long for the slot is cut to fit; a PDF without /Creator keeps its bytes")
    func author() {
        let slot = Array("/Creator (Mozilla/5.0)".utf8)
        let cut = PDFPrinter.withAuthor(slot, "長野県")
        #expect(String(decoding: cut, as: UTF8.self) == "/Author <FEFF957791CE>")
        let none = Array("%PDF-1.4\n/Producer (Skia)".utf8)
        #expect(PDFPrinter.withAuthor(none, "長野県") == none)
    }

    @Test("a browser that fails says its exit status; a folder named as the browser is refused")
    func failures() throws {
        let (printer, html) = try printer("exit 7")
        let error = #expect(throws: StageFailure.self) {
            try printer.print(html: FilePath(html), to: FilePath(html + ".pdf"), author: "長野県")
        }
        #expect(error?.description.contains("exit status 7") == true)
        let folder = #expect(throws: StageFailure.self) {
            try PDFPrinter(chromium: (printer.chromium as NSString).deletingLastPathComponent, qpdf: printer.qpdf)
        }
        #expect(folder?.message.contains("[packets] chromium") == true)
        #expect(folder?.message.contains("is not an executable file") == true)
        let noQpdf = #expect(throws: StageFailure.self) {
            try PDFPrinter(chromium: printer.chromium, qpdf: "/nonexistent/qpdf")
        }
        #expect(noQpdf?.message.contains("[packets] qpdf = /nonexistent/qpdf is not an executable file") == true)
    }
}

@Suite("the カルテ's peers' stages")
struct KartePrivacyTests {
    @Test(
        "peers' stage counts are shown only when at least 3 answered and they are not all at one stage",
        arguments: [
            ([0, 0, 1, 0], false), ([0, 1, 1, 0], false), ([0, 3, 0, 0], false), ([5, 0, 0, 0], false),
            ([1, 2, 0, 0], true), ([0, 1, 1, 1], true),
        ])
    func disclosable(_ counts: [Int], _ shown: Bool) {
        #expect(KarteText.disclosable(counts) == shown)
    }
}
