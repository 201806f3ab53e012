//! [`RetrieveStream`]: the rows of a paged Retrieve, one at a time, with the next page fetched
//! while the current one is read.

use std::fmt;
use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::task::JoinHandle;
use tracing::Instrument as _;

use super::object::{with_page_row_limit, Page, RetrieveObject};
use super::query::{continue_request, RetrieveQuery, MAX_EMPTY_PAGES};
use crate::client::Client;
use crate::error::{ApiError, Error, RetrieveError, RetrieveProblem};
use crate::secret::Redact as _;
use crate::sends::OverallStatus;
use crate::types::operations::Retrieve;
use crate::types::{Operation, RetrieveRequestMsg};

/// The rows of a paged Retrieve, as a [`Stream`](futures_core::Stream) of `Result<T, Error>`
/// (from [`Client::retrieve`](crate::Client::retrieve)); [`next`](Self::next),
/// [`try_next`](Self::try_next) and [`all`](Self::all) without a stream library.
///
/// - The first page is asked for when the stream is first polled. Each page that answers
///   `MoreDataAvailable` has the next one asked for at once (a new `RetrieveRequest` holding
///   its `RequestID` as `ContinueRequest`), fetched by a task of its own while the rows of the
///   current one are handed out: **at most one page ahead**, so memory holds two pages however
///   many rows there are. Each page's rows are handed out one by one, and its buffers freed.
/// - A page that fails in a way the client's [`RetryPolicy`](crate::RetryPolicy) repeats for a
///   read-only call (HTTP 429/502/503/504, apifault Code 2, 13 or 17, a connection lost or
///   refused, a timeout when the policy says so) is asked for again with the same request, the
///   same `ContinueRequest`: no row is lost or given twice. When the attempts are used up, the
///   stream gives the error and ends.
/// - An `OverallStatus` that is not OK on the first page is an API error
///   ([`ErrorKind::Api`](crate::ErrorKind)); on a later page, the service refused the
///   continuation (its `RequestID` expired or is unknown):
///   [`RetrieveProblem::ContinuationRefused`], with the `RequestID` and the page. The
///   Retrieve is never restarted silently.
/// - Bounded against a hostile service: `MoreDataAvailable` without a `RequestID`
///   ([`RetrieveProblem::MissingRequestId`]), more pages than the query's `max_pages`
///   ([`RetrieveProblem::TooManyPages`]), [`MAX_EMPTY_PAGES`] empty `MoreDataAvailable` pages in
///   a row ([`RetrieveProblem::EmptyPages`]) end the stream with an error after the rows it
///   gave; a page larger than the client's `max_response_bytes` or with more rows than the
///   query's `max_page_rows` is an unreadable answer ([`ErrorKind::Protocol`](crate::ErrorKind)).
/// - A row of another type than `T` is an error for that row
///   ([`RetrieveProblem::UnexpectedType`]); the stream goes on with the next.
/// - With a [`limit`](RetrieveQuery::limit), the stream ends after that many rows (errors for
///   single rows counted) and asks for no page after the one they end in.
///
/// After an error that ends it, the stream gives `None`. Dropping it stops the page being
/// fetched. It needs a Tokio runtime (the one the client's calls run on).
pub struct RetrieveStream<T> {
    client: Client,
    object_type: String,
    /// The first request, until it is sent.
    first: Option<RetrieveRequestMsg>,
    max_pages: u32,
    max_page_rows: usize,
    /// The most rows to receive ([`RetrieveQuery::limit`]).
    limit: u64,
    /// The rows of the current page not handed out yet.
    rows: std::vec::IntoIter<Result<T, Error>>,
    /// The page being fetched.
    fetch: Option<JoinHandle<Result<Fetched<T>, Error>>>,
    /// The error that ends the stream once the current page's rows are handed out.
    after_rows: Option<Error>,
    finished: bool,
    /// Let the task fetching the next page run before the first row of a page is handed out,
    /// so that its request is on its way on a single-threaded runtime too.
    yield_first: bool,
    pages: u32,
    rows_received: u64,
    /// The rows of the pages before the current one.
    rows_before_page: u64,
    rows_given: u64,
    request_id: Option<String>,
    empty_run: u32,
}

impl<T> fmt::Debug for RetrieveStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetrieveStream")
            .field("object_type", &self.object_type)
            .field("pages", &self.pages)
            .field("rows", &self.rows_given)
            .field("request_id", &self.request_id)
            .field("fetching", &self.fetch.is_some())
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

// Nothing in the stream is pinned: the page task is behind a `JoinHandle`.
impl<T> Unpin for RetrieveStream<T> {}

impl<T> Drop for RetrieveStream<T> {
    fn drop(&mut self) {
        if let Some(fetch) = self.fetch.take() {
            fetch.abort();
        }
    }
}

/// A page as the fetching task leaves it: its rows, and what comes after them.
struct Fetched<T> {
    rows: Vec<Result<T, Error>>,
    request_id: Option<String>,
    empty_run: u32,
    next: Next,
}

enum Next {
    /// The last page.
    Done,
    /// Continue from this `RequestID`.
    Continue(String),
    /// End with this error after the rows.
    Stop(Error),
}

