//! [`RetrieveQuery`]: what a Retrieve asks for, and the bounds of its paging.

use compact_str::CompactString;

use crate::types::{AnyFilterPart, ClientId, RetrieveOptions, RetrieveRequest, RetrieveRequestMsg};
use crate::xml::XmlComplex;

/// The most pages a Retrieve follows by default (25,000,000 rows at the service's 2,500 a
/// page); see [`RetrieveQuery::max_pages`].
pub const DEFAULT_MAX_PAGES: u32 = 10_000;

/// The most rows one page may hold by default: ten times the service's 2,500. A page with more
/// is refused as it is read, so that a hostile answer cannot fill memory with rows (the bytes
/// of an answer are capped apart, by the client's `max_response_bytes`); see
/// [`RetrieveQuery::max_page_rows`].
pub const DEFAULT_MAX_PAGE_ROWS: usize = 25_000;

/// After this many `MoreDataAvailable` pages in a row without a row, the Retrieve stops with
/// an error: a service that pages forever.
pub const MAX_EMPTY_PAGES: u32 = 3;

/// What a Retrieve asks for: the object type, the properties, an optional filter, the accounts
/// (`QueryAllAccounts`, `ClientIDs`), options; and how far its paging may go. Built with its
/// methods, given to [`Client::retrieve`](crate::Client::retrieve).
///
/// ```
/// use sfmc_partnerapi::retrieve::{Filter, RetrieveQuery};
///
/// let query = RetrieveQuery::new("SentEvent")
///     .properties(["SendID", "SubscriberKey", "EventDate"])
///     .filter(Filter::parse("EventDate > 2026-01-01")?)
///     .client_id(12345);
/// let request = query.request();
/// assert_eq!(request.retrieve_request.object_type, "SentEvent");
/// assert_eq!(request.retrieve_request.properties.len(), 3);
/// # Ok::<(), sfmc_partnerapi::retrieve::FilterParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetrieveQuery {
    object_type: CompactString,
    properties: Vec<CompactString>,
    filter: Option<AnyFilterPart>,
    query_all_accounts: Option<bool>,
    client_ids: Vec<i32>,
    options: Option<RetrieveOptions>,
    max_pages: u32,
    max_page_rows: usize,
    limit: Option<u64>,
}

impl RetrieveQuery {
    /// A Retrieve of objects of type `object_type` (`Send`, `SentEvent`, `Subscriber`,
    /// `DataExtensionObject[Key]`, ...), with no property yet.
    pub fn new(object_type: impl Into<CompactString>) -> Self {
        Self {
            object_type: object_type.into(),
            properties: Vec::new(),
            filter: None,
            query_all_accounts: None,
            client_ids: Vec::new(),
            options: None,
            max_pages: DEFAULT_MAX_PAGES,
            max_page_rows: DEFAULT_MAX_PAGE_ROWS,
            limit: None,
        }
    }

    /// A Retrieve of objects of the generated type `T`: `RetrieveQuery::of::<Send>()`.
    pub fn of<T: XmlComplex>() -> Self {
        Self::new(T::TYPE_NAME)
    }

    /// Adds a property to retrieve.
    pub fn property(mut self, property: impl Into<CompactString>) -> Self {
        self.properties.push(property.into());
        self
    }

    /// Adds properties to retrieve, in order.
    pub fn properties<P: Into<CompactString>>(
        mut self,
        properties: impl IntoIterator<Item = P>,
    ) -> Self {
        self.properties
            .extend(properties.into_iter().map(Into::into));
        self
    }

