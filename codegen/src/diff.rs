//! What changed between two service descriptions, for the applications that use the bindings.
//!
//! Every change is **breaking** when it can break an existing application, on the wire or in
//! its Rust source (a removal, a narrowed or widened cardinality, a changed type, a field
//! becoming required, a removed enumeration value, a type becoming polymorphic), and
//! **additive** otherwise (a new operation, type, optional field or enumeration value).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{ComplexType, Field, Model, TypeDef};
use crate::surface::describe_field;

/// Whether a change can break an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    /// Can break an existing application.
    Breaking,
    /// Only adds.
    Additive,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// Breaking or additive.
    pub impact: Impact,
    /// What kind of thing changed: `operation`, `element`, `type`, `field`, `enum value`.
    pub what: &'static str,
    /// Its name (`Send.ID` for a field).
    pub name: String,
    /// What happened to it.
    pub detail: String,
}

/// The changes from `old` to `new`, breaking ones first, each group sorted by name.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Diff {
    /// All changes.
    pub changes: Vec<Change>,
    /// Counts for a summary line.
    pub summary: Summary,
}

/// Counts of what only one side has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Operations only in the new description.
    pub operations_added: usize,
    /// Operations only in the old description.
    pub operations_removed: usize,
    /// Types only in the new description.
    pub types_added: usize,
    /// Types only in the old description.
    pub types_removed: usize,
    /// Breaking changes.
    pub breaking: usize,
    /// Additive changes.
    pub additive: usize,
}

impl Diff {
    /// Whether any change is breaking.
    pub fn is_breaking(&self) -> bool {
        self.summary.breaking > 0
    }

    /// A readable report: a summary line, then one line per change.
    pub fn report(&self) -> String {
        let s = &self.summary;
        let mut out = format!(
            "{} breaking, {} additive; operations +{} -{}; types +{} -{}\n",
            s.breaking,
            s.additive,
            s.operations_added,
            s.operations_removed,
            s.types_added,
            s.types_removed
        );
        for c in &self.changes {
            let tag = match c.impact {
                Impact::Breaking => "BREAKING",
                Impact::Additive => "additive",
            };
            out.push_str(&format!("{tag:<8} {} {}: {}\n", c.what, c.name, c.detail));
        }
        out
    }
}

struct Collector(Vec<Change>);

impl Collector {
    fn push(
        &mut self,
        impact: Impact,
        what: &'static str,
        name: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.0.push(Change {
            impact,
            what,
            name: name.into(),
            detail: detail.into(),
        });
    }
}

/// Compares two models.
pub fn diff(old: &Model, new: &Model) -> Diff {
    use Impact::{Additive, Breaking};
    let mut c = Collector(Vec::new());
    let mut summary = Summary::default();
    if old.target_namespace != new.target_namespace {
        c.push(
            Breaking,
            "namespace",
            &new.target_namespace,
            format!("was {}", old.target_namespace),
        );
    }

    let old_ops: BTreeMap<&str, _> = old
        .operations
        .iter()
        .map(|o| (o.name.as_str(), o))
        .collect();
    let new_ops: BTreeMap<&str, _> = new
        .operations
        .iter()
        .map(|o| (o.name.as_str(), o))
        .collect();
    for (name, o) in &old_ops {
        match new_ops.get(name) {
            None => {
                summary.operations_removed += 1;
                c.push(Breaking, "operation", *name, "removed");
            }
            Some(n) => {
                for (what, a, b) in [
                    ("soapAction", &o.soap_action, &n.soap_action),
                    ("input", &o.input_element, &n.input_element),
                    ("output", &o.output_element, &n.output_element),
                ] {
                    if a != b {
                        c.push(Breaking, "operation", *name, format!("{what} {a} -> {b}"));
                    }
                }
            }
        }
    }
    for name in new_ops.keys().filter(|n| !old_ops.contains_key(*n)) {
        summary.operations_added += 1;
        c.push(Additive, "operation", *name, "added");
    }

    for (el, ty) in &old.elements {
        match new.elements.get(el) {
            None => c.push(Breaking, "element", el, "removed"),
            Some(t) if t != ty => c.push(Breaking, "element", el, format!("type {ty} -> {t}")),
            Some(_) => {}
        }
    }
    for el in new
        .elements
        .keys()
        .filter(|e| !old.elements.contains_key(*e))
    {
        c.push(Additive, "element", el, "added");
    }

    let (old_poly, new_poly) = (old.polymorphic(), new.polymorphic());
    for (name, def) in &old.types {
        let Some(new_def) = new.types.get(name) else {
            summary.types_removed += 1;
            c.push(Breaking, "type", name, "removed");
            continue;
        };
        match (def, new_def) {
            (TypeDef::Complex(a), TypeDef::Complex(b)) => {
                complex(&mut c, a, b);
                if !old_poly.contains(name) && new_poly.contains(name) {
                    c.push(
                        Breaking,
                        "type",
                        name,
                        "gains derived types: fields of this type become polymorphic (Any* enums)",
                    );
                } else if old_poly.contains(name) && !new_poly.contains(name) {
                    c.push(
                        Breaking,
                        "type",
                        name,
                        "loses all derived types: its Any* enum goes away",
                    );
                }
            }
            (TypeDef::Enum(a), TypeDef::Enum(b)) => {
                for v in a.values.iter().filter(|v| !b.values.contains(v)) {
                    c.push(Breaking, "enum value", format!("{name}.{v}"), "removed");
                }
                for v in b.values.iter().filter(|v| !a.values.contains(v)) {
                    c.push(Additive, "enum value", format!("{name}.{v}"), "added");
                }
            }
            _ => c.push(
                Breaking,
                "type",
                name,
                "changed between complex type and enumeration",
            ),
        }
    }
    for name in new.types.keys().filter(|n| !old.types.contains_key(*n)) {
        summary.types_added += 1;
        c.push(Additive, "type", name, "added");
    }

    let mut changes = c.0;
    changes.sort();
    summary.breaking = changes.iter().filter(|c| c.impact == Breaking).count();
    summary.additive = changes.len() - summary.breaking;
    Diff { changes, summary }
}

