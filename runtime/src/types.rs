//! Value types that Smithy shapes map to where Rust has no single obvious standard type.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::rfc3339;

/// An untyped JSON-like value (Smithy `document`).
pub type Document = serde_json::Value;

/// Binary data (Smithy `blob`). Sent as base64 in JSON bodies.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Blob(Vec<u8>);

impl Blob {
    /// Wraps bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Blob(bytes.into())
    }
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    /// The bytes, owned.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }
    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blob({} bytes)", self.0.len())
    }
}

impl AsRef<[u8]> for Blob {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Blob {
    fn from(v: Vec<u8>) -> Self {
        Blob(v)
    }
}

impl From<&[u8]> for Blob {
    fn from(v: &[u8]) -> Self {
        Blob(v.to_vec())
    }
}

impl From<&str> for Blob {
    fn from(v: &str) -> Self {
        Blob(v.as_bytes().to_vec())
    }
}

/// How a timestamp is written on the wire (Smithy `@timestampFormat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimestampFormat {
    /// Seconds since the Unix epoch, with optional fraction (`1515531081.123`).
    EpochSeconds,
    /// RFC 3339 date-time (`2018-01-09T20:51:21.123Z`).
    DateTime,
    /// IMF-fixdate (`Tue, 09 Jan 2018 20:51:21 GMT`).
    HttpDate,
}

/// A point in time with nanosecond precision (Smithy `timestamp`).
///
/// Stored as whole seconds since the Unix epoch (negative before 1970) plus nanoseconds
/// (always `0..1_000_000_000`), so it round-trips every wire format exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime {
    seconds: i64,
    nanos: u32,
}

/// A timestamp that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTimeError(String);

impl fmt::Display for DateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DateTimeError {}

impl DateTime {
    /// From whole seconds since the epoch.
    pub const fn from_secs(seconds: i64) -> Self {
        DateTime { seconds, nanos: 0 }
    }

    /// From seconds and nanoseconds; nanoseconds beyond one second carry into the seconds.
    pub const fn from_secs_and_nanos(seconds: i64, nanos: u32) -> Self {
        DateTime { seconds: seconds + (nanos / 1_000_000_000) as i64, nanos: nanos % 1_000_000_000 }
    }

    /// From fractional seconds since the epoch (rounded to the nearest microsecond, as a
    /// `double` carries no more precision at today's dates). `None` for NaN or out of range.
    pub fn from_secs_f64(value: f64) -> Option<Self> {
        if !value.is_finite() || value.abs() > 9.0e15 {
            return None;
        }
        let micros = (value * 1_000_000.0).round() as i64;
        let seconds = micros.div_euclid(1_000_000);
        let nanos = (micros.rem_euclid(1_000_000) * 1_000) as u32;
        Some(DateTime { seconds, nanos })
    }

