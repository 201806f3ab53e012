//! The front end's check of the inline schemas before xsd-parser sees them: every QName
//! reference (`type`, `base`, `ref`, `itemType`, `memberTypes`, `substitutionGroup`) must have a
//! bound prefix, point into XML Schema, the target namespace or an imported one, and name
//! something the inline schemas declare. One quick-xml pass per schema; positions are byte
//! offsets into the WSDL text.

use std::collections::BTreeMap;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::wsdl::{attribute, open_element, Open, XSD_NS};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// What a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Type,
    Element,
    Attribute,
    Group,
    AttributeGroup,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Type => "type",
            Kind::Element => "element",
            Kind::Attribute => "attribute",
            Kind::Group => "group",
            Kind::AttributeGroup => "attribute group",
        }
    }
}

/// An `import` of a schema, at a byte offset.
pub(crate) struct Import {
    pub(crate) namespace: Option<String>,
    pub(crate) location: Option<String>,
    pub(crate) at: usize,
}

/// One QName reference of a schema.
struct Reference {
    kind: Kind,
    attr: &'static str,
    value: String,
    /// The namespace, or the unbound prefix.
    ns: Result<Option<String>, String>,
    local: String,
    at: usize,
    context: String,
}

/// What one pass over an inline schema found.
pub(crate) struct SchemaScan {
    /// Offset of the `schema` element.
    pub(crate) at: usize,
    target_namespace: Option<String>,
    pub(crate) imports: Vec<Import>,
    declared: BTreeMap<(Kind, String), usize>,
    local_elements: BTreeMap<String, usize>,
    references: Vec<Reference>,
}

impl SchemaScan {
    /// Whether this schema declares a top-level `kind` named `name`.
    pub(crate) fn declares(&self, kind: Kind, name: &str) -> bool {
        self.declared.contains_key(&(kind, name.to_string()))
    }

    /// Names and offsets of the declarations: top-level types (pass 0), top-level elements
    /// (pass 1), local elements (pass 2).
    pub(crate) fn declaration_offsets(&self, pass: u8) -> Vec<(&str, usize)> {
        match pass {
            0 | 1 => {
                let kind = if pass == 0 { Kind::Type } else { Kind::Element };
                self.declared
                    .iter()
                    .filter(|((k, _), _)| *k == kind)
                    .map(|((_, n), at)| (n.as_str(), *at))
                    .collect()
            }
            _ => self
                .local_elements
                .iter()
                .map(|(n, at)| (n.as_str(), *at))
                .collect(),
        }
    }
}

/// A schema element on the way down: its local name and `name`/`ref`.
struct Node {
    kind: String,
    name: Option<String>,
}

