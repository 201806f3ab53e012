//! `sfmc retrieve` end to end: against the in-process demo (`--sandbox`), an in-process sandbox,
//! an external `sfmc sandbox` process and a raw server; every format, filters, limits, the
//! exit codes, rows printed before an error, masking.
#[path = "support/cli.rs"]
mod cli_support;
#[path = "../../sandbox/tests/support/mod.rs"]
mod sandbox_support;

use cli_support::*;
use sandbox_support::*;

fn with(mut base: Vec<String>, more: Vec<String>) -> Vec<String> {
    base.extend(more);
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_sends_as_a_table() -> R {
    let run = sfmc_run(args![
        "--sandbox",
        "retrieve",
        "Send",
        "--props",
        "ID,Status,Client.ID"
    ])
    .await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 7, "{}", run.describe());
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(header, ["ID", "Status", "Client.ID"]);
    let first: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(first, ["29605", "Scheduled", "12345"]);
    // Columns line up.
    let at = lines[0].find("Status");
    assert!(
        lines[1..].iter().all(|l| l.find(char::is_alphabetic) == at),
        "{}",
        run.stdout
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_with_filters_and_limits() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let a = target(&sb, "a", "secret-a");
    let retrieve = |more: Vec<String>| {
        with(
            with(a.clone(), args!["retrieve", "Send", "--props", "Status,ID"]),
            more,
        )
    };

    // CSV: a header and one record a row, properties in the order asked, only account A's.
    let run = sfmc_run(retrieve(args!["--format", "csv"])).await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(
        run.stdout,
        "Status,ID\r\nScheduled,100\r\nScheduled,101\r\nPaused,102\r\nSent,103\r\nCanceled,104\r\n"
    );

    // NDJSON, filtered.
    let run = sfmc_run(retrieve(args![
        "--format",
        "ndjson",
        "--filter",
        "Status = Scheduled"
    ]))
    .await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let rows: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    assert_eq!(
        rows,
        vec![
            serde_json::json!({"Status": "Scheduled", "ID": "100"}),
            serde_json::json!({"Status": "Scheduled", "ID": "101"}),
        ]
    );
    // Keys in the order asked for.
    assert!(run.stdout.starts_with("{\"Status\":"), "{}", run.stdout);

    // JSON: one array; --json chooses it; --limit stops early.
    let run = sfmc_run(with(
        a.clone(),
        args!["--json", "retrieve", "Send", "--props", "ID", "--limit", "2"],
    ))
    .await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let rows: serde_json::Value = serde_json::from_str(&run.stdout)?;
    assert_eq!(rows, serde_json::json!([{"ID": "100"}, {"ID": "101"}]));

    // Nothing selected: an empty array, a lone header.
    let none = args!["--filter", "ID = 999"];
    let run = sfmc_run(retrieve(with(none.clone(), args!["--format", "json"]))).await?;
    assert_eq!(
        (run.code, run.stdout.trim()),
        (Some(0), "[]"),
        "{}",
        run.describe()
    );
    let run = sfmc_run(retrieve(with(none, args!["--format", "csv"]))).await?;
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (Some(0), "Status,ID\r\n"),
        "{}",
        run.describe()
    );

    // Table.
    let run = sfmc_run(retrieve(args!["--filter", "ID = 102"])).await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(run.stdout, "Status  ID\nPaused  102\n");
    sb.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_have_the_usual_exit_codes() -> R {
    let sb = two_accounts().start("127.0.0.1:0").await?;
    let a = target(&sb, "a", "secret-a");

    // The service refuses a property: an API error, exit 1.
    let run = sfmc_run(with(
        a.clone(),
        args!["retrieve", "Send", "--props", "ID,Nope"],
    ))
    .await?;
    assert_eq!(run.code, Some(1), "{}", run.describe());
    assert!(run.stderr.contains("Nope"), "{}", run.describe());
    assert_eq!(run.stdout, "");
    // With --json, as a JSON failure on stdout.
    let run = sfmc_run(with(
        a.clone(),
        args!["--json", "retrieve", "Send", "--props", "Nope"],
    ))
    .await?;
    assert_eq!(run.code, Some(1), "{}", run.describe());
    let json: serde_json::Value = serde_json::from_str(&run.stdout)?;
    assert_eq!(json["error"]["kind"], "api");

    // A filter that does not parse: exit 2, with the column and what was expected.
    let run = sfmc_run(with(
        a.clone(),
        args![
            "retrieve",
            "Send",
            "--props",
            "ID",
            "--filter",
            "Status in (A B)"
        ],
    ))
    .await?;
    assert_eq!(run.code, Some(2), "{}", run.describe());
    assert!(
        run.stderr
            .contains("--filter: column 14: expected `,` or `)`, found \"B\""),
        "{}",
        run.describe()
    );
    // Usage errors.
    for bad in [
        args!["retrieve", "Send"],
        args!["retrieve", "Send", "--props", "ID,,Status"],
        args!["retrieve", " ", "--props", "ID"],
        args!["retrieve", "Send", "--props", "ID", "--format", "xml"],
        args!["retrieve", "Send", "--props", "ID", "--mid", "99999999999"],
    ] {
        let run = sfmc_run(with(a.clone(), bad.clone())).await?;
        assert_eq!(run.code, Some(2), "{bad:?}: {}", run.describe());
    }
    sb.shutdown().await;

    // Nobody listening: a transport error, exit 3.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let run = sfmc_run(args![
        "--endpoint",
        format!("http://{closed}/Service.asmx"),
        "--access-token",
        "t",
        "--max-retries",
        "0",
        "retrieve",
        "Send",
        "--props",
        "ID"
    ])
    .await?;
    assert_eq!(run.code, Some(3), "{}", run.describe());
    Ok(())
}

