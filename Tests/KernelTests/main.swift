#if canImport(Glibc)
    import Glibc
#endif

// sensegate-kernel-tests: the Linux backends against the kernel's own drivers, run inside the
// QEMU guest of deploy/kernel-vm (docs/testing.md). Arguments: [--daemon PATH] [FILTER...]
var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--drive", arguments.count == 4, let line = Int(arguments[1]), let count = Int(arguments[2]),
    let pace = UInt32(arguments[3])
{
    // The burst tests' outside world: a second process driving a line (GPIOKernelTests.burst).
    do { try GPIOKernelTests.drive(line: line, count: count, pace: pace) } catch {
        print("drive: \(error)")
        exit(1)
    }
    exit(0)
}
var daemon: String?
if let i = arguments.firstIndex(of: "--daemon"), i + 1 < arguments.count {
    daemon = arguments[i + 1]
    arguments.removeSubrange(i...(i + 1))
}
print("# sensegate kernel tests, libgpiod API v\(GPIOKernelTests.apiVersion)")
let tests = I2CKernelTests.all + GPIOKernelTests.all + PipelineKernelTests.all + DaemonKernelTests.all(daemon: daemon)
let failed = await KernelTestRunner.run(tests, filters: arguments)
exit(failed == 0 ? 0 : 1)
