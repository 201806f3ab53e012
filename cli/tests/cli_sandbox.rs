//! `sfmc sandbox` as a child process, `sfmc --sandbox`, the zeep peer against the sandbox, and
//! `--dry-run` checked against the upstream schema.
#[path = "support/cli.rs"]
mod cli_support;
#[path = "../../sandbox/tests/support/mod.rs"]
mod sandbox_support;

use std::process::Command;
use std::time::Duration;

use cli_support::*;
use sandbox_support::*;
use sfmc_partnerapi_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_one_command_demo() -> R {
    let run = sfmc_run(args!["--sandbox", "cancel-send", 29605]).await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(run.stdout.trim(), "send 29605: canceled");
    // Each run has its own in-process sandbox with the demo sends.
    let run = sfmc_run(args!["--sandbox", "--json", "cancel-send", 29605, 29610]).await?;
    assert_eq!(run.code, Some(1), "{}", run.describe());
    let json: serde_json::Value = serde_json::from_str(&run.stdout)?;
    assert_eq!(json["results"][0]["ok"], true);
    assert_eq!(json["results"][1]["ok"], false);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_child_serves_the_cli_and_zeep_and_stops_on_sigterm() -> R {
    let sb = tokio::task::spawn_blocking(|| SandboxChild::start(&[])).await??;
    assert!(
        sb.banner[0].starts_with("token URL: http://127.0.0.1:"),
        "{:?}",
        sb.banner
    );
    assert!(
        sb.banner[1].starts_with("SOAP endpoint: http://127.0.0.1:"),
        "{:?}",
        sb.banner
    );
    assert!(
        sb.banner.iter().any(|l| l.contains("29605")),
        "{:?}",
        sb.banner
    );
    assert!(
        sb.banner.iter().any(|l| l.contains(DEMO_CLIENT_ID)),
        "{:?}",
        sb.banner
    );

    // The endpoint alone is enough: a loopback endpoint serves its own token endpoint.
    let run = sfmc_run(args![
        "--endpoint",
        sb.soap_url,
        "--client-id",
        DEMO_CLIENT_ID,
        "--client-secret",
        DEMO_CLIENT_SECRET,
        "cancel-send",
        29605
    ])
    .await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(run.stdout.trim(), "send 29605: canceled");

    // The other demo account cannot see it.
    let run = sfmc_run(args![
        "--endpoint",
        sb.soap_url,
        "--client-id",
        DEMO_CLIENT_ID,
        "--client-secret",
        DEMO_CLIENT_SECRET,
        "cancel-send",
        39001
    ])
    .await?;
    assert_eq!(run.code, Some(1), "{}", run.describe());

    let zeep_ran = zeep_cancels(&sb.token_url, &sb.soap_url, 29606).await?;

    let run = sfmc_run(args![
        "--endpoint",
        sb.soap_url,
        "--client-id",
        DEMO_CLIENT_ID,
        "--client-secret",
        DEMO_CLIENT_SECRET,
        "--json",
        "sends",
        "--status",
        "Canceled"
    ])
    .await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let json: serde_json::Value = serde_json::from_str(&run.stdout)?;
    let ids: Vec<i64> = json
        .as_array()
        .ok_or("not an array")?
        .iter()
        .filter_map(|s| s["id"].as_i64())
        .collect();
    if zeep_ran {
        assert_eq!(ids, vec![29605, 29606, 29610]);
    } else {
        assert_eq!(ids, vec![29605, 29610]);
    }

    let code = tokio::task::spawn_blocking(move || sb.terminate()).await??;
    assert_eq!(code, Some(0), "graceful exit on SIGTERM");
    Ok(())
}

/// The zeep peer (`../shared/peers/zeep/cancel_send.py`) cancels `id` on the sandbox; `false`
/// when it could not run (and that is allowed).
async fn zeep_cancels(token_url: &str, soap_url: &str, id: i64) -> R<bool> {
    let peers = peers_dir();
    let setup = peers.join("zeep/setup.sh");
    let python =
        tokio::task::spawn_blocking(move || Command::new("bash").arg(setup).output()).await?;
    let python = match python {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        Ok(out) => {
            return peers_unavailable(&format!(
                "the zeep peer's setup failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
            .map(|()| false)
        }
        Err(e) => {
            return peers_unavailable(&format!("the zeep peer's setup cannot run: {e}"))
                .map(|()| false)
        }
    };
    let resp = http()
        .post(token_url)
        .json(&serde_json::json!({"grant_type": "client_credentials",
            "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET}))
        .send()
        .await?;
    let token = resp.json::<serde_json::Value>().await?["access_token"]
        .as_str()
        .ok_or("no token")?
        .to_string();
    let script = peers.join("zeep/cancel_send.py");
    let url = soap_url.to_string();
    let run = tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new(python);
        cmd.arg(script)
            .arg(url)
            .arg(id.to_string())
            .env("PARTNERAPI_FUELOAUTH_TOKEN", token);
        run_with_limit(cmd, Duration::from_secs(60))
    })
    .await??;
    assert_eq!(run.code, Some(0), "zeep cancel_send.py\n{}", run.describe());
    assert!(
        run.stdout.contains("OverallStatus: OK"),
        "{}",
        run.describe()
    );
    assert!(
        run.stdout.contains(&format!("ID={id}")),
        "{}",
        run.describe()
    );
    Ok(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_file_survives_a_sandbox_restart() -> R {
    let dir = tempfile::tempdir()?;
    let state = dir.path().join("state.json").to_string_lossy().into_owned();
    let extra = args![
        "--client",
        "c:s:5",
        "--send",
        "7:scheduled:5",
        "--send",
        "8:paused:5",
        "--state",
        state
    ];
    let sb = {
        let extra = extra.clone();
        tokio::task::spawn_blocking(move || SandboxChild::start(&extra)).await??
    };
    assert!(
        sb.banner.iter().any(|l| l == "client: c (MID 5)"),
        "{:?}",
        sb.banner
    );
    assert!(
        !sb.banner
            .iter()
            .any(|l| l.contains(":s:") || l.contains(" s ")),
        "no secret"
    );
    let run = sfmc_run(args![
        "--endpoint",
        sb.soap_url,
        "--client-id",
        "c",
        "--client-secret",
        "s",
        "cancel-send",
        7,
        8
    ])
    .await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    tokio::task::spawn_blocking(move || sb.terminate()).await??;

    let sb = tokio::task::spawn_blocking(move || SandboxChild::start(&extra)).await??;
    assert!(
        sb.banner
            .iter()
            .any(|l| l.contains("7 Canceled (MID 5), 8 Canceled (MID 5)")),
        "{:?}",
        sb.banner
    );
    let run = sfmc_run(args![
        "--endpoint",
        sb.soap_url,
        "--client-id",
        "c",
        "--client-secret",
        "s",
        "cancel-send",
        7
    ])
    .await?;
    assert_eq!(run.code, Some(1), "{}", run.describe());
    tokio::task::spawn_blocking(move || sb.terminate()).await??;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_masks_secrets_sends_nothing_and_validates() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let secret = "dry-run-secret-b7f3";
    let mut variants = [
        args![
            "--endpoint",
            sb.soap_url(),
            "--auth-url",
            sb.base_url(),
            "--client-id",
            "a",
            "--client-secret",
            secret
        ],
        args!["--endpoint", sb.soap_url(), "--access-token", secret],
        args![
            "--endpoint",
            sb.soap_url(),
            "--username",
            "ua",
            "--password",
            secret
        ],
    ];
    let dir = tempfile::tempdir()?;
    for (i, base) in variants.iter_mut().enumerate() {
        base.extend(args!["--dry-run", "cancel-send", 100]);
        let run = sfmc_run(base.clone()).await?;
        assert_eq!(run.code, Some(0), "{}", run.describe());
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "{}",
            run.describe()
        );
        assert!(run.stdout.contains("***"), "{}", run.describe());
        assert!(
            run.stdout.contains("<Action>cancel</Action>"),
            "{}",
            run.describe()
        );
        assert!(run.stdout.contains("29605") || run.stdout.contains(">100<"));
        let file = dir.path().join(format!("dry-run-{i}.xml"));
        std::fs::write(&file, &run.stdout)?;
        validate(&file).await?;
    }
    // The Retrieve of `sends` and a generic `perform` on another type, too.
    for (i, extra) in [
        args!["--dry-run", "sends", "--status", "Scheduled"],
        args![
            "--dry-run",
            "perform",
            "--action",
            "start",
            "--object-type",
            "Email",
            "--id",
            7
        ],
    ]
    .into_iter()
    .enumerate()
    {
        let mut a = args!["--endpoint", sb.soap_url(), "--access-token", secret];
        a.extend(extra);
        let run = sfmc_run(a).await?;
        assert_eq!(run.code, Some(0), "{}", run.describe());
        assert!(!run.stdout.contains(secret), "{}", run.describe());
        assert!(run.stdout.contains("***"), "{}", run.describe());
        let file = dir.path().join(format!("dry-run-extra-{i}.xml"));
        std::fs::write(&file, &run.stdout)?;
        validate(&file).await?;
    }
    let stats = sb.state().stats();
    assert_eq!(
        (stats.soap_requests, stats.token_requests),
        (0, 0),
        "nothing sent"
    );
    assert_eq!(
        status_of(&sb, 100),
        Some(sfmc_partnerapi_sandbox::SendStatus::Scheduled)
    );
    sb.shutdown().await;
    Ok(())
}

/// `../shared/peers/validate/validate-envelope.sh FILE` must accept FILE.
async fn validate(file: &std::path::Path) -> R {
    let script = peers_dir().join("validate/validate-envelope.sh");
    let have_xmllint = Command::new("sh")
        .args(["-c", "command -v xmllint"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !have_xmllint || !script.exists() {
        return peers_unavailable(
            "xmllint or the validator is missing (apt-get install -y libxml2-utils)",
        );
    }
    let file = file.to_path_buf();
    let run = tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new("bash");
        cmd.arg(script).arg(file);
        run_with_limit(cmd, Duration::from_secs(120))
    })
    .await??;
    if run.code == Some(2) && run.stderr.contains("venv") {
        return peers_unavailable(&format!("the validator's setup failed: {}", run.stderr));
    }
    assert_eq!(
        run.code,
        Some(0),
        "validate-envelope.sh\n{}",
        run.describe()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_range_makes_many_sends_and_a_short_banner() -> R {
    let extra = args![
        "--client",
        "c:s:5",
        "--send-range",
        "500-599:scheduled:5",
        "--send",
        "550:sent:5"
    ];
    let sb = tokio::task::spawn_blocking(move || SandboxChild::start(&extra)).await??;
    let sends = sb
        .banner
        .iter()
        .find(|l| l.starts_with("sends: "))
        .cloned()
        .unwrap_or_default();
    assert!(
        sends.starts_with("sends: 500 Scheduled (MID 5), "),
        "{sends}"
    );
    assert!(sends.ends_with(", ... (100 sends in all)"), "{sends}");
    let run = sfmc_run(args![
        "--endpoint",
        sb.soap_url,
        "--client-id",
        "c",
        "--client-secret",
        "s",
        "cancel-send",
        500,
        599,
        550
    ])
    .await?;
    assert_eq!(run.code, Some(1), "{}", run.describe());
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "send 500: canceled", "{}", run.describe());
    assert_eq!(lines[1], "send 599: canceled", "{}", run.describe());
    assert!(
        lines[2].starts_with("send 550: not canceled"),
        "{}",
        run.describe()
    );
    tokio::task::spawn_blocking(move || sb.terminate()).await??;

    // A range that is too large or backwards is a usage error.
    for bad in ["1-2000000", "9-1", "x-2"] {
        let run = sfmc_run(args!["sandbox", "--send-range", bad]).await?;
        assert_eq!(run.code, Some(2), "{bad}: {}", run.describe());
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_data_set_and_paging_options() -> R {
    use sfmc_partnerapi::types::{RetrieveRequest, RetrieveRequestMsg};
    let extra = args![
        "--client",
        "c:s:5",
        "--send",
        "77:sent:5",
        "--send",
        "88:sent:6",
        "--child-account",
        "5:6",
        "--events",
        25,
        "--seed",
        9,
        "--subscribers",
        12,
        "--rows",
        4,
        "--page-size",
        10,
        "--continuation-ttl",
        "2m"
    ];
    let sb = tokio::task::spawn_blocking(move || SandboxChild::start(&extra)).await??;
    assert!(
        sb.banner.iter().any(|l| l
            == "data set per account: 12 subscribers, 25 events of each type, 4 rows per data extension (seed 9); Retrieve pages of 10"),
        "{:?}",
        sb.banner
    );
    let client = sfmc_partnerapi::Client::builder()
        .endpoint(&sb.soap_url)
        .auth_url(sb.base_url())
        .client_credentials("c", "s")
        .no_proxy()
        .build()?;
    let mut request = RetrieveRequestMsg {
        retrieve_request: RetrieveRequest {
            object_type: "SentEvent".into(),
            properties: vec!["ID".into(), "SendID".into()],
            query_all_accounts: Some(true),
            ..Default::default()
        },
    };
    let mut rows = 0;
    let mut pages = 0;
    loop {
        let resp = client.api().retrieve(&request).await?;
        pages += 1;
        rows += resp.results.len();
        if resp.overall_status != "MoreDataAvailable" {
            assert_eq!(resp.overall_status, "OK");
            break;
        }
        request.retrieve_request.continue_request = resp.request_id;
    }
    // 25 events in account 5 and 25 in its child 6, ten to a page.
    assert_eq!((rows, pages), (50, 5));
    tokio::task::spawn_blocking(move || sb.terminate()).await??;

    // Bad values are usage errors.
    for bad in [
        args!["sandbox", "--page-size", 0],
        args!["sandbox", "--child-account", "3:3"],
        args!["sandbox", "--continuation-ttl", "0s"],
        args!["sandbox", "--client", "c:s:5", "--events", 5],
    ] {
        let run = sfmc_run(bad.clone()).await?;
        assert_eq!(run.code, Some(2), "{bad:?}: {}", run.describe());
    }
    Ok(())
}
