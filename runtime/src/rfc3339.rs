//! RFC 3339 date-times (Smithy's `date-time` timestamp format) without a date library.
//!
//! [`format`] writes UTC with the fraction's trailing zeros dropped; [`parse`] reads what the
//! `time` crate's `well_known::Rfc3339` parser reads (which this module replaced), with the same
//! error texts: any single byte between date and time, `Z`/`z` or a `±HH:MM` offset (hours up to
//! 23), any number of fraction digits (those past the ninth ignored), and second 60 only as a
//! leap second (23:59:60 UTC on a month's last day), read as 23:59:59.999999999.
//!
//! Dates convert with Howard Hinnant's `days_from_civil` / `civil_from_days` (proleptic
//! Gregorian calendar). All arithmetic is on values bounded first (years -9999..=9999, fields of
//! at most four digits), far from `i64`'s limits.

use std::fmt;

const SECS_PER_DAY: i64 = 86_400;
/// 0000-03-01 is day 0 of a 400-year era; this is 1970-01-01's distance from it.
const EPOCH_SHIFT: i64 = 719_468;
/// Days in a 400-year era.
const DAYS_PER_ERA: i64 = 146_097;
/// The first and last days [`format`] writes: years -9999..=9999, the range `time` had.
const MIN_DAY: i64 = days_from_civil(-9999, 1, 1);
const MAX_DAY: i64 = days_from_civil(9999, 12, 31);

/// Days since 1970-01-01 of `year`-`month`-`day` (month 1..=12, day 1..=31).
const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400); // 0..=399
    let month_from_march = if month > 2 { month - 3 } else { month + 9 }; // 0..=11
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1; // 0..=365
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * DAYS_PER_ERA + day_of_era - EPOCH_SHIFT
}

/// The (year, month, day) of `days` since 1970-01-01; `days` within [`MIN_DAY`]..=[`MAX_DAY`]
/// (or anywhere far from `i64`'s limits).
pub(crate) const fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + EPOCH_SHIFT;
    let era = z.div_euclid(DAYS_PER_ERA);
    let day_of_era = z.rem_euclid(DAYS_PER_ERA); // 0..=146096
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365; // 0..=399
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100); // 0..=365
    let month_from_march = (5 * day_of_year + 2) / 153; // 0..=11
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1; // 1..=31
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = era * 400 + year_of_era + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

/// The number of days in `month` (1..=12) of `year`.
const fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `seconds` + `nanos` (below one second) since the epoch as `YYYY-MM-DDTHH:MM:SS[.fraction]Z`;
/// `None` outside years -9999..=9999. Years before 0000 come out as `-001` ... `-9999` (Rust's
/// `{:04}` of a negative number, as before), which is not RFC 3339.
pub(crate) fn format(seconds: i64, nanos: u32) -> Option<String> {
    let days = seconds.div_euclid(SECS_PER_DAY);
    if !(MIN_DAY..=MAX_DAY).contains(&days) {
        return None;
    }
    let (year, month, day) = civil_from_days(days);
    let secs = seconds.rem_euclid(SECS_PER_DAY);
    let (hour, minute, second) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
    if nanos != 0 {
        let fraction = format!("{nanos:09}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out.push('Z');
    Some(out)
}

/// Why a date-time could not be read, worded as the `time` crate words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ParseError {
    /// The named component is missing or malformed.
    Component(&'static str),
    /// A `-` or `:` separator is missing.
    Literal,
    /// Text follows the offset.
    Trailing,
    /// The named component is out of range (for its month, or for a leap second).
    Range(&'static str),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Component(name) => write!(f, "the '{name}' component could not be parsed"),
            ParseError::Literal => f.write_str("a character literal was not valid"),
            ParseError::Trailing => f.write_str("unexpected trailing characters; the end of input was expected"),
            ParseError::Range(name) => write!(f, "{name} was not in range"),
        }
    }
}

/// The fields of a date-time as written, before their ranges are checked.
struct Fields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: u32,
    /// Seconds east of UTC.
    offset: i64,
}

