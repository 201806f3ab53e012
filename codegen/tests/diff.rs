//! The diff of two service descriptions on a fixture pair with one change of each kind
//! (`fixtures/diff-old.wsdl` -> `fixtures/diff-new.wsdl`).

use std::path::Path;

use sfmc_partnerapi_codegen::diff::{diff, Impact};
use sfmc_partnerapi_codegen::Builder;

fn model(name: &str) -> sfmc_partnerapi_codegen::Model {
    Builder::new()
        .wsdl(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name),
        )
        .model()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_change_kind_is_found_and_classified() {
    let d = diff(&model("diff-old.wsdl"), &model("diff-new.wsdl"));
    let report = d.report();
    let expect = |impact: Impact, what: &str, name: &str, detail: &str| {
        assert!(
            d.changes.iter().any(|c| c.impact == impact
                && c.what == what
                && c.name == name
                && c.detail.contains(detail)),
            "missing {impact:?} {what} {name}: {detail}\n{report}"
        );
    };
    use Impact::{Additive, Breaking};
    expect(Breaking, "operation", "Ping", "removed");
    expect(Additive, "operation", "Undo", "added");
    expect(
        Breaking,
        "operation",
        "DoThing",
        "soapAction urn:golden/DoThing -> urn:golden/DoThing2",
    );
    expect(Breaking, "element", "PingMsg", "removed");
    expect(Additive, "element", "UndoMsg", "added");
    expect(Breaking, "type", "Legacy", "removed");
    expect(Additive, "type", "Fresh", "added");
    expect(Breaking, "type", "SpecialItem", "base Item -> Base");
    expect(Breaking, "type", "Holder", "gains derived types");
    expect(Breaking, "type", "DoResponseMsg", "field order changed");
    expect(Breaking, "field", "Base.Name", "removed");
    expect(Additive, "field", "Base.Note", "added: xs:string [0..1]");
    expect(Breaking, "field", "Holder.Mode", "added as required");
    expect(
        Breaking,
        "field",
        "Item.Count",
        "type xs:long [1..1] -> xs:int [1..1]",
    );
    expect(Breaking, "field", "Holder.Things", "cardinality narrowed");
    expect(Breaking, "field", "Item.Type", "cardinality widened");
    expect(Breaking, "field", "Holder.Thing", "becomes required");
    expect(Breaking, "field", "Holder.Flag", "becomes optional");
    expect(Additive, "field", "Holder.Flag", "nillable false -> true");
    expect(Breaking, "enum value", "Color.red", "removed");
    expect(Additive, "enum value", "Color.blue", "added");
    assert_eq!(d.summary.operations_added, 1);
    assert_eq!(d.summary.operations_removed, 1);
    assert_eq!(d.summary.types_added, 2, "{report}"); // Fresh, UndoMsg
    assert_eq!(d.summary.types_removed, 2, "{report}"); // Legacy, PingMsg
    assert!(d.is_breaking());
    assert_eq!(d.summary.breaking + d.summary.additive, d.changes.len());
    assert!(report.starts_with(&format!(
        "{} breaking, {} additive",
        d.summary.breaking, d.summary.additive
    )));
    // Breaking changes come first.
    let first_additive = d
        .changes
        .iter()
        .position(|c| c.impact == Additive)
        .unwrap_or(d.changes.len());
    assert!(d.changes[first_additive..]
        .iter()
        .all(|c| c.impact == Additive));
}

#[test]
fn a_description_does_not_differ_from_itself() {
    let d = diff(&model("diff-new.wsdl"), &model("diff-new.wsdl"));
    assert!(d.changes.is_empty() && !d.is_breaking());
}

#[test]
fn diff_serializes_for_machines() {
    let d = diff(&model("diff-old.wsdl"), &model("diff-new.wsdl"));
    let json = serde_json::to_value(&d).unwrap_or_default();
    assert_eq!(json["summary"]["operations_added"], 1);
    assert!(json["changes"]
        .as_array()
        .is_some_and(|a| a.iter().any(|c| c["impact"] == "breaking")));
}
