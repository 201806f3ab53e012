//! When and how long to wait before repeating a failed call.
//!
//! A call is repeated (up to [`RetryPolicy::max_attempts`] attempts in all) only when the failure
//! says the service did not act on it, or that acting on it again is harmless:
//!
//! - the connection could not be made (nothing was sent);
//! - HTTP 429, 502, 503 or 504 (the service or its gateway turned the request away), waiting as
//!   long as `Retry-After` asks when it gives seconds (a wait longer than
//!   [`RetryPolicy::with_max_retry_after`] is not made: the error is returned instead);
//! - a `Server` SOAP fault whose `apifault` Code is 2 (unexpected error), 13 (database
//!   unavailable) or 17 (rate limited);
//! - the connection broke after the request was sent (reset, closed before or in the middle of
//!   the answer, an answer that is not HTTP), for requests that are safe to repeat: the
//!   read-only operations (`Retrieve`, `Query`, `Describe`, `VersionInfo`, `GetSystemStatus`),
//!   the token request, and **a Perform whose every definition carries a `CorrelationID`**. The
//!   client gives each definition one (the same on every attempt of the request), and the
//!   service (like the sandbox) answers a repeated `CorrelationID` with the outcome of the first:
//!   a cancel whose answer was lost is reported as the cancel that happened, not as "already
//!   canceled". [`RetryPolicy::with_retry_lost_connections`] turns this off.
//!
//! Never repeated: `Client` and `Security` faults (the same request fails the same way; an expired
//! OAuth token is handled apart, by one refresh and one repeat), other HTTP statuses, unreadable
//! answers, an `OverallStatus` that is not OK, configuration errors, and the operations that
//! change something without a `CorrelationID` to recognise a repeat by (`Create`, `Update`,
//! `Delete`, `Execute`, ...) after a lost connection.
//!
//! **Timeouts are not repeated by default.** A request that timed out may still be running on the
//! service; a repeat could reach it before the first one's outcome is recorded (so the
//! `CorrelationID` cannot yet be recognised), and it would double the time the caller already
//! waited. [`RetryPolicy::with_retry_timeouts`] opts in, and even then only the read-only
//! operations and the token request are repeated: a Perform never is after a timeout.
//!
//! Waits grow exponentially from [`RetryPolicy::with_base_delay`] up to
//! [`RetryPolicy::with_max_delay`], with "full jitter" (a random wait between zero and that bound)
//! so that many clients do not come back at the same instant.

use std::time::Duration;

use crate::types::Operation;

/// How many times to try a call, and how long to wait in between. See the [module](self) docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    jitter: bool,
    max_retry_after: Duration,
    retry_timeouts: bool,
    retry_lost_connections: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts in all, 200 ms base delay, 5 s maximum, full jitter, `Retry-After` up to 30 s,
    /// timeouts not repeated, lost connections repeated for requests that are safe to repeat.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            jitter: true,
            max_retry_after: Duration::from_secs(30),
            retry_timeouts: false,
            retry_lost_connections: true,
        }
    }
}

impl RetryPolicy {
    /// The default policy with `max_attempts` attempts in all (at least 1).
    pub fn new(max_attempts: u32) -> Self {
        Self::default().with_max_attempts(max_attempts)
    }

    /// One attempt: never repeat a call.
    pub fn none() -> Self {
        Self::new(1)
    }

    /// Attempts in all, the first included (at least 1).
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// The wait before the first repeat (without jitter); it doubles on each further one.
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest wait between two attempts.
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Whether to wait a random time between zero and the exponential bound (default) or exactly
    /// the bound.
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The longest `Retry-After` honoured; when the service asks for a longer wait, the error
    /// is returned at once instead (default 30 s).
    pub fn with_max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// Also repeat read-only operations (`Retrieve`, `Query`, `Describe`, `VersionInfo`,
    /// `GetSystemStatus`) and the token request after a timeout (default: no). Perform is never
    /// repeated after a timeout.
    pub fn with_retry_timeouts(mut self, retry: bool) -> Self {
        self.retry_timeouts = retry;
        self
    }

    /// Repeat a request whose connection broke after it was sent, when it is safe to: read-only
    /// operations, the token request, and a Perform whose every definition carries a
    /// `CorrelationID` (default: yes). See the [module](self) docs.
    pub fn with_retry_lost_connections(mut self, retry: bool) -> Self {
        self.retry_lost_connections = retry;
        self
    }

    /// Attempts in all, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether timeouts of read-only operations are repeated.
    pub fn retry_timeouts(&self) -> bool {
        self.retry_timeouts
    }

    /// Whether requests whose connection broke after sending are repeated (when safe).
    pub fn retry_lost_connections(&self) -> bool {
        self.retry_lost_connections
    }

    /// The wait before attempt `next_attempt` (2 for the first repeat), given what the failure
    /// was and how safe the request is to repeat; `None` when the call must not be repeated (not
    /// retryable, attempts used up, or a `Retry-After` beyond the limit).
    pub(crate) fn delay(
        &self,
        next_attempt: u32,
        class: RetryClass,
        request: Repeat,
    ) -> Option<Duration> {
        if next_attempt > self.max_attempts {
            return None;
        }
        match class {
            RetryClass::Never => None,
            RetryClass::Timeout if !(request == Repeat::ReadOnly && self.retry_timeouts) => None,
            RetryClass::ConnectionLost
                if !(request != Repeat::Unsafe && self.retry_lost_connections) =>
            {
                None
            }
            RetryClass::RetryAfter(wait) if wait > self.max_retry_after => None,
            RetryClass::RetryAfter(wait) => Some(wait),
            RetryClass::Backoff | RetryClass::Timeout | RetryClass::ConnectionLost => {
                Some(self.backoff(next_attempt))
            }
        }
    }

