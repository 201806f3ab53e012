//! Retrieve any object type as a stream of rows: [`Client::retrieve`] with a
//! [`RetrieveQuery`], giving a [`RetrieveStream`] that follows the service's paging
//! (`MoreDataAvailable`, `RequestID`, `ContinueRequest`) one page ahead; [`Filter`] builds and
//! parses filters.
//!
//! The rows are typed by the caller ([`RetrieveObject`]): a generated type (`Send`,
//! `SentEvent`, `List`, ...), [`AnyApiObject`](crate::types::AnyApiObject) for whatever type
//! each row has, or [`RawObject`] for each row as received with any property read as text.
//!
//! ```no_run
//! use sfmc_partnerapi::retrieve::{Filter, RetrieveQuery};
//! use sfmc_partnerapi::types::Send;
//!
//! # async fn demo(client: sfmc_partnerapi::Client) -> Result<(), sfmc_partnerapi::Error> {
//! let query = RetrieveQuery::of::<Send>()
//!     .properties(["ID", "Status", "EmailName", "SendDate"])
//!     .filter(Filter::parse("Status = Scheduled and SendDate > 2026-01-01")?);
//! let mut sends = client.retrieve::<Send>(query);
//! while let Some(send) = sends.try_next().await? {
//!     println!("{:?} {:?}", send.id, send.email_name);
//! }
//! println!("{} rows in {} pages", sends.rows(), sends.pages());
//! # Ok(())
//! # }
//! ```
//!
//! See [`RetrieveStream`] for the paging, retries and bounds.

mod filter;
mod object;
mod parse;
mod query;
mod stream;

pub use filter::{Filter, FilterValue};
pub use object::{RawObject, RetrieveObject};
pub use parse::{FilterParseError, MAX_NESTING};
pub use query::{
    continue_request, RetrieveQuery, DEFAULT_MAX_PAGES, DEFAULT_MAX_PAGE_ROWS, MAX_EMPTY_PAGES,
};
pub use stream::RetrieveStream;

use crate::client::Client;
use crate::types::{operations, Operation};

impl Client {
    /// The rows `query` selects, read as `T`, as a stream that follows the service's paging
    /// (see [`RetrieveStream`]). Nothing is sent until it is first polled.
    ///
    /// ```no_run
    /// use sfmc_partnerapi::retrieve::RetrieveQuery;
    /// use sfmc_partnerapi::types::AnyApiObject;
    ///
    /// # async fn demo(client: sfmc_partnerapi::Client) -> Result<(), sfmc_partnerapi::Error> {
    /// let query = RetrieveQuery::new("List").properties(["ID", "ListName"]).query_all_accounts(true);
    /// for list in client.retrieve::<AnyApiObject>(query).all(10_000).await? {
    ///     println!("{} {:?}", list.type_name(), list.id());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn retrieve<T: RetrieveObject>(&self, query: RetrieveQuery) -> RetrieveStream<T> {
        RetrieveStream::new(self.clone(), &query)
    }

    /// The envelope of the first request of [`retrieve`](Self::retrieve) for `query`, with
    /// every secret masked as `***`. Nothing is sent.
    pub fn dry_run_retrieve(&self, query: &RetrieveQuery) -> String {
        let body = Client::write_body(
            &<operations::Retrieve as Operation>::INFO,
            &query.request(),
            None,
        );
        self.masked_envelope(&body)
    }
}
