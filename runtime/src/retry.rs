//! AWS "standard" retry mode: which failures are retried, how long to wait, and the retry quota.

use std::sync::Mutex;
use std::time::Duration;

use crate::client::RetryableError;

/// Error codes that mean "slow down" (retried, with the throttling flag).
pub const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes of transient failures (retried).
pub const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException"];

/// HTTP statuses that are retried whatever the error code.
pub const TRANSIENT_STATUSES: &[u16] = &[500, 502, 503, 504];

/// How a failed attempt is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryKind {
    /// Not retried (e.g. a validation error: sending it again cannot help).
    No,
    /// Retried: server error or transient code.
    Transient,
    /// Retried: the service asked to slow down.
    Throttling,
    /// Retried: connection failure.
    Transport,
    /// Retried: the attempt timed out (costs more retry quota).
    Timeout,
}

impl RetryKind {
    /// Whether this kind is retried at all.
    pub fn is_retryable(self) -> bool {
        self != RetryKind::No
    }
}

/// Classifies an error response by status and error code.
///
/// Retried: 500/502/503/504, 429, throttling codes, transient codes, and codes the model marks
/// `@retryable` for the operation. A non-throttling 4xx is never retried.
pub fn classify_response(status: u16, code: Option<&str>, modeled: &[RetryableError]) -> RetryKind {
    if let Some(code) = code {
        if let Some(m) = modeled.iter().find(|m| m.code == code) {
            return if m.throttling { RetryKind::Throttling } else { RetryKind::Transient };
        }
        if THROTTLING_CODES.contains(&code) {
            return RetryKind::Throttling;
        }
        if TRANSIENT_CODES.contains(&code) {
            return RetryKind::Transient;
        }
    }
    if status == 429 {
        return RetryKind::Throttling;
    }
    if TRANSIENT_STATUSES.contains(&status) {
        return RetryKind::Transient;
    }
    RetryKind::No
}

/// Retry settings.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryConfig {
    /// Attempts per call including the first; `1` disables retries. Default 3.
    pub max_attempts: u32,
    /// Base of the exponential backoff. Default 1 s.
    pub initial_backoff: Duration,
    /// Upper bound of one backoff. Default 20 s.
    pub max_backoff: Duration,
    /// Whether the retry quota (token bucket shared by all calls of one client) applies.
    /// Default true.
    pub use_retry_quota: bool,
    /// Size of the retry quota. Default 500.
    pub retry_quota_capacity: u32,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            use_retry_quota: true,
            retry_quota_capacity: DEFAULT_QUOTA_CAPACITY,
        }
    }
}

impl RetryConfig {
    /// No retries: one attempt per call.
    pub fn disabled() -> Self {
        RetryConfig { max_attempts: 1, ..Default::default() }
    }
    /// Sets `max_attempts` (at least 1).
    #[must_use]
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
    /// Sets `initial_backoff`.
    #[must_use]
    pub fn with_initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }
    /// Sets `max_backoff`.
    #[must_use]
    pub fn with_max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// Backoff before retry number `retry` (1 for the first retry) with full jitter:
    /// `rand(0..1) * min(max_backoff, initial_backoff * 2^(retry-1))`.
    pub fn backoff(&self, retry: u32, random: f64) -> Duration {
        let exp = 2f64.powi(retry.saturating_sub(1).min(62) as i32);
        let ceiling = (self.initial_backoff.as_secs_f64() * exp).min(self.max_backoff.as_secs_f64());
        Duration::from_secs_f64(ceiling * random.clamp(0.0, 1.0))
    }
}

/// Default size of the retry quota.
pub const DEFAULT_QUOTA_CAPACITY: u32 = 500;
/// Quota taken by a retry after an error response or connection failure.
pub const RETRY_COST: u32 = 5;
/// Quota taken by a retry after a timeout.
pub const RETRY_TIMEOUT_COST: u32 = 10;
/// Quota given back by a call that succeeds on its first attempt.
pub const NO_RETRY_INCREMENT: u32 = 1;

/// The retry quota of standard mode: a token bucket shared by all calls of a client, so that
/// during an outage retries stop after a while instead of multiplying the load.
#[derive(Debug)]
pub struct RetryQuota {
    capacity: u32,
    available: Mutex<u32>,
}

