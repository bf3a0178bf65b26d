#if canImport(Glibc)
    import Glibc
#endif

/// The terminal a command writes to: whether it is one, its size, and whether it takes colour
/// (a terminal that is not `dumb`, and no `NO_COLOR`, as no-color.org asks).
package enum Terminal {
    package static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Columns and rows, or nil when `fd` is not a terminal (or says 0).
    package static func size(_ fd: Int32) -> (columns: Int, rows: Int)? {
        var w = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0, w.ws_row > 0 else { return nil }
        return (Int(w.ws_col), Int(w.ws_row))
    }

    package static func takesColour(_ fd: Int32) -> Bool {
        guard isTerminal(fd), getenv("NO_COLOR") == nil else { return false }
        guard let term = getenv("TERM").map({ String(cString: $0) }) else { return false }
        return term != "dumb" && !term.isEmpty
    }
}
