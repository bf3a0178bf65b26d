/// UTC timestamps as RFC 3339 with milliseconds (`2026-11-23T04:07:19.123Z`), computed with
/// the civil-from-days algorithm so the daemon needs no Foundation and no time-zone database.
extension WallTime {
    public var rfc3339: String {
        let ms =
            nanosecondsSinceEpoch >= 0
            ? nanosecondsSinceEpoch / 1_000_000
            : (nanosecondsSinceEpoch - 999_999) / 1_000_000
        var days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        let msOfDay = ms - days * 86_400_000
        // Howard Hinnant's days → (y, m, d).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        let h = msOfDay / 3_600_000
        let mi = (msOfDay / 60_000) % 60
        let s = (msOfDay / 1000) % 60
        let frac = msOfDay % 1000
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(frac, 3))Z"
    }

    /// Parses the form `rfc3339` writes (and whole seconds, and any fraction digits).
    public init?(rfc3339 text: String) {
        let u = Array(text.utf8)
        func num(_ r: Range<Int>) -> Int64? {
            guard r.upperBound <= u.count else { return nil }
            var v: Int64 = 0
            for i in r {
                guard u[i] >= 48, u[i] <= 57 else { return nil }
                v = v * 10 + Int64(u[i] - 48)
            }
            return v
        }
        guard u.count >= 20, let y = num(0..<4), let m = num(5..<7), let d = num(8..<10),
            let h = num(11..<13), let mi = num(14..<16), let s = num(17..<19),
            u[4] == 45, u[7] == 45, u[10] == 84, u[13] == 58, u[16] == 58, u.last == 90,
            (1...12).contains(m), (1...31).contains(d), (0...23).contains(h), (0...59).contains(mi), (0...60).contains(s)
        else { return nil }
        var nanos: Int64 = 0
        if u[19] == 46 {
            var scale: Int64 = 100_000_000
            for i in 20..<(u.count - 1) {
                guard u[i] >= 48, u[i] <= 57 else { return nil }
                nanos += Int64(u[i] - 48) * scale
                scale /= 10
            }
        } else if u.count != 20 {
            return nil
        }
        // days from civil (inverse of the above)
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mm = m > 2 ? m - 3 : m + 9
        let doy = (153 * mm + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let secs = days * 86_400 + h * 3600 + mi * 60 + s
        // Nanoseconds since 1970 in 64 bits reach from 1677 to 2262: a date outside is refused.
        let (whole, overflow) = secs.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, overflow2) = whole.addingReportingOverflow(nanos)
        guard !overflow2 else { return nil }
        self.init(nanosecondsSinceEpoch: total)
    }
}

private func pad(_ v: Int64, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
