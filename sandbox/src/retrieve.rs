//! Retrieve: the request checked against the object type (properties, filter, accounts), rows
//! served in pages, and the continuations that ask for the next page.
//!
//! # Continuations, and why a retried page comes back the same
//!
//! The service pages a large Retrieve: `OverallStatus` `MoreDataAvailable` with a `RequestID`,
//! and the next page is asked for by a `RetrieveRequest` holding `ContinueRequest` = that ID.
//! A client that loses a response (HTTP 503, a dropped connection) sends the same
//! `ContinueRequest` again and must get exactly the page it missed.
//!
//! So every page's `RequestID` is a token of its own (a fresh UUID) that names the position
//! right after that page. Asking with token `Tk` serves the page that starts there, always the
//! same rows: the token remembers where that page ended and the token it answered with, and a
//! repeat of `Tk` replays exactly that (same rows, same next token). Receiving `Tk` proves that
//! the client has the page `Tk` came with, so the token before it is dropped; at most two tokens
//! per Retrieve are alive. (The real service answers every page of one Retrieve with the same
//! RequestID; a client that follows the RequestID of the last response works with both.)
//!
//! A token keeps the first request's object type, properties, filter, accounts and page size;
//! those sent again beside `ContinueRequest` are ignored. It expires after
//! [`DEFAULT_CONTINUATION_TTL`] unused (configurable), and at most [`MAX_CONTINUATIONS`] are
//! kept (the least recently used goes first). An unknown, expired or other account's token is
//! answered with `OverallStatus` `Error: ...`, never with a silent restart.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sfmc_partnerapi::soap::SOAP11_NS;
use sfmc_partnerapi::types::{RetrieveRequest, RetrieveRequestMsg, RetrieveResponseMsg};
use sfmc_partnerapi::xml::{XmlElement, XmlWriter, XSI_NS};

use super::data::DataModel;
use super::filter::{column_index, Filter};
use super::service::{random_id, sanitize};
use super::state::{SendRecord, Shared};
use super::tables::{scan, Budget, Object, ScanEnd, Selected, Source};

/// The default number of objects per Retrieve page (the service's).
pub const DEFAULT_PAGE_SIZE: usize = 2_500;
/// The largest page size the sandbox accepts.
pub const MAX_PAGE_SIZE: usize = 1_000_000;
/// How long a continuation (`ContinueRequest`) stays valid unused, by default.
pub const DEFAULT_CONTINUATION_TTL: Duration = Duration::from_secs(600);
/// The most continuations kept at once (the least recently used are dropped first).
pub const MAX_CONTINUATIONS: usize = 10_000;

/// Where a page starts: an account of the Retrieve and a position among its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    account: usize,
    pos: u64,
}

/// What a Retrieve asked for, kept by its continuations.
#[derive(Debug)]
struct Spec {
    object: Object,
    selected: Selected,
    filter: Filter,
    /// The accounts read, in order.
    accounts: Vec<i64>,
    page_size: usize,
    /// The caller's account: only it may continue.
    owner: i64,
}

/// How a page was answered the first time.
#[derive(Debug, Clone)]
struct Answered {
    end: Option<Cursor>,
    request_id: String,
}

#[derive(Debug)]
struct Continuation {
    spec: Arc<Spec>,
    start: Cursor,
    /// The number of the page this token asks for (2 for the first page's RequestID).
    page: u64,
    /// The token the page before was asked with (dropped once this one is used).
    prev: Option<String>,
    answered: Option<Answered>,
    last_used: Instant,
}

/// The Retrieve side of a sandbox: the data model, the page size and the continuations.
#[derive(Debug)]
pub(crate) struct Retrieval {
    pub(crate) model: DataModel,
    page_size: usize,
    ttl: Duration,
    continuations: Mutex<HashMap<String, Continuation>>,
    /// Bumped (with the continuations' lock held) each time they are all expired: a page that
    /// was being served meanwhile hands out no continuation.
    generation: AtomicU64,
}

