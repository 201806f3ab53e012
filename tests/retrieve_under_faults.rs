//! The streamed Retrieve (`Client::retrieve`) against the sandbox over real HTTP on loopback:
//! 100,000 SentEvent rows in 40 pages through 30 % of injected faults (every row once, in
//! order, the same as without faults), a continuation that expires mid-stream (a typed error,
//! no restart), typed Subscriber and data extension rows with built and parsed filters checked
//! against the unfiltered rows, and QueryAllAccounts / ClientIDs with a child account.
#[path = "../sandbox/tests/support/mod.rs"]
mod sandbox_support;

use std::time::Instant;

use sandbox_support::*;
use sfmc_partnerapi::retrieve::{Filter, FilterValue, RawObject, RetrieveQuery};
use sfmc_partnerapi::types::{DataExtensionObject, SentEvent, Subscriber, SubscriberStatus};
use sfmc_partnerapi::{Client, ErrorKind, RetrieveProblem};
use sfmc_partnerapi_sandbox::{
    FaultInjection, RunningSandbox, Sandbox, SandboxBuilder, SendStatus, DEFAULT_PAGE_SIZE,
};

const MID_C: i64 = 3003;
/// The seed of the generated data set.
const DATA_SEED: u64 = 13;

/// Account A (client "a", sent sends 900 and 901) with `events` events of each type.
fn events(events: u64) -> SandboxBuilder {
    Sandbox::builder()
        .client("a", "secret-a", MID_A)
        .send(900, SendStatus::Sent, MID_A)
        .send(901, SendStatus::Sent, MID_A)
        .events(events, DATA_SEED)
}

fn client_a(sb: &RunningSandbox) -> R<Client> {
    Ok(sandbox_client(sb, "a", "secret-a").build()?)
}

