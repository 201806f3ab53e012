//! Client, sandbox and command line for the Salesforce Marketing Cloud (ExactTarget) SOAP
//! **partnerAPI**.
//!
//! - [`types`]: the request and response types, generated at build time from the WSDL in
//!   `wsdl/` (or the one named by `PARTNERAPI_WSDL`), with their XML reading and writing.
//! - [`client`]: the [`Client`], its builder, and one method per WSDL operation on [`Api`].
//! - [`soap`]: the SOAP 1.1 envelope, headers and faults around the generated bodies.
//! - [`xml`]: the small XML runtime the generated code is written against.
//! - `sandbox` (feature `sandbox`, on by default): a local stand-in for the service (token
//!   endpoint and `Service.asmx` on loopback) for tests and demos.

pub mod client;
pub mod error;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod soap;
pub mod types;
pub mod xml;

pub use client::{Api, Client};
pub use error::Error;

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