/// Reads an RFC 3339 date-time as (seconds since the epoch, nanoseconds below one second).
pub(crate) fn parse(text: &str) -> Result<(i64, u32), ParseError> {
    use ParseError::Component;
    let mut input = Cursor(text.as_bytes());
    let year = input.digits(4).ok_or(Component("year"))?;
    input.literal(b'-')?;
    let month = input.digits(2).filter(|&m| m != 0).ok_or(Component("month"))?;
    input.literal(b'-')?;
    let day = input.digits(2).ok_or(Component("day"))?;
    input.next_if(|_| true).ok_or(Component("separator"))?;
    let hour = input.digits(2).ok_or(Component("hour"))?;
    input.literal(b':')?;
    let minute = input.digits(2).ok_or(Component("minute"))?;
    input.literal(b':')?;
    let second = input.digits(2).ok_or(Component("second"))?;
    let nanos = input.fraction()?;
    let offset = input.offset()?;
    if !input.0.is_empty() {
        return Err(ParseError::Trailing);
    }
    resolve(Fields { year, month, day, hour, minute, second, nanos, offset })
}

/// Checks the fields' ranges (in the order `time` does, so the same error wins) and converts
/// them to UTC.
fn resolve(f: Fields) -> Result<(i64, u32), ParseError> {
    let leap = f.second == 60;
    let (second, nanos) = if leap { (59, 999_999_999) } else { (f.second, f.nanos) };
    let out_of_range = [
        ("month", f.month > 12),
        ("day", f.day == 0 || f.day > days_in_month(f.year, f.month)),
        ("hour", f.hour > 23),
        ("minute", f.minute > 59),
        ("second", second > 59),
    ];
    if let Some(&(name, _)) = out_of_range.iter().find(|(_, bad)| *bad) {
        return Err(ParseError::Range(name));
    }
    let local = days_from_civil(f.year, f.month, f.day) * SECS_PER_DAY + f.hour * 3600 + f.minute * 60 + second;
    let utc = local - f.offset;
    if leap && !ends_a_month(utc) {
        return Err(ParseError::Range("second"));
    }
    Ok((utc, nanos))
}

/// Whether `seconds` since the epoch is 23:59:59 UTC on the last day of a month (the only place
/// a leap second can be).
fn ends_a_month(seconds: i64) -> bool {
    let (year, month, day) = civil_from_days(seconds.div_euclid(SECS_PER_DAY));
    seconds.rem_euclid(SECS_PER_DAY) == SECS_PER_DAY - 1 && day == days_in_month(year, month)
}

