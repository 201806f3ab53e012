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

/// `sfmc sandbox` in its own process with a generated data set: client "ev" of account 4004
/// with sent sends 900 and 901, 12,000 events of each type, 2,500 rows per data extension,
/// pages of 1,000. Gives it with the global options that reach it as "ev".
async fn events_sandbox() -> R<(SandboxChild, Vec<String>)> {
    let extra = args![
        "--client",
        "ev:ev-secret:4004",
        "--send",
        "900:Sent:4004",
        "--send",
        "901:Sent:4004",
        "--events",
        "12000",
        "--seed",
        "5",
        "--rows",
        "2500",
        "--page-size",
        "1000"
    ];
    let sandbox = tokio::task::spawn_blocking(move || SandboxChild::start(&extra)).await??;
    let target = args![
        "--endpoint",
        sandbox.soap_url,
        "--auth-url",
        sandbox.base_url(),
        "--client-id",
        "ev",
        "--client-secret",
        "ev-secret"
    ];
    Ok((sandbox, target))
}

/// The Retrieve requests the external sandbox has received.
fn retrieves(sandbox: &SandboxChild) -> R<u64> {
    Ok(sandbox.stats()?["soap_requests_by_operation"]["Retrieve"]
        .as_u64()
        .unwrap_or(0))
}