    /// Whole seconds since the epoch (rounded down).
    pub fn secs(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds past [`DateTime::secs`].
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Fractional seconds since the epoch.
    pub fn as_secs_f64(&self) -> f64 {
        self.seconds as f64 + self.nanos as f64 / 1_000_000_000.0
    }

    /// The current time.
    pub fn now() -> Self {
        SystemTime::now().into()
    }

    /// Formats this timestamp as `format` puts it on the wire (epoch seconds as a decimal
    /// number without exponent).
    pub fn fmt_wire(&self, format: TimestampFormat) -> Result<String, DateTimeError> {
        match format {
            TimestampFormat::EpochSeconds => Ok(self.fmt_epoch_seconds()),
            TimestampFormat::DateTime => rfc3339::format(self.seconds, self.nanos)
                .ok_or_else(|| DateTimeError(format!("{} seconds is out of range for a date", self.seconds))),
            TimestampFormat::HttpDate => {
                let system: SystemTime = (*self).try_into()?;
                Ok(httpdate::fmt_http_date(system))
            }
        }
    }

    fn fmt_epoch_seconds(&self) -> String {
        if self.nanos == 0 {
            return self.seconds.to_string();
        }
        // A negative time with a fraction: -1.5 is seconds=-2, nanos=500_000_000.
        let (whole, frac, sign) = if self.seconds < 0 {
            let nanos = 1_000_000_000 - self.nanos;
            (-(self.seconds + 1), nanos, "-")
        } else {
            (self.seconds, self.nanos, "")
        };
        let frac = format!("{frac:09}");
        format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
    }

    /// Reads a timestamp written as `format` (for epoch seconds, the decimal text of the
    /// number).
    pub fn parse_wire(text: &str, format: TimestampFormat) -> Result<Self, DateTimeError> {
        match format {
            TimestampFormat::EpochSeconds => Self::parse_epoch_seconds(text),
            TimestampFormat::DateTime => {
                let (seconds, nanos) = rfc3339::parse(text)
                    .map_err(|e| DateTimeError(format!("`{text}` is not an RFC 3339 date-time: {e}")))?;
                Ok(DateTime { seconds, nanos })
            }
            TimestampFormat::HttpDate => {
                let system = httpdate::parse_http_date(text)
                    .map_err(|_| DateTimeError(format!("`{text}` is not an HTTP date")))?;
                Ok(system.into())
            }
        }
    }

    fn parse_epoch_seconds(text: &str) -> Result<Self, DateTimeError> {
        let bad = || DateTimeError(format!("`{text}` is not a number of epoch seconds"));
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            // Exponent forms (1e3) and others: fall back to floating point.
            return text.parse::<f64>().ok().and_then(Self::from_secs_f64).ok_or_else(bad);
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let mut nanos: u32 = 0;
        for (i, b) in frac.bytes().take(9).enumerate() {
            nanos += u32::from(b - b'0') * 10u32.pow(8 - i as u32);
        }
        if negative {
            if nanos == 0 {
                Ok(DateTime::from_secs(-whole))
            } else {
                Ok(DateTime { seconds: -whole - 1, nanos: 1_000_000_000 - nanos })
            }
        } else {
            Ok(DateTime { seconds: whole, nanos })
        }
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.fmt_wire(TimestampFormat::DateTime) {
            Ok(s) => f.write_str(&s),
            Err(_) => write!(f, "{}s", self.fmt_epoch_seconds()),
        }
    }
}

impl From<SystemTime> for DateTime {
    fn from(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => DateTime::from_secs_and_nanos(d.as_secs() as i64, d.subsec_nanos()),
            Err(e) => {
                let d = e.duration();
                let mut seconds = -(d.as_secs() as i64);
                let mut nanos = d.subsec_nanos();
                if nanos > 0 {
                    seconds -= 1;
                    nanos = 1_000_000_000 - nanos;
                }
                DateTime { seconds, nanos }
            }
        }
    }
}

impl TryFrom<DateTime> for SystemTime {
    type Error = DateTimeError;
    fn try_from(t: DateTime) -> Result<Self, DateTimeError> {
        let out_of_range = || DateTimeError(format!("{t:?} is out of range for SystemTime"));
        if t.seconds >= 0 {
            UNIX_EPOCH.checked_add(Duration::new(t.seconds as u64, t.nanos)).ok_or_else(out_of_range)
        } else {
            UNIX_EPOCH
                .checked_sub(Duration::from_secs(t.seconds.unsigned_abs()))
                .and_then(|s| s.checked_add(Duration::from_nanos(u64::from(t.nanos))))
                .ok_or_else(out_of_range)
        }
    }
}

/// Stands in for a `@sensitive` value in `Debug` output.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("*** Sensitive Data Redacted ***")
    }
}

/// A union member this version of the model does not know, kept as received so it
/// round-trips exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct UnknownMember {
    name: String,
    value: Document,
}

impl UnknownMember {
    /// A member called `name` with the JSON `value`.
    pub fn new(name: impl Into<String>, value: Document) -> Self {
        UnknownMember { name: name.into(), value }
    }
    /// The member name on the wire.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The member's value as received.
    pub fn value(&self) -> &Document {
        &self.value
    }
}

