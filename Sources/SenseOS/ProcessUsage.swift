#if canImport(Glibc)
    import Glibc
#endif

/// This process's CPU time and resident memory, for the health report and the metrics file.
package enum ProcessUsage {
    /// User plus system CPU time since the process started, in seconds.
    package static func cpuSeconds() -> Double? {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return nil }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
