//! Stage 1: read a WSDL 1.1 document (quick-xml): inline schemas, messages, port type, binding,
//! service address.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::schema_check::{self, SchemaScan};
use crate::Error;

const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
const SOAP_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
pub(crate) const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";

/// Where something is in the WSDL file: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    /// 1-based line; CR LF, a lone CR and LF each end a line, as XML normalizes them.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// An `import` of an inline schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaImport {
    /// Its `namespace`, if any.
    pub namespace: Option<String>,
    /// Its `schemaLocation`, if any.
    pub location: Option<String>,
    /// Where the `import` element is.
    pub position: Position,
}

/// One operation of the port type, joined with its binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsdlOperation {
    /// Operation name (`Perform`).
    pub name: String,
    /// The `documentation` text, if any.
    pub documentation: Option<String>,
    /// Local name of the input message's element (`PerformRequestMsg`).
    pub input_element: String,
    /// Local name of the output message's element (`PerformResponseMsg`).
    pub output_element: String,
    /// `soapAction` from the binding.
    pub soap_action: String,
}

/// What the generator takes from a WSDL document.
#[derive(Debug, Clone)]
pub struct WsdlDocument {
    /// The file it came from.
    pub path: PathBuf,
    /// `targetNamespace` of `definitions`.
    pub target_namespace: String,
    /// The inline schemas, each a standalone document (namespace declarations in scope carried
    /// onto the `schema` element).
    pub schemas: Vec<String>,
    /// Operations of the (first) port type, in document order.
    pub operations: Vec<WsdlOperation>,
    /// `soap:address location` of the service, if any.
    pub service_address: Option<String>,
    /// Where each inline schema's `schema` element is.
    pub schema_positions: Vec<Position>,
    /// The imports of the inline schemas.
    pub imports: Vec<SchemaImport>,
    /// Where the schemas declare each name: top-level types, else top-level elements, else the
    /// first local element of that name (for errors about a type the model names after it).
    pub declarations: BTreeMap<String, Position>,
}

impl WsdlDocument {
    /// Where the declaration of `name` is (see [`WsdlDocument::declarations`]), else the first
    /// schema.
    pub fn locate(&self, name: &str) -> Position {
        self.declarations
            .get(name)
            .or(self.schema_positions.first())
            .copied()
            .unwrap_or_default()
    }
}

/// Maps byte offsets of a text to [`Position`]s.
pub(crate) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    /// Indexes the line starts of `text`: after every LF, and after every CR not followed by LF.
    pub(crate) fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        Self { text, starts }
    }

    /// The position of byte offset `pos`.
    pub(crate) fn position(&self, pos: usize) -> Position {
        let pos = pos.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= pos).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..pos)
            .map_or(pos - start, |s| s.chars().count())
            + 1;
        Position { line, column }
    }
}

pub(crate) struct Open {
    pub(crate) local: String,
    pub(crate) ns: Option<String>,
    pub(crate) decls: Vec<(String, String)>,
}

#[derive(Default)]
struct PortOp {
    name: String,
    at: usize,
    documentation: String,
    input: Option<(String, usize)>,
    output: Option<(String, usize)>,
}

/// A message part: its element's local name, and where the part is.
struct Part {
    element: String,
    at: usize,
}

