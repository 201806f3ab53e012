//! `sfmc wsdl-surface` and `sfmc wsdl-diff`, the maintainers' commands.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sfmc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sfmc"))
        .args(args)
        .current_dir(root())
        .env_remove("SFMC_JSON")
        .output()
        .unwrap_or_else(|e| panic!("cannot run sfmc: {e}"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn surface_of_the_built_in_bindings_and_of_a_file() {
    let built_in = sfmc(&["wsdl-surface"]);
    assert_eq!(built_in.status.code(), Some(0));
    assert_eq!(stdout(&built_in), sfmc_partnerapi::types::API_SURFACE);
    let shipped = sfmc(&["wsdl-surface", "wsdl/partnerAPI.wsdl"]);
    assert_eq!(shipped.status.code(), Some(0));
    let text = stdout(&shipped);
    assert!(text.contains(
        "operation Perform soapAction=Perform input=PerformRequestMsg output=PerformResponseMsg"
    ));
    assert!(text.contains("enum SimpleOperators value=equals"));
    let mut sorted: Vec<&str> = text.lines().filter(|l| l.starts_with("type ")).collect();
    let original = sorted.clone();
    sorted.sort();
    assert_eq!(sorted, original, "types are listed in sorted order");
}

#[test]
fn diff_of_the_fixture_pair_reports_and_exits_1() {
    let out = sfmc(&[
        "wsdl-diff",
        "codegen/tests/fixtures/diff-old.wsdl",
        "codegen/tests/fixtures/diff-new.wsdl",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(
        text.starts_with("18 breaking, 9 additive, 6 wire-only; operations +1 -1; types +3 -2\n"),
        "{text}"
    );
    assert!(text.contains("BREAKING operation Ping: removed"));
    assert!(text.contains("additive enum value Color.blue: added"));
    assert!(text.contains("wire     operation DoThing: soapAction"));

    let json = sfmc(&[
        "--json",
        "wsdl-diff",
        "codegen/tests/fixtures/diff-old.wsdl",
        "codegen/tests/fixtures/diff-new.wsdl",
    ]);
    assert_eq!(json.status.code(), Some(1));
    let v: serde_json::Value =
        serde_json::from_slice(&json.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&json)));
    assert_eq!(v["summary"]["breaking"], 18);
    assert_eq!(v["summary"]["wire_only"], 6);
    assert_eq!(v["changes"].as_array().map(Vec::len), Some(33));
}

#[test]
fn no_breaking_change_exits_0_and_bad_input_exits_2() {
    let same = sfmc(&["wsdl-diff", "wsdl/partnerAPI.wsdl", "wsdl/partnerAPI.wsdl"]);
    assert_eq!(same.status.code(), Some(0));
    assert!(stdout(&same).starts_with("0 breaking, 0 additive, 0 wire-only;"));
    let missing = sfmc(&["wsdl-diff", "wsdl/partnerAPI.wsdl", "/nonexistent.wsdl"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent.wsdl"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let broken = dir.path().join("broken.wsdl");
    std::fs::write(&broken, "<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\"><oops></wsdl:definitions>")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = sfmc(&["wsdl-surface", &broken.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("broken.wsdl:1"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn shipped_against_upstream_counts_what_only_upstream_has() {
    let upstream = root().join("../shared/partnerapi/etframework.wsdl");
    if !Path::new(&upstream).exists() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "upstream WSDL missing under CI=true"
        );
        return;
    }
    let out = sfmc(&[
        "--json",
        "wsdl-diff",
        "wsdl/partnerAPI.wsdl",
        &upstream.to_string_lossy(),
    ]);
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let s = &v["summary"];
    // 13 operations upstream, 4 in the shipped subset; the subset's types are all upstream.
    assert_eq!(s["operations_added"], 9);
    assert_eq!(s["operations_removed"], 0);
    assert_eq!(s["types_removed"], 0);
    let up = sfmc(&["wsdl-surface", &upstream.to_string_lossy()]);
    let shipped = sfmc(&["wsdl-surface", "wsdl/partnerAPI.wsdl"]);
    let count = |o: &Output| stdout(o).lines().filter(|l| l.starts_with("type ")).count() as u64;
    assert_eq!(
        s["types_added"].as_u64(),
        Some(count(&up) - count(&shipped))
    );
    // Exit 1 exactly when something is breaking.
    assert_eq!(
        out.status.code(),
        Some(if s["breaking"] == 0 { 0 } else { 1 })
    );
}

/// The maintainers' commands on both vendor WSDLs: the 2017 copy vendored by the Java SDK and the
/// service's own WSDL of May 2024 (which has an `xs:any` wildcard).
#[test]
fn surface_and_diff_of_the_vendor_wsdls() {
    let shared = root().join("../shared/partnerapi");
    let (old, new) = (
        shared.join("etframework.wsdl"),
        shared.join("etframework-live-2024-05.wsdl"),
    );
    if !old.exists() || !new.exists() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "vendor WSDLs missing under CI=true"
        );
        eprintln!("note: vendor WSDLs not found; skipped");
        return;
    }
    for wsdl in [&old, &new] {
        let out = sfmc(&["wsdl-surface", &wsdl.to_string_lossy()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = stdout(&out);
        assert_eq!(
            text.lines().filter(|l| l.starts_with("operation ")).count(),
            13
        );
    }
    let live = stdout(&sfmc(&["wsdl-surface", &new.to_string_lossy()]));
    assert!(
        live.contains("type AssetAnyProperty complex\nfield AssetAnyProperty.##any any [0..*]\n")
    );

    let out = sfmc(&["wsdl-diff", &old.to_string_lossy(), &new.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.contains(" breaking, ") && first.contains("operations +0 -0"),
        "{first}"
    );
    for line in [
        "BREAKING type HiveQueryDefinition: removed",
        "additive type AssetAnyProperty: added",
        "BREAKING field ExtractResponseMsg.Results: Rust type Vec<ExtractResponseMsgResults> -> Vec<ExtractResult>",
    ] {
        assert!(text.contains(line), "missing {line:?}\n{text}");
    }
    // And back: what 2024 has and 2017 lacks is breaking that way.
    let back = sfmc(&["wsdl-diff", &new.to_string_lossy(), &old.to_string_lossy()]);
    assert_eq!(back.status.code(), Some(1));
    assert!(stdout(&back).contains("BREAKING type AssetAnyProperty: removed"));
}
