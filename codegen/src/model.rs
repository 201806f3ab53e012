//! Stage 2: the schema through xsd-parser (parse, resolve, interpret), then condensed into the
//! generator's own model: named complex types with their fields flattened from their bases,
//! enumerations, top-level elements, and the operations of the WSDL.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use xsd_parser::models::meta::{
    ElementMetaVariant, ElementMode, MetaType, MetaTypeVariant, MetaTypes,
};
use xsd_parser::models::schema::MaxOccurs;
use xsd_parser::models::IdentType;
use xsd_parser::pipeline::parser::resolver::{ResolveRequest, ResolveResult, Resolver};
use xsd_parser::{Interpreter, Parser, TypeIdent};

use crate::wsdl::{Position, WsdlDocument, WsdlOperation};
use crate::Error;

const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";

/// The type of a field.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum FieldType {
    /// A built-in XML Schema type, by its XSD name (`int`, `dateTime`, ...).
    Xsd(String),
    /// A complex type or enumeration of the model, by its key in [`Model::types`].
    Named(String),
    /// An `xs:any` wildcard: child elements of any name, kept as raw XML.
    Wildcard,
}

/// The schema name given to the field of an `xs:any` wildcard (no element has this name).
pub const WILDCARD_NAME: &str = "##any";

/// One child element of a complex type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The element name (`ID`).
    pub name: String,
    /// Its type (of the items, for a list).
    pub ty: FieldType,
    /// `minOccurs`.
    pub min: usize,
    /// `maxOccurs`; `None` for `unbounded`.
    pub max: Option<usize>,
    /// `nillable="true"`.
    pub nillable: bool,
    /// For a wrapper element (an inline type holding one repeated element), the item element
    /// name; `min`/`max` then describe the wrapper, and the items are a list.
    pub wrapper_item: Option<String>,
    /// The element's `xs:documentation`, white space folded.
    pub documentation: Option<String>,
}

impl Field {
    /// Whether the field holds several values (repeated, or a wrapper list). A wildcard is
    /// always a list of raw elements, whatever its `maxOccurs`.
    pub fn is_list(&self) -> bool {
        self.wrapper_item.is_some() || self.max != Some(1) || self.is_wildcard()
    }

    /// Whether the field is an `xs:any` wildcard.
    pub fn is_wildcard(&self) -> bool {
        self.ty == FieldType::Wildcard
    }
}

/// A complex type with its base's fields first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplexType {
    /// The XSD name (or, for an inline type, the element path it was declared at).
    pub name: String,
    /// The base type it extends.
    pub base: Option<String>,
    /// All fields, inherited ones first, in schema order.
    pub fields: Vec<Field>,
    /// How many of `fields` come from the base.
    pub inherited: usize,
    /// Declared inline (anonymous) at an element.
    pub inline: bool,
    /// Documentation from the schema.
    pub documentation: Option<String>,
}

impl ComplexType {
    /// The fields this type declares itself.
    pub fn own_fields(&self) -> &[Field] {
        &self.fields[self.inherited.min(self.fields.len())..]
    }
}

/// An enumeration (a string restriction with enumerated values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumType {
    /// The XSD name.
    pub name: String,
    /// The values in schema order.
    pub values: Vec<String>,
    /// Documentation from the schema.
    pub documentation: Option<String>,
}

/// A type of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeDef {
    /// A complex type.
    Complex(ComplexType),
    /// An enumeration.
    Enum(EnumType),
}

/// An operation: input and output elements and SOAPAction.
pub type Operation = WsdlOperation;

/// The generator's model of a WSDL: what rendering, the API surface and the diff work from.
#[derive(Debug, Clone)]
pub struct Model {
    /// Target namespace of the service.
    pub target_namespace: String,
    /// The service address from the WSDL, if any.
    pub service_address: Option<String>,
    /// Complex types and enumerations, by name.
    pub types: BTreeMap<String, TypeDef>,
    /// Top-level elements: element name to type name.
    pub elements: BTreeMap<String, String>,
    /// Operations in WSDL order.
    pub operations: Vec<Operation>,
    /// Files read (the WSDL and every schema it imports).
    pub files_read: Vec<PathBuf>,
}

