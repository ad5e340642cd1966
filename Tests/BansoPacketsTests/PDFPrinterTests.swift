import BansoCore
import BansoTestSupport
import Foundation
import SystemPackage
import Testing

@testable import BansoPackets

@Suite("printing with a browser")
struct PDFPrinterTests {
    /// A stand-in browser: a shell script with `body` run for a print.
    func browser(_ body: String) -> (browser: String, html: String) {
        let dir = TestSupport.temporaryFolder("banso-browser")
        TestSupport.write(
            "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in --print-to-pdf=*) out=\"${a#--print-to-pdf=}\";; esac; done\n"
                + body + "\n", to: dir + "/chromium")
        chmod(dir + "/chromium", 0o755)
        TestSupport.write("<html></html>", to: dir + "/r.html")
        return (dir + "/chromium", dir + "/r.html")
    }

    @Test("junk written as the PDF is refused")
    func junk() throws {
        let (chromium, html) = browser("echo 'not a pdf' > \"$out\"")
        let error = #expect(throws: StageFailure.self) {
            try PDFPrinter.print(html: FilePath(html), to: FilePath(html + ".pdf"), chromium: chromium)
        }
        #expect(error?.description.contains("wrote no PDF") == true)
        #expect(!FileManager.default.fileExists(atPath: html + ".pdf"))
    }

    @Test("a PDF is accepted, its dates fixed")
    func pdf() throws {
        let (chromium, html) = browser("printf '%%PDF-1.4\\n(D:20261206101010+09'\"'\"'00'\"'\"')\\n' > \"$out\"")
        let bytes = try PDFPrinter.print(html: FilePath(html), to: FilePath(html + ".pdf"), chromium: chromium)
        #expect(String(decoding: bytes, as: UTF8.self).contains("(D:20200101000000+09'00')"))
    }

    @Test("a browser that fails says its exit status; a folder named as the browser is refused")
    func failures() throws {
        let (chromium, html) = browser("exit 7")
        let error = #expect(throws: StageFailure.self) {
            try PDFPrinter.print(html: FilePath(html), to: FilePath(html + ".pdf"), chromium: chromium)
        }
        #expect(error?.description.contains("exit status 7") == true)
        let folder = #expect(throws: StageFailure.self) {
            try PDFPrinter.find(configured: (chromium as NSString).deletingLastPathComponent)
        }
        #expect(folder?.message.contains("is not an executable file") == true)
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
