//! Retrieve over real HTTP with the library's client and generated types: paging with
//! ContinueRequest (a repeated page comes back the same), Properties, filters with the service's
//! semantics, continuation expiry, tenancy with child accounts, the generated data set, and
//! paging through injected faults with every row exactly once.
#[path = "support/mod.rs"]
mod sandbox_support;

use std::time::Duration;

use sandbox_support::*;
use sfmc_partnerapi::types::{
    AnyApiObject, AnyFilterPart, ClientId, ComplexFilterPart, LogicalOperators, RetrieveOptions,
    RetrieveRequest, RetrieveRequestMsg, RetrieveResponseMsg, SimpleFilterPart, SimpleOperators,
};
use sfmc_partnerapi::Client;
use sfmc_partnerapi_sandbox::{
    FaultInjection, RunningSandbox, Sandbox, SandboxBuilder, SendStatus, DEFAULT_PAGE_SIZE,
};

const MID_C: i64 = 3003;

/// Accounts A (client "a", sent sends 900 and 901) and B (client "b", sent send 950), with
/// `events` events of each type, 40 subscribers and 30 rows per data extension, seed 7.
fn with_data(events: u64) -> SandboxBuilder {
    Sandbox::builder()
        .client("a", "secret-a", MID_A)
        .client("b", "secret-b", MID_B)
        .send(900, SendStatus::Sent, MID_A)
        .send(901, SendStatus::Sent, MID_A)
        .send(902, SendStatus::Scheduled, MID_A)
        .send(950, SendStatus::Sent, MID_B)
        .events(events, 7)
        .subscribers(40)
        .data_extension_rows(30)
}

fn client(sb: &RunningSandbox, who: &str) -> R<Client> {
    let secret = format!("secret-{who}");
    Ok(sandbox_client(sb, who, &secret).build()?)
}

fn request(
    object_type: &str,
    properties: &[&str],
    filter: Option<AnyFilterPart>,
) -> RetrieveRequestMsg {
    RetrieveRequestMsg {
        retrieve_request: RetrieveRequest {
            object_type: object_type.into(),
            properties: properties.iter().map(|p| (*p).into()).collect(),
            filter,
            ..Default::default()
        },
    }
}

/// The request for the page after a response whose RequestID was `id`, the way the library
/// and the service's own samples write it.
fn continuation(id: &str) -> RetrieveRequestMsg {
    RetrieveRequestMsg {
        retrieve_request: RetrieveRequest {
            continue_request: Some(id.into()),
            ..Default::default()
        },
    }
}

fn simple(property: &str, op: SimpleOperators, values: &[&str]) -> AnyFilterPart {
    SimpleFilterPart {
        property: property.into(),
        simple_operator: op,
        value: values.iter().map(|v| (*v).into()).collect(),
        ..Default::default()
    }
    .into()
}

fn complex(op: LogicalOperators, parts: Vec<AnyFilterPart>) -> AnyFilterPart {
    let mut parts = parts.into_iter();
    ComplexFilterPart {
        left_operand: parts.next().unwrap(),
        logical_operator: op,
        right_operand: parts.next(),
        additional_operands: parts.collect(),
    }
    .into()
}

/// The `ID` of each tracking event of a response (any event type).
fn event_ids(resp: &RetrieveResponseMsg) -> Vec<i32> {
    resp.results
        .iter()
        .map(|o| match o {
            AnyApiObject::SentEvent(e) => e.id,
            AnyApiObject::OpenEvent(e) => e.id,
            AnyApiObject::ClickEvent(e) => e.id,
            AnyApiObject::BounceEvent(e) => e.id,
            AnyApiObject::UnsubEvent(e) => e.id,
            other => panic!("not an event: {other:?}"),
        })
        .map(|id| id.unwrap_or(-1))
        .collect()
}

