//! The diff of two service descriptions on a fixture pair with one change of each kind
//! (`fixtures/diff-old.wsdl` -> `fixtures/diff-new.wsdl`), on formatting- and
//! documentation-only edits, and on the vendor's 2017 and 2024 WSDLs.

use std::path::{Path, PathBuf};

use sfmc_partnerapi_codegen::diff::{diff, Diff, Impact};
use sfmc_partnerapi_codegen::{Builder, Model};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn load(path: &Path) -> Model {
    Builder::new()
        .wsdl(path)
        .model()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn model(name: &str) -> Model {
    load(&fixture(name))
}

/// Asserts that `d` has a change of this impact, kind and name whose detail contains `detail`.
fn expect(d: &Diff, impact: Impact, what: &str, name: &str, detail: &str) {
    assert!(
        d.changes.iter().any(|c| c.impact == impact
            && c.what == what
            && c.name == name
            && c.detail.contains(detail)),
        "missing {impact:?} {what} {name}: {detail}\n{}",
        d.report()
    );
}

/// Asserts that `d` reports nothing about `name`.
fn no_change(d: &Diff, name: &str) {
    assert!(
        d.changes.iter().all(|c| c.name != name),
        "unexpected change of {name}\n{}",
        d.report()
    );
}

fn fixture_diff() -> Diff {
    diff(&model("diff-old.wsdl"), &model("diff-new.wsdl"))
}

#[test]
fn every_change_kind_is_found_and_classified() {
    let d = fixture_diff();
    use Impact::{Additive, Breaking, WireOnly};
    expect(&d, Breaking, "operation", "Ping", "removed");
    expect(&d, Additive, "operation", "Undo", "added");
    expect(
        &d,
        WireOnly,
        "operation",
        "DoThing",
        "soapAction urn:golden/DoThing -> urn:golden/DoThing2 (no Rust change)",
    );
    expect(&d, Breaking, "element", "PingMsg", "removed");
    expect(&d, Additive, "element", "UndoMsg", "added");
    expect(&d, Breaking, "type", "Legacy", "removed");
    expect(&d, Additive, "type", "Fresh", "added");
    // A new base is no Rust change by itself; the inherited fields it takes away are.
    expect(&d, WireOnly, "type", "SpecialItem", "base Item -> Base");
    expect(
        &d,
        Breaking,
        "field",
        "SpecialItem.Count",
        "removed (was i64)",
    );
    expect(
        &d,
        Breaking,
        "type",
        "Holder",
        "gains derived types (Fresh): fields of this type become AnyHolder enums: \
         DoRequestMsg.Holder (Holder -> AnyHolder), Holder.Next (Option<Box<Holder>> -> \
         Option<AnyHolder>)",
    );
    expect(
        &d,
        Breaking,
        "type",
        "Item",
        "loses its last derived type: the enum AnyItem goes away: Item.Parent \
         (Option<AnyItem> -> Option<Box<Item>>)",
    );
    expect(&d, WireOnly, "type", "DoResponseMsg", "field order changed");
    expect(
        &d,
        Breaking,
        "field",
        "Holder.Mode",
        "added as required: String",
    );
    expect(
        &d,
        Breaking,
        "field",
        "Item.Count",
        "Rust type i64 -> i32 (xs:long [1..1] -> xs:int [1..1])",
    );
    expect(
        &d,
        Breaking,
        "field",
        "Item.Type",
        "Rust type Option<String> -> Vec<String>",
    );
    expect(
        &d,
        Breaking,
        "field",
        "Holder.Thing",
        "Rust type Option<AnyBase> -> AnyBase",
    );
    expect(
        &d,
        Breaking,
        "field",
        "Holder.Flag",
        "Rust type bool -> Option<bool>",
    );
    expect(
        &d,
        WireOnly,
        "field",
        "Holder.Things",
        "cardinality narrowed: Base [0..*] -> Base [0..5]; Rust type unchanged (Vec<AnyBase>)",
    );
    expect(&d, Breaking, "enum value", "Color.red", "removed");
    // Inherited fields are reported once, at the type that declares them (at the old or the
    // new base).
    no_change(&d, "Item.ID");
    no_change(&d, "Item.Name");
    no_change(&d, "SpecialItem.Name");
    no_change(&d, "SpecialItem.Note");
    assert_eq!(d.summary.operations_added, 1);
    assert_eq!(d.summary.operations_removed, 1);
    assert_eq!(d.summary.types_added, 3, "{}", d.report()); // Extra, Fresh, UndoMsg
    assert_eq!(d.summary.types_removed, 2, "{}", d.report()); // Legacy, PingMsg
    assert!(d.is_breaking());
    let s = d.summary;
    assert_eq!(s.breaking + s.additive + s.wire_only, d.changes.len());
    assert!(d.report().starts_with(&format!(
        "{} breaking, {} additive, {} wire-only; operations +1 -1; types +3 -2\n",
        s.breaking, s.additive, s.wire_only
    )));
    // Breaking changes come first, then additive, then wire-only.
    let impacts: Vec<Impact> = d.changes.iter().map(|c| c.impact).collect();
    assert!(impacts.windows(2).all(|w| w[0] <= w[1]), "{}", d.report());
    assert!(d.report().contains("\nwire     field Holder.Things: "));
}

#[test]
fn a_new_enumeration_value_is_additive() {
    expect(
        &fixture_diff(),
        Impact::Additive,
        "enum value",
        "Color.blue",
        "added: the variant Color::Blue (Color is #[non_exhaustive]); the value \"blue\", \
         formerly read as Color::Unrecognized(..), now reads as Color::Blue",
    );
}

#[test]
fn a_new_derived_type_of_a_polymorphic_base_is_additive() {
    expect(
        &fixture_diff(),
        Impact::Additive,
        "type",
        "Base",
        "derived type Extra added: the variant AnyBase::Extra (AnyBase is #[non_exhaustive]); \
         a value of xsi:type Extra, formerly read as AnyBase::Untyped, now reads as \
         AnyBase::Extra",
    );
}

#[test]
fn a_new_optional_field_is_additive_for_default_builders() {
    expect(
        &fixture_diff(),
        Impact::Additive,
        "field",
        "Base.Note",
        "added: Option<String> (xs:string [0..1]); additive for code that builds values with \
         ..Default::default()",
    );
}

#[test]
fn a_vec_cardinality_change_is_wire_only() {
    let d = fixture_diff();
    expect(
        &d,
        Impact::WireOnly,
        "field",
        "Holder.Codes",
        "cardinality widened: xs:int [0..2] -> xs:int [0..3]; Rust type unchanged (Vec<i32>)",
    );
    expect(
        &d,
        Impact::WireOnly,
        "field",
        "Holder.Pairs",
        "cardinality narrowed: xs:string [1..*] -> xs:string [2..*]; Rust type unchanged \
         (Vec<String>)",
    );
    // Wire-only changes do not make the diff breaking.
    let wire_only = |m: &Model| {
        let mut m = m.clone();
        if let Some(sfmc_partnerapi_codegen::model::TypeDef::Complex(c)) = m.types.get_mut("Holder")
        {
            for f in &mut c.fields {
                if f.name == "Codes" {
                    f.max = Some(3);
                }
            }
        }
        m
    };
    let old = model("diff-old.wsdl");
    let d = diff(&old, &wire_only(&old));
    assert_eq!(d.changes.len(), 1, "{}", d.report());
    assert_eq!((d.summary.wire_only, d.is_breaking()), (1, false));
}

#[test]
fn a_renamed_field_is_a_removal_plus_an_addition() {
    let d = fixture_diff();
    expect(
        &d,
        Impact::Breaking,
        "field",
        "Base.Name",
        "removed (was Option<String>)",
    );
    expect(&d, Impact::Additive, "field", "Base.Note", "added");
}

#[test]
fn a_field_boxed_by_a_new_cycle_changes_its_rust_type() {
    expect(
        &fixture_diff(),
        Impact::Breaking,
        "field",
        "Node.Leaf",
        "Rust type Leaf -> Box<Leaf> (schema unchanged",
    );
}

#[test]
fn a_description_does_not_differ_from_itself() {
    for name in ["diff-old.wsdl", "diff-new.wsdl", "polymorphic.wsdl"] {
        let d = diff(&model(name), &model(name));
        assert!(d.changes.is_empty() && !d.is_breaking(), "{}", d.report());
        assert!(d
            .report()
            .starts_with("0 breaking, 0 additive, 0 wire-only; operations +0 -0; types +0 -0\n"));
    }
}

#[test]
fn documentation_and_formatting_changes_report_nothing() {
    let text = std::fs::read_to_string(fixture("diff-new.wsdl")).unwrap_or_else(|e| panic!("{e}"));
    let edited = text
        .replace(
            "Does the thing",
            "Does the  thing,\n   now documented at length",
        )
        .replace(
            "What the leaf says.",
            "What the leaf\n  says, in other words.",
        )
        .replace("pointing back.", "pointing back to its node.")
        .replace("\n  ", "\n\t    ")
        .replace('\n', "\r\n");
    assert_ne!(edited, text);
    let dir = std::env::temp_dir().join(format!("sfmc-diff-doc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let copy = dir.join("diff-new-reformatted.wsdl");
    std::fs::write(&copy, edited).unwrap_or_else(|e| panic!("{e}"));
    let (a, b) = (model("diff-new.wsdl"), load(&copy));
    let _ = std::fs::remove_dir_all(&dir);
    // The edits reached the model...
    let leaf_doc = |m: &Model| {
        m.complex("Leaf")
            .map(|c| (c.documentation.clone(), c.fields[0].documentation.clone()))
    };
    assert_ne!(leaf_doc(&a), leaf_doc(&b));
    let op_doc = |m: &Model| {
        let op = m.operations.iter().find(|o| o.name == "DoThing");
        op.and_then(|o| o.documentation.clone())
    };
    assert_ne!(op_doc(&a), op_doc(&b));
    // ...and the diff shows none of them.
    let d = diff(&a, &b);
    assert!(d.changes.is_empty(), "{}", d.report());
    assert!(!d.is_breaking());
}

#[test]
fn diff_serializes_for_machines() {
    let d = fixture_diff();
    let json = serde_json::to_value(&d).unwrap_or_default();
    assert_eq!(json["summary"]["operations_added"], 1);
    assert_eq!(json["summary"]["wire_only"], d.summary.wire_only);
    let changes = json["changes"].as_array().cloned().unwrap_or_default();
    for impact in ["breaking", "additive", "wire-only"] {
        assert!(changes.iter().any(|c| c["impact"] == impact), "{impact}");
    }
}

/// The vendor's WSDL of 2017 and the live one of May 2024 (reference files outside the
/// project, read only).
#[test]
fn vendor_2017_to_2024() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/partnerapi");
    let (old, new) = (
        dir.join("etframework.wsdl"),
        dir.join("etframework-live-2024-05.wsdl"),
    );
    if !old.exists() || !new.exists() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "vendor WSDLs missing under CI=true: {}",
            dir.display()
        );
        eprintln!("note: vendor WSDLs not found in {}; skipped", dir.display());
        return;
    }
    let fault = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wsdl/ETFrameworkFault.xsd");
    let load = |p: &Path| {
        Builder::new()
            .wsdl(p)
            .import(sfmc_partnerapi_codegen::FAULT_NAMESPACE, &fault)
            .model()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let d = diff(&load(&old), &load(&new));
    eprintln!("{}", d.report());
    expect(
        &d,
        Impact::Breaking,
        "type",
        "HiveQueryDefinition",
        "removed",
    );
    expect(&d, Impact::Additive, "type", "AssetAnyProperty", "added");
    expect(
        &d,
        Impact::Breaking,
        "field",
        "ExtractResponseMsg.Results",
        "Rust type Vec<ExtractResponseMsgResults> -> Vec<ExtractResult>",
    );
    // Keyed on XSD names, whatever Rust names the fields get.
    for i in 1..=5 {
        expect(
            &d,
            Impact::Additive,
            "field",
            &format!("Email.__AdditionalEmailAttribute{i}"),
            "added: Option<String> (xs:string [0..1])",
        );
    }
    assert!(d.is_breaking());
}
