//! Generates bindings for a WSDL and prints figures: `cargo run --release --example generate -- WSDL [OUT]`.
fn main() {
    let mut args = std::env::args().skip(1);
    let Some(wsdl) = args.next() else {
        eprintln!("usage: generate WSDL [OUT_DIR]");
        std::process::exit(2);
    };
    let fault =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../wsdl/ETFrameworkFault.xsd");
    let builder = sfmc_partnerapi_codegen::Builder::new()
        .wsdl(wsdl)
        .import(sfmc_partnerapi_codegen::FAULT_NAMESPACE, fault)
        .api_type("crate::client::Api");
    match builder.generate() {
        Ok(g) => {
            println!("{:?}", g.stats);
            if let Some(out) = args.next() {
                if let Err(e) = g.write_to(std::path::Path::new(&out)) {
                    eprintln!("{e}");
                    std::process::exit(1);
                }
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