/// Where a page stands in the Retrieve, for the task that fetches it.
struct PageAt {
    object_type: String,
    expected_type: String,
    page: u32,
    rows_before: u64,
    continued_from: Option<String>,
    max_pages: u32,
    max_page_rows: usize,
    empty_run: u32,
}

impl<T: RetrieveObject> RetrieveStream<T> {
    pub(crate) fn new(client: Client, query: &RetrieveQuery) -> Self {
        Self {
            client,
            object_type: query.object_type().to_string(),
            first: Some(query.request()),
            max_pages: query.page_limit(),
            max_page_rows: query.page_row_limit(),
            limit: query.row_limit().unwrap_or(u64::MAX),
            rows: Vec::new().into_iter(),
            fetch: None,
            after_rows: None,
            finished: false,
            yield_first: false,
            pages: 0,
            rows_received: 0,
            rows_before_page: 0,
            rows_given: 0,
            request_id: None,
            empty_run: 0,
        }
    }

    /// The `RequestID` of the latest page received, if it had one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The pages received so far (whose rows are being, or were, handed out).
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// The rows handed out so far (errors not counted).
    pub fn rows(&self) -> u64 {
        self.rows_given
    }

    /// The rows ready to be handed out without waiting for the network (those left of the
    /// current page).
    pub fn buffered(&self) -> usize {
        self.rows.len()
    }

    /// The object type asked for.
    pub fn object_type(&self) -> &str {
        &self.object_type
    }

    /// The next row; `None` at the end (or after an error that ended the stream).
    pub async fn next(&mut self) -> Option<Result<T, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_row(cx)).await
    }

    /// The next row, `Ok(None)` at the end; an error as `Err`.
    pub async fn try_next(&mut self) -> Result<Option<T>, Error> {
        self.next().await.transpose()
    }

    /// Every row, for a small Retrieve: an error when there are more than `limit`
    /// ([`RetrieveProblem::TooManyRows`], [`ErrorKind::Config`](crate::ErrorKind)) or when the
    /// stream gives one.
    pub async fn all(mut self, limit: usize) -> Result<Vec<T>, Error> {
        let mut rows = Vec::new();
        while let Some(row) = self.try_next().await? {
            if rows.len() >= limit {
                return Err(Error::from(RetrieveError {
                    object_type: self.object_type.clone(),
                    request_id: self.request_id.clone(),
                    page: self.pages,
                    rows_before: self.rows_before_page,
                    problem: RetrieveProblem::TooManyRows { limit },
                }));
            }
            rows.push(row);
        }
        Ok(rows)
    }

    fn poll_row(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, Error>>> {
        loop {
            if self.rows.len() > 0 {
                if self.yield_first {
                    self.yield_first = false;
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                if let Some(row) = self.rows.next() {
                    if row.is_ok() {
                        self.rows_given += 1;
                    }
                    return Poll::Ready(Some(row));
                }
            }
            if let Some(error) = self.after_rows.take() {
                self.finished = true;
                return Poll::Ready(Some(Err(error)));
            }
            if self.finished {
                return Poll::Ready(None);
            }
            if self.fetch.is_none() {
                let Some(request) = self.first.take().filter(|_| self.limit > 0) else {
                    self.finished = true;
                    return Poll::Ready(None);
                };
                if let Err(e) = self.start_fetch(request, None) {
                    self.finished = true;
                    return Poll::Ready(Some(Err(e)));
                }
            }
            let Some(fetch) = self.fetch.as_mut() else {
                continue;
            };
            let joined = match Pin::new(fetch).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(joined) => joined,
            };
            self.fetch = None;
            let mut fetched = match joined {
                Ok(Ok(fetched)) => fetched,
                Ok(Err(error)) => {
                    self.finished = true;
                    return Poll::Ready(Some(Err(error)));
                }
                Err(join) => {
                    if join.is_panic() {
                        std::panic::resume_unwind(join.into_panic());
                    }
                    self.finished = true;
                    return Poll::Ready(Some(Err(Error::config(
                        "the task fetching a Retrieve page was cancelled (is the runtime shutting down?)",
                    ))));
                }
            };
            let room = self.limit.saturating_sub(self.rows_received);
            if fetched.rows.len() as u64 >= room {
                // The rows asked for are all here: the rest of the page is dropped and no
                // further page is asked for (nor is what comes after this one an error).
                fetched
                    .rows
                    .truncate(usize::try_from(room).unwrap_or(usize::MAX));
                fetched.next = Next::Done;
            }
            self.pages += 1;
            self.rows_before_page = self.rows_received;
            self.rows_received += fetched.rows.len() as u64;
            self.empty_run = fetched.empty_run;
            if fetched.request_id.is_some() {
                self.request_id = fetched.request_id;
            }
            match fetched.next {
                Next::Done => self.finished = true,
                Next::Stop(error) => self.after_rows = Some(error),
                Next::Continue(request_id) => {
                    let request = continue_request(&self.object_type, &request_id);
                    match self.start_fetch(request, Some(request_id)) {
                        Ok(()) => self.yield_first = true,
                        Err(e) => self.after_rows = Some(e),
                    }
                }
            }
            self.rows = fetched.rows.into_iter();
        }
    }

    /// Starts the task fetching the next page with `request`.
    fn start_fetch(
        &mut self,
        request: RetrieveRequestMsg,
        continued_from: Option<String>,
    ) -> Result<(), Error> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::config("a Retrieve stream is read inside a Tokio runtime (none is running)")
        })?;
        let at = PageAt {
            object_type: self.object_type.clone(),
            expected_type: T::OBJECT_TYPE.unwrap_or(&self.object_type).to_string(),
            page: self.pages + 1,
            rows_before: self.rows_received,
            continued_from,
            max_pages: self.max_pages,
            max_page_rows: self.max_page_rows,
            empty_run: self.empty_run,
        };
        let span = tracing::debug_span!(
            "partnerapi.retrieve_page",
            object_type = %at.object_type,
            page = at.page
        );
        let fetch = fetch_page::<T>(self.client.clone(), request, at).instrument(span);
        self.fetch = Some(runtime.spawn(fetch));
        Ok(())
    }
}

