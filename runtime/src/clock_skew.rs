//! Clock-skew correction: when a service rejects a request because of the client's clock, the
//! client learns the offset from the response's `Date` header, keeps it (shared by every later
//! call of the client) and signs with the corrected time.
//!
//! As in the official SDKs: the error codes are the AWS SDK for JavaScript's
//! `CLOCK_SKEW_ERROR_CODES` ([`CLOCK_SKEW_CODES`]); the offset is only changed when the
//! server's time differs from the (corrected) local time by at least [`SKEW_THRESHOLD`] (the
//! AWS SDK for Java's 4 minutes), so a real signature error (`SignatureDoesNotMatch` with a good
//! clock) is not retried.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Error codes with which services reject a request whose signing time is too far from theirs.
pub const CLOCK_SKEW_CODES: &[&str] = &[
    "AuthFailure",
    "InvalidSignatureException",
    "RequestExpired",
    "RequestInTheFuture",
    "RequestTimeTooSkewed",
    "SignatureDoesNotMatch",
];

/// The smallest difference between the server's `Date` and the local (corrected) clock that is
/// treated as skew.
pub const SKEW_THRESHOLD: Duration = Duration::from_secs(4 * 60);

/// The offset between the service's clock and the local one (server minus local), in
/// milliseconds; zero until a clock-skew error says otherwise.
#[derive(Debug, Default)]
pub struct ClockOffset(AtomicI64);

fn millis_since_epoch(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

fn shift(t: SystemTime, millis: i64) -> SystemTime {
    let d = Duration::from_millis(millis.unsigned_abs());
    if millis >= 0 {
        t.checked_add(d).unwrap_or(t)
    } else {
        t.checked_sub(d).unwrap_or(t)
    }
}

impl ClockOffset {
    /// The current offset in milliseconds (positive: the service's clock is ahead).
    pub fn millis(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }

    /// The time to sign with: the local clock corrected by the offset.
    pub fn now(&self) -> SystemTime {
        self.corrected(SystemTime::now())
    }

    fn corrected(&self, local: SystemTime) -> SystemTime {
        shift(local, self.millis())
    }

    /// Learns from an error response: when `code` is a clock-skew code and the response's
    /// `Date` is at least [`SKEW_THRESHOLD`] away from the corrected `local_now`, sets the offset
    /// to `Date - local_now` and returns true (the request should be signed again and retried).
    pub fn correct(&self, code: Option<&str>, headers: &http::HeaderMap, local_now: SystemTime) -> bool {
        if !code.is_some_and(|c| CLOCK_SKEW_CODES.contains(&c)) {
            return false;
        }
        let Some(server) = headers
            .get(http::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v.trim()).ok())
        else {
            return false;
        };
        let server_ms = millis_since_epoch(server);
        let ours = millis_since_epoch(self.corrected(local_now));
        if server_ms.abs_diff(ours) < SKEW_THRESHOLD.as_millis() as u64 {
            return false;
        }
        let offset = server_ms.saturating_sub(millis_since_epoch(local_now));
        self.0.store(offset, Ordering::Relaxed);
        tracing::warn!(
            code = code.unwrap_or(""),
            offset_ms = offset,
            "the service rejected the request because of the local clock; signing with the service's time from now on"
        );
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(t: SystemTime) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        h.insert(http::header::DATE, httpdate::fmt_http_date(t).parse().unwrap());
        h
    }

    #[test]
    fn corrects_only_skew_codes_with_a_date_far_enough_away() {
        let local = UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        let hour_ahead = date(local + Duration::from_secs(3600));
        let c = ClockOffset::default();
        assert!(!c.correct(Some("AccessDeniedException"), &hour_ahead, local), "not a clock-skew code");
        assert!(!c.correct(Some("SignatureDoesNotMatch"), &http::HeaderMap::new(), local), "no Date");
        assert!(!c.correct(Some("SignatureDoesNotMatch"), &date(local + Duration::from_secs(200)), local), "small");
        assert_eq!(c.millis(), 0);
        assert!(c.correct(Some("RequestTimeTooSkewed"), &hour_ahead, local));
        assert_eq!(c.millis(), 3_600_000);
        assert_eq!(c.corrected(local), local + Duration::from_secs(3600));
        // Already corrected: the same answer again is a real error, not skew.
        assert!(!c.correct(Some("InvalidSignatureException"), &hour_ahead, local));
        // The local clock was fixed meanwhile (now an hour later): the offset goes back to 0.
        let fixed = local + Duration::from_secs(3600);
        assert!(c.correct(Some("RequestExpired"), &date(fixed), fixed));
        assert_eq!(c.millis(), 0);
        // Behind.
        assert!(c.correct(Some("RequestInTheFuture"), &date(local - Duration::from_secs(600)), local));
        assert_eq!(c.millis(), -600_000);
    }
}
