import SenseFuzzing

#if canImport(Glibc)
    import Glibc
#endif

// libFuzzer's entry point. One binary serves every target; `FUZZ_TARGET` names the one to run
// (Fuzz/fuzz.sh sets it). Built with `-sanitize=fuzzer,address`, so libFuzzer supplies `main`.

private let target: FuzzTargets.Target = {
    let name = getenv("FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let t = FuzzTargets.named(name) else {
        fputs("FUZZ_TARGET must name one of: \(FuzzTargets.all.map(\.name).joined(separator: ", "))\n", stderr)
        exit(2)
    }
    return t
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
