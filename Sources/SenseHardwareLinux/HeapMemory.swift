import CLinuxShim

/// The C heap (glibc's malloc, which Swift's allocations use): what is in use, what is free but
/// still held from the kernel, and a way to give the free pages back.
package enum HeapMemory {
    /// Bytes allocated and not freed, over all arenas.
    package static var inUse: Int { Int(sg_heap_in_use()) }
    /// Bytes free inside the arenas: resident as far as they were touched, usable only by malloc.
    package static var free: Int { Int(sg_heap_free()) }

    /// Gives free pages of every arena back to the kernel (malloc_trim(3)); true when some were.
    /// Worth it after a burst that will not come back, such as the start: glibc keeps what a
    /// thread's arena grew to, and a start-up's transient buffers would stay resident for good.
    @discardableResult
    package static func releaseFree() -> Bool { sg_heap_release() == 1 }
}
