import SenseHardware

/// GPIO lines named in a config by the board's names for them.
enum BoardPins {
    /// A line named by `key` (`GPIO17`, `pin11`).
    static func line(_ m: inout MappingReader, _ key: String, board: Board?, sink: DiagnosticSink) -> (Board.Line, String)? {
        let s = ScalarReader(sink)
        guard let p = m.required(key), let pin = s.string(p, m.child(key)), let board else { return nil }
        guard let l = board.line(named: pin) else {
            sink.error(p.mark, m.child(key), "board '\(board.name)' has no pin '\(pin)'; name a line such as GPIO17 or a header pin such as pin11")
            return nil
        }
        return (l, pin)
    }
}
