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