    /// Only the objects `filter` selects: a [`Filter`](super::Filter), or any
    /// `SimpleFilterPart`, `ComplexFilterPart` or `AnyFilterPart`.
    pub fn filter(mut self, filter: impl Into<AnyFilterPart>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    /// `QueryAllAccounts`: the objects of every account (business unit) the user can see, not
    /// only the one authenticated for.
    pub fn query_all_accounts(mut self, all: bool) -> Self {
        self.query_all_accounts = Some(all);
        self
    }

    /// Adds an account (MID) to the request's `ClientIDs`: the objects of that business unit.
    pub fn client_id(mut self, mid: i32) -> Self {
        self.client_ids.push(mid);
        self
    }

    /// Adds accounts (MIDs) to the request's `ClientIDs`.
    pub fn client_ids(mut self, mids: impl IntoIterator<Item = i32>) -> Self {
        self.client_ids.extend(mids);
        self
    }

    /// The request's `Options` (`BatchSize`, `IncludeObjects`, ...).
    pub fn options(mut self, options: RetrieveOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// The most pages to follow (at least 1; default [`DEFAULT_MAX_PAGES`]): when the service
    /// still has more after that many, the stream ends with an error
    /// ([`RetrieveProblem::TooManyPages`](crate::RetrieveProblem::TooManyPages)), after the
    /// rows it gave.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = pages.max(1);
        self
    }

    /// The most rows one page may hold (at least 1; default [`DEFAULT_MAX_PAGE_ROWS`]): a page
    /// with more is an unreadable answer ([`ErrorKind::Protocol`](crate::ErrorKind)), refused as
    /// it is read.
    pub fn max_page_rows(mut self, rows: usize) -> Self {
        self.max_page_rows = rows.max(1);
        self
    }

    /// At most `rows` rows, like SQL's `LIMIT`: the stream ends after that many, and no page is
    /// asked for once they have come (the page they end in is the last one requested; the rest
    /// of it is dropped). Unlike [`max_pages`](Self::max_pages), reaching it is no error.
    pub fn limit(mut self, rows: u64) -> Self {
        self.limit = Some(rows);
        self
    }

    /// The object type asked for.
    pub fn object_type(&self) -> &str {
        &self.object_type
    }

    /// The properties asked for, in order.
    pub fn property_names(&self) -> &[CompactString] {
        &self.properties
    }

    /// The most pages followed.
    pub fn page_limit(&self) -> u32 {
        self.max_pages
    }

    /// The most rows a page may hold.
    pub fn page_row_limit(&self) -> usize {
        self.max_page_rows
    }

    /// The most rows the stream gives ([`limit`](Self::limit)), if any.
    pub fn row_limit(&self) -> Option<u64> {
        self.limit
    }

    /// The first request of the Retrieve.
    pub fn request(&self) -> RetrieveRequestMsg {
        RetrieveRequestMsg {
            retrieve_request: RetrieveRequest {
                client_i_ds: self
                    .client_ids
                    .iter()
                    .map(|&mid| ClientId {
                        id: Some(mid),
                        ..Default::default()
                    })
                    .collect(),
                object_type: self.object_type.as_str().into(),
                properties: self.properties.iter().map(|p| p.as_str().into()).collect(),
                filter: self.filter.clone(),
                query_all_accounts: self.query_all_accounts,
                options: self.options.clone().map(Into::into),
                ..Default::default()
            },
        }
    }
}

/// The request for the page after one that answered `MoreDataAvailable` with `request_id`: a
/// new `RetrieveRequest` holding `ContinueRequest` = that ID, inside the `RetrieveRequest`, and
/// the `ObjectType` the schema requires.
///
/// ```
/// let next = sfmc_partnerapi::retrieve::continue_request("Send", "f5a3c1d2");
/// assert_eq!(next.retrieve_request.continue_request.as_deref(), Some("f5a3c1d2"));
/// assert!(next.retrieve_request.properties.is_empty() && next.retrieve_request.filter.is_none());
/// ```
pub fn continue_request(object_type: &str, request_id: &str) -> RetrieveRequestMsg {
    RetrieveRequestMsg {
        retrieve_request: RetrieveRequest {
            object_type: object_type.into(),
            continue_request: Some(request_id.into()),
            ..Default::default()
        },
    }
}