impl<T: RetrieveObject> futures_core::Stream for RetrieveStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_row(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.rows.len() + usize::from(self.after_rows.is_some());
        if self.finished && self.fetch.is_none() {
            (buffered, Some(buffered))
        } else {
            (buffered, None)
        }
    }
}

impl<T: RetrieveObject> futures_core::FusedStream for RetrieveStream<T> {
    fn is_terminated(&self) -> bool {
        self.finished && self.rows.len() == 0 && self.after_rows.is_none()
    }
}

/// Fetches one page (with the client's retries), reads its rows as `T` and decides what comes
/// after them.
async fn fetch_page<T: RetrieveObject>(
    client: Client,
    request: RetrieveRequestMsg,
    at: PageAt,
) -> Result<Fetched<T>, Error> {
    let page: Page<T> = with_page_row_limit(
        at.max_page_rows,
        client.call_reading::<Retrieve, Page<T>>(&request),
    )
    .await?;
    let overall = OverallStatus::parse(&page.overall_status);
    let request_id = page
        .request_id
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    let problem = |problem| RetrieveError {
        object_type: at.object_type.clone(),
        request_id: request_id.clone().or_else(|| at.continued_from.clone()),
        page: at.page,
        rows_before: at.rows_before,
        problem,
    };
    if !overall.is_ok() {
        let api = ApiError {
            operation: <Retrieve as Operation>::INFO.name.into(),
            overall_status: page.overall_status.trim().to_string(),
            message: match overall {
                OverallStatus::Error(m) => m,
                _ => None,
            },
            request_id: request_id.clone(),
            results: Vec::new(),
        };
        let mut error = if at.continued_from.is_none() {
            Error::from(api)
        } else {
            Error::from(RetrieveError {
                request_id: at.continued_from.clone(),
                ..problem(RetrieveProblem::ContinuationRefused(api))
            })
        };
        client.with_secrets(|secrets| error.redact(secrets)).await;
        tracing::warn!(page = at.page, error = %error, "Retrieve page refused");
        return Err(error);
    }
    let mut others = 0usize;
    let mut rows: Vec<Result<T, Error>> = page
        .rows
        .into_iter()
        .map(|row| {
            row.map_err(|other| {
                others += 1;
                Error::from(problem(RetrieveProblem::UnexpectedType {
                    expected: at.expected_type.clone(),
                    found: other.type_name().to_string(),
                }))
            })
        })
        .collect();
    if others > 0 {
        tracing::warn!(
            page = at.page,
            rows = others,
            expected = %at.expected_type,
            "Retrieve answered rows of another type"
        );
        client
            .with_secrets(|secrets| {
                for e in rows.iter_mut().filter_map(|r| r.as_mut().err()) {
                    e.redact(secrets);
                }
            })
            .await;
    }
    let more = overall == OverallStatus::MoreDataAvailable;
    let empty_run = if more && rows.is_empty() {
        at.empty_run + 1
    } else {
        0
    };
    let next = match (&request_id, more) {
        (_, false) => Next::Done,
        (None, true) => Next::Stop(problem(RetrieveProblem::MissingRequestId).into()),
        (Some(_), true) if empty_run >= MAX_EMPTY_PAGES => {
            Next::Stop(problem(RetrieveProblem::EmptyPages { count: empty_run }).into())
        }
        (Some(_), true) if at.page >= at.max_pages => Next::Stop(
            problem(RetrieveProblem::TooManyPages {
                limit: at.max_pages,
            })
            .into(),
        ),
        (Some(id), true) => Next::Continue(id.clone()),
    };
    let next = match next {
        Next::Stop(mut error) => {
            client.with_secrets(|secrets| error.redact(secrets)).await;
            tracing::warn!(page = at.page, error = %error, "Retrieve stopped");
            Next::Stop(error)
        }
        other => other,
    };
    tracing::debug!(
        page = at.page,
        rows = rows.len(),
        more,
        "Retrieve page received"
    );
    Ok(Fetched {
        rows,
        request_id,
        empty_run,
        next,
    })
}
