//! Fault injection: latency, HTTP 503, rate-limit Server faults, `Token Expired` and dropped
//! connections, by share of requests, deterministic with a seed.

use std::collections::VecDeque;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

/// What to inject into the SOAP requests (`/Service.asmx`; the token endpoint is left alone).
///
/// Each request draws one number: the shares below are consecutive bands of `[0, 1)`, so they
/// must add up to at most 1. With a `seed` the draws (and so the faults) repeat exactly for the
/// same sequence of requests. `sequence` gives the faults of the first requests, in order,
/// before the shares apply (`InjectedFault::None` lets one through).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultInjection {
    /// Added to every SOAP response (also to injected ones).
    pub latency: Duration,
    /// A random extra latency in `[0, latency_jitter)`.
    pub latency_jitter: Duration,
    /// Share answered `503 Service Unavailable` (HTML, no SOAP), before anything happens.
    pub http_503: f64,
    /// Share answered with a `soap:Server` fault, apifault Code 17 (rate limited), before
    /// anything happens.
    pub rate_limited: f64,
    /// Share of requests authenticated with an OAuth token answered `Token Expired`, before
    /// anything happens (the token itself stays valid).
    pub token_expired: f64,
    /// Share whose connection is closed without any response, *after* the request took effect
    /// (a lost response: a retry with the same CorrelationID gets the first outcome).
    pub drop_connection: f64,
    /// Seed of the draws; `None` draws from entropy.
    pub seed: Option<u64>,
    /// Faults for the first requests, in order, before the shares apply.
    pub sequence: Vec<InjectedFault>,
}

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InjectedFault {
    /// Nothing injected.
    None,
    /// `503 Service Unavailable`.
    Http503,
    /// `soap:Server` fault with apifault Code 17.
    RateLimited,
    /// `soap:Client` fault `Token Expired`.
    TokenExpired,
    /// The connection closes without a response.
    DropConnection,
}

impl FromStr for InjectedFault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "ok" => Ok(Self::None),
            "503" | "http-503" => Ok(Self::Http503),
            "rate-limited" | "rate-limit" | "17" => Ok(Self::RateLimited),
            "token-expired" => Ok(Self::TokenExpired),
            "drop" | "drop-connection" => Ok(Self::DropConnection),
            other => Err(format!(
                "unknown fault {other:?} (none, 503, rate-limited, token-expired, drop)"
            )),
        }
    }
}

impl FaultInjection {
    pub(crate) fn validate(&self) -> Result<(), String> {
        let shares = [
            ("http_503", self.http_503),
            ("rate_limited", self.rate_limited),
            ("token_expired", self.token_expired),
            ("drop_connection", self.drop_connection),
        ];
        for (name, share) in shares {
            if !(0.0..=1.0).contains(&share) {
                return Err(format!("fault share {name} = {share} is not within 0..=1"));
            }
        }
        let total: f64 = shares.iter().map(|(_, s)| s).sum();
        if total > 1.0 + 1e-9 {
            return Err(format!("the fault shares add up to {total}, more than 1"));
        }
        Ok(())
    }

    /// Whether anything at all is injected.
    pub fn is_active(&self) -> bool {
        !self.latency.is_zero()
            || !self.latency_jitter.is_zero()
            || self.http_503 > 0.0
            || self.rate_limited > 0.0
            || self.token_expired > 0.0
            || self.drop_connection > 0.0
            || !self.sequence.is_empty()
    }
}

struct Draws {
    rng: fastrand::Rng,
    sequence: VecDeque<InjectedFault>,
}

/// Draws the fault and latency of each request.
pub(crate) struct Injector {
    config: FaultInjection,
    draws: Mutex<Draws>,
}

impl std::fmt::Debug for Injector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Injector")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Injector {
    pub(crate) fn new(config: FaultInjection) -> Self {
        let rng = match config.seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        let sequence = config.sequence.iter().copied().collect();
        Self {
            config,
            draws: Mutex::new(Draws { rng, sequence }),
        }
    }

    /// The fault and the latency for the next request.
    pub(crate) fn draw(&self) -> (InjectedFault, Duration) {
        let c = &self.config;
        if !c.is_active() {
            return (InjectedFault::None, Duration::ZERO);
        }
        let mut d = match self.draws.lock() {
            Ok(d) => d,
            Err(poisoned) => poisoned.into_inner(),
        };
        let fault = match d.sequence.pop_front() {
            Some(f) => f,
            None => {
                let u = d.rng.f64();
                let mut edge = 0.0;
                let bands = [
                    (c.http_503, InjectedFault::Http503),
                    (c.rate_limited, InjectedFault::RateLimited),
                    (c.token_expired, InjectedFault::TokenExpired),
                    (c.drop_connection, InjectedFault::DropConnection),
                ];
                let mut chosen = InjectedFault::None;
                for (share, fault) in bands {
                    edge += share;
                    if u < edge {
                        chosen = fault;
                        break;
                    }
                }
                chosen
            }
        };
        let jitter = if c.latency_jitter.is_zero() {
            Duration::ZERO
        } else {
            c.latency_jitter.mul_f64(d.rng.f64())
        };
        (fault, c.latency + jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_roughly_honoured_and_seeded() {
        let config = FaultInjection {
            http_503: 0.1,
            rate_limited: 0.2,
            drop_connection: 0.3,
            seed: Some(7),
            ..Default::default()
        };
        let run = || {
            let inj = Injector::new(config.clone());
            (0..10_000).map(|_| inj.draw().0).collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let count = |f| a.iter().filter(|x| **x == f).count();
        assert!((800..1200).contains(&count(InjectedFault::Http503)));
        assert!((1700..2300).contains(&count(InjectedFault::RateLimited)));
        assert!((2700..3300).contains(&count(InjectedFault::DropConnection)));
        assert_eq!(count(InjectedFault::TokenExpired), 0);
    }

    #[test]
    fn sequence_comes_first_and_shares_are_validated() {
        let inj = Injector::new(FaultInjection {
            sequence: vec![InjectedFault::TokenExpired, InjectedFault::None],
            ..Default::default()
        });
        assert_eq!(inj.draw().0, InjectedFault::TokenExpired);
        assert_eq!(inj.draw().0, InjectedFault::None);
        assert_eq!(inj.draw().0, InjectedFault::None);
        let bad = FaultInjection {
            http_503: 0.7,
            drop_connection: 0.7,
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        let nan = FaultInjection {
            http_503: f64::NAN,
            ..Default::default()
        };
        assert!(nan.validate().is_err());
    }
}
