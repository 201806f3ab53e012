//! What changed between two service descriptions, for the applications that use the bindings
//! generated from them.
//!
//! Fields are matched by their XSD names and compared through the Rust types the renderer
//! writes for them ([`render::field_rust_types`]), so that each change says what happens to an
//! application's code when the bindings are regenerated:
//!
//! - **breaking**: code written against the old bindings may stop compiling, or may build
//!   invalid requests: a removed operation, type, field, enumeration value or derived type (a
//!   renamed field is a removal plus an addition); a field whose Rust type changes
//!   (`Option<i32> -> i32`; `Base -> AnyBase` when a type gains its first derived type;
//!   `Item -> Box<Item>` when a new cycle boxes it); a new required field.
//! - **additive**: code compiles and behaves as before: a new operation or type; a new optional
//!   field, for code that builds values with `..Default::default()` (a struct literal naming
//!   every field stops compiling); a new enumeration value, or a new derived type of a type
//!   that is already polymorphic (generated enumerations and `Any*` enums are
//!   `#[non_exhaustive]`; a value formerly read as `Unrecognized(..)` or `Untyped` now reads as
//!   its own variant).
//! - **wire-only**: the Rust types stay the same, what goes over the wire changes (cardinality
//!   within the same `Vec` or `Option`, `nillable`, field order, a base type, a soapAction).
//!   Regenerating is enough, so these are not breaking (the exit code stays 0); they are listed
//!   because a request that was valid before may no longer be.
//!
//! Documentation and formatting are not compared: they produce no change.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{ComplexType, Field, FieldType, Model, TypeDef};
use crate::names;
use crate::render::field_rust_types;
use crate::surface::describe_field;

/// What a change does to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    /// Can break an existing application's code.
    Breaking,
    /// Only adds; existing code compiles and behaves as before.
    Additive,
    /// Changes the wire format only; the generated Rust types stay the same. Not breaking
    /// (regenerating is enough), but reported rather than dropped: a request that was valid
    /// may no longer be (a narrowed cardinality, another soapAction).
    WireOnly,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// Breaking, additive or wire-only.
    pub impact: Impact,
    /// What kind of thing changed: `namespace`, `operation`, `element`, `type`, `field`,
    /// `enum value`.
    pub what: &'static str,
    /// Its XSD name (`Send.ID` for a field).
    pub name: String,
    /// What happened to it.
    pub detail: String,
}

/// The changes from `old` to `new`: breaking ones first, then additive, then wire-only, each
/// group sorted by kind and name.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Diff {
    /// All changes.
    pub changes: Vec<Change>,
    /// Counts for a summary line.
    pub summary: Summary,
}

/// Counts of changes, and of what only one side has.
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
    /// Wire-only changes (no Rust change).
    pub wire_only: usize,
}

impl Diff {
    /// Whether any change is breaking.
    pub fn is_breaking(&self) -> bool {
        self.summary.breaking > 0
    }

