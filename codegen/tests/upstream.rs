//! The generator on the vendor's full WSDL (`../shared/partnerapi/etframework.wsdl`, read-only,
//! never copied into the project). Under `CI=true` a missing file is a failure, not a skip.

use std::path::{Path, PathBuf};

use sfmc_partnerapi_codegen::{diff, Builder, Generated, Model, FAULT_NAMESPACE};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn upstream_path() -> Option<PathBuf> {
    let path = root().join("../shared/partnerapi/etframework.wsdl");
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "{} is missing under CI=true",
        path.display()
    );
    eprintln!(
        "note: {} not found; upstream checks skipped",
        path.display()
    );
    None
}

fn builder(wsdl: &Path) -> Builder {
    Builder::new()
        .wsdl(wsdl)
        .import(FAULT_NAMESPACE, root().join("wsdl/ETFrameworkFault.xsd"))
        .api_type("crate::client::Api")
}

fn generate(wsdl: &Path) -> Generated {
    builder(wsdl).generate().unwrap_or_else(|e| panic!("{e}"))
}

fn shipped() -> Model {
    builder(&root().join("wsdl/partnerAPI.wsdl"))
        .model()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Names declared by `<complexType name=...>` anywhere in the text.
fn complex_type_names(text: &str) -> Vec<String> {
    text.split("complexType name=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn upstream_wsdl_generates_every_operation_and_complex_type() {
    let Some(path) = upstream_path() else { return };
    let g = generate(&path);
    assert_eq!(g.model.operations.len(), 13);
    let names: Vec<&str> = g.model.operations.iter().map(|o| o.name.as_str()).collect();
    for op in [
        "Create",
        "Retrieve",
        "Update",
        "Delete",
        "Query",
        "Describe",
        "Execute",
        "Perform",
        "Configure",
        "Schedule",
        "VersionInfo",
        "Extract",
        "GetSystemStatus",
    ] {
        assert!(names.contains(&op), "operation {op} missing");
    }
    assert!(g.model.operations.iter().all(|o| o.soap_action == o.name));
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let declared = complex_type_names(&text);
    assert!(
        declared.len() > 200,
        "{} complex types declared?",
        declared.len()
    );
    for name in &declared {
        assert!(
            g.model.complex(name).is_some(),
            "complex type {name} missing from the model"
        );
        let rust = format!("pub struct {} {{", rust_type_name(name));
        assert!(g.code.contains(&rust), "no `{rust}` in the generated code");
    }
    let descendants = g.model.descendants();
    assert!(
        descendants["APIObject"].len() >= 140,
        "APIObject has {} descendants",
        descendants["APIObject"].len()
    );
    assert!(g.code.contains("pub enum AnyApiObject"));
    eprintln!(
        "upstream: {} complex types, {} enumerations, {} operations, {} lines, generated in {:?}",
        g.stats.complex_types,
        g.stats.enumerations,
        g.stats.operations,
        g.stats.lines,
        g.stats.elapsed
    );
    assert!(
        g.stats.lines < 40_000,
        "{} generated lines (budget 40,000)",
        g.stats.lines
    );
}

/// The generator's type naming, restated for the check above.
fn rust_type_name(xsd: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = xsd.chars().collect();
    let mut word = String::new();
    let mut words = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = word.chars().last();
        let next = chars.get(i + 1);
        if let Some(p) = prev {
            if (c.is_ascii_uppercase() && p.is_ascii_lowercase())
                || (c.is_ascii_uppercase()
                    && p.is_ascii_uppercase()
                    && next.is_some_and(|n| n.is_ascii_lowercase()))
            {
                words.push(std::mem::take(&mut word));
            }
        }
        word.push(c);
    }
    words.push(word);
    for w in words {
        let lower = w.to_ascii_lowercase();
        let mut cs = lower.chars();
        if let Some(f) = cs.next() {
            out.push(f.to_ascii_uppercase());
            out.extend(cs);
        }
    }
    out
}

#[test]
fn upstream_surface_is_stable_and_independent_of_declaration_order() {
    let Some(path) = upstream_path() else { return };
    let first = generate(&path).surface;
    assert_eq!(first, generate(&path).surface, "same input, same surface");
    // The same schema with its top-level declarations in reverse order (in a temp file).
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let reversed = reverse_schema_children(&text);
    assert_ne!(reversed, text);
    let dir = std::env::temp_dir().join(format!("codegen-upstream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let copy = dir.join("reordered.wsdl");
    std::fs::write(&copy, reversed).unwrap_or_else(|e| panic!("{e}"));
    let again = generate(&copy).surface;
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(first, again, "declaration order changed the surface");
}

/// Reverses the order of the `<schema>` element's children (each child from one indentation
/// level of 6 spaces to its end), keeping the import first.
fn reverse_schema_children(text: &str) -> String {
    let start = text
        .find("<schema")
        .and_then(|s| text[s..].find('>').map(|e| s + e + 1))
        .unwrap_or(0);
    let end = text.find("</schema>").unwrap_or(text.len());
    let body = &text[start..end];
    let mut items: Vec<String> = Vec::new();
    for line in body.split_inclusive('\n') {
        if line.starts_with("      <") && !line.starts_with("      </") || items.is_empty() {
            items.push(String::new());
        }
        if let Some(last) = items.last_mut() {
            last.push_str(line);
        }
    }
    let (head, rest) = items.split_at(2.min(items.len()));
    let mut out = String::from(&text[..start]);
    out.extend(head.iter().cloned());
    out.extend(rest.iter().rev().cloned());
    out.push_str(&text[end..]);
    out
}

#[test]
fn shipped_wsdl_against_upstream_diff_summary() {
    let Some(path) = upstream_path() else { return };
    let old = shipped();
    let new = builder(&path).model().unwrap_or_else(|e| panic!("{e}"));
    let d = diff::diff(&old, &new);
    eprintln!("{}", d.report().lines().next().unwrap_or_default());
    // The shipped file is a subset: only additions, except where the full file gives a type of
    // the subset more derived types (so its fields become polymorphic).
    assert_eq!(d.summary.operations_removed, 0);
    assert_eq!(d.summary.types_removed, 0);
    assert_eq!(d.summary.operations_added, 13 - old.operations.len());
    assert_eq!(d.summary.types_added, new.types.len() - old.types.len());
    for c in d
        .changes
        .iter()
        .filter(|c| c.impact == diff::Impact::Breaking)
    {
        assert_eq!(c.what, "type", "{c:?}");
        assert!(c.detail.starts_with("gains derived types"), "{c:?}");
    }
    // And the other way round, everything the subset lacks is a removal.
    let back = diff::diff(&new, &old);
    assert_eq!(back.summary.types_removed, d.summary.types_added);
    assert_eq!(back.summary.operations_removed, d.summary.operations_added);
}
