//! `sfmc` exit codes: 0 success, 1 the API answered with an error, 2 usage or configuration,
//! 3 transport or protocol.
#[path = "support/cli.rs"]
mod cli_support;
#[path = "../../sandbox/tests/support/mod.rs"]
mod sandbox_support;

use std::net::TcpListener;
use std::time::Duration;

use cli_support::*;
use sandbox_support::*;
use sfmc_partnerapi_sandbox::{FaultInjection, SendStatus};

fn with(mut base: Vec<String>, more: Vec<String>) -> Vec<String> {
    base.extend(more);
    base
}

async fn expect(code: i32, args: Vec<String>) -> R<Run> {
    let run = sfmc_run(args.clone()).await?;
    assert_eq!(run.code, Some(code), "sfmc {args:?}\n{}", run.describe());
    assert!(!run.stderr.contains("panicked"), "{}", run.describe());
    Ok(run)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_and_configuration_errors_exit_2() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let a = target(&sb, "a", "secret-a");
    expect(2, args![]).await?;
    expect(2, args!["cancel-send"]).await?;
    expect(2, args!["cancel-send", "abc"]).await?;
    expect(2, args!["--no-such-flag", "cancel-send", 1]).await?;
    expect(2, args!["frobnicate"]).await?;
    expect(
        2,
        with(a.clone(), args!["--timeout", "-1", "cancel-send", 1]),
    )
    .await?;
    expect(
        2,
        with(a.clone(), args!["--timeout", "nan", "cancel-send", 1]),
    )
    .await?;
    expect(
        2,
        with(a.clone(), args!["--max-retries", "x", "cancel-send", 1]),
    )
    .await?;
    // --concurrency: 1 to 64 (the library says so; the CLI passes it on); not a number is
    // clap's usage error.
    for (n, says) in [
        ("0", "give 1 to 64"),
        ("65", "give 1 to 64"),
        ("x", "--concurrency"),
        ("-1", "-1"),
    ] {
        let run = expect(
            2,
            with(a.clone(), args!["--concurrency", n, "cancel-send", 1, 2]),
        )
        .await?;
        assert!(run.stderr.contains(says), "{}", run.describe());
    }
    let run = sfmc_run_env(
        with(a.clone(), args!["cancel-send", 1]),
        vec![("SFMC_CONCURRENCY".into(), "100".into())],
    )
    .await?;
    assert_eq!(run.code, Some(2), "{}", run.describe());
    assert!(run.stderr.contains("give 1 to 64"), "{}", run.describe());
    expect(
        2,
        with(a.clone(), args!["perform", "--action", "cancel", "--id", 1]),
    )
    .await?;
    expect(
        2,
        with(
            a.clone(),
            args![
                "perform",
                "--action",
                "cancel",
                "--object-type",
                "<x>",
                "--id",
                1
            ],
        ),
    )
    .await?;
    // No credentials, half credentials, two ways at once.
    expect(2, args!["--endpoint", sb.soap_url(), "cancel-send", 1]).await?;
    expect(
        2,
        args![
            "--endpoint",
            sb.soap_url(),
            "--client-id",
            "a",
            "cancel-send",
            1
        ],
    )
    .await?;
    let run = expect(
        2,
        with(
            a.clone(),
            args!["--access-token", "tok-secret-123", "cancel-send", 1],
        ),
    )
    .await?;
    assert!(!run.stderr.contains("tok-secret-123") && !run.stderr.contains("secret-a"));
    // A bad endpoint URL.
    expect(
        2,
        args![
            "--endpoint",
            "not a url",
            "--access-token",
            "t",
            "cancel-send",
            1
        ],
    )
    .await?;
    // WSDL commands with unreadable input.
    expect(2, args!["wsdl-surface", "/nonexistent/missing.wsdl"]).await?;
    expect(2, args!["wsdl-diff", "a.wsdl", "b.wsdl"]).await?;
    // Sandbox options.
    expect(2, args!["sandbox", "--send", "x"]).await?;
    expect(2, args!["sandbox", "--client", "nosecret"]).await?;
    expect(
        2,
        args!["sandbox", "--fail-503", "0.7", "--fail-drop", "0.7"],
    )
    .await?;
    expect(2, args!["sandbox", "--listen", "0.0.0.0:0"]).await?;
    // Help and version are not errors.
    expect(0, args!["--help"]).await?;
    expect(0, args!["--version"]).await?;
    assert_eq!(sb.state().stats().soap_requests, 0);
    sb.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_errors_exit_1() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    // Per-result errors.
    expect(
        1,
        with(target(&sb, "a", "secret-a"), args!["cancel-send", 4242]),
    )
    .await?;
    // Bad client credentials (401 from the token endpoint).
    let run = expect(
        1,
        with(
            target(&sb, "a", "wrong-secret-456"),
            args!["cancel-send", 100],
        ),
    )
    .await?;
    assert!(
        !run.stderr.contains("wrong-secret-456"),
        "{}",
        run.describe()
    );
    // A token the service does not know: the Security fault.
    let run = expect(
        1,
        args![
            "--endpoint",
            sb.soap_url(),
            "--access-token",
            "forged-token-789",
            "cancel-send",
            100
        ],
    )
    .await?;
    assert!(!run.stdout.contains("forged-token-789") && !run.stderr.contains("forged-token-789"));
    // A wrong UsernameToken password.
    expect(
        1,
        args![
            "--endpoint",
            sb.soap_url(),
            "--username",
            "ua",
            "--password",
            "nope",
            "cancel-send",
            100
        ],
    )
    .await?;
    // The right one works.
    expect(
        0,
        args![
            "--endpoint",
            sb.soap_url(),
            "--username",
            "ua",
            "--password",
            "pw-a",
            "cancel-send",
            100
        ],
    )
    .await?;
    sb.shutdown().await;

    // A Server fault (rate limited) that is not retried.
    let sb = two_accounts()
        .faults(FaultInjection {
            rate_limited: 1.0,
            ..Default::default()
        })
        .start("127.0.0.1:0")
        .await?;
    expect(
        1,
        with(
            target(&sb, "a", "secret-a"),
            args!["--max-retries", 0, "cancel-send", 101],
        ),
    )
    .await?;
    assert_eq!(status_of(&sb, 101), Some(SendStatus::Scheduled));
    sb.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_and_protocol_errors_exit_3() -> R {
    // Nothing listens.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?
    };
    let token = args!["--access-token", "t", "--max-retries", 0];
    expect(
        3,
        with(
            token.clone(),
            args![
                "--endpoint",
                format!("http://{closed}/Service.asmx"),
                "cancel-send",
                1
            ],
        ),
    )
    .await?;

    // HTTP 200 with a body that is not SOAP.
    let url = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot soap!",
        1,
    )?;
    expect(
        3,
        with(token.clone(), args!["--endpoint", url, "cancel-send", 1]),
    )
    .await?;
    // HTTP 502 without a SOAP fault.
    let url = raw_server(
        "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 11\r\nConnection: close\r\n\r\nbad gateway",
        1,
    )?;
    expect(
        3,
        with(token.clone(), args!["--endpoint", url, "cancel-send", 1]),
    )
    .await?;

    // The sandbox answering 503, dropping connections, or too slowly.
    for faults in [
        FaultInjection {
            http_503: 1.0,
            ..Default::default()
        },
        FaultInjection {
            drop_connection: 1.0,
            ..Default::default()
        },
        FaultInjection {
            latency: Duration::from_secs(3),
            ..Default::default()
        },
    ] {
        let sb = two_accounts()
            .faults(faults.clone())
            .start("127.0.0.1:0")
            .await?;
        expect(
            3,
            with(
                target(&sb, "a", "secret-a"),
                args!["--max-retries", 0, "--timeout", "0.5", "cancel-send", 101],
            ),
        )
        .await?;
        sb.shutdown().await;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_panic_on_odd_input() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let a = target(&sb, "a", "secret-a");
    for odd in [
        args!["cancel-send", "-1"],
        args!["cancel-send", 0],
        args!["cancel-send", i64::MAX],
        args!["cancel-send", "99999999999999999999999"],
        args!["sends", "--status", "<&>\"'"],
        args![
            "perform",
            "--action",
            "<x&y>",
            "--object-type",
            "Send",
            "--id",
            100
        ],
    ] {
        let run = sfmc_run(with(a.clone(), odd.clone())).await?;
        assert!(
            matches!(run.code, Some(0..=3)),
            "{odd:?}: {}",
            run.describe()
        );
        assert!(
            !run.stderr.contains("panicked"),
            "{odd:?}: {}",
            run.describe()
        );
    }
    sb.shutdown().await;
    Ok(())
}

/// A client error is printed as its message (with its causes), then its hint on a line of its
/// own; with `--json`, the hint is a field of the error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_errors_print_the_hint_apart() -> R {
    let closed = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let base = args![
        "--endpoint",
        format!("http://{closed}/Service.asmx"),
        "--access-token",
        "tok-hint-test",
        "--max-retries",
        0
    ];
    let run = expect(3, with(base.clone(), args!["sends"])).await?;
    let lines: Vec<&str> = run.stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("sfmc: could not reach"))
        .ok_or_else(|| run.describe())?;
    assert!(
        !lines[at].contains("check the"),
        "advice is the hint's: {}",
        run.describe()
    );
    assert_eq!(
        lines.get(at + 1).copied(),
        Some("hint: check the endpoint URL, the network and any proxy"),
        "{}",
        run.describe()
    );
    let run = expect(3, with(base, args!["--json", "sends"])).await?;
    let json: serde_json::Value = serde_json::from_str(run.stdout.trim())?;
    assert_eq!(json["error"]["kind"], "connect", "{}", run.describe());
    assert_eq!(
        json["error"]["hint"],
        "check the endpoint URL, the network and any proxy",
        "{}",
        run.describe()
    );
    Ok(())
}
