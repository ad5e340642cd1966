import BansoFuzzHarness
import Foundation

/// Which parser is fuzzed: `BANSO_FUZZ_TARGET` = rows (default), templates or boundaries.
let target = ProcessInfo.processInfo.environment["BANSO_FUZZ_TARGET"] ?? "rows"

/// One input: see `FuzzHarness` (shared with the regression tests).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch target {
    case "templates": FuzzHarness.runTemplate(bytes)
    case "boundaries": FuzzHarness.runBoundaries(bytes)
    default: FuzzHarness.run(bytes)
    }
    return 0
}

/// libFuzzer's driver (from the `-sanitize=fuzzer` runtime).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// SwiftPM links executables with `main` aliased to `<target>_main`; with `-parse-as-library`
/// there is no Swift `main`, so this one hands control to libFuzzer's driver.
@_cdecl("banso_fuzz_main")
public func bansoFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in
        guard let data else { return fuzz(UnsafePointer(bitPattern: 1)!, 0) }
        return fuzz(data, size)
    }
}
