//! Golden tests of the generator on small WSDL fixtures (prost-build style): the generated Rust
//! and the API surface must match the files in `tests/golden/`. After an intended change, run
//! `UPDATE_GOLDEN=1 cargo test -p sfmc-partnerapi-codegen --test golden` and review the diff.
//! The root crate compiles and exercises `golden/polymorphic.rs` (tests/golden_fixture.rs).

use std::path::{Path, PathBuf};

use sfmc_partnerapi_codegen::{Builder, Error};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn check(name: &str) {
    let mut builder = Builder::new()
        .wsdl(dir().join("fixtures").join(format!("{name}.wsdl")))
        .runtime_path("::sfmc_partnerapi::xml")
        // The root crate compiles the golden files in its tests, with or without its feature.
        .serde_feature("serde");
    if name == "polymorphic" {
        builder = builder
            .read_only(["DoThing"])
            .idempotent_with_correlation_ids(["DoMany"])
            .read_only_if_present(["Query"]);
    }
    let generated = builder.generate().unwrap_or_else(|e| panic!("{e}"));
    for (ext, text) in [("rs", &generated.code), ("surface.txt", &generated.surface)] {
        let path = dir().join("golden").join(format!("{name}.{ext}"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            continue;
        }
        let expected =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if &expected != text {
            let line = expected
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .map_or_else(
                    || expected.lines().count().min(text.lines().count()),
                    |i| i + 1,
                );
            panic!(
                "{} differs from the generator's output at line {line} (UPDATE_GOLDEN=1 to accept)",
                path.display()
            );
        }
    }
}

#[test]
fn polymorphic_fixture_matches_golden() {
    check("polymorphic");
}

#[test]
fn generated_code_has_the_promised_shape() {
    let g = Builder::new()
        .wsdl(dir().join("fixtures/polymorphic.wsdl"))
        .api_type("crate::client::Api")
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    let code = &g.code;
    // Polymorphism: the field of a base type that others extend is its Any enum.
    assert!(
        code.contains("pub thing: ::core::option::Option<AnyBase>"),
        "{code}"
    );
    assert!(code.contains("Some(b\"SpecialItem\")"));
    // A self-referencing type is boxed; a list wrapper is a Vec.
    assert!(code.contains("pub parent: ::core::option::Option<AnyItem>"));
    assert!(
        code.contains("pub next: ::core::option::Option<::std::boxed::Box<Holder>>"),
        "{code}"
    );
    assert!(code.contains("w.wrapped(\"Tags\", \"Tag\", &self.tags, false)"));
    // Enumeration values become variants; the catch-all does not collide with a value.
    assert!(
        code.contains("HasErrors")
            && code.contains("Unrecognized2")
            && code.contains("Unrecognized(::std::string::String)")
    );
    // One method per operation with the binding's SOAPAction.
    assert!(
        code.contains("pub async fn do_thing(")
            && code.contains("soap_action: \"urn:golden/DoThing\"")
    );
    assert!(code.contains("Does the thing"));
    assert_eq!(g.stats.operations, 2);
    // One marker type per operation; flags off unless the builder sets them.
    assert!(code.contains("pub struct DoThing;") && code.contains("pub struct DoMany;"));
    assert!(code.contains("read_only: false") && !code.contains("read_only: true"));
    assert!(!code.contains("all_correlated"), "{code}");
    // Accessors for the base's fields on the Any enums (one macro each), and From<base> for
    // the derived types whose own fields are all optional: SpecialItem from Item, but not from
    // Base (Count is required).
    assert!(code.contains("macro_rules! __any_base"), "{code}");
    assert!(code.contains("fields id id_mut \"ID\""), "{code}");
    assert!(code.contains("__from_item!(SpecialItem);"), "{code}");
    assert!(!code.contains("__from_base!"), "{code}");
    assert_eq!(g.model.files_read.len(), 1);
}

fn generate_text(wsdl: &str) -> Result<sfmc_partnerapi_codegen::Generated, Error> {
    let dir =
        std::env::temp_dir().join(format!("codegen-err-{}-{}", std::process::id(), fastrand()));
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
        path: dir.clone(),
        source,
    })?;
    let path = dir.join("bad.wsdl");
    std::fs::write(&path, wsdl).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    Builder::new().wsdl(&path).generate()
}

