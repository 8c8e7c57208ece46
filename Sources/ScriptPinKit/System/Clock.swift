internal import Glibc

/// Today's date in UTC as YYYY-MM-DD, for a pin's `approved` line.
func todayUTC() -> String {
    var now = time(nil)
    var parts = tm()
    gmtime_r(&now, &parts)
    let year = Int(parts.tm_year) + 1900
    let month = Int(parts.tm_mon) + 1
    let day = Int(parts.tm_mday)
    return "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
}
