//! Stage 1: read a WSDL 1.1 document (quick-xml): inline schemas, messages, port type, binding,
//! service address.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::Error;

const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
const SOAP_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";

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
}

struct Open {
    local: String,
    ns: Option<String>,
    decls: Vec<(String, String)>,
}

#[derive(Default)]
struct PortOp {
    name: String,
    documentation: Option<String>,
    input: Option<String>,
    output: Option<String>,
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
        let err = |pos: usize, message: String| Error::Wsdl {
            path: path.to_path_buf(),
            line: line_of(text, pos),
            message,
        };
        let mut reader = Reader::from_str(text);
        reader.config_mut().check_end_names = true;
        let mut stack: Vec<Open> = Vec::new();
        let mut target_namespace = None;
        let mut schemas = Vec::new();
        let mut messages: BTreeMap<String, String> = BTreeMap::new();
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
                    format!("not well-formed XML: {e}"),
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
                        let s = s.trim();
                        if !s.is_empty() {
                            op.documentation = Some(s.to_string());
                        }
                    }
                    continue;
                }
                Event::Eof => break,
                Event::DocType(_) => return Err(err(pos, "a DOCTYPE is not accepted".into())),
                _ => continue,
            };
            let open = open_element(&tag, &stack).map_err(|m| err(pos, m))?;
            let ns = open.ns.as_deref();
            let parent = stack.last().map(|o| (o.local.as_str(), o.ns.as_deref()));
            let attr = |name: &str| attribute(&tag, name);
            match (open.local.as_str(), ns, parent) {
                ("definitions", Some(WSDL_NS), None) => {
                    target_namespace = attr("targetNamespace");
                }
                (_, _, None) => {
                    return Err(err(
                        pos,
                        format!(
                            "the root element is <{}>, not a WSDL 1.1 <definitions> in {WSDL_NS}",
                            open.local
                        ),
                    ))
                }
                ("schema", Some(XSD_NS), Some(("types", Some(WSDL_NS)))) => {
                    let end = if empty {
                        reader.buffer_position() as usize
                    } else {
                        reader
                            .read_to_end(tag.name())
                            .map_err(|e| err(pos, format!("schema is not well-formed: {e}")))?;
                        reader.buffer_position() as usize
                    };
                    schemas.push(standalone_schema(&text[pos..end], &stack, &open));
                    continue;
                }
                ("message", Some(WSDL_NS), Some(("definitions", _))) => {
                    current_message = attr("name");
                }
                ("part", Some(WSDL_NS), Some(("message", _))) => {
                    let (Some(msg), Some(element)) = (current_message.clone(), attr("element"))
                    else {
                        return Err(err(pos, "a message part without an element attribute (only document/literal is supported)".into()));
                    };
                    messages.insert(msg, local(&element).to_string());
                }
                ("portType", Some(WSDL_NS), _) => port_types += 1,
                ("operation", Some(WSDL_NS), Some(("portType", _))) if port_types == 1 => {
                    port_ops.push(PortOp {
                        name: attr("name").unwrap_or_default(),
                        ..PortOp::default()
                    });
                }
                ("documentation", Some(WSDL_NS), Some(("operation", _))) if !empty => {
                    in_doc = port_ops.last().is_some_and(|o| o.documentation.is_none());
                }
                ("input" | "output", Some(WSDL_NS), Some(("operation", _)))
                    if binding_op.is_none() =>
                {
                    if let (Some(op), Some(msg)) = (port_ops.last_mut(), attr("message")) {
                        let msg = local(&msg).to_string();
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
                            return Err(err(pos, format!("binding style {style:?} is not supported (document/literal only)")));
                        }
                    }
                }
                ("operation", Some(WSDL_NS), Some(("binding", _))) => {
                    binding_op = Some(attr("name").unwrap_or_default());
                }
                ("operation", Some(SOAP_NS), _) => {
                    if let (Some(op), Some(action)) = (binding_op.as_ref(), attr("soapAction")) {
                        actions.entry(op.clone()).or_insert(action);
                    }
                }
                ("body", Some(SOAP_NS), _) if attr("use").is_some_and(|u| u != "literal") => {
                    return Err(err(
                        pos,
                        "soap:body use=\"encoded\" is not supported (document/literal only)".into(),
                    ));
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
        let target_namespace = target_namespace
            .ok_or_else(|| err(0, "<definitions> has no targetNamespace".into()))?;
        if schemas.is_empty() {
            return Err(err(0, "no inline <types><schema> found".into()));
        }
        let mut operations = Vec::new();
        for op in port_ops {
            let element = |msg: &Option<String>, what: &str| -> Result<String, Error> {
                let msg = msg.as_ref().ok_or_else(|| {
                    err(0, format!("operation {} has no {what} message", op.name))
                })?;
                messages.get(msg).cloned().ok_or_else(|| {
                    err(
                        0,
                        format!("operation {}: message {msg} is not declared", op.name),
                    )
                })
            };
            operations.push(WsdlOperation {
                input_element: element(&op.input, "input")?,
                output_element: element(&op.output, "output")?,
                soap_action: actions
                    .get(&op.name)
                    .cloned()
                    .unwrap_or_else(|| op.name.clone()),
                documentation: op.documentation,
                name: op.name,
            });
        }
        Ok(Self {
            path: path.to_path_buf(),
            target_namespace,
            schemas,
            operations,
            service_address,
        })
    }
}

fn open_element(tag: &BytesStart<'_>, stack: &[Open]) -> Result<Open, String> {
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

fn attribute(tag: &BytesStart<'_>, name: &str) -> Option<String> {
    tag.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

fn local(qname: &str) -> &str {
    qname.rsplit(':').next().unwrap_or(qname)
}

/// 1-based line number of byte offset `pos` in `text`.
pub(crate) fn line_of(text: &str, pos: usize) -> usize {
    text.as_bytes()[..pos.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
