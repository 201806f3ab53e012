//! `sfmc perform`: any Perform action on objects given by type and ID, through the library's
//! [`Client::perform`] (which judges the answer by its `OverallStatus`).

use std::io::Write as _;

use sfmc_partnerapi::sends::result_statuses;
use sfmc_partnerapi::types::{AnyApiObject, ApiObject, Send};
use sfmc_partnerapi::xml::Untyped;
use sfmc_partnerapi::{Client, ResultStatus};

use crate::args::Global;
use crate::output::{ensure_newline, error_code_suffix, one_line, Failure, EXIT_API, EXIT_OK};

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

/// `sfmc perform --action A --object-type T --id N...`: exit 0 when the library accepts the
/// answer (`OverallStatus` OK or MoreDataAvailable), 1 with the results when the service
/// answered with an error.
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
            ensure_newline(client.dry_run_perform(action, definitions, None))
        );
        return Ok(EXIT_OK);
    }
    match client.perform(action, definitions, None).await {
        Ok(response) => {
            // What the service answered may repeat a credential: masked before it is shown.
            let shown = if g.json {
                serde_json::json!({ "ok": true, "exit_code": EXIT_OK, "response": response })
                    .to_string()
            } else {
                result_lines(&result_statuses(&response), &response.overall_status, None)
            };
            println!("{}", client.mask_secrets(&shown).await);
            Ok(EXIT_OK)
        }
        Err(e) => {
            let Some(api) = e.api_error() else {
                return Err(Failure::from_error(&e));
            };
            // The service answered, with a non-OK status: its results (already masked).
            if g.json {
                let out = serde_json::json!({ "ok": false, "exit_code": EXIT_API, "error": api });
                println!("{out}");
            } else {
                println!(
                    "{}",
                    result_lines(&api.results, &api.overall_status, api.message.as_deref())
                );
            }
            Ok(EXIT_API)
        }
    }
}

/// One line per result, then the `OverallStatus` (and its message).
fn result_lines(results: &[ResultStatus], overall_status: &str, message: Option<&str>) -> String {
    let mut out = Vec::new();
    for r in results {
        let id = r.id.map(|i| i.to_string()).unwrap_or_else(|| "?".into());
        let _ = writeln!(
            out,
            "ID {id}: {}{}: {}",
            r.status_code,
            error_code_suffix(r.error_code),
            one_line(&r.status_message)
        );
    }
    let message = message
        .filter(|m| !m.trim().is_empty())
        .map(|m| format!(" ({})", one_line(m)))
        .unwrap_or_default();
    let _ = write!(out, "OverallStatus: {}{message}", overall_status.trim());
    String::from_utf8_lossy(&out).into_owned()
}