    /// Exponential backoff with optional full jitter, before attempt `next_attempt` (>= 2).
    fn backoff(&self, next_attempt: u32) -> Duration {
        let exponent = next_attempt.saturating_sub(2).min(20);
        let bound = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        if self.jitter {
            let nanos = u64::try_from(bound.as_nanos()).unwrap_or(u64::MAX);
            Duration::from_nanos(fastrand::u64(0..=nanos))
        } else {
            bound
        }
    }
}

/// What a failure says about repeating the call (decided where the failure is seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryClass {
    /// Do not repeat.
    Never,
    /// Nothing reached the service, or it asked to come back: repeat after the backoff.
    Backoff,
    /// Repeat after exactly this wait (`Retry-After`).
    RetryAfter(Duration),
    /// No complete answer within the timeout: the service may have acted, and may still be
    /// acting. Repeated only for read-only requests, and when the policy allows it.
    Timeout,
    /// The connection broke after the request was sent: the service may have acted. Repeated
    /// for requests that are safe to repeat ([`Repeat::ReadOnly`], [`Repeat::Deduplicated`]),
    /// when the policy allows it.
    ConnectionLost,
}

/// How safe a request is to send again when it is not known whether the service acted on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Changes nothing (`Retrieve`, `VersionInfo`, the token request, ...).
    ReadOnly,
    /// Changes something, but every object carries a `CorrelationID` the service recognises a
    /// repeat by (a Perform from this client).
    Deduplicated,
    /// Changes something, and a repeat could not be told from a new request.
    Unsafe,
}

impl Repeat {
    /// How safe `request`, of operation `O`, is to repeat, from the operation's generated flags
    /// and the request itself: read-only operations are; an operation idempotent with
    /// CorrelationIDs is when `filled` (the client gives each object that has none one) and
    /// every object has or gets one; nothing else is.
    pub(crate) fn of<O: Operation>(request: &O::Input, filled: bool) -> Self {
        let op = O::INFO;
        if op.read_only {
            Repeat::ReadOnly
        } else if op.idempotent_with_correlation_ids
            && filled
            && O::every_object_correlated(request)
        {
            Repeat::Deduplicated
        } else {
            Repeat::Unsafe
        }
    }
}

/// Server faults whose `apifault` Code marks a passing condition.
pub(crate) fn is_retryable_fault_code(code: i32) -> bool {
    matches!(code, 2 | 13 | 17)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_bounded() {
        let p = RetryPolicy::new(3).with_jitter(false);
        assert_eq!(
            p.delay(2, RetryClass::Backoff, Repeat::Unsafe),
            Some(Duration::from_millis(200))
        );
        assert_eq!(
            p.delay(3, RetryClass::Backoff, Repeat::Unsafe),
            Some(Duration::from_millis(400))
        );
        assert_eq!(p.delay(4, RetryClass::Backoff, Repeat::Unsafe), None);
        assert_eq!(
            RetryPolicy::none().delay(2, RetryClass::Backoff, Repeat::ReadOnly),
            None
        );
        assert_eq!(RetryPolicy::new(0).max_attempts(), 1);
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = RetryPolicy::new(40)
            .with_base_delay(Duration::from_secs(1))
            .with_max_delay(Duration::from_secs(3));
        for attempt in 2..40 {
            let d = p.delay(attempt, RetryClass::Backoff, Repeat::Unsafe);
            assert!(d.is_some_and(|d| d <= Duration::from_secs(3)), "{d:?}");
        }
        let fixed = p.clone().with_jitter(false);
        assert_eq!(
            fixed.delay(39, RetryClass::Backoff, Repeat::Unsafe),
            Some(Duration::from_secs(3))
        );
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_limit() {
        let p = RetryPolicy::default();
        let wait = Duration::from_secs(2);
        assert_eq!(
            p.delay(2, RetryClass::RetryAfter(wait), Repeat::Unsafe),
            Some(wait)
        );
        let long = RetryClass::RetryAfter(Duration::from_secs(31));
        assert_eq!(p.delay(2, long, Repeat::Unsafe), None);
    }

    #[test]
    fn timeouts_only_for_read_only_calls_when_allowed() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(2, RetryClass::Timeout, Repeat::ReadOnly), None);
        let p = p.with_retry_timeouts(true);
        assert!(p.delay(2, RetryClass::Timeout, Repeat::ReadOnly).is_some());
        assert_eq!(p.delay(2, RetryClass::Timeout, Repeat::Deduplicated), None);
        assert_eq!(p.delay(2, RetryClass::Timeout, Repeat::Unsafe), None);
        assert_eq!(p.delay(2, RetryClass::Never, Repeat::ReadOnly), None);
    }

    #[test]
    fn lost_connections_only_for_safe_requests() {
        let p = RetryPolicy::default();
        assert!(p.retry_lost_connections());
        let lost = RetryClass::ConnectionLost;
        assert!(p.delay(2, lost, Repeat::ReadOnly).is_some());
        assert!(p.delay(2, lost, Repeat::Deduplicated).is_some());
        assert_eq!(p.delay(2, lost, Repeat::Unsafe), None);
        assert_eq!(
            p.delay(4, lost, Repeat::Deduplicated),
            None,
            "attempts bound"
        );
        let off = p.with_retry_lost_connections(false);
        assert_eq!(off.delay(2, lost, Repeat::ReadOnly), None);
        assert_eq!(off.delay(2, lost, Repeat::Deduplicated), None);
    }

    #[test]
    fn fault_codes() {
        assert!(is_retryable_fault_code(2));
        assert!(is_retryable_fault_code(13));
        assert!(is_retryable_fault_code(17));
        assert!(!is_retryable_fault_code(1));
    }
}
