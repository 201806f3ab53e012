//! `sfmc` end to end against the sandbox (in-process, over real HTTP on loopback): cancel, pause,
//! resume, unknown ID, already canceled, wrong account, token expiry, JSON, sends, perform.
#[path = "support/cli.rs"]
mod cli_support;
#[path = "../../sandbox/tests/support/mod.rs"]
mod sandbox_support;

use cli_support::*;
use sandbox_support::*;
use sfmc_partnerapi_sandbox::{codes, FaultInjection, InjectedFault, SendStatus};

fn with(mut base: Vec<String>, more: Vec<String>) -> Vec<String> {
    base.extend(more);
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_pause_resume_and_their_errors() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let a = target(&sb, "a", "secret-a");

    let run = sfmc_run(with(a.clone(), args!["pause-send", 100])).await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(run.stdout.trim(), "send 100: paused");
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Paused));

    let run = sfmc_run(with(a.clone(), args!["resume-send", 100])).await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(run.stdout.trim(), "send 100: resumed");

    let run = sfmc_run(with(a.clone(), args!["cancel-send", 100])).await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(run.stdout.trim(), "send 100: canceled");
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Canceled));

    // Already canceled: exit 1, one line that says why.
    let run = sfmc_run(with(a.clone(), args!["cancel-send", 100])).await?;
    assert_eq!(run.code, Some(1), "{}", run.describe());
    assert!(
        run.stdout.contains("send 100: not canceled"),
        "{}",
        run.describe()
    );
    assert!(run.stdout.contains(&codes::ALREADY_CANCELED.to_string()));

    // Unknown ID: exit 1.
    let run = sfmc_run(with(a.clone(), args!["cancel-send", 4242])).await?;
    assert_eq!(run.code, Some(1), "{}", run.describe());
    assert!(
        run.stdout.contains(&codes::SEND_NOT_FOUND.to_string()),
        "{}",
        run.describe()
    );
    let unknown_line = run.stdout.trim().replace("4242", "<ID>");

    // Wrong account: exactly like an unknown ID, and the send is unchanged.
    let run = sfmc_run(with(a.clone(), args!["cancel-send", 200])).await?;
    assert_eq!(run.code, Some(1), "{}", run.describe());
    assert_eq!(run.stdout.trim().replace("200", "<ID>"), unknown_line);
    assert_eq!(status_of(&sb, 200), Some(SendStatus::Scheduled));

    // A mixed batch: one line per ID, in order, exit 1.
    let run = sfmc_run(with(a.clone(), args!["cancel-send", 101, 4242, 102])).await?;
    assert_eq!(run.code, Some(1), "{}", run.describe());
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.describe());
    assert_eq!(lines[0], "send 101: canceled");
    assert!(lines[1].starts_with("send 4242: not canceled"));
    assert_eq!(lines[2], "send 102: canceled");
    sb.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_output_parses() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let a = target(&sb, "a", "secret-a");
    let run = sfmc_run(with(a.clone(), args!["--json", "cancel-send", 101, 4242])).await?;
    assert_eq!(run.code, Some(1), "{}", run.describe());
    let json: serde_json::Value = serde_json::from_str(&run.stdout)?;
    assert_eq!(json["action"], "cancel");
    assert_eq!(json["ok"], false);
    let results = json["results"].as_array().ok_or("no results")?;
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["id"], 101);
    assert_eq!(results[0]["ok"], true);
    assert_eq!(results[1]["id"], 4242);
    assert_eq!(results[1]["ok"], false);
    assert_eq!(results[1]["error_code"], codes::SEND_NOT_FOUND);

    let run = sfmc_run(with(
        a.clone(),
        args!["--json", "sends", "--status", "Paused"],
    ))
    .await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let json: serde_json::Value = serde_json::from_str(&run.stdout)?;
    let sends = json.as_array().ok_or("not an array")?;
    assert_eq!(sends.len(), 1);
    assert_eq!(sends[0]["id"], 102);
    assert_eq!(sends[0]["status"], "Paused");

    // A failure before any request is JSON too (exit 2).
    let run = sfmc_run(args![
        "--json",
        "--endpoint",
        sb.soap_url(),
        "cancel-send",
        1
    ])
    .await?;
    assert_eq!(run.code, Some(2), "{}", run.describe());
    let json: serde_json::Value = serde_json::from_str(&run.stdout)?;
    assert_eq!(json["ok"], false);
    assert_eq!(json["error"]["exit_code"], 2);
    sb.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_and_perform_commands() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let a = target(&sb, "a", "secret-a");
    let run = sfmc_run(with(a.clone(), args!["sends"])).await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(run.stdout.lines().count(), 5, "{}", run.describe());
    assert!(run.stdout.contains("Paused"));
    assert!(
        !run.stdout.contains(" 200 "),
        "another account's send is listed"
    );

    let run = sfmc_run(with(
        a.clone(),
        args![
            "perform",
            "--action",
            "cancel",
            "--object-type",
            "Send",
            "--id",
            101
        ],
    ))
    .await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert!(run.stdout.contains("ID 101: OK"), "{}", run.describe());
    assert_eq!(status_of(&sb, 101), Some(SendStatus::Canceled));

    let run = sfmc_run(with(
        a.clone(),
        args![
            "perform",
            "--action",
            "cancel",
            "--object-type",
            "Email",
            "--id",
            1
        ],
    ))
    .await?;
    assert_eq!(run.code, Some(1), "{}", run.describe());
    assert!(
        run.stdout.contains("Email") || run.stderr.contains("Email"),
        "{}",
        run.describe()
    );
    sb.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_commands_run_several_chunks_at_once_with_outcomes_in_order() -> R {
    let sb = two_accounts()
        .send_range(1000..=1399, SendStatus::Scheduled, MID_A)
        .send_range(2000..=2119, SendStatus::Scheduled, MID_A)
        .start("127.0.0.1:0")
        .await?;
    let a = target(&sb, "a", "secret-a");
    let ids: Vec<i64> = (1000..=1399).rev().collect();
    let mut cancel = with(a.clone(), args!["--concurrency", 8, "cancel-send"]);
    cancel.extend(ids.iter().map(ToString::to_string));
    let run = sfmc_run(cancel).await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let expected: Vec<String> = ids
        .iter()
        .map(|id| format!("send {id}: canceled"))
        .collect();
    assert_eq!(run.stdout.lines().collect::<Vec<_>>(), expected);
    assert!(ids
        .iter()
        .all(|&id| status_of(&sb, id) == Some(SendStatus::Canceled)));
    assert_eq!(sb.state().stats().soap_requests, 8);

    // `perform` goes in chunks too, one line per ID in input order (concurrency from the
    // environment).
    let ids: Vec<i64> = (2000..=2119).collect();
    let mut perform = with(
        a.clone(),
        args!["perform", "--action", "cancel", "--object-type", "Send"],
    );
    for id in &ids {
        perform.extend(args!["--id", id]);
    }
    let run = sfmc_run_env(perform, vec![("SFMC_CONCURRENCY".into(), "2".into())]).await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let mut expected: Vec<String> = ids
        .iter()
        .map(|id| format!("ID {id}: OK: Send {id} canceled"))
        .collect();
    expected.push("OverallStatus: OK".into());
    assert_eq!(run.stdout.lines().collect::<Vec<_>>(), expected);
    assert_eq!(sb.state().stats().soap_requests, 8 + 3);
    sb.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_renewed_and_the_call_repeated() -> R {
    let sb = two_accounts()
        .faults(FaultInjection {
            sequence: vec![InjectedFault::TokenExpired],
            ..Default::default()
        })
        .start("127.0.0.1:0")
        .await?;
    let run = sfmc_run(with(
        target(&sb, "a", "secret-a"),
        args!["cancel-send", 100],
    ))
    .await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(run.stdout.trim(), "send 100: canceled");
    let stats = sb.state().stats();
    assert_eq!(stats.injected_token_expired, 1);
    assert_eq!(stats.tokens_issued, 2, "a new token was fetched: {stats:?}");
    assert_eq!(status_of(&sb, 100), Some(SendStatus::Canceled));
    sb.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_batches_give_one_line_per_id() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let mut args = target(&sb, "a", "secret-a");
    args.push("cancel-send".into());
    let ids: Vec<i64> = (1000..1120).chain([100]).collect();
    args.extend(ids.iter().map(|i| i.to_string()));
    let run = sfmc_run(args).await?;
    assert_eq!(run.code, Some(1), "{}", run.describe());
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), ids.len());
    assert_eq!(lines[120], "send 100: canceled");
    assert!(lines[0].starts_with("send 1000: not canceled"));
    // Not a terminal: no progress bar on stderr.
    assert!(!run.stderr.contains('['), "{}", run.stderr);
    sb.shutdown().await;
    Ok(())
}
