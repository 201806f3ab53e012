//! The streamed Retrieve against a loopback server with handwritten answers: paging with
//! `ContinueRequest` inside `RetrieveRequest`, prefetch of one page, typed, polymorphic and raw
//! rows, retries of a failed page, and hostile pages (no `RequestID`, one that repeats forever,
//! ten million rows, an expired continuation).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{builder, client, Reply, Request, Server};
use sfmc_partnerapi::retrieve::{Filter, RawObject, RetrieveQuery, DEFAULT_MAX_PAGES};
use sfmc_partnerapi::soap::{Envelope, Fault};
use sfmc_partnerapi::types::{AnyApiObject, AnyFilterPart, RetrieveRequestMsg, Send};
use sfmc_partnerapi::{ErrorKind, RetrieveProblem};

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope \
     xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" \
     xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Body>\
     <RetrieveResponseMsg xmlns=\"http://exacttarget.com/wsdl/partnerAPI\">";
const TAIL: &str = "</RetrieveResponseMsg></soap:Body></soap:Envelope>";

/// A Retrieve answer with `rows` (each a whole `Results` element).
fn answer(overall: &str, request_id: Option<&str>, rows: &[String]) -> Reply {
    let mut s = format!("{HEAD}<OverallStatus>{overall}</OverallStatus>");
    if let Some(id) = request_id {
        s.push_str(&format!("<RequestID>{id}</RequestID>"));
    }
    for r in rows {
        s.push_str(r);
    }
    s.push_str(TAIL);
    Reply::xml(s)
}

fn send_row(id: u32) -> String {
    format!("<Results xsi:type=\"Send\"><ID>{id}</ID><Status>Scheduled</Status><EmailName>mail {id}</EmailName></Results>")
}

/// Rows `first..first + n` as sends.
fn sends(first: u32, n: u32) -> Vec<String> {
    (first..first + n).map(send_row).collect()
}

fn retrieve_request(r: &Request) -> RetrieveRequestMsg {
    Envelope::parse(&r.body)
        .expect("an envelope")
        .read_body()
        .expect("a RetrieveRequestMsg")
}

/// The `ContinueRequest` of a Retrieve request, if any.
fn continuation(r: &Request) -> Option<String> {
    retrieve_request(r)
        .retrieve_request
        .continue_request
        .map(|c| c.to_string())
}

/// A server paging `pages` (rows per page) with RequestIDs `req-1`, `req-2`, ...: page `k + 1`
/// is the answer to `ContinueRequest` `req-k`; the last page says OK.
async fn paging_server(pages: Vec<Vec<String>>) -> Server {
    Server::start(move |r| {
        let page = match continuation(r) {
            None => 0,
            Some(c) => match c.strip_prefix("req-").and_then(|k| k.parse::<usize>().ok()) {
                Some(k) if k < pages.len() => k,
                _ => return answer("Error: unknown continue request", None, &[]),
            },
        };
        let last = page + 1 == pages.len();
        let id = format!("req-{}", page + 1);
        answer(
            if last { "OK" } else { "MoreDataAvailable" },
            Some(&id),
            &pages[page],
        )
    })
    .await
}

fn send_ids(rows: &[Send]) -> Vec<i32> {
    rows.iter().filter_map(|s| s.id).collect()
}

