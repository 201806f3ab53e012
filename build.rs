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
        // Safe to repeat after a lost answer: they change nothing on the service. (`Extract`
        // starts a job, `Schedule`, `Configure` and `Execute` change something.)
        .read_only(["Retrieve", "VersionInfo", "GetSystemStatus"])
        // In the vendor's full WSDL, not in the team's subset.
        .read_only_if_present(["Query", "Describe"])
        // The service answers a repeated CorrelationID with the outcome of the first; the
        // client gives every object of these requests one. (Create, Update and Delete would
        // too, but nothing here relies on it: they stay unsafe to repeat.)
        .idempotent_with_correlation_ids(["Perform"])
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
