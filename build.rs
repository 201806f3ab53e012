//! Generates the partnerAPI bindings into `OUT_DIR` from `wsdl/partnerAPI.wsdl`, or from the
//! WSDL named by `PARTNERAPI_WSDL`.
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=PARTNERAPI_WSDL");
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let wsdl = std::env::var_os("PARTNERAPI_WSDL")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("wsdl/partnerAPI.wsdl"));
    let result = sfmc_partnerapi_codegen::Builder::new()
        .wsdl(&wsdl)
        .import(
            sfmc_partnerapi_codegen::FAULT_NAMESPACE,
            root.join("wsdl/ETFrameworkFault.xsd"),
        )
        .api_type("crate::client::Api")
        // Short strings (status codes, messages, keys) stay inline: no allocation each.
        .string_type("::compact_str::CompactString")
        // `Serialize` of the generated types only with the crate's `serde` feature: an
        // application that does not print or store them does not compile it.
        .serde_feature("serde")
        .compile(&out);
    match result {
        Ok(generated) => {
            for file in generated.files_read() {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
        Err(e) => {
            println!("cargo:rerun-if-changed={}", wsdl.display());
            println!("cargo::error=partnerAPI bindings: {e}");
        }
    }
}