#[tokio::test]
async fn pages_are_followed_with_continue_request_inside_retrieve_request() {
    let server = paging_server(vec![sends(1, 3), sends(4, 2), sends(6, 1)]).await;
    let query = RetrieveQuery::of::<Send>()
        .properties(["ID", "Status", "EmailName"])
        .filter(Filter::parse("Status = Scheduled and SendDate > 2026-01-01").unwrap())
        .client_ids([12345, 67890])
        .query_all_accounts(true);
    let mut stream = client(&server).retrieve::<Send>(query);
    assert_eq!((stream.pages(), stream.rows()), (0, 0));
    let mut rows = Vec::new();
    while let Some(send) = stream.try_next().await.expect("rows") {
        rows.push(send);
    }
    assert_eq!(send_ids(&rows), vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(rows[3].email_name.as_deref(), Some("mail 4"));
    assert_eq!((stream.pages(), stream.rows()), (3, 6));
    assert_eq!(stream.request_id(), Some("req-3"));
    assert!(stream.next().await.is_none(), "ends, and stays ended");

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    // The first request: the query.
    let first = retrieve_request(&requests[0]).retrieve_request;
    assert_eq!(first.object_type, "Send");
    assert_eq!(first.properties, vec!["ID", "Status", "EmailName"]);
    assert_eq!(first.query_all_accounts, Some(true));
    let mids: Vec<_> = first.client_i_ds.iter().map(|c| c.id).collect();
    assert_eq!(mids, vec![Some(12345), Some(67890)]);
    assert!(matches!(
        first.filter,
        Some(AnyFilterPart::ComplexFilterPart(_))
    ));
    let text = requests[0].text();
    assert!(
        text.contains("<DateValue>2026-01-01T00:00:00</DateValue>"),
        "{text}"
    );
    assert!(first.continue_request.is_none());
    // The next ones: a new RetrieveRequest holding ContinueRequest (and the required
    // ObjectType), nothing else.
    for (r, id) in requests[1..].iter().zip(["req-1", "req-2"]) {
        let text = r.text();
        let body = &text[text.find("<RetrieveRequestMsg").expect("the message")..];
        assert!(
            body.contains(&format!(
                "<RetrieveRequest><ObjectType>Send</ObjectType><ContinueRequest>{id}</ContinueRequest></RetrieveRequest>"
            )),
            "{text}"
        );
        assert_eq!(r.header("SOAPAction"), Some("\"Retrieve\""));
    }
}

#[tokio::test]
async fn rows_are_typed_polymorphic_or_raw() {
    let rows: [String; 4] = [
        send_row(1),
        "<Results xsi:type=\"List\"><ID>2</ID><ListName>Newsletter</ListName></Results>".into(),
        "<Results><ID>3</ID><Status>no xsi:type</Status></Results>".into(),
        "<Results xsi:type=\"Mystery\"><ID>4</ID><Subject>unknown type</Subject></Results>".into(),
    ];
    let server = paging_server(vec![rows[..2].to_vec(), rows[2..].to_vec()]).await;
    let c = client(&server);

    // Typed: the List is an error for its row; the stream goes on.
    let mut stream = c.retrieve::<Send>(RetrieveQuery::of::<Send>().property("ID"));
    let mut got = Vec::new();
    while let Some(row) = stream.next().await {
        got.push(row);
    }
    assert_eq!(got.len(), 4);
    assert_eq!(got[0].as_ref().ok().and_then(|s| s.id), Some(1));
    let e = got[1].as_ref().expect_err("a List is not a Send");
    assert_eq!(e.kind(), ErrorKind::Protocol);
    let r = e.retrieve_error().expect("a Retrieve error");
    assert_eq!(
        (r.page, r.rows_before, &r.problem),
        (
            1,
            0,
            &RetrieveProblem::UnexpectedType {
                expected: "Send".into(),
                found: "List".into()
            }
        )
    );
    assert!(
        e.to_string()
            .contains("a row of type List where Send was asked for"),
        "{e}"
    );
    let third = got[2].as_ref().expect("read again as a Send");
    assert_eq!(
        (third.id, third.status.as_deref()),
        (Some(3), Some("no xsi:type"))
    );
    let fourth = got[3].as_ref().expect("read again as a Send");
    assert_eq!(fourth.subject.as_deref(), Some("unknown type"));
    assert_eq!(stream.rows(), 3);

    // Polymorphic: every row, as its type.
    let all = c
        .retrieve::<AnyApiObject>(RetrieveQuery::new("Send").property("ID"))
        .all(100)
        .await
        .expect("rows");
    let types: Vec<&str> = all.iter().map(AnyApiObject::type_name).collect();
    assert_eq!(types, vec!["Send", "List", "APIObject", "Mystery"]);

    // Raw: properties as text, by name.
    let raw = c
        .retrieve::<RawObject>(RetrieveQuery::new("Send").property("ID"))
        .all(100)
        .await
        .expect("rows");
    let table: Vec<Vec<Option<String>>> =
        raw.iter().map(|r| r.values(&["ID", "ListName"])).collect();
    assert_eq!(table[1], vec![Some("2".into()), Some("Newsletter".into())]);
    assert_eq!(table[3], vec![Some("4".into()), None]);
    assert_eq!(raw[3].type_name(), Some("Mystery"));

    // A cap on collecting.
    let e = c
        .retrieve::<AnyApiObject>(RetrieveQuery::new("Send").property("ID"))
        .all(3)
        .await
        .expect_err("4 rows");
    assert_eq!(e.kind(), ErrorKind::Config);
    let r = e.retrieve_error().expect("a Retrieve error");
    assert_eq!(
        (r.page, r.rows_before, &r.problem),
        (2, 2, &RetrieveProblem::TooManyRows { limit: 3 })
    );
}

/// The next page is asked for while the current one is read, and no further: a page ahead.
#[tokio::test]
async fn the_next_page_is_fetched_one_page_ahead() {
    let server = paging_server((0..4).map(|p| sends(p * 10 + 1, 10)).collect()).await;
    let mut stream = client(&server).retrieve::<Send>(RetrieveQuery::of::<Send>().property("ID"));
    let first = stream.try_next().await.expect("a row").expect("a row");
    assert_eq!(first.id, Some(1));
    // Page 2 is asked for while page 1 is being read...
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.requests().len() < 2 {
        assert!(Instant::now() < deadline, "page 2 was not asked for");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // ... and page 3 is not, however long page 1 takes to read.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.requests().len(), 2);
    for expected in 2..=10 {
        let row = stream.try_next().await.expect("a row").expect("a row");
        assert_eq!(row.id, Some(expected));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        server.requests().len(),
        2,
        "page 1 read: page 2 held, page 3 not asked yet"
    );
    // The first row of page 2 starts page 3.
    assert_eq!(
        stream.try_next().await.expect("a row").and_then(|s| s.id),
        Some(11)
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.requests().len() < 3 {
        assert!(Instant::now() < deadline, "page 3 was not asked for");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.requests().len(), 3);
    // Each request continues from the answer before it: one at a time.
    let continues: Vec<Option<String>> = server.requests().iter().map(continuation).collect();
    assert_eq!(
        continues,
        vec![None, Some("req-1".into()), Some("req-2".into())]
    );
    // Dropping the stream stops the paging.
    drop(stream);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.requests().len(), 3);
}

/// A limit ends the stream after its rows, asking for no page after the one they end in.
#[tokio::test]
async fn a_limit_asks_for_no_page_it_does_not_need() {
    // 4 pages of 10 rows.
    let pages: Vec<Vec<String>> = (0..4).map(|p| sends(p * 10 + 1, 10)).collect();
    for (limit, want_rows, want_requests) in [
        (0, 0, 0),
        (3, 3, 1),
        (10, 10, 1),
        (11, 11, 2),
        (20, 20, 2),
        (40, 40, 4),
        (1_000, 40, 4),
    ] {
        let server = paging_server(pages.clone()).await;
        let mut stream = client(&server)
            .retrieve::<Send>(RetrieveQuery::of::<Send>().property("ID").limit(limit));
        let mut rows = Vec::new();
        while let Some(send) = stream.try_next().await.expect("rows") {
            rows.push(send);
        }
        assert_eq!(
            send_ids(&rows),
            (1..=want_rows).collect::<Vec<i32>>(),
            "limit {limit}"
        );
        assert_eq!(stream.rows(), want_rows as u64);
        assert!(stream.next().await.is_none());
        assert_eq!(server.requests().len(), want_requests, "limit {limit}");
    }
    // What would have come after the rows asked for is no error: a page saying
    // MoreDataAvailable without a RequestID.
    let server = Server::start(|_| answer("MoreDataAvailable", None, &sends(1, 5))).await;
    let rows = client(&server)
        .retrieve::<Send>(RetrieveQuery::of::<Send>().property("ID").limit(5))
        .all(100)
        .await
        .expect("the 5 rows asked for");
    assert_eq!(send_ids(&rows), vec![1, 2, 3, 4, 5]);
    assert_eq!(RetrieveQuery::new("Send").limit(7).row_limit(), Some(7));
    assert_eq!(RetrieveQuery::new("Send").row_limit(), None);
}

#[tokio::test]
async fn a_failed_page_is_retried_with_the_same_continue_request() {
    let attempts = Arc::new(Mutex::new(
        std::collections::HashMap::<Option<String>, usize>::new(),
    ));
    let seen = Arc::clone(&attempts);
    let pages: Vec<Vec<String>> = (0..5).map(|p| sends(p * 3 + 1, 3)).collect();
    let server = Server::start(move |r| {
        let cont = continuation(r);
        let attempt = {
            let mut map = seen.lock().unwrap();
            let n = map.entry(cont.clone()).or_default();
            *n += 1;
            *n
        };
        let page = cont
            .as_deref()
            .and_then(|c| c.strip_prefix("req-"))
            .and_then(|k| k.parse::<usize>().ok())
            .unwrap_or(0);
        // The first attempt at pages 2, 3 and 4 fails: HTTP 503, a rate-limit fault, a
        // connection closed without an answer; page 5 fails twice.
        match (page, attempt) {
            (1, 1) => return Reply::status(503),
            (2, 1) => {
                return Reply::fault(
                    &Fault::new("soap:Server", "Rate limited").with_detail(17, "slow down"),
                )
            }
            (3, 1) => return Reply::drop_connection(),
            (4, 1 | 2) => return Reply::status(502),
            _ => {}
        }
        let last = page + 1 == pages.len();
        answer(
            if last { "OK" } else { "MoreDataAvailable" },
            Some(&format!("req-{}", page + 1)),
            &pages[page],
        )
    })
    .await;
    let rows = client(&server)
        .retrieve::<Send>(RetrieveQuery::of::<Send>().property("ID"))
        .all(1000)
        .await
        .expect("every page, after the retries");
    // Every row exactly once, in order.
    assert_eq!(send_ids(&rows), (1..=15).collect::<Vec<_>>());
    let requests = server.requests();
    assert_eq!(requests.len(), 5 + 5);
    let continues: Vec<Option<String>> = requests.iter().map(continuation).collect();
    let expected: Vec<Option<String>> = [
        None,
        Some(1),
        Some(1),
        Some(2),
        Some(2),
        Some(3),
        Some(3),
        Some(4),
        Some(4),
        Some(4),
    ]
    .into_iter()
    .map(|k| k.map(|k: u32| format!("req-{k}")))
    .collect();
    assert_eq!(
        continues, expected,
        "each retry repeats its ContinueRequest"
    );
}

#[tokio::test]
async fn when_the_retries_run_out_the_stream_gives_the_error_and_ends() {
    let server = Server::start(|r| match continuation(r) {
        None => answer("MoreDataAvailable", Some("req-1"), &sends(1, 2)),
        Some(_) => Reply::status(503),
    })
    .await;
    let mut stream = client(&server).retrieve::<Send>(RetrieveQuery::of::<Send>().property("ID"));
    let mut ids = Vec::new();
    let error = loop {
        match stream.next().await {
            Some(Ok(s)) => ids.push(s.id),
            Some(Err(e)) => break e,
            None => panic!("ended without the error"),
        }
    };
    assert_eq!(ids, vec![Some(1), Some(2)]);
    assert_eq!((error.kind(), error.status()), (ErrorKind::Http, Some(503)));
    assert!(stream.next().await.is_none());
    // Three attempts at page 2 (the policy's), then nothing more.
    assert_eq!(server.requests().len(), 1 + 3);
}

#[tokio::test]
async fn more_data_without_a_request_id_is_an_error_after_the_rows() {
    let server = Server::start(|_| answer("MoreDataAvailable", None, &sends(1, 2))).await;
    let mut stream = client(&server).retrieve::<Send>(RetrieveQuery::of::<Send>().property("ID"));
    assert_eq!(stream.try_next().await.unwrap().and_then(|s| s.id), Some(1));
    assert_eq!(stream.try_next().await.unwrap().and_then(|s| s.id), Some(2));
    let e = stream.try_next().await.expect_err("no RequestID");
    assert_eq!(e.kind(), ErrorKind::Protocol);
    let r = e.retrieve_error().expect("a Retrieve error");
    assert_eq!((r.page, r.request_id.as_deref()), (1, None));
    assert_eq!(r.problem, RetrieveProblem::MissingRequestId);
    assert!(
        e.to_string()
            .contains("MoreDataAvailable without a RequestID"),
        "{e}"
    );
    assert!(stream.try_next().await.expect("ended").is_none());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_request_id_that_repeats_forever_is_bounded() {
    // Rows every time: bounded by max_pages.
    let calls = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&calls);
    let server = Server::start(move |_| {
        let n = count.fetch_add(1, Ordering::SeqCst) as u32;
        answer("MoreDataAvailable", Some("same"), &sends(n + 1, 1))
    })
    .await;
    let c = client(&server);
    let mut stream = c.retrieve::<Send>(RetrieveQuery::of::<Send>().property("ID").max_pages(5));
    let mut rows = 0;
    let e = loop {
        match stream.next().await {
            Some(Ok(_)) => rows += 1,
            Some(Err(e)) => break e,
            None => panic!("a service paging forever ended"),
        }
    };
    assert_eq!(rows, 5);
    let r = e.retrieve_error().expect("a Retrieve error");
    assert_eq!(
        (r.page, r.rows_before, r.request_id.as_deref(), &r.problem),
        (
            5,
            4,
            Some("same"),
            &RetrieveProblem::TooManyPages { limit: 5 }
        )
    );
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert!(stream.next().await.is_none());
    assert_eq!(server.requests().len(), 5);
    assert_eq!(RetrieveQuery::new("Send").page_limit(), DEFAULT_MAX_PAGES);

    // Empty pages: a few in a row end it, whatever max_pages says.
    let server = Server::start(|_| answer("MoreDataAvailable", Some("same"), &[])).await;
    let e = client(&server)
        .retrieve::<Send>(RetrieveQuery::of::<Send>().property("ID"))
        .all(10)
        .await
        .expect_err("pages forever");
    let r = e.retrieve_error().expect("a Retrieve error");
    assert_eq!(
        (r.page, &r.problem),
        (3, &RetrieveProblem::EmptyPages { count: 3 })
    );
    assert_eq!(server.requests().len(), 3);
}

/// Peak resident memory of this process, from /proc (Linux).
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[tokio::test]
async fn ten_million_tiny_rows_are_bounded_by_the_response_cap() {
    // 10,000,000 rows of 10 bytes: 100 MB, generated as they are sent, against the default
    // 64 MiB cap.
    let server = Server::start(|_| {
        Reply::xml_repeated(
            &format!(
                "{HEAD}<OverallStatus>MoreDataAvailable</OverallStatus><RequestID>r</RequestID>"
            ),
            "<Results/>",
            10_000_000,
            TAIL,
        )
    })
    .await;
    let c = client(&server);
    let mut stream = c.retrieve::<Send>(RetrieveQuery::of::<Send>().property("ID"));
    let e = stream.try_next().await.expect_err("larger than the cap");
    assert!(e.is_body_too_large(), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert_eq!(e.body_limit(), Some(64 << 20));
    assert!(stream.try_next().await.expect("ended").is_none());
    assert_eq!(
        server.requests().len(),
        1,
        "an oversized answer is not repeated"
    );
    if let Some(peak) = peak_rss_bytes() {
        // The cap holds the body to 64 MiB; read into rows it would take gigabytes.
        eprintln!("peak RSS of the test process: {} MiB", peak >> 20);
        assert!(peak < 400 << 20, "peak RSS {} MiB", peak >> 20);
    }

    // Under the byte cap, the rows of one page are capped too.
    let server = Server::start(|_| {
        Reply::xml_repeated(
            &format!("{HEAD}<OverallStatus>OK</OverallStatus>"),
            "<Results xsi:type=\"Send\"/>",
            30_000,
            TAIL,
        )
    })
    .await;
    let e = client(&server)
        .retrieve::<Send>(RetrieveQuery::of::<Send>().property("ID"))
        .all(usize::MAX)
        .await
        .expect_err("more rows than a page may hold");
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert!(e.to_string().contains("at most 25000 <Results>"), "{e}");
    let e = client(&server)
        .retrieve::<Send>(
            RetrieveQuery::of::<Send>()
                .property("ID")
                .max_page_rows(100),
        )
        .all(usize::MAX)
        .await
        .expect_err("more rows than a page may hold");
    assert!(e.to_string().contains("at most 100 <Results>"), "{e}");
    let rows = client(&server)
        .retrieve::<Send>(
            RetrieveQuery::of::<Send>()
                .property("ID")
                .max_page_rows(30_000),
        )
        .all(usize::MAX)
        .await
        .expect("a page of 30,000 rows within its bound");
    assert_eq!(rows.len(), 30_000);
}

#[tokio::test]
async fn an_expired_continuation_is_a_clear_error_never_a_restart() {
    let server = Server::start(|r| match continuation(r) {
        None => answer("MoreDataAvailable", Some("req-1"), &sends(1, 2)),
        Some(_) => answer(
            "Error: ContinueRequest req-1 has expired (static-token-s3cr3t)",
            Some("req-9"),
            &[],
        ),
    })
    .await;
    let mut stream = client(&server).retrieve::<Send>(RetrieveQuery::of::<Send>().property("ID"));
    assert!(stream.try_next().await.unwrap().is_some());
    assert!(stream.try_next().await.unwrap().is_some());
    let e = stream
        .try_next()
        .await
        .expect_err("the continuation was refused");
    assert_eq!(e.kind(), ErrorKind::Api);
    let r = e.retrieve_error().expect("a Retrieve error");
    assert_eq!(
        (r.page, r.rows_before, r.request_id.as_deref()),
        (2, 2, Some("req-1"))
    );
    let RetrieveProblem::ContinuationRefused(api) = &r.problem else {
        panic!("{r:?}")
    };
    assert_eq!(e.api_error(), Some(api));
    let text = e.to_string();
    assert!(text.contains("page 2"), "{text}");
    assert!(text.contains("RequestID req-1"), "{text}");
    assert!(text.contains("refused the continuation"), "{text}");
    assert!(!text.contains("static-token-s3cr3t"), "{text}");
    assert!(e.hint().is_some());
    assert!(stream.try_next().await.expect("ended").is_none());
    assert_eq!(server.requests().len(), 2, "never restarted");

    // On the first page, the same answer is the API error of the Retrieve.
    let server = Server::start(|_| answer("Error: Invalid property", Some("x"), &[])).await;
    let e = client(&server)
        .retrieve::<Send>(RetrieveQuery::of::<Send>().property("Nope"))
        .all(10)
        .await
        .expect_err("refused");
    assert_eq!(e.kind(), ErrorKind::Api);
    assert!(e.retrieve_error().is_none());
    assert_eq!(
        e.api_error().and_then(|a| a.message.as_deref()),
        Some("Invalid property")
    );
}

#[tokio::test]
async fn a_dry_run_shows_the_first_request_masked() {
    let server = Server::start(|_| Reply::status(500)).await;
    let c = builder(&server).build().unwrap();
    let query = RetrieveQuery::new("Subscriber")
        .properties(["SubscriberKey", "EmailAddress"])
        .filter(Filter::parse("EmailAddress like '%@example.com'").unwrap());
    let text = c.dry_run_retrieve(&query);
    assert!(
        text.contains("<ObjectType>Subscriber</ObjectType>"),
        "{text}"
    );
    assert!(text.contains("<Value>%@example.com</Value>"), "{text}");
    assert!(!text.contains("static-token-s3cr3t"), "{text}");
    assert!(text.contains("***"), "{text}");
    assert_eq!(server.requests().len(), 0);
}

/// Without a Tokio runtime, the stream says so instead of panicking.
#[test]
fn outside_a_runtime_the_stream_is_an_error() {
    let c = sfmc_partnerapi::Client::builder()
        .endpoint("http://127.0.0.1:9/Service.asmx")
        .access_token("t")
        .no_proxy()
        .build()
        .unwrap();
    let mut stream = c.retrieve::<Send>(RetrieveQuery::of::<Send>().property("ID"));
    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = std::task::Waker::from(Arc::new(Noop));
    let mut cx = std::task::Context::from_waker(&waker);
    let polled = futures_core::Stream::poll_next(std::pin::Pin::new(&mut stream), &mut cx);
    match polled {
        std::task::Poll::Ready(Some(Err(e))) => assert!(e.is_config(), "{e}"),
        other => panic!("{:?}", other.map(|o| o.map(|r| r.map(|s| s.id)))),
    }
}