impl WsdlDocument {
    /// Reads and checks the WSDL file at `path`.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses WSDL `text`; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Self, Error> {
        let lines = Lines::new(text);
        let err = |pos: usize, message: String| {
            let at = lines.position(pos);
            Error::Wsdl {
                path: path.to_path_buf(),
                line: at.line,
                column: at.column,
                message,
            }
        };
        let mut reader = Reader::from_str(text);
        reader.config_mut().check_end_names = true;
        let mut stack: Vec<Open> = Vec::new();
        let mut root_at = 0usize;
        let mut types_at = None;
        let mut target_namespace = None;
        let mut scans: Vec<SchemaScan> = Vec::new();
        let mut schemas = Vec::new();
        let mut messages: BTreeMap<String, Option<Part>> = BTreeMap::new();
        let mut current_message: Option<String> = None;
        let mut port_ops: Vec<PortOp> = Vec::new();
        let mut port_types = 0usize;
        let mut actions: BTreeMap<String, String> = BTreeMap::new();
        let mut binding_op: Option<String> = None;
        let mut service_address = None;
        let mut in_doc = false;
        loop {
            let pos = reader.buffer_position() as usize;
            let event = reader.read_event().map_err(|e| {
                err(
                    reader.error_position() as usize,
                    format!("not well-formed XML: {e}; correct the markup there"),
                )
            })?;
            let (tag, empty) = match event {
                Event::Start(t) => (t, false),
                Event::Empty(t) => (t, true),
                Event::End(_) => {
                    stack.pop();
                    in_doc = false;
                    continue;
                }
                Event::Text(t) if in_doc => {
                    if let (Some(op), Ok(s)) = (port_ops.last_mut(), t.xml10_content()) {
                        op.documentation.push_str(&s);
                    }
                    continue;
                }
                Event::GeneralRef(r) if in_doc => {
                    if let Some(op) = port_ops.last_mut() {
                        let name = String::from_utf8_lossy(&r);
                        match (name.as_ref(), r.resolve_char_ref()) {
                            (_, Ok(Some(c))) => op.documentation.push(c),
                            ("amp", _) => op.documentation.push('&'),
                            ("lt", _) => op.documentation.push('<'),
                            ("gt", _) => op.documentation.push('>'),
                            ("quot", _) => op.documentation.push('"'),
                            ("apos", _) => op.documentation.push('\''),
                            _ => {}
                        }
                    }
                    continue;
                }
                Event::Eof => break,
                Event::DocType(_) => {
                    return Err(err(
                        pos,
                        "a DOCTYPE is not accepted; remove it (WSDL needs none)".into(),
                    ))
                }
                _ => continue,
            };
            let open = open_element(&tag, &stack).map_err(|m| err(pos, m))?;
            let ns = open.ns.as_deref();
            let parent = stack.last().map(|o| (o.local.as_str(), o.ns.as_deref()));
            let attr = |name: &str| attribute(&tag, name);
            match (open.local.as_str(), ns, parent) {
                ("definitions", Some(WSDL_NS), None) => {
                    root_at = pos;
                    target_namespace = attr("targetNamespace");
                }
                (_, _, None) => {
                    return Err(err(
                        pos,
                        format!(
                            "the root element is <{}> in namespace {}, not a WSDL 1.1 \
                             <definitions> in {WSDL_NS}; give a WSDL 1.1 document",
                            open.local,
                            ns.unwrap_or("(none)")
                        ),
                    ))
                }
                ("types", Some(WSDL_NS), Some(("definitions", _))) => {
                    types_at.get_or_insert(pos);
                }
                ("schema", Some(XSD_NS), Some(("types", Some(WSDL_NS)))) => {
                    let end = if empty {
                        reader.buffer_position() as usize
                    } else {
                        reader.read_to_end(tag.name()).map_err(|e| {
                            err(
                                reader.error_position() as usize,
                                format!("schema is not well-formed: {e}; correct the markup there"),
                            )
                        })?;
                        reader.buffer_position() as usize
                    };
                    scans.push(
                        schema_check::scan(text, pos, end, &stack).map_err(|(at, m)| {
                            err(
                                at,
                                format!("schema is not well-formed: {m}; correct the markup there"),
                            )
                        })?,
                    );
                    let schema = canonical_order(&text[pos..end]).map_err(|(at, m)| {
                        err(
                            pos + at,
                            format!("schema is not well-formed: {m}; correct the markup there"),
                        )
                    })?;
                    schemas.push(standalone_schema(&schema, &stack, &open));
                    continue;
                }
                ("message", Some(WSDL_NS), Some(("definitions", _))) => {
                    current_message = attr("name");
                    if let Some(m) = &current_message {
                        messages.entry(m.clone()).or_insert(None);
                    }
                }
                ("part", Some(WSDL_NS), Some(("message", _))) => {
                    let (Some(msg), Some(element)) = (current_message.clone(), attr("element"))
                    else {
                        return Err(err(
                            pos,
                            "a message part without an element attribute (only document/literal \
                             is supported); give the part an element=\"tns:...\" of the schema"
                                .into(),
                        ));
                    };
                    messages.insert(
                        msg,
                        Some(Part {
                            element: local(&element).to_string(),
                            at: pos,
                        }),
                    );
                }
                ("portType", Some(WSDL_NS), _) => port_types += 1,
                ("operation", Some(WSDL_NS), Some(("portType", _))) if port_types == 1 => {
                    port_ops.push(PortOp {
                        name: attr("name").unwrap_or_default(),
                        at: pos,
                        ..PortOp::default()
                    });
                }
                ("documentation", Some(WSDL_NS), Some(("operation", _))) if !empty => {
                    in_doc = port_ops.last().is_some_and(|o| o.documentation.is_empty());
                }
                ("input" | "output", Some(WSDL_NS), Some(("operation", _)))
                    if binding_op.is_none() =>
                {
                    if let (Some(op), Some(msg)) = (port_ops.last_mut(), attr("message")) {
                        let msg = (local(&msg).to_string(), pos);
                        if open.local == "input" {
                            op.input = Some(msg);
                        } else {
                            op.output = Some(msg);
                        }
                    }
                }
                ("binding", Some(WSDL_NS), _) => binding_op = Some(String::new()),
                ("binding", Some(SOAP_NS), _) => {
                    if let Some(style) = attr("style") {
                        if style != "document" {
                            return Err(err(
                                pos,
                                format!(
                                    "binding style {style:?} is not supported (document/literal \
                                     only); use style=\"document\""
                                ),
                            ));
                        }
                    }
                }
                ("operation", Some(WSDL_NS), Some(("binding", _))) => {
                    binding_op = Some(attr("name").unwrap_or_default());
                }
                ("operation", Some(SOAP_NS), _) => {
                    if let Some(style) = attr("style").filter(|s| s != "document") {
                        return Err(err(
                            pos,
                            format!(
                                "operation style {style:?} is not supported (document/literal \
                                 only); use style=\"document\""
                            ),
                        ));
                    }
                    if let (Some(op), Some(action)) = (binding_op.as_ref(), attr("soapAction")) {
                        actions.entry(op.clone()).or_insert(action);
                    }
                }
                ("body", Some(SOAP_NS), _) => {
                    if let Some(u) = attr("use").filter(|u| u != "literal") {
                        return Err(err(
                            pos,
                            format!(
                                "soap:body use={u:?} is not supported (document/literal only); \
                                 use use=\"literal\""
                            ),
                        ));
                    }
                }
                ("address", Some(SOAP_NS), _) if service_address.is_none() => {
                    service_address = attr("location");
                }
                _ => {}
            }
            if !empty {
                stack.push(open);
            }
        }
        let target_namespace = target_namespace.ok_or_else(|| {
            err(
                root_at,
                "<definitions> has no targetNamespace; add the service's namespace".into(),
            )
        })?;
        if schemas.is_empty() {
            return Err(err(
                types_at.unwrap_or(root_at),
                "no inline <types><schema> found; declare the types in an inline schema".into(),
            ));
        }
        schema_check::check(&scans).map_err(|(at, message)| {
            let at = lines.position(at);
            Error::Schema {
                path: path.to_path_buf(),
                line: at.line,
                column: at.column,
                message,
            }
        })?;
        let declared = |element: &str| {
            scans
                .iter()
                .any(|s| s.declares(schema_check::Kind::Element, element))
        };
        let mut operations = Vec::new();
        for op in port_ops {
            let element = |msg: &Option<(String, usize)>, what: &str| -> Result<String, Error> {
                let (msg, at) = msg.as_ref().ok_or_else(|| {
                    err(
                        op.at,
                        format!(
                            "operation {} has no {what} message; give it <{what} message=\"tns:...\"/>",
                            op.name
                        ),
                    )
                })?;
                let part = messages.get(msg).ok_or_else(|| {
                    err(
                        *at,
                        format!(
                            "operation {}: {what} message {msg} is not declared; declare \
                             <message name=\"{msg}\"> or correct the name",
                            op.name
                        ),
                    )
                })?;
                let part = part.as_ref().ok_or_else(|| {
                    err(
                        *at,
                        format!(
                            "operation {}: {what} message {msg} has no part; give it \
                             <part name=\"parameters\" element=\"tns:...\"/>",
                            op.name
                        ),
                    )
                })?;
                if !declared(&part.element) {
                    return Err(err(
                        part.at,
                        format!(
                            "operation {}: the part of {what} message {msg} names element {}, \
                             which the schema does not declare; declare it or correct the name",
                            op.name, part.element
                        ),
                    ));
                }
                Ok(part.element.clone())
            };
            let documentation = fold(&op.documentation);
            operations.push(WsdlOperation {
                input_element: element(&op.input, "input")?,
                output_element: element(&op.output, "output")?,
                soap_action: actions
                    .get(&op.name)
                    .cloned()
                    .unwrap_or_else(|| op.name.clone()),
                documentation,
                name: op.name,
            });
        }
        let mut declarations = BTreeMap::new();
        let mut imports = Vec::new();
        let mut schema_positions = Vec::new();
        for scan in &scans {
            schema_positions.push(lines.position(scan.at));
            imports.extend(scan.imports.iter().map(|i| SchemaImport {
                namespace: i.namespace.clone(),
                location: i.location.clone(),
                position: lines.position(i.at),
            }));
        }
        for pass in 0..3 {
            for scan in &scans {
                for (name, at) in scan.declaration_offsets(pass) {
                    declarations
                        .entry(name.to_string())
                        .or_insert_with(|| lines.position(at));
                }
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            target_namespace,
            schemas,
            operations,
            service_address,
            schema_positions,
            imports,
            declarations,
        })
    }
}

