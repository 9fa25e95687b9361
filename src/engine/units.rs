//! Human-readable quantities for reports: byte sizes, counts and times.

/// A byte count in binary units with one decimal, as file managers show it: `2.7 MiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A time in nanoseconds since the Unix epoch, to the second, in UTC: `2026-11-20 09:00:01`.
pub fn utc_time(nanos: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos))
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// A time as an HTML `datetime-local` value, in UTC, to the minute: `2026-11-20T09:00`.
pub fn datetime_local(nanos: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos))
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// Reads a `datetime-local` value (`2026-11-20T09:00`, seconds optional, or a space for the
/// `T`) as UTC, in nanoseconds since the Unix epoch.
pub fn parse_datetime_local(text: &str) -> Option<i64> {
    let with_seconds =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let without = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    // A space between date and time is read as the `T` (typed by hand).
    let text = text.trim().replacen(' ', "T", 1);
    let text = text.as_str();
    let parsed = time::PrimitiveDateTime::parse(text, &with_seconds)
        .or_else(|_| time::PrimitiveDateTime::parse(text, &without))
        .ok()?;
    i64::try_from(parsed.assume_utc().unix_timestamp_nanos()).ok()
}

/// A count with thousands separated by commas: `1,234,567`.
pub fn thousands(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod datetime_tests {
    use super::{datetime_local, parse_datetime_local};

    #[test]
    fn datetime_local_round_trips_in_utc() {
        let nanos = parse_datetime_local("2026-11-20T09:05").unwrap();
        assert_eq!(datetime_local(nanos), "2026-11-20T09:05");
        assert_eq!(
            parse_datetime_local("2026-11-20T09:05:30").unwrap() - nanos,
            30_000_000_000
        );
        assert_eq!(parse_datetime_local("yesterday"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::{human_bytes, thousands, utc_time};

    #[test]
    fn times_in_utc_to_the_second() {
        assert_eq!(utc_time(1_795_165_201_500_000_000), "2026-11-20 09:00:01");
        assert_eq!(utc_time(0), "1970-01-01 00:00:00");
    }

    #[test]
    fn counts_with_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn sizes_in_binary_units() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1024), "1.0 KiB");
        assert_eq!(human_bytes(2_936_012), "2.8 MiB");
        assert_eq!(human_bytes(1_610_612_736), "1.5 GiB");
        assert_eq!(human_bytes(u64::MAX), "16384.0 PiB");
    }
}