impl Default for Retrieval {
    fn default() -> Self {
        Self::new(
            DataModel::default(),
            DEFAULT_PAGE_SIZE,
            DEFAULT_CONTINUATION_TTL,
        )
    }
}

/// No sends: the source of the object types that are not sends.
static NO_SENDS: BTreeMap<i64, SendRecord> = BTreeMap::new();

impl Retrieval {
    pub(crate) fn new(model: DataModel, page_size: usize, ttl: Duration) -> Self {
        Self {
            model,
            page_size,
            ttl,
            continuations: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }

    fn continuations(&self) -> MutexGuard<'_, HashMap<String, Continuation>> {
        match self.continuations.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Forgets every continuation (they answer as expired), those of the pages being served
    /// now too.
    pub(crate) fn expire_all(&self) {
        let mut map = self.continuations();
        map.clear();
        self.generation.fetch_add(1, Ordering::Relaxed);
    }

    /// The count of [`expire_all`](Self::expire_all) calls so far.
    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Relaxed)
    }

    /// The data set and paging, for tools.
    pub(crate) fn data_set(&self) -> super::DataSet {
        let c = self.model.config;
        super::DataSet {
            subscribers: self.model.subscriber_count(),
            events: c.events,
            data_extension_rows: c.rows,
            seed: c.seed,
            page_size: self.page_size,
            continuation_ttl: self.ttl,
        }
    }

    /// Continuations alive now.
    pub(crate) fn live(&self) -> usize {
        let now = Instant::now();
        self.continuations()
            .values()
            .filter(|c| now.saturating_duration_since(c.last_used) < self.ttl)
            .count()
    }

    fn sweep(&self, map: &mut HashMap<String, Continuation>, now: Instant) {
        map.retain(|_, c| now.saturating_duration_since(c.last_used) < self.ttl);
    }
}

/// The answer to a Retrieve: the whole response envelope and a line for the request log.
pub(crate) fn retrieve(
    shared: &Shared,
    mid: i64,
    request: &RetrieveRequestMsg,
) -> (String, String) {
    let r = &request.retrieve_request;
    let continuing = r
        .continue_request
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let outcome = match continuing {
        Some(token) => continue_page(shared, mid, token),
        None => first_page(shared, mid, r),
    };
    match outcome {
        Ok(page) => {
            let status = if page.more { "MoreDataAvailable" } else { "OK" };
            let summary = format!(
                "Retrieve {}: {status}, {} results (page {})",
                page.type_name, page.count, page.number
            );
            (envelope(status, &page.request_id, &page.rows), summary)
        }
        Err(status) => {
            let shown = if let Some(token) = continuing {
                format!("ContinueRequest {}", sanitize(token))
            } else {
                sanitize(r.object_type.trim())
            };
            let summary = format!("Retrieve {shown}: {status}");
            (envelope(&status, &random_id(), ""), summary)
        }
    }
}

/// One page, ready to write.
struct Page {
    type_name: &'static str,
    number: u64,
    rows: String,
    count: usize,
    more: bool,
    request_id: String,
}

fn first_page(shared: &Shared, mid: i64, r: &RetrieveRequest) -> Result<Page, String> {
    let retrieval = &shared.retrieval;
    let spec = Arc::new(spec(retrieval, mid, r)?);
    let generation = retrieval.generation();
    let (rows, count, end) = serve(shared, &spec, Cursor { account: 0, pos: 0 }, None);
    let request_id = answer_id(retrieval, None, &spec, end, 2, generation);
    Ok(Page {
        type_name: spec.object.type_name(),
        number: 1,
        rows,
        count,
        more: end.is_some(),
        request_id,
    })
}