/// Text with its white space folded to single spaces, if any is left.
fn fold(text: &str) -> Option<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

pub(crate) fn open_element(tag: &BytesStart<'_>, stack: &[Open]) -> Result<Open, String> {
    let mut decls = Vec::new();
    for a in tag.attributes() {
        let a = a.map_err(|e| format!("bad attribute: {e}"))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = String::from_utf8_lossy(&a.value).into_owned();
        if key == "xmlns" {
            decls.push((String::new(), value));
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            decls.push((p.to_string(), value));
        }
    }
    let qname = String::from_utf8_lossy(tag.name().as_ref()).into_owned();
    let (prefix, local) = match qname.split_once(':') {
        Some((p, l)) => (p.to_string(), l.to_string()),
        None => (String::new(), qname.clone()),
    };
    let ns = decls
        .iter()
        .rev()
        .chain(stack.iter().rev().flat_map(|o| o.decls.iter().rev()))
        .find(|(p, _)| *p == prefix)
        .map(|(_, ns)| ns.clone());
    Ok(Open { local, ns, decls })
}

/// One top-level child of a schema: its text, kind, name and (for complex types) base.
struct Declaration<'a> {
    text: &'a str,
    kind: String,
    name: String,
    base: Option<String>,
}

/// The schema with its top-level declarations in a canonical order: other children (imports,
/// annotations) first as they were, then simple types by name, then complex types by name with
/// every base before the types derived from it, then elements by name.
///
/// The generated code, the surface and the diff then do not depend on declaration order, and
/// xsd-parser, whose interpreter can fail on some orders of mutually referring types derived
/// from one another, always sees bases first.
fn canonical_order(schema: &str) -> Result<String, (usize, String)> {
    let mut reader = Reader::from_str(schema);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut head_end = None;
    let mut decls: Vec<Declaration<'_>> = Vec::new();
    let mut current: Option<(usize, String, String)> = None;
    let mut base: Option<String> = None;
    let mut close: Option<usize> = None;
    loop {
        let pos = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| (reader.error_position() as usize, e.to_string()))?;
        let (tag, empty) = match event {
            Event::Start(t) => (Some(t), false),
            Event::Empty(t) => (Some(t), true),
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    finish_declaration(&mut decls, &mut current, &mut base, schema, &reader);
                } else if depth == 0 {
                    close = Some(pos);
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let Some(tag) = tag else { continue };
        let kind = String::from_utf8_lossy(tag.local_name().as_ref()).into_owned();
        match depth {
            0 => head_end = Some(reader.buffer_position() as usize),
            1 => {
                current = Some((
                    pos,
                    kind.clone(),
                    attribute(&tag, "name").unwrap_or_default(),
                ));
                if empty {
                    finish_declaration(&mut decls, &mut current, &mut base, schema, &reader);
                }
            }
            _ => {
                if base.is_none()
                    && matches!(kind.as_str(), "extension" | "restriction")
                    && depth == 3
                {
                    base = attribute(&tag, "base").map(|b| local(&b).to_string());
                }
            }
        }
        if !empty {
            depth += 1;
        }
    }
    let (Some(head_end), Some(close)) = (head_end, close) else {
        return Ok(schema.to_string());
    };
    let rank = |kind: &str| match kind {
        "simpleType" => 1,
        "complexType" => 2,
        "element" => 3,
        _ => 0,
    };
    let mut others: Vec<&Declaration<'_>> = decls.iter().filter(|d| rank(&d.kind) == 0).collect();
    let mut sorted: Vec<&Declaration<'_>> = decls.iter().filter(|d| rank(&d.kind) != 0).collect();
    sorted.sort_by(|a, b| (rank(&a.kind), &a.name).cmp(&(rank(&b.kind), &b.name)));
    // Bases first among the complex types (depth-first, so a chain comes out in order).
    let complex: BTreeMap<&str, &Declaration<'_>> = sorted
        .iter()
        .filter(|d| d.kind == "complexType")
        .map(|d| (d.name.as_str(), *d))
        .collect();
    let mut ordered: Vec<&Declaration<'_>> = Vec::with_capacity(decls.len());
    let mut placed = std::collections::BTreeSet::new();
    for d in sorted {
        if d.kind != "complexType" {
            ordered.push(d);
            continue;
        }
        let mut chain = vec![d];
        let mut next = d.base.as_deref().and_then(|b| complex.get(b));
        while let Some(b) = next {
            if chain.iter().any(|c| c.name == b.name) {
                break;
            }
            chain.push(b);
            next = b.base.as_deref().and_then(|x| complex.get(x));
        }
        for c in chain.into_iter().rev() {
            if placed.insert(c.name.as_str()) {
                ordered.push(c);
            }
        }
    }
    others.extend(ordered);
    let mut out = String::with_capacity(schema.len());
    out.push_str(&schema[..head_end]);
    for d in others {
        out.push('\n');
        out.push_str(d.text);
    }
    out.push('\n');
    out.push_str(&schema[close..]);
    Ok(out)
}

