//! `sfmc cancel-send`, `pause-send`, `resume-send` and `sends`: the library's batch (chunks of
//! 50, `--concurrency` at a time) and Retrieve, formatted.

use std::io::Write as _;

use sfmc_partnerapi::types::Send;
use sfmc_partnerapi::{Client, SendAction};

use crate::args::Global;
use crate::output::{self, ensure_newline, error_code_suffix, one_line, Failure, EXIT_OK};

/// Runs `action` on `ids` through the library (chunks, stop rule, statuses), one line (or one
/// JSON result) per ID, with a progress bar on a terminal. The exit code is the worst of the
/// outcomes'.
pub async fn send_action(
    g: &Global,
    client: &Client,
    action: SendAction,
    ids: &[i64],
) -> Result<u8, Failure> {
    if g.dry_run {
        print!("{}", ensure_newline(client.dry_run(action, ids)));
        return Ok(EXIT_OK);
    }
    let progress = output::Progress::new(ids.len(), format!("{action} sends"));
    let batch = client
        .send_action_with_progress(action, ids, |done, _| progress.set(done))
        .await
        .map_err(|e| Failure::from_error(&e))?;
    progress.finish();
    let outcomes = batch.outcomes;
    let code = output::batch_exit_code(outcomes.iter().map(|o| (o.ok, o.error_kind)));
    if g.json {
        let out = serde_json::json!({
            "action": action.as_str(),
            "ok": code == EXIT_OK,
            "exit_code": code,
            "results": outcomes,
        });
        println!("{out}");
    } else {
        let mut out = std::io::stdout().lock();
        for o in &outcomes {
            let _ = if o.ok {
                writeln!(out, "send {}: {}", o.id, action.past_tense())
            } else {
                writeln!(
                    out,
                    "send {}: not {} ({}{}): {}",
                    o.id,
                    action.past_tense(),
                    o.status_code,
                    error_code_suffix(o.error_code),
                    one_line(&o.message)
                )
            };
        }
    }
    Ok(code)
}

/// `sfmc sends [--status S]`: the sends, one line each (or a JSON array).
pub async fn list_sends(g: &Global, client: &Client, status: Option<&str>) -> Result<u8, Failure> {
    if g.dry_run {
        print!("{}", ensure_newline(client.dry_run_retrieve_sends(status)));
        return Ok(EXIT_OK);
    }
    let sends = client
        .retrieve_sends(status)
        .await
        .map_err(|e| Failure::from_error(&e))?;
    let shown = if g.json {
        let out: Vec<serde_json::Value> = sends.iter().map(send_json).collect();
        serde_json::Value::Array(out).to_string()
    } else if sends.is_empty() {
        "no sends".to_string()
    } else {
        sends
            .iter()
            .map(|s| {
                format!(
                    "{:>10}  {:<10}  {:<20}  {}",
                    s.id.map(|i| i.to_string()).unwrap_or_else(|| "?".into()),
                    s.status.as_deref().unwrap_or("?"),
                    s.send_date.as_deref().unwrap_or(""),
                    s.email_name.as_deref().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    // What the service answered may repeat a credential: masked before it is shown.
    println!("{}", client.mask_secrets(&shown).await);
    Ok(EXIT_OK)
}

fn send_json(s: &Send) -> serde_json::Value {
    serde_json::json!({
        "id": s.id,
        "status": s.status,
        "send_date": s.send_date,
        "email_name": s.email_name,
        "subject": s.subject,
        "created_date": s.created_date,
        "modified_date": s.modified_date,
    })
}