/// `2026-01-01T00:00:00Z` plus `seconds` (within January 2026), as the sandbox writes dates.
fn january_2026(seconds: i64) -> String {
    let (day, rest) = (seconds / 86_400, seconds % 86_400);
    format!(
        "2026-01-{:02}T{:02}:{:02}:{:02}Z",
        day + 1,
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The Retrieve requests the sandbox received (injected faults included).
fn retrieves(sb: &RunningSandbox) -> u64 {
    sb.state()
        .stats()
        .soap_requests_by_operation
        .get("Retrieve")
        .copied()
        .unwrap_or(0)
}

const EVENT_PROPS: [&str; 5] = ["ID", "SendID", "SubscriberKey", "EventDate", "Client.ID"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_events_through_thirty_percent_of_faults_come_once_in_order() -> R {
    const ROWS: i32 = 100_000;
    let faulty = events(ROWS as u64)
        .faults(FaultInjection {
            http_503: 0.1,
            rate_limited: 0.1,
            drop_connection: 0.1,
            seed: Some(4013),
            ..Default::default()
        })
        .start("127.0.0.1:0")
        .await?;
    // The same data set without faults: what the rows must be.
    let clean = events(ROWS as u64).start("127.0.0.1:0").await?;

    // Why this cannot fail in practice: every attempt at a page meets a fault with odds 0.3
    // (503, apifault Code 17, or a connection dropped after the page was served), drawn in
    // turn from a seeded sequence. The client gives a page 30 attempts, so a page is lost only
    // when all 30 meet one: 0.3^30 = 2.1e-16 per page, 8.2e-15 for the 40 pages. And with one
    // stream the requests go one after the other, so the draws meet the same requests on every
    // run: this run is the same every time (the odds say any seed would do).
    let client = sandbox_client(&faulty, "a", "secret-a")
        .retry_policy(patient(30))
        .build()?;
    let query = RetrieveQuery::of::<SentEvent>().properties(EVENT_PROPS);
    let started = Instant::now();
    let mut stream = client.retrieve::<SentEvent>(query.clone());
    let mut reference = client_a(&clean)?.retrieve::<SentEvent>(query);

    let mut expected_id = 0;
    let mut most_buffered = 0;
    let mut requests_at_first_row = None;
    while let Some(event) = stream.try_next().await? {
        expected_id += 1;
        // In order, each once: the IDs are exactly 1, 2, 3, ...
        assert_eq!(event.id, Some(expected_id), "row {expected_id}");
        // What the data set says: sends 900 and 901 in turn, a delivery every 10 s from
        // 2026-01-01T00:00:00Z, in account A.
        let send = if expected_id % 2 == 1 { 900 } else { 901 };
        assert_eq!(event.send_id, Some(send), "row {expected_id}");
        let date = january_2026(10 * i64::from(expected_id - 1));
        assert_eq!(event.event_date.as_deref(), Some(date.as_str()));
        assert_eq!(event.client.as_ref().and_then(|c| c.id), Some(MID_A as i32));
        // Every field as the fault-free Retrieve gives it.
        let same = reference.try_next().await?;
        assert_eq!(same.as_ref(), Some(&event), "row {expected_id}");
        // Only the current page's rows are held ready (the next page is being fetched).
        most_buffered = most_buffered.max(stream.buffered());
        assert!(stream.buffered() < DEFAULT_PAGE_SIZE, "{stream:?}");
        if requests_at_first_row.is_none() {
            requests_at_first_row = Some(retrieves(&faulty));
        }
    }
    let elapsed = started.elapsed();
    assert_eq!(expected_id, ROWS);
    assert!(reference.try_next().await?.is_none(), "as many rows");
    assert_eq!((stream.rows(), stream.pages()), (ROWS as u64, 40));
    assert_eq!(reference.pages(), 40);

    let stats = faulty.state().stats();
    let injected = stats.injected_503 + stats.injected_rate_limited + stats.injected_dropped;
    assert!(
        stats.injected_503 > 0 && stats.injected_rate_limited > 0 && stats.injected_dropped > 0,
        "each kind of fault met: {stats:?}"
    );
    // 40 pages, and one more request for each fault: no page was asked for twice but to
    // repeat one that failed, and none was skipped (the IDs above).
    assert_eq!(retrieves(&faulty), 40 + injected, "{stats:?}");
    assert_eq!(stats.soap_requests, 40 + injected, "{stats:?}");
    assert!(injected >= 8, "about 30 % of the requests: {stats:?}");
    // The faults met the continued pages, not only the first: the first page took at most
    // the requests counted when its first row came, less the one it succeeded with.
    let first_page_faults = requests_at_first_row.unwrap_or(0).saturating_sub(1);
    assert!(
        injected > first_page_faults,
        "{injected} faults, {first_page_faults} at most on page 1"
    );
    assert_eq!(retrieves(&clean), 40);
    eprintln!(
        "100,000 SentEvents in 40 pages through faults: {} Retrieve requests ({} answered 503, \
         {} rate-limited, {} dropped), at most {} rows buffered, {:?} (with the fault-free \
         reference read alongside)",
        stats.soap_requests,
        stats.injected_503,
        stats.injected_rate_limited,
        stats.injected_dropped,
        most_buffered,
        elapsed
    );
    faulty.shutdown().await;
    clean.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_continuation_that_expires_mid_stream_is_a_typed_error_never_a_restart() -> R {
    let sb = events(5_000).page_size(500).start("127.0.0.1:0").await?;
    let client = client_a(&sb)?;
    let mut stream =
        client.retrieve::<SentEvent>(RetrieveQuery::of::<SentEvent>().properties(["ID"]));
    let mut ids = Vec::new();
    while ids.len() < 10 {
        let event = stream.try_next().await?.ok_or("ended early")?;
        ids.push(event.id.unwrap_or(0));
    }
    assert_eq!(stream.pages(), 1);
    // The service forgets every continuation while page 1 is being read. Page 2 may already
    // have been fetched (one page ahead): then page 3 is the one refused.
    sb.state().expire_continuations();
    let error = loop {
        match stream.next().await {
            Some(Ok(event)) => ids.push(event.id.unwrap_or(0)),
            Some(Err(e)) => break e,
            None => return Err("the stream ended without an error".into()),
        }
    };
    assert_eq!(error.kind(), ErrorKind::Api, "{error}");
    let r = error.retrieve_error().ok_or("not a Retrieve error")?;
    assert!(r.page == 2 || r.page == 3, "{r:?}");
    // The rows before it, each once and in order: the whole pages before the refused one.
    assert_eq!(r.rows_before, 500 * u64::from(r.page - 1));
    assert_eq!(ids, (1..=r.rows_before as i32).collect::<Vec<_>>());
    assert_eq!(stream.rows(), r.rows_before);
    // It names the continuation refused: the RequestID of the page before.
    let request_id = r.request_id.clone().ok_or("no RequestID")?;
    assert_eq!(stream.request_id(), Some(request_id.as_str()));
    let RetrieveProblem::ContinuationRefused(api) = &r.problem else {
        return Err(format!("{r:?}").into());
    };
    let message = api.message.as_deref().unwrap_or_default();
    assert!(
        message.contains("ContinueRequest") && message.contains("expired"),
        "{message}"
    );
    let text = error.to_string();
    assert!(text.contains(&format!("page {}", r.page)), "{text}");
    assert!(text.contains(&request_id), "{text}");
    // No silent restart: the stream ends, and the sandbox saw the pages and the refused one.
    assert!(stream.next().await.is_none());
    assert_eq!(retrieves(&sb), u64::from(r.page));
    drop(stream);
    assert_eq!(retrieves(&sb), u64::from(r.page));
    assert_eq!(sb.state().continuations(), 0);
    sb.shutdown().await;
    Ok(())
}

/// `M/D/YYYY h:mm:ss AM` (how the service writes a data extension's dates) as
/// `(year, month, day, hour, minute, second)`, for comparing.
fn us_date(text: &str) -> Option<(u32, u32, u32, u32, u32, u32)> {
    let (date, rest) = text.split_once(' ')?;
    let (time, half) = rest.split_once(' ')?;
    let mut d = date.split('/').map(|p| p.parse::<u32>().ok());
    let (month, day, year) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|p| p.parse::<u32>().ok());
    let (h12, minute, second) = (t.next()??, t.next()??, t.next()??);
    let hour = match (half, h12) {
        ("AM", 12) => 0,
        ("AM", h) => h,
        ("PM", 12) => 12,
        ("PM", h) => h + 12,
        _ => return None,
    };
    Some((year, month, day, hour, minute, second))
}

/// Hundredths of a Decimal written as `123.45`.
fn cents(text: &str) -> Option<i64> {
    let (units, hundredths) = text.split_once('.')?;
    Some(units.parse::<i64>().ok()? * 100 + hundredths.parse::<i64>().ok()?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_rows_with_built_and_parsed_filters_match_the_data_model() -> R {
    let sb = events(10)
        .subscribers(1_000)
        .data_extension_rows(1_000)
        .page_size(150)
        .start("127.0.0.1:0")
        .await?;
    let client = client_a(&sb)?;

    // Subscribers: every one, then filtered by the service; the expectation is computed here
    // from the unfiltered rows.
    let props = ["SubscriberKey", "EmailAddress", "Status", "CreatedDate"];
    let subscribers = |filter: Option<Filter>| {
        let mut query = RetrieveQuery::of::<Subscriber>().properties(props);
        if let Some(f) = filter {
            query = query.filter(f);
        }
        client.retrieve::<Subscriber>(query).all(10_000)
    };
    let all = subscribers(None).await?;
    assert_eq!(all.len(), 1_000);
    let keys = |rows: &[&Subscriber]| -> Vec<String> {
        rows.iter()
            .map(|s| s.subscriber_key.as_deref().unwrap_or_default().to_string())
            .collect()
    };
    let expect = |keep: &dyn Fn(&Subscriber) -> bool| {
        keys(&all.iter().filter(|s| keep(s)).collect::<Vec<_>>())
    };
    let got = |rows: Vec<Subscriber>| keys(&rows.iter().collect::<Vec<_>>());
    // Dates as the sandbox writes them (`2025-01-01T00:00:00Z`) compare as text.
    let created = |s: &Subscriber| s.created_date.as_deref().unwrap_or_default().to_string();

    // Built: (Active and created from 02:00Z on 2025-01-01, before 05:30Z) or an address
    // like '%7@example.com' and not Active.
    let from = FilterValue::date_time("2025-01-01T02:00:00Z").ok_or("a date")?;
    let until = FilterValue::date_time("2025-01-01T05:30Z").ok_or("a date")?;
    let built = Filter::equals("Status", "Active")
        .and(Filter::greater_than_or_equal("CreatedDate", from))
        .and(Filter::less_than("CreatedDate", until))
        .or(Filter::like("EmailAddress", "%7@example.com")
            .and(Filter::not_equals("Status", "Active")));
    let want = expect(&|s| {
        let active = s.status == Some(SubscriberStatus::Active);
        let c = created(s);
        (active && c.as_str() >= "2025-01-01T02:00:00Z" && c.as_str() < "2025-01-01T05:30:00Z")
            || (!active
                && s.email_address
                    .as_deref()
                    .is_some_and(|e| e.ends_with("7@example.com")))
    });
    assert!(want.len() > 150, "across pages: {}", want.len());
    assert_eq!(got(subscribers(Some(built)).await?), want);

    // Parsed, with dates, IN and between.
    let parsed = Filter::parse(
        "Status in (Unsubscribed, Held, Bounced) and CreatedDate between 2025-01-01T03:00Z and \
         2025-01-01T12:00:00Z or SubscriberKey like 'sub00010_'",
    )?;
    let want = expect(&|s| {
        let c = created(s);
        (s.status != Some(SubscriberStatus::Active)
            && c.as_str() >= "2025-01-01T03:00:00Z"
            && c.as_str() <= "2025-01-01T12:00:00Z")
            || s.subscriber_key
                .as_deref()
                .is_some_and(|k| k.len() == 9 && k.starts_with("sub00010"))
    });
    assert!(want.len() > 20, "{}", want.len());
    assert_eq!(got(subscribers(Some(parsed)).await?), want);

    // Data extension rows, typed: Orders from 2026-01-10 on, under 250.00, by a parsed filter.
    let order_props = ["OrderID", "Amount", "OrderDate", "Status"];
    let orders = |filter: Option<Filter>| {
        let mut query =
            RetrieveQuery::new("DataExtensionObject[Orders_DE]").properties(order_props);
        if let Some(f) = filter {
            query = query.filter(f);
        }
        client.retrieve::<DataExtensionObject>(query).all(10_000)
    };
    let field = |row: &DataExtensionObject, name: &str| -> String {
        row.properties
            .iter()
            .find(|p| p.name() == name)
            .map(|p| p.value().to_string())
            .unwrap_or_default()
    };
    let all_orders = orders(None).await?;
    assert_eq!(all_orders.len(), 1_000);
    let ids = |rows: &[DataExtensionObject]| -> Vec<String> {
        rows.iter().map(|r| field(r, "OrderID")).collect()
    };
    let want: Vec<String> = all_orders
        .iter()
        .filter(|r| {
            us_date(&field(r, "OrderDate")).is_some_and(|d| d >= (2026, 1, 10, 0, 0, 0))
                && cents(&field(r, "Amount")).is_some_and(|c| c < 25_000)
        })
        .map(|r| field(r, "OrderID"))
        .collect();
    assert!(!want.is_empty());
    // Without a zone, like the data extension's dates: the service's own time (UTC-6).
    let parsed = Filter::parse("OrderDate >= 2026-01-10T00:00 and Amount < 250.00")?;
    assert_eq!(ids(&orders(Some(parsed)).await?), want);

    // Customers as raw rows, by built filters: in London or Paris, and Active (a Boolean).
    let customers = |filter: Option<Filter>| {
        let mut query = RetrieveQuery::new("DataExtensionObject[Customers_DE]").properties([
            "SubscriberKey",
            "City",
            "Active",
        ]);
        if let Some(f) = filter {
            query = query.filter(f);
        }
        client.retrieve::<RawObject>(query).all(10_000)
    };
    let all_customers = customers(None).await?;
    assert_eq!(all_customers.len(), 1_000);
    let want: Vec<Option<String>> = all_customers
        .iter()
        .filter(|r| {
            let v = r.values(&["City", "Active"]);
            matches!(v[0].as_deref(), Some("London" | "Paris")) && v[1].as_deref() == Some("True")
        })
        .map(|r| r.value("SubscriberKey"))
        .collect();
    assert!(want.len() > 150, "{}", want.len());
    let built = Filter::is_in("City", ["London", "Paris"]).and(Filter::equals("Active", true));
    let got: Vec<Option<String>> = customers(Some(built))
        .await?
        .iter()
        .map(|r| r.value("SubscriberKey"))
        .collect();
    assert_eq!(got, want);
    sb.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_all_accounts_and_client_ids_with_a_child_account() -> R {
    let sb = events(250)
        .client("b", "secret-b", MID_B)
        .send(950, SendStatus::Sent, MID_B)
        .send(960, SendStatus::Sent, MID_C)
        .child_account(MID_A, MID_C)
        .page_size(100)
        .start("127.0.0.1:0")
        .await?;
    let client = client_a(&sb)?;
    // (account, ID, SendID) of every row, and the pages they came in.
    let read = |query: RetrieveQuery| {
        let client = client.clone();
        async move {
            let mut stream =
                client.retrieve::<SentEvent>(query.properties(["Client.ID", "ID", "SendID"]));
            let mut rows = Vec::new();
            while let Some(e) = stream.try_next().await? {
                let mid = e.client.as_ref().and_then(|c| c.id).unwrap_or(0);
                rows.push((i64::from(mid), e.id.unwrap_or(0), e.send_id.unwrap_or(0)));
            }
            R::Ok((rows, stream.pages()))
        }
    };
    let of = |mid: i64, sends: &[i32]| -> Vec<(i64, i32, i32)> {
        (1..=250)
            .map(|id| (mid, id, sends[(id as usize - 1) % sends.len()]))
            .collect()
    };
    let events = RetrieveQuery::of::<SentEvent>;

    // Its own account only.
    let (rows, pages) = read(events()).await?;
    assert_eq!((rows, pages), (of(MID_A, &[900, 901]), 3));
    // Its account and the child's, the caller's first, paged across the two.
    let (rows, pages) = read(events().query_all_accounts(true)).await?;
    let mut want = of(MID_A, &[900, 901]);
    want.extend(of(MID_C, &[960]));
    assert_eq!((rows, pages), (want.clone(), 5));
    // Named in ClientIDs: the child alone, or both.
    let (rows, _) = read(events().client_id(MID_C as i32)).await?;
    assert_eq!(rows, of(MID_C, &[960]));
    let (rows, _) = read(events().client_ids([MID_A as i32, MID_C as i32])).await?;
    assert_eq!(rows, want);
    // An account it may not see reads nothing, without an error.
    let (rows, pages) = read(events().client_id(MID_B as i32)).await?;
    assert_eq!((rows.len(), pages), (0, 1));
    let (rows, _) = read(events().client_id(MID_B as i32).query_all_accounts(true)).await?;
    assert_eq!(rows, []);

    // B has no child: QueryAllAccounts is its own account.
    let b = sandbox_client(&sb, "b", "secret-b").build()?;
    let rows = b
        .retrieve::<SentEvent>(
            events()
                .properties(["Client.ID", "SendID"])
                .query_all_accounts(true),
        )
        .all(1_000)
        .await?;
    assert_eq!(rows.len(), 250);
    assert!(rows.iter().all(
        |e| e.client.as_ref().and_then(|c| c.id) == Some(MID_B as i32) && e.send_id == Some(950)
    ));
    sb.shutdown().await;
    Ok(())
}