fn finish_declaration<'a>(
    decls: &mut Vec<Declaration<'a>>,
    current: &mut Option<(usize, String, String)>,
    base: &mut Option<String>,
    schema: &'a str,
    reader: &Reader<&[u8]>,
) {
    if let Some((start, kind, name)) = current.take() {
        let end = reader.buffer_position() as usize;
        decls.push(Declaration {
            text: &schema[start..end.min(schema.len())],
            kind,
            name,
            base: base.take(),
        });
    }
}

/// The schema text with every namespace declaration in scope at its start tag written onto it.
fn standalone_schema(schema: &str, stack: &[Open], open: &Open) -> String {
    let mut extra = String::new();
    let mut seen: Vec<&str> = open.decls.iter().map(|(p, _)| p.as_str()).collect();
    for o in stack.iter().rev() {
        for (p, ns) in o.decls.iter().rev() {
            if seen.contains(&p.as_str()) {
                continue;
            }
            seen.push(p);
            if p.is_empty() {
                extra.push_str(&format!(" xmlns=\"{ns}\""));
            } else {
                extra.push_str(&format!(" xmlns:{p}=\"{ns}\""));
            }
        }
    }
    let name_end = schema
        .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .unwrap_or(schema.len());
    format!("{}{}{}", &schema[..name_end], extra, &schema[name_end..])
}

pub(crate) fn attribute(tag: &BytesStart<'_>, name: &str) -> Option<String> {
    tag.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

pub(crate) fn local(qname: &str) -> &str {
    qname.rsplit(':').next().unwrap_or(qname)
}
