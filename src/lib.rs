//! Client, sandbox and command line for the Salesforce Marketing Cloud (ExactTarget) SOAP
//! **partnerAPI**.
//!
//! - [`types`]: the request and response types, generated at build time from the WSDL in
//!   `wsdl/` (or the one named by `PARTNERAPI_WSDL`), with their XML reading and writing.
//! - [`client`]: the [`Client`], its builder, and one method per WSDL operation on [`Api`].
//! - [`soap`]: the SOAP 1.1 envelope, headers and faults around the generated bodies.
//! - [`xml`]: the small XML runtime the generated code is written against.
//! - [`surface`]: the API surface of a WSDL and the diff of two, for maintainers.

pub mod client;
pub mod error;
pub mod soap;
pub mod surface;
pub mod types;
pub mod xml;

pub use client::{Api, Client};
pub use error::Error;

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
