import SenseOS
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A card that takes `delay` for every state file write (as an SD card does under wear
/// levelling), or fails them all with `failing`; it writes to the disk as the real one does.
package final class SlowStateFiles: StateFiles {
    private let delayMicroseconds: UInt32
    private let failing = Atomic<Int32>(0)
    private let count = Atomic<Int>(0)

    package init(delayMilliseconds: Int) { delayMicroseconds = UInt32(delayMilliseconds * 1000) }

    /// Every write from now on fails with `errno` (0: they succeed again).
    package func fail(with errno: Int32) { failing.store(errno, ordering: .releasing) }

    /// Writes so far, including failed ones.
    package var writes: Int { count.load(ordering: .acquiring) }

    package func replace(_ path: String, with text: String) throws(DurableFile.Failure) {
        count.add(1, ordering: .acquiringAndReleasing)
        usleep(delayMicroseconds)
        let e = failing.load(ordering: .acquiring)
        if e != 0 { throw DurableFile.Failure(path: path + ".tmp", operation: "write", errno: e) }
        try DurableFile.replace(path, with: text)
    }
}