macro_rules! big_number {
    ($name:ident, $what:literal, $check:expr) => {
        #[doc = concat!("An arbitrary-precision ", $what, " (Smithy `", stringify!($name), "`), kept as its decimal text so no digit is lost.")]
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            #[doc = concat!("Parses decimal text as a ", $what, "; `None` if it is not one.")]
            pub fn new(text: impl Into<String>) -> Option<Self> {
                let text = text.into();
                let check: fn(&str) -> bool = $check;
                check(&text).then_some($name(text))
            }
            /// The decimal text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name("0".to_owned())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

fn is_integer_text(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_decimal_text(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (whole, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits_ok(e)
    });
    !(whole.is_empty() && frac.is_empty()) && digits_ok(whole) && digits_ok(frac) && exponent_ok
}

big_number!(BigInteger, "integer", is_integer_text);
big_number!(BigDecimal, "decimal number", is_decimal_text);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_seconds_round_trip_exactly() {
        for text in ["0", "1515531081", "1515531081.123", "-1.5", "-2", "0.000000001"] {
            let t = DateTime::parse_wire(text, TimestampFormat::EpochSeconds).unwrap();
            assert_eq!(t.fmt_wire(TimestampFormat::EpochSeconds).unwrap(), text);
        }
        let t = DateTime::parse_wire("-1.5", TimestampFormat::EpochSeconds).unwrap();
        assert_eq!((t.secs(), t.subsec_nanos()), (-2, 500_000_000));
        assert!(DateTime::parse_wire("1.x", TimestampFormat::EpochSeconds).is_err());
        assert!(DateTime::parse_wire("", TimestampFormat::EpochSeconds).is_err());
        assert_eq!(DateTime::parse_wire("1e3", TimestampFormat::EpochSeconds).unwrap().secs(), 1000);
    }

    #[test]
    fn date_time_and_http_date() {
        let t = DateTime::parse_wire("2018-01-09T20:51:21.123Z", TimestampFormat::DateTime).unwrap();
        assert_eq!(t.secs(), 1515531081);
        assert_eq!(t.subsec_nanos(), 123_000_000);
        assert_eq!(t.fmt_wire(TimestampFormat::DateTime).unwrap(), "2018-01-09T20:51:21.123Z");
        let offset = DateTime::parse_wire("2018-01-09T21:51:21+01:00", TimestampFormat::DateTime).unwrap();
        assert_eq!(offset.secs(), 1515531081);
        assert_eq!(
            DateTime::from_secs(1515531081).fmt_wire(TimestampFormat::HttpDate).unwrap(),
            "Tue, 09 Jan 2018 20:51:21 GMT"
        );
        let h = DateTime::parse_wire("Tue, 09 Jan 2018 20:51:21 GMT", TimestampFormat::HttpDate).unwrap();
        assert_eq!(h, DateTime::from_secs(1515531081));
        assert!(DateTime::parse_wire("yesterday", TimestampFormat::DateTime).is_err());
    }

    #[test]
    fn date_time_errors_keep_their_wording() {
        let e = DateTime::parse_wire("2021-02-29T00:00:00Z", TimestampFormat::DateTime).unwrap_err();
        assert_eq!(e.to_string(), "`2021-02-29T00:00:00Z` is not an RFC 3339 date-time: day was not in range");
        let far = DateTime::from_secs(i64::MAX);
        let e = far.fmt_wire(TimestampFormat::DateTime).unwrap_err();
        assert_eq!(e.to_string(), format!("{} seconds is out of range for a date", i64::MAX));
        assert_eq!(far.to_string(), format!("{}s", i64::MAX));
    }

    #[test]
    fn system_time_conversions() {
        let before = UNIX_EPOCH - Duration::from_millis(1500);
        let t = DateTime::from(before);
        assert_eq!((t.secs(), t.subsec_nanos()), (-2, 500_000_000));
        assert_eq!(SystemTime::try_from(t).unwrap(), before);
    }

    #[test]
    fn big_numbers_check_their_text() {
        assert!(BigInteger::new("-123456789012345678901234567890").is_some());
        assert!(BigInteger::new("1.5").is_none());
        assert!(BigDecimal::new("1.5e-10").is_some());
        assert!(BigDecimal::new(".").is_none());
        assert!(BigDecimal::new("abc").is_none());
    }
}
