//! The API surface of a model: a stable, sorted, line-oriented text that diffs well.
//!
//! ```text
//! operation Perform soapAction=Perform input=PerformRequestMsg output=PerformResponseMsg
//! element PerformRequestMsg type=PerformRequestMsg
//! type Send complex base=APIObject
//! field Send.ID xs:int [0..1]
//! enum SimpleOperators value=equals
//! ```
//! Operations, elements and types are sorted by name; a type's own fields follow it in schema
//! order (order is part of the wire format); inherited fields are implied by `base=`.

use crate::model::{Field, FieldType, Model, TypeDef};

/// How a field's type and cardinality read in the surface: `xs:int [0..1] nillable`.
pub fn describe_field(f: &Field) -> String {
    let ty = match &f.ty {
        FieldType::Xsd(x) => format!("xs:{x}"),
        FieldType::Named(n) => n.clone(),
        FieldType::Wildcard => "any".to_string(),
    };
    let max = f.max.map_or("*".to_string(), |m| m.to_string());
    let mut s = match &f.wrapper_item {
        Some(item) => format!("{ty} [{}..{}] list-of={item}[0..*]", f.min, max),
        None => format!("{ty} [{}..{}]", f.min, max),
    };
    if f.nillable {
        s.push_str(" nillable");
    }
    s
}

/// The surface text of `model`.
pub fn surface(model: &Model) -> String {
    let mut out = format!("namespace {}\n", model.target_namespace);
    let mut ops: Vec<_> = model.operations.iter().collect();
    ops.sort_by(|a, b| a.name.cmp(&b.name));
    for op in ops {
        out.push_str(&format!(
            "operation {} soapAction={} input={} output={}\n",
            op.name, op.soap_action, op.input_element, op.output_element
        ));
    }
    for (el, ty) in &model.elements {
        out.push_str(&format!("element {el} type={ty}\n"));
    }
    for (name, def) in &model.types {
        match def {
            TypeDef::Complex(c) => {
                let kind = if c.inline { "inline" } else { "complex" };
                match &c.base {
                    Some(b) => out.push_str(&format!("type {name} {kind} base={b}\n")),
                    None => out.push_str(&format!("type {name} {kind}\n")),
                }
                for f in c.own_fields() {
                    out.push_str(&format!("field {name}.{} {}\n", f.name, describe_field(f)));
                }
            }
            TypeDef::Enum(e) => {
                out.push_str(&format!("type {name} enum\n"));
                for v in &e.values {
                    out.push_str(&format!("enum {name} value={v}\n"));
                }
            }
        }
    }
    out
}
