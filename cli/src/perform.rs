//! `sfmc perform`: any Perform action on objects given by type and ID, through the library's
//! [`Client::perform_bulk_with_progress`] (one outcome per ID, in chunks of 50).

use std::io::Write as _;

use sfmc_partnerapi::types::{AnyApiObject, ApiObject, Send};
use sfmc_partnerapi::xml::Untyped;
use sfmc_partnerapi::{Client, PerformOutcome};

use crate::args::Global;
use crate::output::{self, ensure_newline, error_code_suffix, one_line, Failure, EXIT_OK};

/// The object of type `object_type` (its `xsi:type`) with `ID` `id`, built from the generated
/// types: a `Send` as such, the base type as `ApiObject`, any other type name as the base
/// type's fields with that `xsi:type` (written the same way on the wire: `xsi:type` and `ID`).
pub fn definition(object_type: &str, id: i64) -> Result<AnyApiObject, Failure> {
    let valid = object_type
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && object_type
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !valid {
        return Err(Failure::usage(format!(
            "--object-type {object_type:?} is not a type name"
        )));
    }
    let id = i32::try_from(id).map_err(|_| {
        Failure::usage(format!(
            "--id {id} is out of range: the partnerAPI takes IDs from {} to {}",
            i32::MIN,
            i32::MAX
        ))
    })?;
    let base = ApiObject {
        id: Some(id),
        ..Default::default()
    };
    let object = match object_type {
        "Send" => Send {
            id: Some(id),
            ..Default::default()
        }
        .into(),
        "APIObject" => AnyApiObject::ApiObject(Box::new(base)),
        other => AnyApiObject::Untyped(Box::new(Untyped {
            xsi_type: Some(other.to_string()),
            xsi_type_namespace: None,
            base,
            raw: String::new(),
        })),
    };
    Ok(object)
}

/// `sfmc perform --action A --object-type T --id N...`: the library's bulk Perform (chunks of
/// 50, `--concurrency` at a time), one line (or one JSON result) per ID in input order, then
/// the `OverallStatus` of the answers, with a progress bar on a terminal. The exit code is the
/// worst of the outcomes' (0 when every result is OK).
pub async fn perform(
    g: &Global,
    client: &Client,
    action: &str,
    object_type: &str,
    ids: &[i64],
) -> Result<u8, Failure> {
    let definitions = ids
        .iter()
        .map(|&id| definition(object_type, id))
        .collect::<Result<Vec<_>, _>>()?;
    if g.dry_run {
        print!(
            "{}",
            ensure_newline(client.dry_run_perform_bulk(action, definitions, None))
        );
        return Ok(EXIT_OK);
    }
    let progress = output::Progress::new(ids.len(), format!("{action} {object_type}"));
    let batch = client
        .perform_bulk_with_progress(action, definitions, None, |done, _| progress.set(done))
        .await
        .map_err(|e| Failure::from_error(&e))?;
    progress.finish();
    let code = output::batch_exit_code(batch.outcomes.iter().map(|o| (o.ok, o.error_kind)));
    let shown = if g.json {
        serde_json::json!({
            "action": action,
            "ok": code == EXIT_OK,
            "exit_code": code,
            "overall_status": batch.overall_statuses(),
            "results": batch.outcomes,
        })
        .to_string()
    } else {
        outcome_lines(&batch.outcomes, batch.overall_statuses())
    };
    // What the service answered may repeat a credential: masked before it is shown.
    println!("{}", client.mask_secrets(&shown).await);
    Ok(code)
}

/// One line per outcome, then the `OverallStatus` of the answers (each different one once).
fn outcome_lines(outcomes: &[PerformOutcome], overall_statuses: &[String]) -> String {
    let mut out = Vec::new();
    for o in outcomes {
        let _ = writeln!(
            out,
            "{}: {}{}: {}",
            o.key,
            o.status_code,
            error_code_suffix(o.error_code),
            one_line(&o.message)
        );
    }
    let mut distinct: Vec<&str> = Vec::new();
    for s in overall_statuses {
        if !distinct.contains(&s.as_str()) {
            distinct.push(s);
        }
    }
    if !distinct.is_empty() {
        let _ = writeln!(out, "OverallStatus: {}", distinct.join(", "));
    }
    let text = String::from_utf8_lossy(&out);
    text.trim_end().to_string()
}