impl RetryQuota {
    /// A full bucket of `capacity` tokens.
    pub fn new(capacity: u32) -> Self {
        RetryQuota { capacity, available: Mutex::new(capacity) }
    }
    /// Tokens left.
    pub fn available(&self) -> u32 {
        *self.available.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// Takes the cost of retrying after `kind`; `None` (and nothing taken) if the bucket is
    /// too low, in which case the call must not retry.
    pub fn acquire(&self, kind: RetryKind) -> Option<u32> {
        let cost = if kind == RetryKind::Timeout { RETRY_TIMEOUT_COST } else { RETRY_COST };
        let mut available = self.available.lock().unwrap_or_else(|e| e.into_inner());
        if *available < cost {
            return None;
        }
        *available -= cost;
        Some(cost)
    }
    /// Called when a call succeeds: gives back what its last retry took, or
    /// [`NO_RETRY_INCREMENT`] when it needed no retry.
    pub fn release(&self, last_retry_cost: Option<u32>) {
        let mut available = self.available.lock().unwrap_or_else(|e| e.into_inner());
        *available = (*available + last_retry_cost.unwrap_or(NO_RETRY_INCREMENT)).min(self.capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_statuses_and_codes() {
        assert_eq!(classify_response(500, None, &[]), RetryKind::Transient);
        assert_eq!(classify_response(502, Some("Whatever"), &[]), RetryKind::Transient);
        assert_eq!(classify_response(503, None, &[]), RetryKind::Transient);
        assert_eq!(classify_response(504, None, &[]), RetryKind::Transient);
        assert_eq!(classify_response(429, None, &[]), RetryKind::Throttling);
        assert_eq!(classify_response(400, Some("ThrottlingException"), &[]), RetryKind::Throttling);
        assert_eq!(classify_response(400, Some("LimitExceededException"), &[]), RetryKind::Throttling);
        assert_eq!(classify_response(400, Some("RequestTimeout"), &[]), RetryKind::Transient);
        for code in THROTTLING_CODES {
            assert_eq!(classify_response(400, Some(code), &[]), RetryKind::Throttling, "{code}");
        }
        // Non-throttling 4xx: never.
        assert_eq!(classify_response(400, Some("InvalidParameterException"), &[]), RetryKind::No);
        assert_eq!(classify_response(403, Some("AccessDeniedException"), &[]), RetryKind::No);
        assert_eq!(classify_response(404, None, &[]), RetryKind::No);
        assert_eq!(classify_response(501, None, &[]), RetryKind::No);
        assert_eq!(classify_response(200, None, &[]), RetryKind::No);
    }

    #[test]
    fn modeled_retryable_errors_are_retried() {
        const MODELED: &[RetryableError] = &[
            RetryableError { code: "InternalServiceException", throttling: false },
            RetryableError { code: "SlowPlease", throttling: true },
        ];
        assert_eq!(classify_response(400, Some("InternalServiceException"), MODELED), RetryKind::Transient);
        assert_eq!(classify_response(400, Some("SlowPlease"), MODELED), RetryKind::Throttling);
        assert_eq!(classify_response(400, Some("SlowPlease"), &[]), RetryKind::No);
    }

    #[test]
    fn backoff_is_exponential_capped_and_jittered() {
        let c = RetryConfig::default();
        assert_eq!(c.backoff(1, 1.0), Duration::from_secs(1));
        assert_eq!(c.backoff(2, 1.0), Duration::from_secs(2));
        assert_eq!(c.backoff(3, 1.0), Duration::from_secs(4));
        assert_eq!(c.backoff(5, 1.0), Duration::from_secs(16));
        assert_eq!(c.backoff(6, 1.0), Duration::from_secs(20));
        assert_eq!(c.backoff(100, 1.0), Duration::from_secs(20));
        assert_eq!(c.backoff(3, 0.5), Duration::from_secs(2));
        assert_eq!(c.backoff(3, 0.0), Duration::ZERO);
        assert_eq!(c.backoff(3, 7.0), Duration::from_secs(4), "random is clamped to 1");
    }

    #[test]
    fn quota_drains_and_refills() {
        let q = RetryQuota::new(DEFAULT_QUOTA_CAPACITY);
        assert_eq!(q.acquire(RetryKind::Transient), Some(5));
        assert_eq!(q.acquire(RetryKind::Timeout), Some(10));
        assert_eq!(q.available(), 485);
        q.release(Some(10));
        assert_eq!(q.available(), 495);
        q.release(None);
        assert_eq!(q.available(), 496);
        q.release(Some(5));
        q.release(None);
        assert_eq!(q.available(), 500, "never above capacity");

        let mut granted = 0;
        while q.acquire(RetryKind::Throttling).is_some() {
            granted += 1;
        }
        assert_eq!(granted, 100);
        assert_eq!(q.available(), 0);
        assert_eq!(q.acquire(RetryKind::Transient), None);
        let small = RetryQuota::new(7);
        assert_eq!(small.acquire(RetryKind::Timeout), None, "timeout costs 10");
        assert_eq!(small.acquire(RetryKind::Transport), Some(5));
    }
}