fn complex(c: &mut Collector, a: &ComplexType, b: &ComplexType) {
    use Impact::{Additive, Breaking};
    let name = &a.name;
    if a.base != b.base {
        let show = |x: &Option<String>| x.clone().unwrap_or_else(|| "none".into());
        c.push(
            Breaking,
            "type",
            name,
            format!("base {} -> {}", show(&a.base), show(&b.base)),
        );
    }
    let old: BTreeMap<&str, (usize, &Field)> = a
        .own_fields()
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.as_str(), (i, f)))
        .collect();
    let new: BTreeMap<&str, (usize, &Field)> = b
        .own_fields()
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.as_str(), (i, f)))
        .collect();
    for (fname, (_, f)) in &old {
        let path = format!("{name}.{fname}");
        let Some((_, g)) = new.get(fname) else {
            c.push(Breaking, "field", path, "removed");
            continue;
        };
        if f.ty != g.ty || f.wrapper_item != g.wrapper_item {
            c.push(
                Breaking,
                "field",
                &path,
                format!("type {} -> {}", describe_field(f), describe_field(g)),
            );
            continue;
        }
        let cap = |m: Option<usize>| m.unwrap_or(usize::MAX);
        if cap(g.max) < cap(f.max) {
            c.push(
                Breaking,
                "field",
                &path,
                format!(
                    "cardinality narrowed: {} -> {}",
                    describe_field(f),
                    describe_field(g)
                ),
            );
        } else if cap(g.max) > cap(f.max) {
            c.push(
                Breaking,
                "field",
                &path,
                format!(
                    "cardinality widened (its Rust type changes): {} -> {}",
                    describe_field(f),
                    describe_field(g)
                ),
            );
        }
        if f.min == 0 && g.min > 0 {
            c.push(Breaking, "field", &path, "becomes required");
        } else if f.min > 0 && g.min == 0 {
            c.push(
                Breaking,
                "field",
                &path,
                "becomes optional (its Rust type becomes an Option)",
            );
        }
        if f.nillable != g.nillable {
            c.push(
                Additive,
                "field",
                &path,
                format!("nillable {} -> {}", f.nillable, g.nillable),
            );
        }
    }
    for (fname, (_, g)) in &new {
        if !old.contains_key(fname) {
            let path = format!("{name}.{fname}");
            if g.min > 0 {
                c.push(
                    Breaking,
                    "field",
                    path,
                    format!("added as required: {}", describe_field(g)),
                );
            } else {
                c.push(
                    Additive,
                    "field",
                    path,
                    format!("added: {}", describe_field(g)),
                );
            }
        }
    }
    fn order<'a>(
        m: &BTreeMap<&'a str, (usize, &Field)>,
        other: &BTreeMap<&str, (usize, &Field)>,
    ) -> Vec<&'a str> {
        let mut v: Vec<(usize, &'a str)> = m
            .iter()
            .filter(|(k, _)| other.contains_key(*k))
            .map(|(k, (i, _))| (*i, *k))
            .collect();
        v.sort();
        v.into_iter().map(|(_, k)| k).collect()
    }
    if order(&old, &new) != order(&new, &old) {
        c.push(
            Breaking,
            "type",
            name,
            "field order changed (requests are written in schema order)",
        );
    }
}
