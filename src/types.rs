//! Types and operations generated at build time from the partnerAPI WSDL (see `build.rs` and
//! the `sfmc-partnerapi-codegen` crate). Every complex type is a struct with its inherited
//! fields flattened in; a type that others extend is read and written through its `Any*` enum,
//! which dispatches on `xsi:type`.
//!
//! ```
//! use sfmc_partnerapi::types::{PerformRequestMsg, Send};
//!
//! let request = PerformRequestMsg {
//!     action: Some("cancel".into()),
//!     definitions: vec![Send { id: Some(29605), ..Default::default() }.into()],
//!     ..Default::default()
//! };
//! assert_eq!(request.definitions.len(), 1);
//! ```
// Every generated type, enum, variant, function and constant has a doc comment; struct fields
// are the schema's elements, which the WSDL does not document (the field name is the element's),
// hence the one lint allowed beside clippy's.
#![allow(missing_docs, clippy::all, clippy::pedantic)]

include!(concat!(env!("OUT_DIR"), "/partnerapi.rs"));

/// The API surface of the WSDL these bindings were generated from: operations, elements, types,
/// fields and enumeration values, one per line, sorted (see `sfmc wsdl-surface`).
pub const API_SURFACE: &str = include_str!(concat!(env!("OUT_DIR"), "/partnerapi-surface.txt"));
