//! Time: instants in nanoseconds since the Unix epoch (Hubble's precision), minutes since the
//! epoch (the resolution connections are counted at), and time windows of whole minutes.

/// Nanoseconds in a minute.
pub const NANOS_PER_MINUTE: i64 = 60_000_000_000;

/// Parses an RFC 3339 time to nanoseconds since the Unix epoch.
pub fn parse_time(text: &str) -> Option<i64> {
    let time =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(time.unix_timestamp_nanos()).ok()
}

/// Minutes since the Unix epoch of a time in nanoseconds.
pub fn minute_of(nanos: i64) -> i64 {
    nanos.div_euclid(NANOS_PER_MINUTE)
}

/// The first nanosecond of a minute.
pub fn start_of_minute(minute: i64) -> i64 {
    minute.saturating_mul(NANOS_PER_MINUTE)
}

/// A span of time in whole minutes since the Unix epoch, both ends included.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimeWindow {
    pub from_minute: i64,
    pub to_minute: i64,
}

impl TimeWindow {
    /// The whole capture.
    pub const ALL: TimeWindow = TimeWindow {
        from_minute: i64::MIN,
        to_minute: i64::MAX,
    };

    /// The minutes from `since` to `until` (nanoseconds since the epoch; open when `None`).
    pub fn between(since: Option<i64>, until: Option<i64>) -> TimeWindow {
        TimeWindow {
            from_minute: since.map_or(i64::MIN, minute_of),
            to_minute: until.map_or(i64::MAX, minute_of),
        }
    }

    /// Whether the instant `nanos` falls inside the window.
    pub fn contains(self, nanos: i64) -> bool {
        (self.from_minute..=self.to_minute).contains(&minute_of(nanos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_with_nanoseconds() {
        assert_eq!(
            parse_time("1970-01-01T00:00:01.000000005Z"),
            Some(1_000_000_005)
        );
        assert_eq!(parse_time("not a time"), None);
        assert_eq!(minute_of(-1), -1);
        assert_eq!(start_of_minute(2), 2 * NANOS_PER_MINUTE);
    }

    #[test]
    fn windows_are_whole_minutes() {
        let window = TimeWindow::between(Some(NANOS_PER_MINUTE + 5), None);
        assert!(window.contains(NANOS_PER_MINUTE));
        assert!(!window.contains(NANOS_PER_MINUTE - 1));
        assert!(TimeWindow::ALL.contains(i64::MIN));
    }
}
