//! `sfmc wsdl-surface` and `sfmc wsdl-diff`: the API surface of a service description, and what
//! changed between two of them, for the maintainers who regenerate the bindings when Salesforce
//! publishes a new WSDL.
//!
//! Both use the generator's own model (no second WSDL parser). The vendor's fault schema, which
//! the vendor's WSDL imports from the web, is served from the copy the library ships (embedded).

use std::path::Path;

use sfmc_partnerapi_codegen::diff::Diff;
use sfmc_partnerapi_codegen::Error as WsdlError;
use sfmc_partnerapi_codegen::{Builder, Model, FAULT_NAMESPACE};

use crate::output::{Failure, EXIT_API, EXIT_OK};

/// The fault schema (`apifault`) the bindings resolve the vendor's import to.
pub const FAULT_XSD: &str = include_str!("../../wsdl/ETFrameworkFault.xsd");

fn model(wsdl: &Path) -> Result<Model, WsdlError> {
    Builder::new()
        .wsdl(wsdl)
        .import_text(FAULT_NAMESPACE, FAULT_XSD)
        .model()
}

/// The API surface of the WSDL at `wsdl` (the same text as `sfmc_partnerapi::types::API_SURFACE` for
/// the WSDL the library was built from).
pub fn surface_of(wsdl: &Path) -> Result<String, WsdlError> {
    model(wsdl).map(|m| sfmc_partnerapi_codegen::surface::surface(&m))
}

/// What changed from the WSDL at `old` to the one at `new`.
pub fn diff(old: &Path, new: &Path) -> Result<Diff, WsdlError> {
    Ok(sfmc_partnerapi_codegen::diff::diff(
        &model(old)?,
        &model(new)?,
    ))
}

/// `sfmc wsdl-surface [WSDL]`: the surface of `wsdl`, or of the WSDL the bindings came from.
pub fn print_surface(wsdl: Option<&Path>) -> Result<u8, Failure> {
    let text = match wsdl {
        None => sfmc_partnerapi::types::API_SURFACE.to_string(),
        Some(path) => {
            surface_of(path).map_err(|e| Failure::usage(format!("cannot read the WSDL: {e}")))?
        }
    };
    print!("{text}");
    Ok(EXIT_OK)
}

/// `sfmc wsdl-diff OLD NEW`: what changed for the generated Rust (breaking, additive or
/// wire-only); exit 1 when anything breaks.
pub fn print_diff(json: bool, old: &Path, new: &Path) -> Result<u8, Failure> {
    let diff =
        diff(old, new).map_err(|e| Failure::usage(format!("cannot compare the WSDLs: {e}")))?;
    if json {
        match serde_json::to_string_pretty(&diff) {
            Ok(text) => println!("{text}"),
            Err(e) => return Err(Failure::usage(format!("cannot write JSON: {e}"))),
        }
    } else {
        print!("{}", diff.report());
    }
    Ok(if diff.is_breaking() {
        EXIT_API
    } else {
        EXIT_OK
    })
}