fn fastrand() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u8(0);
    h.finish()
}

const GOOD: &str = include_str!("fixtures/polymorphic.wsdl");

fn expect_error(wsdl: &str, needles: &[&str]) {
    match generate_text(wsdl) {
        Ok(_) => panic!("expected an error mentioning {needles:?}"),
        Err(e) => {
            let msg = e.to_string();
            for n in needles {
                assert!(msg.contains(n), "error {msg:?} should mention {n:?}");
            }
            assert!(
                msg.contains("bad.wsdl"),
                "error {msg:?} should name the file"
            );
        }
    }
}

#[test]
fn malformed_wsdl_names_file_and_line() {
    let broken = GOOD.replacen("</wsdl:portType>", "</wsdl:port>", 1);
    let line = GOOD
        .lines()
        .position(|l| l.contains("</wsdl:portType>"))
        .map(|i| i + 1)
        .unwrap_or(0);
    expect_error(&broken, &[&format!(":{line}:"), "not well-formed"]);
}

#[test]
fn unsupported_constructs_are_named() {
    expect_error(
        &GOOD.replacen("style=\"document\"", "style=\"rpc\"", 1),
        &["binding style \"rpc\"", "document/literal"],
    );
    expect_error(
        &GOOD.replacen("use=\"literal\"", "use=\"encoded\"", 1),
        &["encoded"],
    );
    expect_error(
        &GOOD.replacen("</xs:sequence>\n      </xs:complexType>\n      <xs:complexType name=\"Item\">", "</xs:sequence><xs:attribute name=\"lang\" type=\"xs:string\"/>\n      </xs:complexType>\n      <xs:complexType name=\"Item\">", 1),
        &["type Base declares attributes"],
    );
    expect_error(
        &GOOD.replacen("element=\"t:DoResponseMsg\"", "element=\"t:Nowhere\"", 1),
        &["Nowhere", "does not declare"],
    );
    expect_error(&GOOD.replacen("<wsdl:types>", "<wsdl:types><xs:schema targetNamespace=\"urn:x\"><xs:import namespace=\"urn:far\" schemaLocation=\"https://example.invalid/far.xsd\"/></xs:schema>", 1), &["never fetches from the network", "urn:far"]);
    expect_error("<definitions/>", &["WSDL 1.1 <definitions>"]);
    expect_error("<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\" targetNamespace=\"urn:x\"/>", &["no inline <types><schema>"]);
}

#[test]
fn operation_flags_are_generated_and_checked() {
    let builder = || Builder::new().wsdl(dir().join("fixtures/polymorphic.wsdl"));
    let g = builder()
        .read_only(["DoThing"])
        .idempotent_with_correlation_ids(["DoMany"])
        .read_only_if_present(["Describe"])
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    let info = |name: &str| {
        let at = g
            .code
            .find(&format!("name: \"{name}\""))
            .unwrap_or_else(|| panic!("no {name}"));
        g.code[at..]
            .split('}')
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let (thing, many) = (info("DoThing"), info("DoMany"));
    assert!(thing.contains("read_only: true") && thing.contains("correlation_ids: false"));
    assert!(many.contains("read_only: false") && many.contains("correlation_ids: true"));
    // The objects of a DoMany are its Objects (their type has a CorrelationID), not its Options.
    assert!(
        g.code
            .contains(".chain(request.objects.iter().map(|v| v.correlation_id()))"),
        "{}",
        g.code
    );
    // A name the WSDL does not have is a configuration error, naming the operations it has.
    for b in [
        builder().read_only(["Retreive"]),
        builder().idempotent_with_correlation_ids(["Perform"]),
    ] {
        let err = b.generate().map(|_| ()).unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err}");
        let msg = err.to_string();
        assert!(msg.contains("DoThing, DoMany"), "{msg}");
    }
}

#[test]
fn a_missing_file_is_an_io_error() {
    let err = Builder::new()
        .wsdl("/nonexistent/partnerAPI.wsdl")
        .generate()
        .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(err.to_string().contains("/nonexistent/partnerAPI.wsdl"));
}

#[test]
fn wildcard_fixture_matches_golden() {
    check("wildcard");
}