/// The unread rest of the input.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    /// Takes the next byte if `wanted` accepts it.
    fn next_if(&mut self, wanted: impl Fn(u8) -> bool) -> Option<u8> {
        let (&first, rest) = self.0.split_first()?;
        wanted(first).then(|| {
            self.0 = rest;
            first
        })
    }

    /// Takes `byte`, or fails as `time` does for a missing separator.
    fn literal(&mut self, byte: u8) -> Result<(), ParseError> {
        self.next_if(|b| b == byte).map(drop).ok_or(ParseError::Literal)
    }

    /// Takes exactly `n` ASCII digits (`n` at most 4) as a number; takes nothing if there are
    /// fewer.
    fn digits(&mut self, n: usize) -> Option<i64> {
        let (head, rest) = self.0.split_at_checked(n)?;
        if !head.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.0 = rest;
        Some(head.iter().fold(0, |value, &d| value * 10 + i64::from(d - b'0')))
    }

    /// An optional `.` and one or more digits as nanoseconds (digits past the ninth ignored).
    fn fraction(&mut self) -> Result<u32, ParseError> {
        if self.next_if(|b| b == b'.').is_none() {
            return Ok(0);
        }
        let first = self.next_if(|b| b.is_ascii_digit()).ok_or(ParseError::Component("subsecond"))?;
        let mut nanos = u32::from(first - b'0') * 100_000_000;
        let mut scale = 10_000_000;
        while let Some(digit) = self.next_if(|b| b.is_ascii_digit()) {
            nanos += u32::from(digit - b'0') * scale;
            scale /= 10;
        }
        Ok(nanos)
    }

    /// `Z`, `z` or `±HH:MM` (hours up to 23, minutes up to 59) as seconds east of UTC.
    fn offset(&mut self) -> Result<i64, ParseError> {
        use ParseError::Component;
        if self.next_if(|b| b.eq_ignore_ascii_case(&b'Z')).is_some() {
            return Ok(0);
        }
        let sign = match self.next_if(|b| b == b'+' || b == b'-') {
            Some(b'-') => -1,
            Some(_) => 1,
            None => return Err(Component("offset hour")),
        };
        let hours = self.digits(2).filter(|&h| h <= 23).ok_or(Component("offset hour"))?;
        self.literal(b':')?;
        let minutes = self.digits(2).ok_or(Component("offset minute"))?;
        if minutes > 59 {
            return Err(ParseError::Range("offset minute"));
        }
        Ok(sign * (hours * 3600 + minutes * 60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::format_description::well_known::Rfc3339;
    use time::{OffsetDateTime, UtcOffset};

    /// The earliest and latest instants [`format`] writes.
    const MIN_SECS: i64 = MIN_DAY * SECS_PER_DAY;
    const MAX_SECS: i64 = MAX_DAY * SECS_PER_DAY + SECS_PER_DAY - 1;

    /// What `DateTime::fmt_wire` wrote when it used `time`.
    fn time_format(seconds: i64, nanos: u32) -> Option<String> {
        let total = i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
        let t = OffsetDateTime::from_unix_timestamp_nanos(total).ok()?;
        let (year, month, day) = (t.year(), u8::from(t.month()), t.day());
        let mut out = format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second());
        if nanos != 0 {
            out.push('.');
            out.push_str(format!("{nanos:09}").trim_end_matches('0'));
        }
        out.push('Z');
        Some(out)
    }

    /// What `DateTime::parse_wire` read when it used `time`, errors as their text.
    fn time_parse(text: &str) -> Result<(i64, u32), String> {
        let t = OffsetDateTime::parse(text, &Rfc3339).map_err(|e| e.to_string())?;
        Ok((t.unix_timestamp(), t.nanosecond()))
    }

    fn ours(text: &str) -> Result<(i64, u32), String> {
        parse(text).map_err(|e| e.to_string())
    }

    #[test]
    fn known_values() {
        let cases: [(&str, i64, u32); 11] = [
            ("1970-01-01T00:00:00Z", 0, 0),
            ("1985-04-12T23:20:50.52Z", 482_196_050, 520_000_000),
            ("1969-12-31T23:59:59.5Z", -1, 500_000_000),
            ("1960-06-15T12:00:00.000000001Z", -301_233_600, 1),
            ("9999-12-31T23:59:59.999999999Z", 253_402_300_799, 999_999_999),
            ("0000-01-01T00:00:00Z", -62_167_219_200, 0),
            ("2000-02-29T00:00:00Z", 951_782_400, 0),
            ("1996-12-20T00:39:57Z", 851_042_397, 0),
            ("1937-01-01T11:40:27.87Z", -1_041_337_173, 870_000_000),
            ("2016-12-31T23:59:59.999999999Z", 1_483_228_799, 999_999_999),
            ("-001-12-31T23:59:59Z", -62_167_219_201, 0),
        ];
        for (text, seconds, nanos) in cases {
            assert_eq!(format(seconds, nanos).as_deref(), Some(text));
            if !text.starts_with('-') {
                assert_eq!(parse(text), Ok((seconds, nanos)), "{text}");
            }
        }
        assert_eq!(format(MIN_SECS, 0).as_deref(), Some("-9999-01-01T00:00:00Z"));
        assert_eq!(format(MIN_SECS - 1, 999_999_999), None);
        assert_eq!(format(MAX_SECS + 1, 0), None);
        assert_eq!(format(i64::MIN, 0), None);
        assert_eq!(format(i64::MAX, 999_999_999), None);
    }

    #[test]
    fn offsets_case_and_leap_seconds() {
        let cases: [(&str, i64, u32); 9] = [
            ("1996-12-19T16:39:57-08:00", 851_042_397, 0),
            ("1937-01-01T12:00:27.87+00:20", -1_041_337_173, 870_000_000),
            ("1970-01-01T00:00:00-00:30", 1800, 0),
            ("1970-01-01t00:00:00z", 0, 0),
            ("1970-01-01 00:00:00.1234567891234Z", 0, 123_456_789),
            ("1990-12-31T15:59:60-08:00", 662_687_999, 999_999_999),
            ("2016-12-31T23:59:60.5Z", 1_483_228_799, 999_999_999),
            ("0000-01-01T23:58:60+23:59", -62_167_219_201, 999_999_999),
            ("9999-12-31T23:59:59-23:59", 253_402_300_799 + 86_340, 0),
        ];
        for (text, seconds, nanos) in cases {
            assert_eq!(parse(text), Ok((seconds, nanos)), "{text}");
            assert_eq!(time_parse(text), Ok((seconds, nanos)), "{text}");
        }
    }

    #[test]
    fn rejections_say_what_time_said() {
        use ParseError::*;
        let cases = [
            ("", Component("year")),
            ("2021-02-29T00:00:00Z", Range("day")),
            ("2020-02-30T00:00:00Z", Range("day")),
            ("2020-04-31T00:00:00Z", Range("day")),
            ("2020-01-00T00:00:00Z", Range("day")),
            ("2020-00-01T00:00:00Z", Component("month")),
            ("2020-13-01T00:00:00Z", Range("month")),
            ("2020-01-01T24:00:00Z", Range("hour")),
            ("2020-01-01T00:60:00Z", Range("minute")),
            ("2020-01-01T00:00:61Z", Range("second")),
            ("2020-01-01T00:00:60Z", Range("second")),
            ("2020-01-31T23:59:60+01:00", Range("second")),
            ("2020-01-01", Component("separator")),
            ("2020-01-01T", Component("hour")),
            ("2020-01-01T00:00", Literal),
            ("2020-1-01T00:00:00Z", Component("month")),
            ("2020/01/01T00:00:00Z", Literal),
            ("2020-01-01T00:00:00", Component("offset hour")),
            ("2020-01-01T00:00:00.", Component("subsecond")),
            ("2020-01-01T00:00:00.Z", Component("subsecond")),
            ("2020-01-01T00:00:00+01", Literal),
            ("2020-01-01T00:00:00+01:", Component("offset minute")),
            ("2020-01-01T00:00:00+24:00", Component("offset hour")),
            ("2020-01-01T00:00:00+01:60", Range("offset minute")),
            ("2020-01-01T00:00:00+0100", Literal),
            ("2020-01-01T00:00:00Z ", Trailing),
            ("2020-01-01T00:00:00+01:00:00", Trailing),
            ("20201-01-01T00:00:00Z", Literal),
            ("\u{ff12}020-01-01T00:00:00Z", Component("year")),
            ("2020-01-01\u{e9}00:00:00Z", Component("hour")),
            ("2020-01-01T00:00:00.\u{ff15}Z", Component("subsecond")),
            ("2020-01-01T00:00:00Z\u{e9}", Trailing),
            ("2020-01-01T00:00:00\u{2212}01:00", Component("offset hour")),
        ];
        for (text, error) in cases {
            assert_eq!(parse(text), Err(error), "{text}");
            assert_eq!(time_parse(text), Err(error.to_string()), "{text}");
        }
    }

    /// An instant around the range [`format`] writes (now and then anywhere in `i64`).
    fn random_instant(rng: &mut fastrand::Rng) -> (i64, u32) {
        let seconds = match rng.u8(0..20) {
            0 => rng.i64(..),
            1 => rng.i64(MIN_SECS - 2..MIN_SECS + 2),
            2 => rng.i64(MAX_SECS - 2..MAX_SECS + 2),
            _ => rng.i64(MIN_SECS - 86_400 * 400..=MAX_SECS + 86_400 * 400),
        };
        let nanos = match rng.u8(0..3) {
            0 => 0,
            1 => rng.u32(0..1000) * 1_000_000,
            _ => rng.u32(0..1_000_000_000),
        };
        (seconds, nanos)
    }

    #[test]
    fn format_matches_time() {
        let seed = fastrand::u64(..);
        let mut rng = fastrand::Rng::with_seed(seed);
        for _ in 0..100_000 {
            let (seconds, nanos) = random_instant(&mut rng);
            let written = format(seconds, nanos);
            assert_eq!(written, time_format(seconds, nanos), "{seconds}s {nanos}ns (seed {seed})");
            if let Some(text) = written.filter(|t| !t.starts_with('-')) {
                assert_eq!(parse(&text), Ok((seconds, nanos)), "{text} (seed {seed})");
            }
        }
    }

    /// `t` written in local time at `offset` seconds east, with `second` for its second (so 60
    /// can stand in for 59); `None` if the local year has no four-digit form.
    fn write_local(t: OffsetDateTime, offset: i32, second: u8, fraction: &str) -> Option<String> {
        let local = t.checked_to_offset(UtcOffset::from_whole_seconds(offset).ok()?)?;
        if !(0..=9999).contains(&local.year()) {
            return None;
        }
        let sign = if offset < 0 { '-' } else { '+' };
        let (h, m) = (offset.abs() / 3600, offset.abs() / 60 % 60);
        let (year, month, day) = (local.year(), u8::from(local.month()), local.day());
        let (hour, minute) = (local.hour(), local.minute());
        Some(format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}{sign}{h:02}:{m:02}"))
    }

    #[test]
    fn parse_of_random_offsets_matches_time() {
        let seed = fastrand::u64(..);
        let mut rng = fastrand::Rng::with_seed(seed);
        for _ in 0..100_000 {
            let seconds = rng.i64(MIN_SECS + 86_400..MAX_SECS - 86_400);
            let t = OffsetDateTime::from_unix_timestamp(seconds).unwrap();
            let offset = rng.i32(-(23 * 3600 + 59 * 60)..=23 * 3600 + 59 * 60) / 60 * 60;
            let digits = format!("{:09}", rng.u32(0..1_000_000_000));
            let fraction = format!(".{}", &digits[..rng.usize(0..=9)]);
            let fraction = if fraction == "." { "" } else { &fraction };
            let Some(text) = write_local(t, offset, t.second(), fraction) else { continue };
            assert_eq!(ours(&text), time_parse(&text), "{text} (seed {seed})");
            assert_eq!(ours(&text).map(|(s, _)| s), Ok(seconds), "{text} (seed {seed})");
        }
    }

    #[test]
    fn leap_seconds_match_time() {
        let seed = fastrand::u64(..);
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut accepted = 0;
        for _ in 0..10_000 {
            let (year, month) = (rng.i64(0..=9999), rng.i64(1..=12));
            let last = days_from_civil(year, month, days_in_month(year, month)) * SECS_PER_DAY + SECS_PER_DAY - 1;
            let seconds = last + [0, 0, -1, 1, -86_400][rng.usize(0..5)];
            let Ok(t) = OffsetDateTime::from_unix_timestamp(seconds) else { continue };
            let offset = [0, 3600, -3600, rng.i32(-1439..=1439) * 60][rng.usize(0..4)];
            let Some(text) = write_local(t, offset, 60, [".5", ""][rng.usize(0..2)]) else { continue };
            let result = ours(&text);
            assert_eq!(result, time_parse(&text), "{text} (seed {seed})");
            accepted += usize::from(result.is_ok());
        }
        assert!((1000..9000).contains(&accepted), "{accepted} leap seconds accepted (seed {seed})");
    }

    /// Date-time-like text: fields in and out of range, any separator, then sometimes mangled.
    fn random_text(rng: &mut fastrand::Rng) -> String {
        let two = |rng: &mut fastrand::Rng, max| format!("{:02}", rng.u32(0..=max));
        let mut text = format!("{:04}-{}-{}", rng.u32(0..=9999), two(rng, 13), two(rng, 32));
        text.push(['T', 't', ' ', '_', '\u{e9}'][rng.usize(0..5)]);
        let second = ["59".to_owned(), "60".to_owned(), two(rng, 61)][rng.usize(0..3)].clone();
        text += &format!("{}:{}:{second}", two(rng, 24), two(rng, 60));
        if rng.bool() {
            text.push('.');
            (0..rng.usize(0..13)).for_each(|_| text.push(rng.digit(10)));
        }
        match rng.u8(0..4) {
            0 => text.push(['Z', 'z'][rng.usize(0..2)]),
            _ => text += &format!("{}{}:{}", ['+', '-'][rng.usize(0..2)], two(rng, 25), two(rng, 61)),
        }
        let mut chars: Vec<char> = text.chars().collect();
        for _ in 0..rng.usize(0..3) {
            let i = rng.usize(0..=chars.len());
            let c = ['0', '9', '-', ':', '.', 'T', 'Z', '+', ' ', '\u{e9}', '\u{ff15}'][rng.usize(0..11)];
            match rng.u8(0..3) {
                0 if i < chars.len() => drop(chars.remove(i)),
                1 => chars.truncate(i),
                _ => chars.insert(i, c),
            }
        }
        chars.into_iter().collect()
    }

    #[test]
    fn parse_of_random_text_matches_time() {
        let seed = fastrand::u64(..);
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut accepted = 0;
        for _ in 0..100_000 {
            let text = random_text(&mut rng);
            let result = ours(&text);
            assert_eq!(result, time_parse(&text), "{text:?} (seed {seed})");
            accepted += usize::from(result.is_ok());
        }
        assert!(accepted > 1000, "too few valid inputs ({accepted}) to say much (seed {seed})");
    }

    #[test]
    fn format_matches_times_own_rfc3339() {
        let mut rng = fastrand::Rng::with_seed(3339);
        for _ in 0..10_000 {
            let (seconds, nanos) = (rng.i64(-62_167_219_200..=253_402_300_799), rng.u32(0..1_000_000_000));
            let total = i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
            let t = OffsetDateTime::from_unix_timestamp_nanos(total).unwrap();
            assert_eq!(format(seconds, nanos), t.format(&Rfc3339).ok());
        }
    }
}