fn continue_page(shared: &Shared, mid: i64, token: &str) -> Result<Page, String> {
    let retrieval = &shared.retrieval;
    let (spec, start, page, answered, generation) = {
        let mut map = retrieval.continuations();
        let now = Instant::now();
        retrieval.sweep(&mut map, now);
        let entry = map
            .get_mut(token)
            .filter(|c| c.spec.owner == mid)
            .ok_or_else(|| {
                format!(
                    "Error: ContinueRequest {} names no Retrieve of this account that can be continued: it is unknown or expired (a continuation expires after {} unused); start the Retrieve again",
                    sanitize(token),
                    humantime::format_duration(retrieval.ttl)
                )
            })?;
        entry.last_used = now;
        let prev = entry.prev.take();
        let found = (
            entry.spec.clone(),
            entry.start,
            entry.page,
            entry.answered.clone(),
            retrieval.generation(),
        );
        // The client has the page this token came with: the token before it is spent.
        if let Some(prev) = prev {
            map.remove(&prev);
        }
        found
    };
    let stop = answered.as_ref().and_then(|a| a.end);
    let (rows, count, end) = serve(shared, &spec, start, stop);
    let request_id = match answered {
        Some(a) if a.end == end => a.request_id,
        _ => answer_id(retrieval, Some(token), &spec, end, page + 1, generation),
    };
    Ok(Page {
        type_name: spec.object.type_name(),
        number: page,
        rows,
        count,
        more: end.is_some(),
        request_id,
    })
}

/// The RequestID of a page that ended at `end`, asked with `token` (none for a first page):
/// a new continuation for page `next_page` when there is more, recorded on `token` so that a
/// repeat gets the same; none when the continuations were expired since `generation` (the
/// page was being served meanwhile), so that the RequestID answers as expired.
fn answer_id(
    retrieval: &Retrieval,
    token: Option<&str>,
    spec: &Arc<Spec>,
    end: Option<Cursor>,
    next_page: u64,
    generation: u64,
) -> String {
    let mut map = retrieval.continuations();
    if retrieval.generation() != generation {
        return random_id();
    }
    if let Some(Answered { request_id, .. }) = token
        .and_then(|t| map.get(t))
        .and_then(|c| c.answered.as_ref())
        .filter(|a| a.end == end)
    {
        // A concurrent repeat of the same page answered first.
        return request_id.clone();
    }
    let id = random_id();
    if let Some(start) = end {
        let now = Instant::now();
        if map.len() >= MAX_CONTINUATIONS {
            retrieval.sweep(&mut map, now);
        }
        if map.len() >= MAX_CONTINUATIONS {
            let oldest = map
                .iter()
                .min_by_key(|(_, c)| c.last_used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                map.remove(&oldest);
            }
        }
        map.insert(
            id.clone(),
            Continuation {
                spec: spec.clone(),
                start,
                page: next_page,
                prev: token.map(str::to_string),
                answered: None,
                last_used: now,
            },
        );
    }
    if let Some(entry) = token.and_then(|t| map.get_mut(t)) {
        entry.answered = Some(Answered {
            end,
            request_id: id.clone(),
        });
    }
    id
}

/// Checks a first request and resolves what it asks for.
fn spec(retrieval: &Retrieval, mid: i64, r: &RetrieveRequest) -> Result<Spec, String> {
    let object = Object::resolve(&r.object_type)?;
    let type_name = object.type_name();
    let columns = object.columns();
    if r.properties.iter().all(|p| p.trim().is_empty()) {
        return Err(format!(
            "Error: A Retrieve of {type_name} needs at least one property in Properties"
        ));
    }
    let mut asked = Vec::new();
    let mut unknown = Vec::new();
    for p in r
        .properties
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
    {
        match column_index(&columns, p) {
            Some(i) => asked.push(i),
            None => unknown.push(sanitize(p)),
        }
    }
    if !unknown.is_empty() {
        return Err(format!(
            "Error: The Request Property(s) {} do not match with the fields of {type_name} retrieve",
            unknown.join(", ")
        ));
    }
    let filter = Filter::compile(r.filter.as_ref(), &columns, type_name)?;
    let batch = r
        .options
        .as_ref()
        .and_then(|o| o.batch_size)
        .and_then(|b| usize::try_from(b).ok())
        .filter(|b| *b >= 1);
    Ok(Spec {
        object,
        selected: Selected::new(columns.len(), asked),
        filter,
        accounts: accounts(&retrieval.model, mid, r),
        page_size: batch.map_or(retrieval.page_size, |b| b.min(retrieval.page_size)),
        owner: mid,
    })
}