impl Model {
    /// The complex type `name`, if it is one.
    pub fn complex(&self, name: &str) -> Option<&ComplexType> {
        match self.types.get(name) {
            Some(TypeDef::Complex(c)) => Some(c),
            _ => None,
        }
    }

    /// Direct and indirect derived types of every complex type that has any, sorted.
    pub fn descendants(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, def) in &self.types {
            let TypeDef::Complex(c) = def else { continue };
            let mut base = c.base.clone();
            let mut guard = 0;
            while let Some(b) = base {
                out.entry(b.clone()).or_default().push(name.clone());
                base = self.complex(&b).and_then(|c| c.base.clone());
                guard += 1;
                if guard > 64 {
                    break;
                }
            }
        }
        for v in out.values_mut() {
            v.sort();
        }
        out
    }
}

impl Model {
    /// The types read and written polymorphically (through an `Any*` enum): those that others
    /// extend and that some field refers to.
    pub fn polymorphic(&self) -> BTreeSet<String> {
        let descendants = self.descendants();
        self.types
            .values()
            .filter_map(|d| match d {
                TypeDef::Complex(c) => Some(c),
                TypeDef::Enum(_) => None,
            })
            .flat_map(|c| &c.fields)
            .filter_map(|f| match &f.ty {
                FieldType::Named(n) if descendants.contains_key(n) => Some(n.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Serves schema imports from local files only: by namespace, or relative to the WSDL.
#[derive(Debug)]
struct LocalResolver {
    base_dir: PathBuf,
    by_namespace: Vec<(String, ImportSource)>,
    read: Rc<RefCell<Vec<PathBuf>>>,
}

/// Where the schema of an imported namespace comes from.
#[derive(Debug, Clone)]
pub enum ImportSource {
    /// A local file.
    File(PathBuf),
    /// Schema text held in memory (e.g. embedded in a binary).
    Text(String),
}

impl Resolver for LocalResolver {
    type Buffer = Box<dyn std::io::BufRead>;
    type Error = String;

    fn resolve(&mut self, req: &ResolveRequest) -> ResolveResult<Self> {
        let ns = req
            .requested_ns
            .as_ref()
            .map(|n| String::from_utf8_lossy(&n.0).into_owned());
        let location = &req.requested_location;
        let mapped = ns
            .as_ref()
            .and_then(|ns| self.by_namespace.iter().find(|(n, _)| n == ns))
            .map(|(_, p)| p.clone());
        let path = match mapped {
            Some(ImportSource::Text(text)) => {
                let url = url::Url::parse(&format!(
                    "urn:embedded:{}",
                    ns.as_deref().unwrap_or("schema")
                ))
                .map_err(|e| format!("embedded schema: {e}"))?;
                return Ok(Some((
                    None,
                    url,
                    Box::new(std::io::Cursor::new(text.into_bytes())),
                )));
            }
            Some(ImportSource::File(p)) => p,
            None if location.contains("://") => {
                return Err(format!(
                    "the schema imports {location} (namespace {}); the build never fetches from \
                     the network: map that namespace to a local file",
                    ns.as_deref().unwrap_or("none")
                ))
            }
            None => self.base_dir.join(location),
        };
        let abs = std::fs::canonicalize(&path)
            .map_err(|e| format!("imported schema {}: {e}", path.display()))?;
        let file =
            File::open(&abs).map_err(|e| format!("imported schema {}: {e}", abs.display()))?;
        let url = url::Url::from_file_path(&abs)
            .map_err(|()| format!("imported schema {}: not a file path", abs.display()))?;
        self.read.borrow_mut().push(abs.clone());
        let name = abs.file_stem().map(|s| s.to_string_lossy().into_owned());
        Ok(Some((name, url, Box::new(BufReader::new(file)))))
    }
}

/// Builds the model of the WSDL at `path`, serving imports of the namespaces in `imports` from
/// the given local files.
pub fn load(path: &Path, imports: &[(String, ImportSource)]) -> Result<Model, Error> {
    let wsdl = WsdlDocument::read(path)?;
    let schema_err = |at: Position, message: String| Error::Schema {
        path: path.to_path_buf(),
        line: at.line,
        column: at.column,
        message,
    };
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    check_imports(&wsdl, &base_dir, imports).map_err(|(at, m)| schema_err(at, m))?;
    let read = Rc::new(RefCell::new(vec![path.to_path_buf()]));
    let resolver = LocalResolver {
        base_dir,
        by_namespace: imports.to_vec(),
        read: read.clone(),
    };
    let interpreted = guard_panics(|| {
        let mut parser = Parser::new()
            .with_resolver(resolver)
            .resolve_includes(true)
            .with_default_namespaces();
        for schema in &wsdl.schemas {
            parser = parser
                .add_schema_from_str(schema)
                .map_err(|e| e.to_string())?;
        }
        let schemas = parser.finish();
        Interpreter::new(&schemas)
            .with_buildin_types()
            .and_then(|i| i.with_default_typedefs())
            .and_then(|i| i.finish())
            .map(|(types, _)| types)
            .map_err(|e| e.to_string())
    });
    let types = interpreted.map_err(|m| {
        schema_err(
            wsdl.schema_positions.first().copied().unwrap_or_default(),
            format!(
                "xsd-parser rejected the schema: {}; correct the schema there",
                tidy_message(&m)
            ),
        )
    })?;
    let target = wsdl.target_namespace.clone();
    let mut builder = Builder {
        types: &types,
        target_ns: namespace_id(&types, &target),
        xsd_ns: namespace_id(&types, XSD_NS),
        out: BTreeMap::new(),
        path,
        wsdl: &wsdl,
    };
    let mut elements = BTreeMap::new();
    for (ident, ty) in &types.items {
        if Some(ident.ns) != builder.target_ns {
            continue;
        }
        match ident.type_ {
            IdentType::Type if ident.name.is_named() => {
                builder.named_type(ident, ty)?;
            }
            IdentType::Element if ident.name.is_named() => {
                if let MetaTypeVariant::Reference(r) = &ty.variant {
                    let name = builder.element_type(&r.type_, ident.name.as_str())?;
                    elements.insert(ident.name.as_str().to_string(), name);
                }
            }
            _ => {}
        }
    }
    for op in &wsdl.operations {
        for el in [&op.input_element, &op.output_element] {
            if !elements.contains_key(el) {
                return Err(schema_err(
                    wsdl.locate(el),
                    format!(
                        "operation {} uses element {el}, which the schema does not declare as a \
                         top-level element; declare it or correct the message part",
                        op.name
                    ),
                ));
            }
        }
    }
    let files_read = read.borrow().clone();
    let model_types = builder.out;
    Ok(Model {
        target_namespace: target,
        service_address: wsdl.service_address,
        types: model_types,
        elements,
        operations: wsdl.operations,
        files_read,
    })
}

/// Checks that every import of the inline schemas can be served locally: mapped to a file that
/// exists (or to text), or a relative `schemaLocation` next to the WSDL.
fn check_imports(
    wsdl: &WsdlDocument,
    base_dir: &Path,
    imports: &[(String, ImportSource)],
) -> Result<(), (Position, String)> {
    for import in &wsdl.imports {
        let ns = import.namespace.as_deref();
        let mapped = ns.and_then(|ns| imports.iter().find(|(n, _)| n == ns));
        let file = match (mapped, import.location.as_deref()) {
            (Some((_, ImportSource::Text(_))), _) => continue,
            (Some((_, ImportSource::File(p))), _) => p.clone(),
            (None, Some(loc)) if loc.contains("://") => {
                return Err((
                    import.position,
                    format!(
                        "the schema imports {loc} (namespace {}); the build never fetches from \
                         the network: serve that namespace from a local file with \
                         Builder::import",
                        ns.unwrap_or("none")
                    ),
                ))
            }
            (None, Some(loc)) => base_dir.join(loc),
            // Another inline schema, or nothing to read.
            (None, None) => continue,
        };
        if let Err(e) = std::fs::metadata(&file) {
            return Err((
                import.position,
                format!(
                    "the schema imports namespace {}, served from {}, which cannot be read: {e}; \
                     correct the path",
                    ns.unwrap_or("none"),
                    file.display()
                ),
            ));
        }
    }
    Ok(())
}

/// xsd-parser's message without Debug dumps of its identifiers: `Type(schema=0, ns=5,
/// name=Foo)` becomes `type Foo`.
fn tidy_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find("(schema=") {
        let word_start = rest[..open]
            .rfind(|c: char| !c.is_ascii_alphanumeric())
            .map_or(0, |i| i + 1);
        let Some(close) = rest[open..].find(')').map(|c| open + c) else {
            break;
        };
        let inner = &rest[open + 1..close];
        let name = inner
            .split(", ")
            .find_map(|p| p.strip_prefix("name="))
            .unwrap_or(inner);
        out.push_str(&rest[..word_start]);
        out.push_str(&rest[word_start..open].to_ascii_lowercase());
        out.push(' ');
        out.push_str(name);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out.trim_end_matches('!').to_string()
}

/// Runs xsd-parser, turning a panic inside it into an error message (the build then fails with
/// a clear message, not a backtrace).
fn guard_panics<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    match result {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("unknown failure");
            Err(format!("xsd-parser failed on this schema: {what}"))
        }
    }
}

fn namespace_id(types: &MetaTypes, ns: &str) -> Option<xsd_parser::models::schema::NamespaceId> {
    types
        .modules
        .iter()
        .find(|(_, m)| {
            m.namespace
                .as_ref()
                .is_some_and(|n| n.0.as_ref() == ns.as_bytes())
        })
        .map(|(id, _)| *id)
}

struct Builder<'a> {
    types: &'a MetaTypes,
    target_ns: Option<xsd_parser::models::schema::NamespaceId>,
    xsd_ns: Option<xsd_parser::models::schema::NamespaceId>,
    out: BTreeMap<String, TypeDef>,
    path: &'a Path,
    wsdl: &'a WsdlDocument,
}

fn doc(ty: &MetaType) -> Option<String> {
    fold_documentation(&ty.documentation)
}

/// `xs:documentation` texts as one line, white space folded (so that formatting never shows).
fn fold_documentation(parts: &[String]) -> Option<String> {
    let text = parts.join(" ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

impl Builder<'_> {
    /// An unsupported construct of the declaration of `name`.
    fn unsupported(&self, name: &str, message: String) -> Error {
        let at = self.wsdl.locate(name);
        Error::Unsupported {
            path: self.path.to_path_buf(),
            line: at.line,
            column: at.column,
            message,
        }
    }

    fn named_type(&mut self, ident: &TypeIdent, ty: &MetaType) -> Result<(), Error> {
        let name = ident.name.as_str().to_string();
        if self.out.contains_key(&name) {
            return Ok(());
        }
        match &ty.variant {
            MetaTypeVariant::ComplexType(_) | MetaTypeVariant::Enumeration(_) => {
                self.declare(&name, ident, ty, false)
            }
            // Simple restrictions without enumerations (patterns etc.) map to their base.
            _ => Ok(()),
        }
    }

    fn complex(
        &mut self,
        name: &str,
        ident: &TypeIdent,
        ty: &MetaType,
        inline: bool,
    ) -> Result<(), Error> {
        let MetaTypeVariant::ComplexType(c) = &ty.variant else {
            return Err(
                self.unsupported(name, format!("type {} is not a complex type", ident.name))
            );
        };
        // `xs:anyAttribute` is accepted (such attributes are ignored on read, none written);
        // declared attributes are not supported.
        if c.attributes.iter().any(|a| !a.is_any()) {
            return Err(self.unsupported(
                name,
                format!(
                    "{} declares attributes; the bindings support element content only: turn \
                     them into elements or remove them (xs:anyAttribute is accepted)",
                    what_type(name, inline)
                ),
            ));
        }
        if c.is_mixed {
            return Err(self.unsupported(
                name,
                format!(
                    "{} has mixed content (text between its elements); remove mixed=\"true\" \
                     and hold the text in an element",
                    what_type(name, inline)
                ),
            ));
        }
        if c.has_simple_content(self.types) {
            return Err(self.unsupported(
                name,
                format!(
                    "{} has simple content (a text value with attributes); the bindings support \
                     element content only: make the value an element",
                    what_type(name, inline)
                ),
            ));
        }
        // Reserve the name first: recursive types refer back to it.
        self.out.insert(
            name.to_string(),
            TypeDef::Complex(ComplexType {
                name: name.to_string(),
                base: None,
                fields: Vec::new(),
                inherited: 0,
                inline,
                documentation: None,
            }),
        );
        let base = match c.base.as_ident() {
            Some(b) if Some(b.ns) == self.target_ns => {
                if let Some(bt) = self.types.items.get(b) {
                    self.named_type(b, bt)?;
                }
                Some(b.name.as_str().to_string())
            }
            Some(b) if Some(b.ns) == self.xsd_ns && b.name.as_str() == "anyType" => None,
            Some(b) => {
                return Err(self.unsupported(
                    name,
                    format!(
                        "{} derives from {}, which is not a complex type of the target \
                         namespace; derive from a complex type declared in this schema",
                        what_type(name, inline),
                        b.name
                    ),
                ))
            }
            None => None,
        };
        let mut fields = Vec::new();
        if let Some(content) = &c.content {
            self.group_fields(name, content, false, &mut fields)?;
        }
        let inherited = base
            .as_ref()
            .and_then(|b| match self.out.get(b) {
                Some(TypeDef::Complex(bc)) => Some(bc.fields.len()),
                _ => None,
            })
            .unwrap_or(0);
        let inherited = if fields.len() >= inherited {
            inherited
        } else {
            0
        };
        self.out.insert(
            name.to_string(),
            TypeDef::Complex(ComplexType {
                name: name.to_string(),
                base,
                fields,
                inherited,
                inline,
                documentation: doc(ty),
            }),
        );
        Ok(())
    }

    fn group_fields(
        &mut self,
        owner: &str,
        group: &TypeIdent,
        optional: bool,
        fields: &mut Vec<Field>,
    ) -> Result<(), Error> {
        let Some(meta) = self.types.items.get(group) else {
            return Err(self.unsupported(
                owner,
                format!("the content of {owner} ({}) is not found", group.name),
            ));
        };
        let (g, is_choice) = match &meta.variant {
            MetaTypeVariant::Sequence(g) | MetaTypeVariant::All(g) => (g, false),
            MetaTypeVariant::Choice(g) => (g, true),
            _ => {
                return Err(self.unsupported(
                    owner,
                    format!(
                        "the content of {owner} is not a sequence, choice or all group; use one \
                         of those"
                    ),
                ))
            }
        };
        for el in &g.elements.0 {
            let optional = optional || is_choice || el.min_occurs == 0;
            match &el.variant {
                ElementMetaVariant::Type {
                    type_,
                    mode: ElementMode::Group,
                } => self.group_fields(owner, type_, optional, fields)?,
                ElementMetaVariant::Type {
                    type_,
                    mode: ElementMode::Element,
                } => {
                    let name = el.ident.name.as_str().to_string();
                    let max = match el.max_occurs {
                        MaxOccurs::Unbounded => None,
                        MaxOccurs::Bounded(n) => Some(n),
                    };
                    let (ty, wrapper_item) = self.field_type(type_, max)?;
                    fields.push(Field {
                        name,
                        ty,
                        min: if optional { 0 } else { el.min_occurs },
                        max,
                        nillable: el.nillable,
                        wrapper_item,
                        documentation: fold_documentation(&el.documentation),
                    });
                }
                ElementMetaVariant::Any { .. } => {
                    // One field holds every element the wildcards of a type match (a second
                    // wildcard in the same type adds nothing it could tell apart on read).
                    if fields.iter().any(Field::is_wildcard) {
                        continue;
                    }
                    fields.push(Field {
                        name: WILDCARD_NAME.to_string(),
                        ty: FieldType::Wildcard,
                        min: 0,
                        max: match el.max_occurs {
                            MaxOccurs::Unbounded => None,
                            MaxOccurs::Bounded(n) => Some(n),
                        },
                        nillable: false,
                        wrapper_item: None,
                        documentation: fold_documentation(&el.documentation),
                    });
                }
                ElementMetaVariant::Text => {
                    return Err(self.unsupported(
                        owner,
                        format!(
                            "type {owner} has mixed content (text between its elements); remove \
                             mixed=\"true\" and hold the text in an element"
                        ),
                    ))
                }
            }
        }
        Ok(())
    }

    /// The type of a field whose declared type is `ident`; for a wrapper element, the item type
    /// and item name.
    fn field_type(
        &mut self,
        ident: &TypeIdent,
        max: Option<usize>,
    ) -> Result<(FieldType, Option<String>), Error> {
        if ident.type_ == IdentType::BuildIn {
            return Ok((
                FieldType::Xsd(xsd_name_of_buildin(ident.name.as_str())),
                None,
            ));
        }
        if Some(ident.ns) == self.xsd_ns {
            return Ok((FieldType::Xsd(ident.name.as_str().to_string()), None));
        }
        let Some(meta) = self.types.items.get(ident) else {
            return Err(self.unsupported(
                ident.name.as_str(),
                format!(
                    "type {} is referenced but not declared; declare it or correct the name",
                    ident.name
                ),
            ));
        };
        match (&meta.variant, ident.type_) {
            (MetaTypeVariant::Reference(r), IdentType::Element) => {
                // A local element with an inline type.
                let name = ident.name.as_str().to_string();
                let Some(inner) = self.types.items.get(&r.type_) else {
                    return Err(self.unsupported(
                        &name,
                        format!("the inline type of element {name} is not found"),
                    ));
                };
                if max == Some(1) {
                    if let Some(item) = self.wrapper(inner)? {
                        return Ok(item);
                    }
                }
                self.inline_type(&name, &r.type_, inner)?;
                Ok((FieldType::Named(name), None))
            }
            // xsd-parser reads an `xs:list` as a reference that repeats.
            (MetaTypeVariant::Reference(r), _)
                if r.max_occurs != MaxOccurs::Bounded(1) || r.min_occurs != 1 =>
            {
                Err(self.list_type(ident))
            }
            (MetaTypeVariant::Reference(r), _) => self.field_type(&r.type_, max),
            (MetaTypeVariant::ComplexType(_) | MetaTypeVariant::Enumeration(_), _) => {
                self.named_type(ident, meta)?;
                Ok((FieldType::Named(ident.name.as_str().to_string()), None))
            }
            (MetaTypeVariant::SimpleType(s), _) if s.is_list => Err(self.list_type(ident)),
            (MetaTypeVariant::SimpleType(s), _) => self.field_type(&s.base, max),
            (MetaTypeVariant::BuildIn(_), _) => {
                Ok((FieldType::Xsd(ident.name.as_str().to_string()), None))
            }
            (MetaTypeVariant::Union(_), _) => Err(self.unsupported(
                ident.name.as_str(),
                format!(
                    "simple type {} is a union type; the bindings do not support xs:union: use \
                     a restriction of one built-in type (or xs:string) instead",
                    ident.name
                ),
            )),
            _ => Err(self.unsupported(
                ident.name.as_str(),
                format!(
                    "type {} (list or dynamic) is not supported; use a complex type, an \
                     enumeration or a built-in type",
                    ident.name
                ),
            )),
        }
    }

    fn list_type(&self, ident: &TypeIdent) -> Error {
        self.unsupported(
            ident.name.as_str(),
            format!(
                "simple type {} is a list type; the bindings do not support xs:list: use a \
                 repeated element (maxOccurs=\"unbounded\") instead",
                ident.name
            ),
        )
    }

    fn inline_type(&mut self, name: &str, ident: &TypeIdent, meta: &MetaType) -> Result<(), Error> {
        if self.out.contains_key(name) {
            return Ok(());
        }
        self.declare(name, ident, meta, true)
    }

    /// Adds the complex type or enumeration `meta` to the model as `name`.
    fn declare(
        &mut self,
        name: &str,
        ident: &TypeIdent,
        meta: &MetaType,
        inline: bool,
    ) -> Result<(), Error> {
        match &meta.variant {
            MetaTypeVariant::ComplexType(_) => self.complex(name, ident, meta, inline),
            MetaTypeVariant::Enumeration(e) => {
                let values = e
                    .variants
                    .0
                    .iter()
                    .map(|v| v.ident.name.as_str().to_string())
                    .collect();
                self.out.insert(
                    name.to_string(),
                    TypeDef::Enum(EnumType {
                        name: name.to_string(),
                        values,
                        documentation: doc(meta),
                    }),
                );
                Ok(())
            }
            _ => Err(self.unsupported(
                name,
                format!(
                    "the type of {name} is neither complex nor an enumeration; declare it as one \
                     of those"
                ),
            )),
        }
    }

    /// `Some((item type, item name))` when `meta` is an inline complex type whose whole content
    /// is one repeated element: the list-wrapper pattern of the partnerAPI.
    fn wrapper(&mut self, meta: &MetaType) -> Result<Option<(FieldType, Option<String>)>, Error> {
        let MetaTypeVariant::ComplexType(c) = &meta.variant else {
            return Ok(None);
        };
        if c.base.as_ident().is_some() || c.attributes.iter().any(|a| !a.is_any()) {
            return Ok(None);
        }
        let Some(content) = c.content.as_ref().and_then(|id| self.types.items.get(id)) else {
            return Ok(None);
        };
        let MetaTypeVariant::Sequence(g) = &content.variant else {
            return Ok(None);
        };
        let [el] = g.elements.0.as_slice() else {
            return Ok(None);
        };
        let ElementMetaVariant::Type {
            type_,
            mode: ElementMode::Element,
        } = &el.variant
        else {
            return Ok(None);
        };
        if el.max_occurs == MaxOccurs::Bounded(1) || el.min_occurs > 0 {
            return Ok(None);
        }
        let (ty, nested) = self.field_type(type_, None)?;
        if nested.is_some() {
            return Ok(None);
        }
        Ok(Some((ty, Some(el.ident.name.as_str().to_string()))))
    }

    fn element_type(&mut self, ident: &TypeIdent, element: &str) -> Result<String, Error> {
        let Some(meta) = self.types.items.get(ident) else {
            return Err(self.unsupported(
                element,
                format!("the type of element {element} is not found"),
            ));
        };
        if ident.type_ == IdentType::ElementType {
            self.inline_type(element, ident, meta)?;
            return Ok(element.to_string());
        }
        match self.field_type(ident, Some(1))? {
            (FieldType::Named(n), None) => Ok(n),
            (FieldType::Xsd(x), _) => Ok(format!("xs:{x}")),
            (FieldType::Named(n), Some(_)) => Ok(n),
            (FieldType::Wildcard, _) => Err(self.unsupported(
                element,
                format!("element {element} is typed as a wildcard; give it a named type"),
            )),
        }
    }
}

/// `type X`, or for an inline type, `the inline type of element X`.
fn what_type(name: &str, inline: bool) -> String {
    if inline {
        format!("the inline type of element {name}")
    } else {
        format!("type {name}")
    }
}

/// The XSD name of one of xsd-parser's built-in (Rust-named) types.
fn xsd_name_of_buildin(name: &str) -> String {
    match name {
        "bool" => "boolean",
        "i8" => "byte",
        "i16" => "short",
        "i32" => "int",
        "i64" => "long",
        "u8" => "unsignedByte",
        "u16" => "unsignedShort",
        "u32" => "unsignedInt",
        "u64" => "unsignedLong",
        "f32" => "float",
        "f64" => "double",
        _ => "string",
    }
    .to_string()
}

/// The set of type names reachable from the operations' elements (what a subset needs).
pub fn reachable(model: &Model) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = model.elements.values().cloned().collect();
    let desc = model.descendants();
    while let Some(t) = todo.pop() {
        if !seen.insert(t.clone()) {
            continue;
        }
        if let Some(c) = model.complex(&t) {
            todo.extend(c.fields.iter().filter_map(|f| match &f.ty {
                FieldType::Named(n) => Some(n.clone()),
                FieldType::Xsd(_) | FieldType::Wildcard => None,
            }));
            todo.extend(c.base.iter().cloned());
        }
        if let Some(d) = desc.get(&t) {
            todo.extend(d.iter().cloned());
        }
    }
    seen
}
