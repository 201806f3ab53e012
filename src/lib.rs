//! Client for the Salesforce Marketing Cloud (ExactTarget) SOAP **partnerAPI**, with request and
//! response types generated at build time from its WSDL.
//!
//! - [`client`]: the [`Client`], its builder, and one method per WSDL operation on [`Api`].
//! - [`sends`]: cancel, pause and resume sends (one or many), retrieve sends, dry runs.
//! - [`bulk`]: any Perform on many objects, in chunks with several requests in flight.
//! - [`retrieve`]: any object type as a stream of rows, following the service's paging one
//!   page ahead; filters built or parsed from an expression.
//! - [`retry`]: the [`RetryPolicy`].
//! - [`token_store`]: where the OAuth token is kept between calls, processes and hosts
//!   ([`TokenStore`]; in memory by default, in files, in Redis).
//! - [`error`]: one [`Error`] type with an [`ErrorKind`] to match on, a hint for people, and
//!   the transport error as its source.
//! - [`types`]: the request and response types, generated at build time from the WSDL in
//!   `wsdl/` (or the one named by `PARTNERAPI_WSDL`), with their XML reading and writing.
//! - [`soap`]: the SOAP 1.1 envelope, headers and faults around the generated bodies.
//! - [`xml`]: the small XML runtime the generated code is written against.
//!
//! Beside it in the workspace: `sfmc-partnerapi-sandbox`, a local fake of the service for an
//! application's tests (a dev-dependency); `sfmc-cli`, the `sfmc` command line; and
//! `sfmc-partnerapi-codegen`, the generator (a build-dependency of this crate), with the API
//! surface and diff of WSDLs for maintainers.
//!
//! ```no_run
//! use sfmc_partnerapi::Client;
//!
//! # async fn demo() -> Result<(), sfmc_partnerapi::Error> {
//! let client = Client::builder()
//!     .endpoint("https://mc123.soap.marketingcloudapis.com/Service.asmx")
//!     .access_token(std::env::var("SFMC_ACCESS_TOKEN").unwrap_or_default())
//!     .build()?;
//! let outcome = client.cancel_send(29605).await?;
//! println!("send {}: ok={} {} {}", outcome.id, outcome.ok, outcome.status_code, outcome.message);
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs, missing_debug_implementations)]

mod auth;
pub mod bulk;
pub mod client;
pub mod error;
pub mod retrieve;
pub mod retry;
mod secret;
pub mod sends;
pub mod soap;
pub mod token_store;
mod transport;
pub mod types;
pub mod xml;

pub use bulk::{ObjectKey, PerformBatch, PerformOutcome};
pub use client::{Api, Client, ClientBuilder};
/// The string type of the generated bindings: short values stay inline, without an allocation.
pub use compact_str::CompactString;
pub use error::{ApiError, Error, ErrorKind, Report, ResultStatus, RetrieveError, RetrieveProblem};
pub use reqwest::Proxy;
pub use retrieve::{Filter, RetrieveQuery, RetrieveStream};
pub use retry::RetryPolicy;
pub use sends::{OutcomeStatus, OverallStatus, SendAction, SendBatch, SendOutcome};
pub use token_store::{MemoryTokenStore, TokenStore};
pub use transport::loopback_origin;

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