/// The accounts a Retrieve reads: the caller's; with `QueryAllAccounts`, its child accounts
/// too; with `ClientIDs`, those of them the caller may see (itself and its children; another
/// account's ID reads nothing, as if it had no data).
fn accounts(model: &DataModel, mid: i64, r: &RetrieveRequest) -> Vec<i64> {
    let mut visible = vec![mid];
    visible.extend(model.children(mid).filter(|c| *c != mid));
    let named: Vec<i64> = r
        .client_i_ds
        .iter()
        .filter_map(|c| c.id.or(c.client_id))
        .map(i64::from)
        .collect();
    if !named.is_empty() {
        visible.retain(|m| named.contains(m));
        visible
    } else if r.query_all_accounts == Some(true) {
        visible
    } else {
        vec![mid]
    }
}

/// Writes the rows of `spec` from `start`: a page of `page_size`, or, replaying, up to `stop`.
/// Returns the rows, their count and where the next page starts (`None`: no more rows).
fn serve(
    shared: &Shared,
    spec: &Spec,
    start: Cursor,
    stop: Option<Cursor>,
) -> (String, usize, Option<Cursor>) {
    // Sends are read under the store's lock; the generated tables need none.
    let store = (spec.object == Object::Send).then(|| shared.store());
    let source = Source {
        model: &shared.retrieval.model,
        sends: store.as_ref().map_or(&NO_SENDS, |s| s.sends_by_id()),
    };
    let mut w = XmlWriter::with_capacity(spec.page_size.min(4096) * 200);
    let mut written = 0;
    for (account, &mid) in spec.accounts.iter().enumerate().skip(start.account) {
        let from = if account == start.account {
            start.pos
        } else {
            0
        };
        let budget = match stop {
            Some(s) if s.account == account => Budget {
                rows: usize::MAX,
                stop: Some(s.pos),
            },
            Some(_) => Budget {
                rows: usize::MAX,
                stop: None,
            },
            None => Budget {
                rows: spec.page_size.saturating_sub(written),
                stop: None,
            },
        };
        let end = scan(
            spec.object,
            &source,
            mid,
            from,
            &spec.filter,
            &spec.selected,
            budget,
            &mut w,
            &mut written,
        );
        if let ScanEnd::At(pos) = end {
            return (w.into_string(), written, Some(Cursor { account, pos }));
        }
    }
    (w.into_string(), written, None)
}

/// The response envelope around `rows` (already written `Results` elements).
fn envelope(status: &str, request_id: &str, rows: &str) -> String {
    let mut w = XmlWriter::with_capacity(rows.len() + 512);
    let _ = write!(
        Raw(&mut w),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope xmlns:soap=\"{SOAP11_NS}\"><soap:Header></soap:Header><soap:Body><{name} xmlns=\"{ns}\" xmlns:xsi=\"{XSI_NS}\">",
        name = RetrieveResponseMsg::NAME,
        ns = RetrieveResponseMsg::NAMESPACE,
    );
    w.text_element("OverallStatus", status);
    w.text_element("RequestID", request_id);
    w.raw(rows);
    let _ = write!(
        Raw(&mut w),
        "</{}></soap:Body></soap:Envelope>",
        RetrieveResponseMsg::NAME
    );
    w.into_string()
}

/// `write!` into an [`XmlWriter`] as markup.
struct Raw<'w>(&'w mut XmlWriter);

impl std::fmt::Write for Raw<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.raw(s);
        Ok(())
    }
}