/// Follows a Retrieve to its end: every page's response.
async fn all_pages(client: &Client, first: &RetrieveRequestMsg) -> R<Vec<RetrieveResponseMsg>> {
    let mut pages = vec![client.api().retrieve(first).await?];
    while let Some(last) = pages
        .last()
        .filter(|p| p.overall_status == "MoreDataAvailable")
    {
        let id = last
            .request_id
            .clone()
            .ok_or("MoreDataAvailable without a RequestID")?;
        pages.push(client.api().retrieve(&continuation(&id)).await?);
        assert!(pages.len() < 10_000, "runaway paging");
    }
    Ok(pages)
}

#[tokio::test]
async fn paging_follows_continue_request_and_every_row_comes_once() -> R {
    let sb = with_data(12_345)
        .page_size(1_000)
        .start("127.0.0.1:0")
        .await?;
    let a = client(&sb, "a")?;
    let first = request(
        "SentEvent",
        &["ID", "SendID", "SubscriberKey", "EventDate"],
        None,
    );
    let pages = all_pages(&a, &first).await?;
    assert_eq!(pages.len(), 13);
    for (i, p) in pages.iter().enumerate() {
        let last = i == pages.len() - 1;
        assert_eq!(
            p.overall_status,
            if last { "OK" } else { "MoreDataAvailable" }
        );
        assert_eq!(p.results.len(), if last { 345 } else { 1_000 });
        assert!(p.request_id.as_deref().is_some_and(|id| id.len() == 36));
    }
    let ids: Vec<i32> = pages.iter().flat_map(event_ids).collect();
    assert_eq!(ids, (1..=12_345).collect::<Vec<_>>());
    // Every event refers to one of A's sent sends, in dates that grow with the ID.
    let mut last_date = String::new();
    for p in &pages {
        for o in &p.results {
            let AnyApiObject::SentEvent(e) = o else {
                panic!("{o:?}")
            };
            assert!(matches!(e.send_id, Some(900 | 901)), "{e:?}");
            let date = e.event_date.as_deref().unwrap_or_default().to_string();
            assert!(date > last_date, "{date} after {last_date}");
            last_date = date;
        }
    }
    // At most two continuations per Retrieve are kept.
    assert!(sb.state().continuations() <= 2);

    // The default page is the service's 2,500; Options/BatchSize asks for smaller pages.
    let sb2 = with_data(3_000).start("127.0.0.1:0").await?;
    let a2 = client(&sb2, "a")?;
    let pages = all_pages(&a2, &first).await?;
    let sizes: Vec<usize> = pages.iter().map(|p| p.results.len()).collect();
    assert_eq!(sizes, vec![DEFAULT_PAGE_SIZE, 500]);
    let mut small = first.clone();
    small.retrieve_request.options = Some(
        RetrieveOptions {
            batch_size: Some(1_200),
            ..Default::default()
        }
        .into(),
    );
    let sizes: Vec<usize> = all_pages(&a2, &small)
        .await?
        .iter()
        .map(|p| p.results.len())
        .collect();
    assert_eq!(sizes, vec![1_200, 1_200, 600]);
    sb.shutdown().await;
    sb2.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_repeated_continue_request_gets_the_same_page() -> R {
    let sb = with_data(1_000).page_size(100).start("127.0.0.1:0").await?;
    let a = client(&sb, "a")?;
    let first = a
        .api()
        .retrieve(&request(
            "ClickEvent",
            &["ID", "URL", "SubscriberKey"],
            None,
        ))
        .await?;
    let t1 = first.request_id.clone().ok_or("no RequestID")?;
    let page2 = a.api().retrieve(&continuation(&t1)).await?;
    let t2 = page2.request_id.clone().ok_or("no RequestID")?;
    assert_ne!(t1, t2);
    assert_eq!(event_ids(&page2), (101..=200).collect::<Vec<_>>());

    // The response was lost: the client asks again with the same ContinueRequest and gets the
    // same rows and the same RequestID, so nothing is lost or repeated.
    let again = a.api().retrieve(&continuation(&t1)).await?;
    assert_eq!(again, page2);

    // Even with the original request beside it (as some clients send it).
    let mut verbose = request("ClickEvent", &["ID"], None);
    verbose.retrieve_request.continue_request = Some(t1.as_str().into());
    assert_eq!(a.api().retrieve(&verbose).await?, page2);

    let page3 = a.api().retrieve(&continuation(&t2)).await?;
    assert_eq!(event_ids(&page3), (201..=300).collect::<Vec<_>>());
    assert_eq!(a.api().retrieve(&continuation(&t2)).await?, page3);
    // Asking with page 3's predecessor proved page 2 arrived: its own token is spent.
    let spent = a.api().retrieve(&continuation(&t1)).await?;
    assert!(spent.overall_status.starts_with("Error: "), "{spent:?}");
    assert!(spent.results.is_empty());
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn only_the_asked_properties_are_written() -> R {
    let sb = with_data(50).start("127.0.0.1:0").await?;
    let a = client(&sb, "a")?;
    let resp = a
        .api()
        .retrieve(&request("BounceEvent", &["SendID", "smtpcode"], None))
        .await?;
    assert_eq!(resp.overall_status, "OK");
    assert_eq!(resp.results.len(), 50);
    for o in &resp.results {
        let AnyApiObject::BounceEvent(e) = o else {
            panic!("{o:?}")
        };
        assert!(e.send_id.is_some() && e.smtp_code.is_some(), "{e:?}");
        assert!(e.id.is_none() && e.subscriber_key.is_none() && e.event_date.is_none());
        assert!(e.client.is_none() && e.bounce_category.is_none());
    }

    let resp = a
        .api()
        .retrieve(&request(
            "Subscriber",
            &["SubscriberKey", "Status", "Attributes"],
            None,
        ))
        .await?;
    assert_eq!(resp.results.len(), 40);
    let AnyApiObject::Subscriber(s) = &resp.results[0] else {
        panic!()
    };
    assert_eq!(s.subscriber_key.as_deref(), Some("sub000001"));
    assert!(s.status.is_some() && s.email_address.is_none());
    let names: Vec<&str> = s.attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["First Name", "Last Name", "City"]);

    // Data extension rows carry the asked columns, in the data extension's order.
    let resp = a
        .api()
        .retrieve(&request(
            "DataExtensionObject[Customers_DE]",
            &["Points", "SubscriberKey"],
            None,
        ))
        .await?;
    assert_eq!(resp.results.len(), 30);
    let AnyApiObject::DataExtensionObject(row) = &resp.results[0] else {
        panic!()
    };
    let cols: Vec<(&str, &str)> = row
        .properties
        .iter()
        .map(|p| (p.name().as_str(), p.value().as_str()))
        .collect();
    assert_eq!(cols[0], ("SubscriberKey", "sub000001"));
    assert_eq!(cols[1].0, "Points");
    assert!(cols[1].1.parse::<u32>().is_ok(), "{cols:?}");

    for (req, want) in [
        (
            request("SentEvent", &["ID", "Nope", "Other"], None),
            "Error: The Request Property(s) Nope, Other do not match with the fields of SentEvent retrieve",
        ),
        (
            request("DataExtensionObject[Orders_DE]", &["ObjectID"], None),
            "Error: The Request Property(s) ObjectID do not match with the fields of DataExtensionObject retrieve",
        ),
        (
            request("SentEvent", &[], None),
            "Error: A Retrieve of SentEvent needs at least one property in Properties",
        ),
        (
            request("sentEvent", &["ID"], None),
            "Error: Unable to find a handler for object type: sentEvent. Object types are case-sensitive, check spelling.",
        ),
    ] {
        let resp = a.api().retrieve(&req).await?;
        assert_eq!(resp.overall_status, want);
        assert!(resp.results.is_empty());
    }
    sb.shutdown().await;
    Ok(())
}

/// The IDs of `object_type` rows that pass `filter` (all pages).
async fn filtered(
    client: &Client,
    object_type: &str,
    id: &str,
    filter: AnyFilterPart,
) -> R<Vec<String>> {
    let pages = all_pages(client, &request(object_type, &[id], Some(filter))).await?;
    let mut out = Vec::new();
    for p in &pages {
        assert!(
            !p.overall_status.starts_with("Error"),
            "{}",
            p.overall_status
        );
        for o in &p.results {
            out.push(match o {
                AnyApiObject::DataExtensionObject(r) => r.properties[0].value().to_string(),
                AnyApiObject::Subscriber(s) => {
                    s.subscriber_key.as_deref().unwrap_or_default().to_string()
                }
                other => event_ids(&RetrieveResponseMsg {
                    results: vec![other.clone()],
                    ..Default::default()
                })[0]
                    .to_string(),
            });
        }
    }
    Ok(out)
}

#[tokio::test]
async fn filters_have_the_services_semantics() -> R {
    use SimpleOperators::*;
    let sb = with_data(2_000).page_size(300).start("127.0.0.1:0").await?;
    let a = client(&sb, "a")?;
    let ids = |r: std::ops::RangeInclusive<i32>| r.map(|i| i.to_string()).collect::<Vec<_>>();

    // Numbers, across pages.
    assert_eq!(
        filtered(
            &a,
            "SentEvent",
            "ID",
            simple("ID", Between, &["295", "905"])
        )
        .await?,
        ids(295..=905)
    );
    assert_eq!(
        filtered(
            &a,
            "SentEvent",
            "ID",
            simple("ID", In, &["7", "3", "99999"])
        )
        .await?,
        ["3", "7"]
    );
    assert_eq!(
        filtered(&a, "SentEvent", "ID", simple("ID", GreaterThan, &["1995"])).await?,
        ids(1996..=2000)
    );
    // Sent event i is sent 10 s after event i-1, from 2026-01-01T00:00:00Z: dates in any of
    // the forms, as Value or DateValue; without a zone, in the service's time (UTC-6).
    assert_eq!(
        filtered(
            &a,
            "SentEvent",
            "ID",
            simple("EventDate", LessThan, &["2025-12-31T18:00:30"])
        )
        .await?,
        ids(1..=3)
    );
    assert_eq!(
        filtered(
            &a,
            "SentEvent",
            "ID",
            simple("EventDate", GreaterThanOrEqual, &["12/31/2025 11:33:10 PM"])
        )
        .await?,
        ids(2000..=2000)
    );
    let by_date_value: AnyFilterPart = SimpleFilterPart {
        property: "EventDate".into(),
        simple_operator: Between,
        date_value: vec![
            "2026-01-01T00:01:00Z".into(),
            "2026-01-01T01:01:00+01:00".into(),
        ],
        ..Default::default()
    }
    .into();
    assert_eq!(
        filtered(&a, "SentEvent", "ID", by_date_value).await?,
        ids(7..=7)
    );
    assert!(filtered(
        &a,
        "SentEvent",
        "ID",
        simple("EventDate", LessThan, &["2025-12-31"])
    )
    .await?
    .is_empty());

    // Text: case-insensitive equals, like with % and _, beginsWith / endsWith / contains.
    let keys = filtered(
        &a,
        "Subscriber",
        "SubscriberKey",
        simple("SubscriberKey", Like, &["SUB00001_"]),
    )
    .await?;
    assert_eq!(
        keys,
        (10..=19).map(|i| format!("sub0000{i}")).collect::<Vec<_>>()
    );
    assert_eq!(
        filtered(
            &a,
            "Subscriber",
            "SubscriberKey",
            simple("EmailAddress", Equals, &["SUB000040@EXAMPLE.COM"])
        )
        .await?,
        ["sub000040"]
    );
    assert_eq!(
        filtered(
            &a,
            "Subscriber",
            "SubscriberKey",
            simple("SubscriberKey", EndsWith, &["39"])
        )
        .await?,
        ["sub000039"]
    );
    assert_eq!(
        filtered(
            &a,
            "Subscriber",
            "SubscriberKey",
            simple("SubscriberKey", BeginsWith, &["sub00003"])
        )
        .await?
        .len(),
        10
    );
    assert_eq!(
        filtered(
            &a,
            "Subscriber",
            "SubscriberKey",
            simple("EmailAddress", Contains, &["00040"])
        )
        .await?,
        ["sub000040"]
    );
    assert!(
        filtered(
            &a,
            "Subscriber",
            "SubscriberKey",
            simple("UnsubscribedDate", IsNull, &[])
        )
        .await?
        .len()
            < 40
    );

    // ComplexFilterPart: AND / OR, nested, with AdditionalOperands.
    let f = complex(
        LogicalOperators::Or,
        vec![
            complex(
                LogicalOperators::And,
                vec![
                    simple("ID", GreaterThan, &["10"]),
                    simple("ID", LessThanOrEqual, &["12"]),
                ],
            ),
            simple("ID", Equals, &["1"]),
            simple("ID", Equals, &["2000"]),
        ],
    );
    assert_eq!(
        filtered(&a, "SentEvent", "ID", f).await?,
        ["1", "11", "12", "2000"]
    );
    let sends_900: Vec<String> =
        filtered(&a, "SentEvent", "ID", simple("SendID", Equals, &["900"])).await?;
    let sends_901: Vec<String> =
        filtered(&a, "SentEvent", "ID", simple("SendID", NotEquals, &["900"])).await?;
    assert_eq!(sends_900.len() + sends_901.len(), 2_000);
    assert!(!sends_900.is_empty() && !sends_901.is_empty());

    // Data extension rows: number, decimal, date and boolean fields.
    let rows = filtered(
        &a,
        "DataExtensionObject[Orders_DE]",
        "OrderID",
        simple(
            "OrderDate",
            Between,
            &["1/1/2026 2:00 AM", "2026-01-01T04:00:00"],
        ),
    )
    .await?;
    assert_eq!(rows, ["3", "4", "5"]);
    let cheap = filtered(
        &a,
        "DataExtensionObject[Orders_DE]",
        "OrderID",
        simple("Amount", LessThan, &["100.5"]),
    )
    .await?;
    let dear = filtered(
        &a,
        "DataExtensionObject[Orders_DE]",
        "OrderID",
        simple("Amount", GreaterThanOrEqual, &["100.50"]),
    )
    .await?;
    assert_eq!(cheap.len() + dear.len(), 30);
    let active = filtered(
        &a,
        "DataExtensionObject[Customers_DE]",
        "SubscriberKey",
        simple("Active", Equals, &["true"]),
    )
    .await?;
    let active_subscribers = filtered(
        &a,
        "Subscriber",
        "SubscriberKey",
        simple("Status", Equals, &["Active"]),
    )
    .await?;
    assert_eq!(
        active,
        active_subscribers[..active.len()],
        "Customers mirror the subscribers"
    );

    // What the service refuses.
    for (f, want) in [
        (
            simple("Nope", Equals, &["1"]),
            "Error: Filter Property 'Nope' is not a retrievable property of SentEvent.",
        ),
        (simple("ID", Equals, &["one"]), "not a valid number"),
        (
            simple("EventDate", GreaterThan, &["soon"]),
            "not a valid date",
        ),
        (simple("ID", Between, &["1"]), "needs 2 value(s)"),
    ] {
        let resp = a
            .api()
            .retrieve(&request("SentEvent", &["ID"], Some(f)))
            .await?;
        assert!(
            resp.overall_status.starts_with("Error: ") && resp.overall_status.contains(want),
            "{}",
            resp.overall_status
        );
    }
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn continuations_expire_and_belong_to_their_account() -> R {
    let sb = with_data(500)
        .page_size(100)
        .continuation_ttl(Duration::from_millis(200))
        .start("127.0.0.1:0")
        .await?;
    let (a, b) = (client(&sb, "a")?, client(&sb, "b")?);
    let first = request("OpenEvent", &["ID"], None);

    // Unused longer than its lifetime: an error, not a restart.
    let page1 = a.api().retrieve(&first).await?;
    let token = page1.request_id.clone().ok_or("no RequestID")?;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let late = a.api().retrieve(&continuation(&token)).await?;
    assert!(
        late.overall_status.starts_with("Error: ContinueRequest "),
        "{}",
        late.overall_status
    );
    assert!(
        late.overall_status.contains("expired"),
        "{}",
        late.overall_status
    );
    assert!(late.results.is_empty());

    // Another account's continuation, and one that never was, answer the same.
    let page1 = a.api().retrieve(&first).await?;
    let token = page1.request_id.clone().ok_or("no RequestID")?;
    let foreign = b.api().retrieve(&continuation(&token)).await?;
    let unknown = a
        .api()
        .retrieve(&continuation("00000000-0000-4000-8000-000000000000"))
        .await?;
    let shape = |s: &str, id: &str| s.replace(id, "ID");
    assert_eq!(
        shape(&foreign.overall_status, &token),
        shape(
            &unknown.overall_status,
            "00000000-0000-4000-8000-000000000000"
        )
    );
    // ... and the owner still continues it.
    let page2 = a.api().retrieve(&continuation(&token)).await?;
    assert_eq!(event_ids(&page2), (101..=200).collect::<Vec<_>>());

    // The state can expire them at once.
    let next = page2.request_id.clone().ok_or("no RequestID")?;
    sb.state().expire_continuations();
    assert_eq!(sb.state().continuations(), 0);
    let gone = a.api().retrieve(&continuation(&next)).await?;
    assert!(
        gone.overall_status.starts_with("Error: "),
        "{}",
        gone.overall_status
    );
    sb.shutdown().await;
    Ok(())
}

/// The `Client.ID` of each result.
fn accounts_of(resp: &RetrieveResponseMsg) -> Vec<i64> {
    resp.results
        .iter()
        .map(|o| match o {
            AnyApiObject::SentEvent(e) => e.client.as_ref().and_then(|c| c.id),
            AnyApiObject::Subscriber(s) => s.client.as_ref().and_then(|c| c.id),
            other => panic!("{other:?}"),
        })
        .map(|id| i64::from(id.unwrap_or(0)))
        .collect()
}

#[tokio::test]
async fn tenancy_query_all_accounts_and_client_ids() -> R {
    let sb = with_data(5)
        .send(960, SendStatus::Sent, MID_C)
        .child_account(MID_A, MID_C)
        .start("127.0.0.1:0")
        .await?;
    let (a, b) = (client(&sb, "a")?, client(&sb, "b")?);
    let events = |all: bool, ids: &[i64]| {
        let mut r = request("SentEvent", &["Client.ID", "SendID"], None);
        r.retrieve_request.query_all_accounts = all.then_some(true);
        r.retrieve_request.client_i_ds = ids
            .iter()
            .map(|id| ClientId {
                id: Some(*id as i32),
                ..Default::default()
            })
            .collect();
        r
    };
    let count = |v: &[i64], mid: i64| v.iter().filter(|m| **m == mid).count();

    let own = accounts_of(&a.api().retrieve(&events(false, &[])).await?);
    assert_eq!((own.len(), count(&own, MID_A)), (5, 5));
    let all = accounts_of(&a.api().retrieve(&events(true, &[])).await?);
    assert_eq!(
        (count(&all, MID_A), count(&all, MID_C), all.len()),
        (5, 5, 10)
    );
    let child = accounts_of(&a.api().retrieve(&events(false, &[MID_C])).await?);
    assert_eq!((count(&child, MID_C), child.len()), (5, 5));
    // An account it may not see reads nothing.
    let foreign = a.api().retrieve(&events(false, &[MID_B])).await?;
    assert_eq!(
        (foreign.overall_status.as_str(), foreign.results.len()),
        ("OK", 0)
    );
    // B has no child: QueryAllAccounts is its own account; it cannot name A or C.
    let b_all = accounts_of(&b.api().retrieve(&events(true, &[])).await?);
    assert_eq!((count(&b_all, MID_B), b_all.len()), (5, 5));
    assert!(b
        .api()
        .retrieve(&events(true, &[MID_A, MID_C]))
        .await?
        .results
        .is_empty());

    // Paging across accounts: a page ends in one account and the next starts where it stopped.
    let sb2 = with_data(250)
        .send(960, SendStatus::Sent, MID_C)
        .child_account(MID_A, MID_C)
        .page_size(100)
        .start("127.0.0.1:0")
        .await?;
    let a2 = client(&sb2, "a")?;
    let pages = all_pages(&a2, &events(true, &[])).await?;
    assert_eq!(
        pages.iter().map(|p| p.results.len()).collect::<Vec<_>>(),
        [100, 100, 100, 100, 100]
    );
    let accounts: Vec<i64> = pages.iter().flat_map(accounts_of).collect();
    assert_eq!(count(&accounts, MID_A), 250);
    assert_eq!(count(&accounts, MID_C), 250);
    assert!(
        accounts[..250].iter().all(|m| *m == MID_A),
        "the caller's account first"
    );
    sb.shutdown().await;
    sb2.shutdown().await;
    Ok(())
}

/// The first page of ClickEvents of a fresh sandbox whose data set has seed `seed`.
async fn first_clicks(seed: u64) -> R<Vec<AnyApiObject>> {
    let props = [
        "ID",
        "SendID",
        "SubscriberKey",
        "EventDate",
        "EventType",
        "URLID",
        "URL",
    ];
    let sb = Sandbox::builder()
        .client("a", "secret-a", MID_A)
        .send(900, SendStatus::Sent, MID_A)
        .send(901, SendStatus::Sent, MID_A)
        .events(1_000, seed)
        .start("127.0.0.1:0")
        .await?;
    let a = client(&sb, "a")?;
    let resp = a
        .api()
        .retrieve(&request("ClickEvent", &props, None))
        .await?;
    sb.shutdown().await;
    Ok(resp.results)
}

#[tokio::test]
async fn the_data_set_is_deterministic_lazy_and_consistent() -> R {
    let (one, again, other) = (
        first_clicks(1).await?,
        first_clicks(1).await?,
        first_clicks(2).await?,
    );
    assert_eq!(one, again, "same seed, same rows");
    assert_ne!(one, other, "another seed, other rows");

    // A hundred million events per type cost nothing until a page is asked for.
    let sb = Sandbox::builder()
        .client("a", "secret-a", MID_A)
        .send(900, SendStatus::Sent, MID_A)
        .events(sfmc_partnerapi_sandbox::MAX_GENERATED_ROWS, 3)
        .page_size(10)
        .start("127.0.0.1:0")
        .await?;
    let a = client(&sb, "a")?;
    let resp = a
        .api()
        .retrieve(&request(
            "UnsubEvent",
            &["ID", "List.ID", "IsMasterUnsubscribed"],
            None,
        ))
        .await?;
    assert_eq!(
        (resp.overall_status.as_str(), resp.results.len()),
        ("MoreDataAvailable", 10)
    );
    // Subscribers default to 1,000 when only events are asked for (the events name them).
    let subs = all_pages(&a, &request("Subscriber", &["SubscriberKey"], None)).await?;
    assert_eq!(subs.iter().map(|p| p.results.len()).sum::<usize>(), 1_000);
    sb.shutdown().await;

    // Lists, memberships, data extensions and their fields are there for every account.
    let sb = with_data(10).start("127.0.0.1:0").await?;
    let (a, b) = (client(&sb, "a")?, client(&sb, "b")?);
    for (who, object_type, props, want) in [
        (&a, "List", &["ID", "ListName", "Type"][..], 3),
        (
            &a,
            "DataExtension",
            &["CustomerKey", "Name", "IsSendable"][..],
            2,
        ),
        (
            &a,
            "DataExtensionField",
            &["Name", "FieldType", "DataExtension.CustomerKey"][..],
            13,
        ),
        (
            &b,
            "DataExtensionObject[Customers]",
            &["SubscriberKey"][..],
            30,
        ),
    ] {
        let resp = who
            .api()
            .retrieve(&request(object_type, props, None))
            .await?;
        assert_eq!(
            (resp.overall_status.as_str(), resp.results.len()),
            ("OK", want),
            "{object_type}"
        );
    }
    let members = a
        .api()
        .retrieve(&request(
            "ListSubscriber",
            &["ListID", "SubscriberKey", "Status"],
            None,
        ))
        .await?;
    // Everyone is on the first list, some on the others too.
    assert!(
        (41..=120).contains(&members.results.len()),
        "{}",
        members.results.len()
    );
    let lists = a.api().retrieve(&request("List", &["ID"], None)).await?;
    let first_list = match &lists.results[0] {
        AnyApiObject::List(l) => l.id.unwrap_or_default().to_string(),
        other => panic!("{other:?}"),
    };
    let on_first = a
        .api()
        .retrieve(&request(
            "ListSubscriber",
            &["SubscriberKey"],
            Some(simple("ListID", SimpleOperators::Equals, &[&first_list])),
        ))
        .await?;
    assert_eq!(on_first.results.len(), 40);
    // Sends are still retrieved, with the new rules.
    let sends = a
        .api()
        .retrieve(&request(
            "Send",
            &["ID", "Status"],
            Some(simple("Status", SimpleOperators::Equals, &["sent"])),
        ))
        .await?;
    assert_eq!(sends.results.len(), 2);
    sb.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_demo_has_a_small_data_set() -> R {
    let sb = Sandbox::builder().demo().start("127.0.0.1:0").await?;
    let demo = sandbox_client(
        &sb,
        sfmc_partnerapi_sandbox::DEMO_CLIENT_ID,
        sfmc_partnerapi_sandbox::DEMO_CLIENT_SECRET,
    )
    .build()?;
    let sent = demo
        .api()
        .retrieve(&request("SentEvent", &["SendID"], None))
        .await?;
    assert_eq!(
        sent.results.len() as u64,
        sfmc_partnerapi_sandbox::DEMO_EVENTS
    );
    assert!(sent
        .results
        .iter()
        .all(|o| matches!(o, AnyApiObject::SentEvent(e) if e.send_id == Some(29609))));
    let subs = demo
        .api()
        .retrieve(&request("Subscriber", &["EmailAddress"], None))
        .await?;
    assert_eq!(
        subs.results.len() as u64,
        sfmc_partnerapi_sandbox::DEMO_SUBSCRIBERS
    );
    let rows = demo
        .api()
        .retrieve(&request(
            "DataExtensionObject[Orders_DE]",
            &["OrderID"],
            None,
        ))
        .await?;
    assert_eq!(
        rows.results.len() as u64,
        sfmc_partnerapi_sandbox::DEMO_ROWS
    );
    sb.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_through_injected_faults_gives_every_row_exactly_once() -> R {
    let sb = with_data(20_000)
        .page_size(500)
        .faults(FaultInjection {
            http_503: 0.1,
            rate_limited: 0.1,
            drop_connection: 0.1,
            seed: Some(2024),
            ..Default::default()
        })
        .start("127.0.0.1:0")
        .await?;
    // The client retries a page with the same ContinueRequest after a 503, a rate-limit fault
    // or a lost response (Retrieve is read-only).
    let a = sandbox_client(&sb, "a", "secret-a")
        .retry_policy(patient(30))
        .build()?;
    let pages = all_pages(&a, &request("SentEvent", &["ID", "SubscriberKey"], None)).await?;
    assert_eq!(pages.len(), 40);
    let ids: Vec<i32> = pages.iter().flat_map(event_ids).collect();
    assert_eq!(
        ids,
        (1..=20_000).collect::<Vec<_>>(),
        "every row once, in order"
    );
    let stats = sb.state().stats();
    assert!(
        stats.injected_503 > 0 && stats.injected_rate_limited > 0,
        "{stats:?}"
    );
    assert!(
        stats.injected_dropped > 0,
        "pages were lost after being served: {stats:?}"
    );
    sb.shutdown().await;
    Ok(())
}
