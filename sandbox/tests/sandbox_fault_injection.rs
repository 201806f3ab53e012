//! Fault injection: shares roughly honoured and repeatable with a seed, each kind as specified.
#[path = "support/mod.rs"]
mod sandbox_support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use sandbox_support::*;
use sfmc_partnerapi_sandbox::{codes, FaultInjection, InjectedFault, RunningSandbox};

/// The class of one answer.
async fn classify(sb: &RunningSandbox, body: &str) -> R<&'static str> {
    Ok(
        match post_soap(sb, Some("Retrieve"), body.to_string()).await {
            Err(_) => "dropped",
            Ok((503, text)) => {
                assert!(text.contains("Service Unavailable"));
                "503"
            }
            Ok((500, text)) => {
                let f = fault(&text)?;
                if f.is_token_expired() {
                    assert_eq!(f.code, "soap:Client");
                    "token-expired"
                } else {
                    assert_eq!(f.code, "soap:Server");
                    assert_eq!(f.api_code(), Some(codes::RATE_LIMITED));
                    "rate-limited"
                }
            }
            Ok((200, _)) => "ok",
            Ok((other, text)) => return Err(format!("unexpected HTTP {other}: {text}").into()),
        },
    )
}

async fn run(seed: u64, n: usize) -> R<Vec<&'static str>> {
    let sb = two_accounts()
        .faults(FaultInjection {
            http_503: 0.2,
            rate_limited: 0.1,
            token_expired: 0.1,
            drop_connection: 0.1,
            seed: Some(seed),
            ..Default::default()
        })
        .start("127.0.0.1:0")
        .await?;
    let tok = token(&sb, "a", "secret-a").await?;
    let body = with_token(&tok, &retrieve_request(None));
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(classify(&sb, &body).await?);
    }
    let stats = sb.state().stats();
    let count = |k| out.iter().filter(|c| **c == k).count() as u64;
    assert_eq!(stats.injected_503, count("503"));
    assert_eq!(stats.injected_dropped, count("dropped"));
    assert_eq!(stats.injected_rate_limited, count("rate-limited"));
    assert_eq!(stats.injected_token_expired, count("token-expired"));
    assert_eq!(stats.soap_requests, n as u64);
    sb.shutdown().await;
    Ok(out)
}

#[tokio::test]
async fn shares_are_roughly_honoured_and_repeatable_with_a_seed() -> R {
    let n = 400;
    let a = run(42, n).await?;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &a {
        *counts.entry(c).or_default() += 1;
    }
    // Expected 80/40/40/40/200 of 400; allow about four standard deviations.
    let within = |k: &str, lo: usize, hi: usize| {
        let c = counts.get(k).copied().unwrap_or(0);
        assert!(
            (lo..=hi).contains(&c),
            "{k}: {c} not in {lo}..={hi} ({counts:?})"
        );
    };
    within("503", 50, 110);
    within("rate-limited", 20, 62);
    within("token-expired", 20, 62);
    within("dropped", 20, 62);
    within("ok", 160, 240);
    // The same seed, the same sequence of answers.
    assert_eq!(run(42, n).await?, a);
    Ok(())
}

#[tokio::test]
async fn sequence_latency_and_token_only_expiry() -> R {
    let sb = two_accounts()
        .faults(FaultInjection {
            latency: Duration::from_millis(60),
            sequence: vec![
                InjectedFault::Http503,
                InjectedFault::RateLimited,
                InjectedFault::TokenExpired,
                InjectedFault::None,
                InjectedFault::TokenExpired,
            ],
            ..Default::default()
        })
        .start("127.0.0.1:0")
        .await?;
    let tok = token(&sb, "a", "secret-a").await?;
    let body = with_token(&tok, &retrieve_request(None));
    let started = Instant::now();
    assert_eq!(classify(&sb, &body).await?, "503");
    assert!(started.elapsed() >= Duration::from_millis(60));
    assert_eq!(classify(&sb, &body).await?, "rate-limited");
    assert_eq!(classify(&sb, &body).await?, "token-expired");
    assert_eq!(classify(&sb, &body).await?, "ok");
    // Token Expired is only injected into token-authenticated requests.
    let by_user = with_user("ua", "pw-a", &retrieve_request(None));
    assert_eq!(classify(&sb, &by_user).await?, "ok");
    assert_eq!(classify(&sb, &body).await?, "ok");
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn bad_shares_are_refused() -> R {
    let err = two_accounts()
        .faults(FaultInjection {
            http_503: 0.6,
            drop_connection: 0.6,
            ..Default::default()
        })
        .start("127.0.0.1:0")
        .await
        .err();
    assert!(err.is_some_and(|e| e.to_string().contains("more than 1")));
    Ok(())
}