/// Reads the schema `text[start..end]` (whose ancestors in the WSDL are `stack`), collecting
/// declarations, imports and references. Errors are (offset, message).
pub(crate) fn scan(
    text: &str,
    start: usize,
    end: usize,
    stack: &[Open],
) -> Result<SchemaScan, (usize, String)> {
    let schema = &text[start..end];
    let mut reader = Reader::from_str(schema);
    reader.config_mut().check_end_names = true;
    // Namespace scopes: the WSDL ancestors' declarations, then one entry per open element.
    let mut scopes: Vec<Open> = stack
        .iter()
        .map(|o| Open {
            local: o.local.clone(),
            ns: o.ns.clone(),
            decls: o.decls.clone(),
        })
        .collect();
    let outer = scopes.len();
    let mut path: Vec<Node> = Vec::new();
    let mut skip = 0usize;
    let mut out = SchemaScan {
        at: start,
        target_namespace: None,
        imports: Vec::new(),
        declared: BTreeMap::new(),
        local_elements: BTreeMap::new(),
        references: Vec::new(),
    };
    loop {
        let pos = start + reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| (start + reader.error_position() as usize, e.to_string()))?;
        let (tag, empty) = match event {
            Event::Start(t) => (t, false),
            Event::Empty(t) => (t, true),
            Event::End(_) => {
                if skip > 0 {
                    skip -= 1;
                    if skip > 0 {
                        continue;
                    }
                } else {
                    path.pop();
                }
                if scopes.len() > outer {
                    scopes.pop();
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        if skip > 0 {
            if !empty {
                skip += 1;
            }
            continue;
        }
        let open = open_element(&tag, &scopes).map_err(|m| (pos, m))?;
        let is_xsd = open.ns.as_deref() == Some(XSD_NS);
        let kind = if is_xsd {
            open.local.clone()
        } else {
            String::new()
        };
        scopes.push(open);
        if kind == "annotation" || !is_xsd && !path.is_empty() {
            // Documentation and foreign content may hold anything.
            if empty {
                scopes.pop();
            } else {
                skip = 1;
            }
            continue;
        }
        let attr = |name: &str| attribute(&tag, name);
        let name = attr("name");
        match (path.len(), kind.as_str()) {
            (0, _) => out.target_namespace = attr("targetNamespace"),
            (1, "import") => out.imports.push(Import {
                namespace: attr("namespace"),
                location: attr("schemaLocation"),
                at: pos,
            }),
            (1, k) => {
                let declared = match k {
                    "simpleType" | "complexType" => Some(Kind::Type),
                    "element" => Some(Kind::Element),
                    "attribute" => Some(Kind::Attribute),
                    "group" => Some(Kind::Group),
                    "attributeGroup" => Some(Kind::AttributeGroup),
                    _ => None,
                };
                if let (Some(d), Some(n)) = (declared, &name) {
                    out.declared.entry((d, n.clone())).or_insert(pos);
                }
            }
            (_, "element") => {
                if let Some(n) = &name {
                    out.local_elements.entry(n.clone()).or_insert(pos);
                }
            }
            _ => {}
        }
        let references: &[(&'static str, Kind)] = match kind.as_str() {
            "element" => &[
                ("type", Kind::Type),
                ("ref", Kind::Element),
                ("substitutionGroup", Kind::Element),
            ],
            "attribute" => &[("type", Kind::Type), ("ref", Kind::Attribute)],
            "restriction" | "extension" => &[("base", Kind::Type)],
            "list" => &[("itemType", Kind::Type)],
            "union" => &[("memberTypes", Kind::Type)],
            "group" => &[("ref", Kind::Group)],
            "attributeGroup" => &[("ref", Kind::AttributeGroup)],
            _ => &[],
        };
        for &(attr_name, ref_kind) in references {
            let Some(value) = attr(attr_name) else {
                continue;
            };
            let context = context(&path, &kind, name.as_deref());
            for qname in value.split_whitespace() {
                let (prefix, local) = qname.split_once(':').unwrap_or(("", qname));
                let ns = if prefix == "xml" {
                    Ok(Some(XML_NS.to_string()))
                } else {
                    match namespace_of(prefix, &scopes) {
                        Some(ns) => Ok((!ns.is_empty()).then(|| ns.to_string())),
                        None if prefix.is_empty() => Ok(None),
                        None => Err(prefix.to_string()),
                    }
                };
                out.references.push(Reference {
                    kind: ref_kind,
                    attr: attr_name,
                    value: value.clone(),
                    ns,
                    local: local.to_string(),
                    at: pos,
                    context: context.clone(),
                });
            }
        }
        if empty {
            scopes.pop();
        } else {
            path.push(Node { kind, name });
        }
    }
    Ok(out)
}

/// The namespace `prefix` is bound to in `scopes` (innermost first).
fn namespace_of<'a>(prefix: &str, scopes: &'a [Open]) -> Option<&'a str> {
    scopes
        .iter()
        .rev()
        .flat_map(|o| o.decls.iter().rev())
        .find(|(p, _)| p == prefix)
        .map(|(_, ns)| ns.as_str())
}

/// A named schema component: `complex type X`, `element Y`.
fn describe(kind: &str, name: &str) -> Option<String> {
    let noun = match kind {
        "complexType" => "complex type",
        "simpleType" => "simple type",
        "element" => "element",
        "attribute" => "attribute",
        "group" => "group",
        "attributeGroup" => "attribute group",
        _ => return None,
    };
    Some(format!("{noun} {name}"))
}

/// What refers: `element Foo of complex type Bar`, `the extension of complex type Baz`.
fn context(path: &[Node], kind: &str, name: Option<&str>) -> String {
    let subject = name.and_then(|n| describe(kind, n)).unwrap_or_else(|| {
        match kind {
            "element" => "an element reference",
            "attribute" => "an attribute reference",
            "group" => "a group reference",
            "attributeGroup" => "an attribute group reference",
            "restriction" => "the restriction",
            "extension" => "the extension",
            "list" => "the list",
            "union" => "the union",
            _ => "a declaration",
        }
        .to_string()
    });
    let owner = path
        .iter()
        .rev()
        .find_map(|n| n.name.as_deref().and_then(|name| describe(&n.kind, name)));
    match owner {
        Some(owner) => format!("{subject} of {owner}"),
        None => subject,
    }
}

/// The built-in types of XML Schema 1.0 and 1.1.
const BUILT_IN: &[&str] = &[
    "anyType",
    "anySimpleType",
    "anyAtomicType",
    "string",
    "normalizedString",
    "token",
    "language",
    "Name",
    "NCName",
    "ID",
    "IDREF",
    "IDREFS",
    "ENTITY",
    "ENTITIES",
    "NMTOKEN",
    "NMTOKENS",
    "QName",
    "NOTATION",
    "anyURI",
    "base64Binary",
    "hexBinary",
    "boolean",
    "decimal",
    "integer",
    "nonPositiveInteger",
    "negativeInteger",
    "long",
    "int",
    "short",
    "byte",
    "nonNegativeInteger",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
    "positiveInteger",
    "float",
    "double",
    "duration",
    "dayTimeDuration",
    "yearMonthDuration",
    "dateTime",
    "dateTimeStamp",
    "date",
    "time",
    "gYear",
    "gYearMonth",
    "gMonth",
    "gMonthDay",
    "gDay",
];

/// Checks every reference of the inline schemas `scans`; the first wrong one in document
/// order is the error (offset, message).
pub(crate) fn check(scans: &[SchemaScan]) -> Result<(), (usize, String)> {
    for scan in scans {
        let tns = scan.target_namespace.as_deref();
        for r in &scan.references {
            let ns = match &r.ns {
                Ok(ns) => ns.as_deref(),
                Err(prefix) => {
                    return Err((
                        r.at,
                        format!(
                            "the prefix {prefix} of {}=\"{}\" is not bound to a namespace (in {}); \
                             declare xmlns:{prefix} or correct the prefix",
                            r.attr, r.value, r.context
                        ),
                    ))
                }
            };
            if ns == Some(XSD_NS) {
                if r.kind == Kind::Type && !BUILT_IN.contains(&r.local.as_str()) {
                    return Err((
                        r.at,
                        format!(
                            "{} is not a built-in type of XML Schema (referred to by {}); \
                             correct the name",
                            r.local, r.context
                        ),
                    ));
                }
                continue;
            }
            if ns == Some(XML_NS) {
                continue;
            }
            let imported = scan.imports.iter().any(|i| i.namespace.as_deref() == ns);
            if ns != tns && !imported {
                return Err((
                    r.at,
                    format!(
                        "{}=\"{}\" refers to namespace {}, which is neither XML Schema, the \
                         target namespace ({}) nor imported (in {}); correct the prefix or add \
                         <import namespace=\"{}\"/> to the schema",
                        r.attr,
                        r.value,
                        ns.unwrap_or("(none)"),
                        tns.unwrap_or("none"),
                        r.context,
                        ns.unwrap_or("")
                    ),
                ));
            }
            // Only namespaces some inline schema declares are checked here; an imported schema
            // is read (and checked) by xsd-parser.
            let holders: Vec<&SchemaScan> = scans
                .iter()
                .filter(|s| s.target_namespace.as_deref() == ns)
                .collect();
            if holders.is_empty() {
                continue;
            }
            let declared = holders.iter().any(|s| s.declares(r.kind, &r.local));
            if !declared {
                return Err((
                    r.at,
                    format!(
                        "{} {} is not declared (referred to by {}); declare it or correct the \
                         name",
                        r.kind.noun(),
                        r.local,
                        r.context
                    ),
                ));
            }
        }
    }
    Ok(())
}