/// Against `sfmc sandbox` in its own process, with thousands of sends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_rows_from_an_external_sandbox() -> R {
    let extra = args![
        "--client",
        "big:big-secret:777",
        "--send-range",
        "1000000-1004999:Scheduled:777"
    ];
    let sandbox = tokio::task::spawn_blocking(move || SandboxChild::start(&extra)).await??;
    let target = args![
        "--endpoint",
        sandbox.soap_url,
        "--auth-url",
        sandbox.base_url(),
        "--client-id",
        "big",
        "--client-secret",
        "big-secret"
    ];
    let run = sfmc_run(with(
        target.clone(),
        args![
            "retrieve",
            "Send",
            "--props",
            "ID,Status",
            "--format",
            "csv"
        ],
    ))
    .await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let lines: Vec<&str> = run.stdout.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 5001);
    assert_eq!(lines[1], "1000000,Scheduled");
    assert_eq!(lines[5000], "1004999,Scheduled");

    let run = sfmc_run(with(
        target,
        args!["retrieve", "Send", "--props", "ID", "--format", "ndjson", "--limit", "10"],
    ))
    .await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(run.stdout.lines().count(), 10);
    assert_eq!(
        tokio::task::spawn_blocking(move || sandbox.terminate()).await??,
        Some(0)
    );
    Ok(())
}

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope \
     xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" \
     xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Body>\
     <RetrieveResponseMsg xmlns=\"http://exacttarget.com/wsdl/partnerAPI\">";
const TAIL: &str = "</RetrieveResponseMsg></soap:Body></soap:Envelope>";

fn http_answer(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Pages that arrive before a failure are printed; the output stays well formed; the error is
/// on stderr with its exit code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_before_a_failure_are_printed() -> R {
    // Every answer says there is more, with a row; only two connections are answered.
    let page = format!(
        "{HEAD}<OverallStatus>MoreDataAvailable</OverallStatus><RequestID>again</RequestID>\
         <Results xsi:type=\"DataExtensionObject\"><Properties><Property><Name>Email</Name>\
         <Value>a@example.com, \"A\"</Value></Property></Properties></Results>{TAIL}"
    );
    for (format, check) in [("json", "json"), ("csv", "csv")] {
        let endpoint = raw_server(http_answer(&page), 2)?;
        let run = sfmc_run(args![
            "--endpoint",
            endpoint,
            "--access-token",
            "t",
            "--max-retries",
            "0",
            "retrieve",
            "DataExtensionObject[Customers]",
            "--props",
            "Email,Missing",
            "--format",
            format
        ])
        .await?;
        assert_eq!(run.code, Some(3), "{}", run.describe());
        assert!(
            run.stderr.contains("sfmc: could not reach"),
            "{}",
            run.describe()
        );
        if check == "json" {
            let rows: serde_json::Value = serde_json::from_str(&run.stdout)?;
            let one = serde_json::json!({"Email": "a@example.com, \"A\"", "Missing": null});
            assert_eq!(rows, serde_json::json!([one.clone(), one]));
        } else {
            assert_eq!(
                run.stdout,
                "Email,Missing\r\n\"a@example.com, \"\"A\"\"\",\r\n\"a@example.com, \"\"A\"\"\",\r\n"
            );
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_in_values_are_masked() -> R {
    let page = format!(
        "{HEAD}<OverallStatus>OK</OverallStatus><Results xsi:type=\"Send\"><ID>1</ID>\
         <EmailName>token tok-s3cr3t-123 leaked</EmailName></Results>{TAIL}"
    );
    let endpoint = raw_server(http_answer(&page), 1)?;
    let run = sfmc_run(args![
        "--endpoint",
        endpoint,
        "--access-token",
        "tok-s3cr3t-123",
        "retrieve",
        "Send",
        "--props",
        "ID,EmailName",
        "--format",
        "ndjson"
    ])
    .await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(
        run.stdout,
        "{\"ID\":\"1\",\"EmailName\":\"token *** leaked\"}\n"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_prints_the_request() -> R {
    let run = sfmc_run(args![
        "--dry-run",
        "--access-token",
        "dry-s3cr3t",
        "--endpoint",
        "http://127.0.0.1:9/Service.asmx",
        "retrieve",
        "SentEvent",
        "--props",
        "SendID,EventDate",
        "--filter",
        "EventDate between 2026-01-01 and 2026-01-31T23:59 and SendID in (1, 2)",
        "--mid",
        "12345,67890",
        "--all-accounts"
    ])
    .await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let out = &run.stdout;
    for expected in [
        "<ClientIDs><ID>12345</ID></ClientIDs><ClientIDs><ID>67890</ID></ClientIDs>",
        "<ObjectType>SentEvent</ObjectType><Properties>SendID</Properties><Properties>EventDate</Properties>",
        "<DateValue>2026-01-01T00:00:00</DateValue><DateValue>2026-01-31T23:59:00</DateValue>",
        "<SimpleOperator>IN</SimpleOperator><Value>1</Value><Value>2</Value>",
        "<QueryAllAccounts>true</QueryAllAccounts>",
    ] {
        assert!(out.contains(expected), "{expected}\n{out}");
    }
    assert!(!out.contains("dry-s3cr3t"), "{out}");
    Ok(())
}