    /// A readable report: a summary line
    /// (`2 breaking, 3 additive, 1 wire-only; operations +1 -0; types +2 -1`), then one line
    /// per change.
    pub fn report(&self) -> String {
        let s = &self.summary;
        let mut out = format!(
            "{} breaking, {} additive, {} wire-only; operations +{} -{}; types +{} -{}\n",
            s.breaking,
            s.additive,
            s.wire_only,
            s.operations_added,
            s.operations_removed,
            s.types_added,
            s.types_removed
        );
        for c in &self.changes {
            let tag = match c.impact {
                Impact::Breaking => "BREAKING",
                Impact::Additive => "additive",
                Impact::WireOnly => "wire",
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

/// One model with what the renderer derives from it.
struct Side<'a> {
    model: &'a Model,
    /// Rust type of each field, as rendered.
    rust: BTreeMap<String, Vec<String>>,
    /// Types written through an `Any*` enum.
    poly: BTreeSet<String>,
    descendants: BTreeMap<String, Vec<String>>,
}

impl<'a> Side<'a> {
    fn new(model: &'a Model) -> Self {
        Self {
            model,
            rust: field_rust_types(model),
            poly: model.polymorphic(),
            descendants: model.descendants(),
        }
    }

    /// The field `name` of type `ty` (the first, if several share the name) and its Rust type.
    fn field(&self, ty: &str, name: &str) -> Option<(&'a Field, &str)> {
        let c = self.model.complex(ty)?;
        let i = c.fields.iter().position(|f| f.name == name)?;
        let rust = self.rust.get(ty).and_then(|r| r.get(i))?;
        Some((&c.fields[i], rust.as_str()))
    }

    /// The derived types of `ty` (the variants of its `Any*` enum besides itself).
    fn derived(&self, ty: &str) -> BTreeSet<&str> {
        self.descendants
            .get(ty)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect()
    }
}

/// How a field compares across the sides, for telling whether a base explains it.
fn key(v: Option<(&Field, &str)>) -> Option<(String, String)> {
    v.map(|(f, rust)| (describe_field(f), rust.to_string()))
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
    operations(&mut c, &mut summary, old, new);
    elements(&mut c, old, new);

    let (a, b) = (Side::new(old), Side::new(new));
    // Types that become, or stop being, polymorphic: the fields whose Rust type changes only
    // for that reason are listed with the type, not one by one.
    let poly_changed: BTreeSet<&str> = a
        .poly
        .symmetric_difference(&b.poly)
        .map(String::as_str)
        .filter(|t| old.types.contains_key(*t) && new.types.contains_key(*t))
        .collect();
    let mut affected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, def) in &old.types {
        let Some(new_def) = new.types.get(name) else {
            summary.types_removed += 1;
            c.push(Breaking, "type", name, "removed");
            continue;
        };
        match (def, new_def) {
            (TypeDef::Complex(x), TypeDef::Complex(y)) => {
                let mut cx = ComplexDiff {
                    c: &mut c,
                    a: &a,
                    b: &b,
                    poly_changed: &poly_changed,
                    affected: &mut affected,
                };
                cx.complex(x, y);
            }
            (TypeDef::Enum(x), TypeDef::Enum(y)) => enumeration(&mut c, name, &x.values, &y.values),
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
    polymorphism(&mut c, &a, &b, &poly_changed, &affected);

    let mut changes = c.0;
    changes.sort();
    let count = |i: Impact| changes.iter().filter(|c| c.impact == i).count();
    summary.breaking = count(Breaking);
    summary.additive = count(Additive);
    summary.wire_only = count(Impact::WireOnly);
    Diff { changes, summary }
}

/// Operations: each is one method, named after it, taking and returning its elements' types.
fn operations(c: &mut Collector, summary: &mut Summary, old: &Model, new: &Model) {
    use Impact::{Additive, Breaking, WireOnly};
    let new_ops: BTreeMap<&str, _> = new
        .operations
        .iter()
        .map(|o| (o.name.as_str(), o))
        .collect();
    let old_names: BTreeSet<&str> = old.operations.iter().map(|o| o.name.as_str()).collect();
    for o in &old.operations {
        let name = o.name.as_str();
        let Some(n) = new_ops.get(name) else {
            summary.operations_removed += 1;
            c.push(Breaking, "operation", name, "removed");
            continue;
        };
        if o.soap_action != n.soap_action {
            c.push(
                WireOnly,
                "operation",
                name,
                format!(
                    "soapAction {} -> {} (no Rust change)",
                    o.soap_action, n.soap_action
                ),
            );
        }
        for (what, x, y) in [
            ("input", &o.input_element, &n.input_element),
            ("output", &o.output_element, &n.output_element),
        ] {
            if x == y {
                continue;
            }
            // The method's signature names the element's type, not the element.
            let (tx, ty) = (old.elements.get(x), new.elements.get(y));
            if tx.is_some() && tx == ty {
                c.push(
                    WireOnly,
                    "operation",
                    name,
                    format!("{what} {x} -> {y} (same type: no Rust change)"),
                );
            } else {
                c.push(Breaking, "operation", name, format!("{what} {x} -> {y}"));
            }
        }
    }
    for o in new
        .operations
        .iter()
        .filter(|o| !old_names.contains(o.name.as_str()))
    {
        summary.operations_added += 1;
        c.push(Additive, "operation", &o.name, "added");
    }
}

/// Top-level elements: in Rust, only those of operations show (as `XmlElement` impls).
fn elements(c: &mut Collector, old: &Model, new: &Model) {
    use Impact::{Additive, Breaking, WireOnly};
    let used = |el: &str| {
        old.operations
            .iter()
            .any(|o| o.input_element == el || o.output_element == el)
    };
    for (el, ty) in &old.elements {
        let detail = match new.elements.get(el) {
            None => "removed".to_string(),
            Some(t) if t != ty => format!("type {ty} -> {t}"),
            Some(_) => continue,
        };
        if used(el) {
            c.push(Breaking, "element", el, detail);
        } else {
            c.push(
                WireOnly,
                "element",
                el,
                format!("{detail} (no operation uses it: no Rust change)"),
            );
        }
    }
    for el in new
        .elements
        .keys()
        .filter(|e| !old.elements.contains_key(*e))
    {
        c.push(Additive, "element", el, "added");
    }
}

/// Enumeration values, with the Rust variant names the renderer gives them.
fn enumeration(c: &mut Collector, name: &str, old: &[String], new: &[String]) {
    use Impact::{Additive, Breaking};
    let rust = names::type_name(name);
    let variants = |values: &[String]| {
        // As the renderer names them: `Unrecognized` first, then the values, made unique.
        let mut v = vec!["Unrecognized".to_string()];
        v.extend(values.iter().map(|x| names::type_name(x)));
        names::dedupe(&mut v);
        values.iter().cloned().zip(v.into_iter().skip(1)).collect()
    };
    let (va, vb): (BTreeMap<String, String>, BTreeMap<String, String>) =
        (variants(old), variants(new));
    for (value, variant) in &va {
        let path = format!("{name}.{value}");
        match vb.get(value) {
            None => c.push(
                Breaking,
                "enum value",
                path,
                format!("removed: the variant {rust}::{variant} goes away"),
            ),
            Some(v) if v != variant => c.push(
                Breaking,
                "enum value",
                path,
                format!("Rust variant {rust}::{variant} -> {rust}::{v} (renamed to stay unique)"),
            ),
            Some(_) => {}
        }
    }
    for (value, variant) in vb.iter().filter(|(v, _)| !va.contains_key(*v)) {
        c.push(
            Additive,
            "enum value",
            format!("{name}.{value}"),
            format!(
                "added: the variant {rust}::{variant} ({rust} is #[non_exhaustive]); the value \
                 {value:?}, formerly read as {rust}::Unrecognized(..), now reads as \
                 {rust}::{variant}"
            ),
        );
    }
}

/// Types that become or stop being polymorphic, and new or lost derived types of those that
/// stay polymorphic.
fn polymorphism(
    c: &mut Collector,
    a: &Side,
    b: &Side,
    poly_changed: &BTreeSet<&str>,
    affected: &BTreeMap<String, Vec<String>>,
) {
    use Impact::{Additive, Breaking};
    let list = |v: &BTreeSet<&str>| v.iter().copied().collect::<Vec<_>>().join(", ");
    for &name in poly_changed {
        let any = format!("Any{}", names::type_name(name));
        let fields = affected.get(name).map_or(&[][..], Vec::as_slice);
        let shown = match fields.len() {
            0 => String::new(),
            n if n <= 12 => format!(": {}", fields.join(", ")),
            n => format!(": {}, and {} more", fields[..12].join(", "), n - 12),
        };
        if b.poly.contains(name) {
            let derived = list(&b.derived(name));
            if fields.is_empty() {
                c.push(
                    Additive,
                    "type",
                    name,
                    format!("becomes polymorphic (derived: {derived}): the enum {any} is added"),
                );
            } else {
                c.push(
                    Breaking,
                    "type",
                    name,
                    format!(
                        "gains derived types ({derived}): fields of this type become {any} \
                         enums{shown}"
                    ),
                );
            }
        } else {
            let why = if b.derived(name).is_empty() {
                "loses its last derived type"
            } else {
                "is no longer the type of any field"
            };
            c.push(
                Breaking,
                "type",
                name,
                format!("{why}: the enum {any} goes away{shown}"),
            );
        }
    }
    for name in a.poly.intersection(&b.poly) {
        let any = format!("Any{}", names::type_name(name));
        let (da, db) = (a.derived(name), b.derived(name));
        for d in da.difference(&db) {
            c.push(
                Breaking,
                "type",
                name.as_str(),
                format!(
                    "derived type {d} removed: the variant {any}::{} goes away",
                    names::type_name(d)
                ),
            );
        }
        for d in db.difference(&da) {
            let v = names::type_name(d);
            c.push(
                Additive,
                "type",
                name.as_str(),
                format!(
                    "derived type {d} added: the variant {any}::{v} ({any} is #[non_exhaustive]); \
                     a value of xsi:type {d}, formerly read as {any}::Untyped, now reads as \
                     {any}::{v}"
                ),
            );
        }
    }
}

/// Compares one complex type across the sides.
struct ComplexDiff<'c, 'm> {
    c: &'c mut Collector,
    a: &'c Side<'m>,
    b: &'c Side<'m>,
    poly_changed: &'c BTreeSet<&'m str>,
    /// Fields whose Rust type changes only because their type's polymorphism changes.
    affected: &'c mut BTreeMap<String, Vec<String>>,
}

impl ComplexDiff<'_, '_> {
    fn complex(&mut self, x: &ComplexType, y: &ComplexType) {
        use Impact::{Additive, Breaking, WireOnly};
        let name = x.name.as_str();
        if x.base != y.base {
            let show = |x: &Option<String>| x.clone().unwrap_or_else(|| "none".into());
            self.c.push(
                WireOnly,
                "type",
                name,
                format!(
                    "base {} -> {} (no Rust change by itself: the struct's fields are compared \
                     one by one)",
                    show(&x.base),
                    show(&y.base)
                ),
            );
        }
        // Every field, inherited ones too (the struct flattens them), in first-seen order.
        let mut seen = BTreeSet::new();
        let all: Vec<&str> = x
            .fields
            .iter()
            .chain(&y.fields)
            .map(|f| f.name.as_str())
            .filter(|n| seen.insert(*n))
            .collect();
        for fname in all {
            let (old, new) = (self.a.field(name, fname), self.b.field(name, fname));
            if self.explained_by_base(x, y, fname) {
                continue;
            }
            let path = format!("{name}.{fname}");
            match (old, new) {
                (None, None) => {}
                (Some((_, r)), None) => {
                    self.c
                        .push(Breaking, "field", path, format!("removed (was {r})"));
                }
                (None, Some((g, r))) if g.min > 0 => self.c.push(
                    Breaking,
                    "field",
                    path,
                    format!(
                        "added as required: {r} ({}); requests must set it",
                        describe_field(g)
                    ),
                ),
                (None, Some((g, r))) => self.c.push(
                    Additive,
                    "field",
                    path,
                    format!(
                        "added: {r} ({}); additive for code that builds values with \
                         ..Default::default() (a struct literal naming every field stops \
                         compiling)",
                        describe_field(g)
                    ),
                ),
                (Some((f, ra)), Some((g, rb))) => self.field(path, (f, ra), (g, rb)),
            }
        }
        fn order<'a>(own: &'a [Field], other: &[Field]) -> Vec<&'a str> {
            own.iter()
                .map(|f| f.name.as_str())
                .filter(|n| other.iter().any(|g| g.name == *n))
                .collect()
        }
        if order(x.own_fields(), y.own_fields()) != order(y.own_fields(), x.own_fields()) {
            self.c.push(
                WireOnly,
                "type",
                name,
                "field order changed (requests are written in schema order; no Rust change)",
            );
        }
    }

    /// Whether the field shows exactly as in the old or the new base, on both sides: that
    /// type's own comparison reports the change (inherited fields are reported once, where
    /// they are declared).
    fn explained_by_base(&self, x: &ComplexType, y: &ComplexType, fname: &str) -> bool {
        let (ka, kb) = (
            key(self.a.field(&x.name, fname)),
            key(self.b.field(&y.name, fname)),
        );
        // Only a base on both sides: a type only one side has reports no fields.
        let both =
            |t: &&String| self.a.model.complex(t).is_some() && self.b.model.complex(t).is_some();
        [&x.base, &y.base]
            .into_iter()
            .flatten()
            .filter(both)
            .any(|base| {
                ka == key(self.a.field(base, fname)) && kb == key(self.b.field(base, fname))
            })
    }

    /// A field on both sides.
    fn field(&mut self, path: String, (f, ra): (&Field, &str), (g, rb): (&Field, &str)) {
        use Impact::{Breaking, WireOnly};
        let (df, dg) = (describe_field(f), describe_field(g));
        if ra != rb {
            // Only the type's polymorphism changed: listed with the type.
            if let FieldType::Named(t) = &f.ty {
                let same_shape = f.ty == g.ty
                    && f.min == g.min
                    && f.max == g.max
                    && f.wrapper_item == g.wrapper_item;
                if same_shape && self.poly_changed.contains(t.as_str()) {
                    let entry = self.affected.entry(t.clone()).or_default();
                    entry.push(format!("{path} ({ra} -> {rb})"));
                    return;
                }
            }
            let why = if df == dg {
                format!("schema unchanged, {df}: boxed or unboxed as the cycles among types change")
            } else {
                format!("{df} -> {dg}")
            };
            self.c.push(
                Breaking,
                "field",
                path,
                format!("Rust type {ra} -> {rb} ({why})"),
            );
            return;
        }
        if df == dg {
            return;
        }
        // Same Rust type, different schema: what a request may hold changes.
        let mut parts = Vec::new();
        if f.ty != g.ty || f.wrapper_item != g.wrapper_item {
            parts.push("schema type changed".to_string());
        }
        if (f.min, f.max) != (g.min, g.max) {
            let cap = |m: Option<usize>| m.unwrap_or(usize::MAX);
            let narrower = g.min >= f.min && cap(g.max) <= cap(f.max);
            let wider = g.min <= f.min && cap(g.max) >= cap(f.max);
            parts.push(
                match (narrower, wider) {
                    (true, _) => "cardinality narrowed",
                    (_, true) => "cardinality widened",
                    _ => "cardinality changed",
                }
                .to_string(),
            );
        }
        if f.nillable != g.nillable {
            parts.push(format!("nillable {} -> {}", f.nillable, g.nillable));
        }
        self.c.push(
            WireOnly,
            "field",
            path,
            format!(
                "{}: {df} -> {dg}; Rust type unchanged ({ra})",
                parts.join(", ")
            ),
        );
    }
}