/// The records of a CSV output whose fields need no quotes, the header first.
fn csv_records(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// Runs `sfmc ARGS`, which must succeed, and gives its records as CSV (header first) and the
/// Retrieve requests it made.
async fn csv_run(sandbox: &SandboxChild, args: Vec<String>) -> R<(Vec<Vec<String>>, u64)> {
    let before = retrieves(sandbox)?;
    let run = sfmc_run(with(args, args!["--format", "csv"])).await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    Ok((csv_records(&run.stdout), retrieves(sandbox)? - before))
}

/// Tracking events and data extension rows over many pages from an external sandbox: CSV and
/// NDJSON row for row, filters with dates checked against the unfiltered rows, `--limit`
/// asking for no page it does not need, and the service's errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_and_data_extension_rows_across_pages() -> R {
    let (sandbox, target) = events_sandbox().await?;
    let retrieve = |more: Vec<String>| with(with(target.clone(), args!["retrieve"]), more);
    let props = "ID,SendID,SubscriberKey,EventDate";
    let sent_events =
        |more: Vec<String>| retrieve(with(args!["SentEvent", "--props", props], more));

    // CSV: every event once, in order, in 12 pages; sends 900 and 901 in turn, one every 10 s.
    let (records, pages) = csv_run(&sandbox, sent_events(args![])).await?;
    assert_eq!(pages, 12);
    assert_eq!(records[0], ["ID", "SendID", "SubscriberKey", "EventDate"]);
    let events = &records[1..];
    let ids: Vec<String> = events.iter().map(|r| r[0].clone()).collect();
    assert_eq!(ids, (1..=12_000).map(|i| i.to_string()).collect::<Vec<_>>());
    assert_eq!(
        (&*events[1][1], &*events[1][3]),
        ("901", "2026-01-01T00:00:10Z")
    );
    assert_eq!(
        (&*events[8640][1], &*events[8640][3]),
        ("900", "2026-01-02T00:00:00Z")
    );
    assert!(events
        .iter()
        .all(|r| r[2].starts_with("sub") && r[2].len() == 9));

    // NDJSON: the same rows, one object a line, keys in the order asked.
    let run = sfmc_run(sent_events(args!["--format", "ndjson"])).await?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 12_000);
    for (line, record) in lines.iter().zip(events) {
        let row: serde_json::Value = serde_json::from_str(line)?;
        let want: serde_json::Map<String, serde_json::Value> = records[0]
            .iter()
            .cloned()
            .zip(record.iter().cloned().map(serde_json::Value::String))
            .collect();
        assert_eq!(row, serde_json::Value::Object(want));
    }
    assert!(
        lines[0].starts_with("{\"ID\":\"1\",\"SendID\":"),
        "{}",
        lines[0]
    );

    // A filter with dates (and a number), across pages: what the unfiltered rows say. Dates
    // written alike compare as text.
    let (records, pages) = csv_run(
        &sandbox,
        sent_events(args![
            "--filter",
            "EventDate >= 2026-01-01T02:00Z and EventDate < 2026-01-02T00:00:00Z and SendID = 901"
        ]),
    )
    .await?;
    let want: Vec<&Vec<String>> = events
        .iter()
        .filter(|r| {
            r[3].as_str() >= "2026-01-01T02:00:00Z"
                && r[3].as_str() < "2026-01-02T00:00:00Z"
                && r[1] == "901"
        })
        .collect();
    assert_eq!(want.len(), 3_960);
    assert_eq!(records[1..].iter().collect::<Vec<_>>(), want);
    assert_eq!(pages, 4);

    // --limit: the rows asked for, and no page after the one they end in.
    for (limit, want_pages) in [(1_500, 2), (1_000, 1), (10, 1)] {
        let before = retrieves(&sandbox)?;
        let run = sfmc_run(sent_events(args!["--format", "ndjson", "--limit", limit])).await?;
        assert_eq!(run.code, Some(0), "{}", run.describe());
        assert_eq!(run.stdout.lines().count(), limit);
        let last: serde_json::Value =
            serde_json::from_str(run.stdout.lines().last().unwrap_or(""))?;
        assert_eq!(last["ID"], limit.to_string());
        assert_eq!(retrieves(&sandbox)? - before, want_pages, "--limit {limit}");
    }

    // Data extension rows by name, in 3 pages; filtered on text, as the rows say.
    let orders = |more: Vec<String>| {
        retrieve(with(
            args![
                "DataExtensionObject[Orders_DE]",
                "--props",
                "OrderID,SubscriberKey,Status,OrderDate"
            ],
            more,
        ))
    };
    let (all, pages) = csv_run(&sandbox, orders(args![])).await?;
    assert_eq!((all.len(), pages), (2_501, 3));
    assert_eq!(all[0], ["OrderID", "SubscriberKey", "Status", "OrderDate"]);
    assert_eq!(all[1][0], "1");
    assert_eq!(all[1][3], "1/1/2026 12:00:00 AM");
    assert_eq!(all[2_500][0], "2500");
    let (some, _) = csv_run(
        &sandbox,
        orders(args![
            "--filter",
            "Status in (Shipped, Returned) and SubscriberKey like 'SUB0001%'"
        ]),
    )
    .await?;
    let want: Vec<&Vec<String>> = all[1..]
        .iter()
        .filter(|r| matches!(r[2].as_str(), "Shipped" | "Returned") && r[1].starts_with("sub0001"))
        .collect();
    assert!(!want.is_empty());
    assert_eq!(some[1..].iter().collect::<Vec<_>>(), want);

    // An unknown property: the service's message, exit 1, nothing on stdout.
    let run = sfmc_run(retrieve(args!["SentEvent", "--props", "ID,Nope"])).await?;
    assert_eq!(run.code, Some(1), "{}", run.describe());
    assert!(
        run.stderr.contains(
            "The Request Property(s) Nope do not match with the fields of SentEvent retrieve"
        ),
        "{}",
        run.describe()
    );
    assert_eq!(run.stdout, "");
    // A filter whose date is no date: exit 2 with its column, nothing asked.
    let before = retrieves(&sandbox)?;
    let run = sfmc_run(sent_events(args![
        "--filter",
        "ID > 5 and EventDate > 2026-02-30"
    ]))
    .await?;
    assert_eq!(run.code, Some(2), "{}", run.describe());
    assert!(
        run.stderr
            .contains("--filter: column 24: expected a valid date"),
        "{}",
        run.describe()
    );
    assert_eq!(retrieves(&sandbox)?, before);
    assert_eq!(
        tokio::task::spawn_blocking(move || sandbox.terminate()).await??,
        Some(0)
    );
    Ok(())
}
