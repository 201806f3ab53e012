//! Stage 3: Rust source for a [`Model`], built with `quote` and formatted by `prettyplease`.
//!
//! Each complex type becomes a struct (inherited fields flattened in) implementing the runtime's
//! `XmlComplex`; each type that others extend and that a field refers to also gets an `Any*`
//! enum dispatching on `xsi:type`; enumerations become enums with a catch-all for unknown values;
//! each operation becomes one async method on the configured API type.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::model::{ComplexType, EnumType, Field, FieldType, Model, TypeDef};
use crate::names;

/// Paths the generated code refers to.
#[derive(Debug, Clone)]
pub struct RenderConfig {
    /// The XML runtime module (`crate::xml`).
    pub runtime: String,
    /// The type that gets one method per operation (`crate::client::Api`), with a lifetime
    /// parameter and an async `call::<O: Operation>(&O::Input) -> Result<O::Output, Error>`
    /// method.
    pub api_type: Option<String>,
    /// The error type of operation methods (`crate::Error`).
    pub error_type: String,
    /// The Rust type of XSD string values (`::std::string::String` by default).
    pub string_type: String,
    /// The cargo feature of the bindings' crate that turns on `serde::Serialize` for the
    /// generated types; `None`: always.
    pub serde_feature: Option<String>,
    /// Operations that change nothing on the service (`OperationInfo::read_only`).
    pub read_only: BTreeSet<String>,
    /// Operations whose repeat the service recognises by the `CorrelationID` of each object the
    /// request carries (`idempotent_with_correlation_ids`).
    pub idempotent_with_correlation_ids: BTreeSet<String>,
}

fn path(s: &str) -> Result<syn::Path, String> {
    syn::parse_str(s).map_err(|e| format!("{s:?} is not a Rust path: {e}"))
}

/// The Rust type of an XSD built-in type.
pub fn xsd_rust_type(xsd: &str) -> &'static str {
    match xsd {
        "boolean" => "bool",
        "byte" => "i8",
        "short" => "i16",
        "int" => "i32",
        "long" | "integer" | "negativeInteger" | "nonPositiveInteger" => "i64",
        "unsignedByte" => "u8",
        "unsignedShort" => "u16",
        "unsignedInt" => "u32",
        "unsignedLong" | "positiveInteger" | "nonNegativeInteger" => "u64",
        "float" => "f32",
        "double" => "f64",
        _ => "String",
    }
}

/// Type names the generated code declares besides the schema's.
const RESERVED_TYPE_NAMES: &[&str] = &["OperationInfo", "Operation"];

/// Method names an `Any*` enum has already (its own and its traits'): no field accessor takes
/// one.
const TAKEN_METHOD_NAMES: &[&str] = &[
    "type_name",
    "from",
    "into",
    "try_from",
    "try_into",
    "default",
    "clone",
    "clone_from",
    "clone_into",
    "to_owned",
    "eq",
    "ne",
    "fmt",
    "write_element",
    "read_element",
    "serialize",
    "type_id",
    "borrow",
    "borrow_mut",
];

/// The field names of `c` as rendered (Rust names, deduplicated), in order.
fn field_idents(c: &ComplexType) -> Vec<syn::Ident> {
    let mut field_names: Vec<String> = c
        .fields
        .iter()
        .map(|f| names::field_name(&f.name))
        .collect();
    names::dedupe(&mut field_names);
    field_names.iter().map(|n| format_ident!("{}", n)).collect()
}

/// The schema name of the field that identifies an object of a request to the service, so that
/// a repeat is recognised (see [`RenderConfig::idempotent_with_correlation_ids`]).
const CORRELATION_FIELD: &str = "CorrelationID";

/// A field of a polymorphic base that all its derived types share (see `Ctx::shared_fields`).
struct SharedField {
    /// The element name.
    xsd: String,
    /// An `xs:any` wildcard.
    wildcard: bool,
    /// The Rust field name.
    ident: syn::Ident,
    /// The Rust type.
    ty: TokenStream,
}

struct Ctx<'a> {
    model: &'a Model,
    rt: syn::Path,
    /// The Rust type of string values.
    string: syn::Path,
    /// Rust name of each model type.
    rust: HashMap<&'a str, String>,
    /// `Serialize` in a type's derive list when it is always implemented (`, ::serde::Serialize`);
    /// the attribute deriving it behind the feature otherwise; the attribute before a hand-made
    /// `impl Serialize` (`#[cfg(feature = ..)]`, or nothing).
    serde_in_derive: TokenStream,
    serde_derive: TokenStream,
    serde_gate: TokenStream,
    /// Rust name of the `Any*` enum of each type used polymorphically.
    any: BTreeMap<&'a str, String>,
    descendants: BTreeMap<String, Vec<String>>,
    /// (type, field index) pairs that must be boxed to break a cycle.
    boxed: HashSet<(&'a str, usize)>,
}

/// Renders the whole bindings file.
pub fn render(model: &Model, config: &RenderConfig) -> Result<String, String> {
    let mut ctx = Ctx::new(model, path(&config.runtime)?, path(&config.string_type)?);
    if let Some(feature) = &config.serde_feature {
        ctx.serde_in_derive = TokenStream::new();
        ctx.serde_derive = quote!(#[cfg_attr(feature = #feature, derive(::serde::Serialize))]);
        ctx.serde_gate = quote!(#[cfg(feature = #feature)]);
    }
    let mut items = Vec::new();
    let ns = &model.target_namespace;
    let address = match &model.service_address {
        Some(a) => quote!(::core::option::Option::Some(#a)),
        None => quote!(::core::option::Option::None),
    };
    items.push(quote! {
        /// Target namespace of the service description these bindings were generated from.
        pub const TARGET_NAMESPACE: &str = #ns;
        /// Service address given by the service description, if any.
        pub const SERVICE_ADDRESS: ::core::option::Option<&str> = #address;
    });
    for def in model.types.values() {
        match def {
            TypeDef::Complex(c) => items.push(ctx.complex(c)),
            TypeDef::Enum(e) => items.push(ctx.enumeration(e)),
        }
    }
    for (base, any) in &ctx.any {
        items.push(ctx.any_enum(base, any));
        items.push(ctx.conversions_from_base(base));
        items.push(ctx.conversions_from_any(base, any));
    }
    let enums: Vec<syn::Ident> = model
        .types
        .values()
        .filter_map(|def| match def {
            TypeDef::Enum(e) => Some(ctx.ident(&e.name)),
            TypeDef::Complex(_) => None,
        })
        .collect();
    if !enums.is_empty() {
        let rt = &ctx.rt;
        // `FromStr`, `From<&str>`, `AsRef<str>`, `Display` and `XmlValue` of the enumerations.
        items.push(quote!(#rt::enum_impls!(#(#enums),*);));
    }
    items.push(ctx.elements()?);
    items.push(ctx.operations(config)?);
    let tokens = quote!(#(#items)*);
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated code does not parse: {e}"))?;
    Ok(format!("{HEADER}{}", prettyplease::unparse(&file)))
}

/// The first lines of every generated file.
pub const HEADER: &str = "// This file is @generated by sfmc-partnerapi-codegen from the partnerAPI WSDL.\n\
                          // Do not edit it: change the WSDL (or the generator) and build again.\n\n";

/// Doc attributes for `paragraphs` (Markdown; white space folded, empty ones left out), each line
/// with the usual leading space (`/// text`) and an empty line between paragraphs.
fn doc<S: AsRef<str>>(paragraphs: &[S]) -> TokenStream {
    let mut out = TokenStream::new();
    for p in paragraphs {
        let text = p.as_ref().split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.extend(quote!(#[doc = ""]));
        }
        let line = format!(" {text}");
        out.extend(quote!(#[doc = #line]));
    }
    out
}

/// The WSDL's documentation (plain text, or none) as Markdown for [`doc`]: the characters
/// Markdown would read as links, HTML, code or emphasis (`ObjectType
/// "DataExtensionObject[CustomerKey]"`) are escaped.
fn doc_text(text: Option<&str>) -> String {
    let text = text.unwrap_or("");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl<'a> Ctx<'a> {
    fn new(model: &'a Model, rt: syn::Path, string: syn::Path) -> Self {
        let descendants = model.descendants();
        let used = model.polymorphic();
        // One namespace for all Rust type names: structs, enums and the `Any*` enums.
        let keys: Vec<&str> = model.types.keys().map(String::as_str).collect();
        // The names the generated code itself declares come first: a schema type of the same
        // name is the one renamed.
        let mut all: Vec<String> = RESERVED_TYPE_NAMES.iter().map(|n| n.to_string()).collect();
        all.extend(keys.iter().map(|k| names::type_name(k)));
        all.extend(used.iter().map(|k| format!("Any{}", names::type_name(k))));
        let any_keys: Vec<&str> = model
            .types
            .keys()
            .map(String::as_str)
            .filter(|k| used.contains(*k))
            .collect();
        names::dedupe(&mut all);
        let all = all.split_off(RESERVED_TYPE_NAMES.len());
        let rust: HashMap<&str, String> = keys.iter().copied().zip(all.iter().cloned()).collect();
        let any = any_keys
            .into_iter()
            .zip(all[keys.len()..].iter().cloned())
            .collect();
        let mut ctx = Self {
            model,
            rt,
            string,
            rust,
            serde_in_derive: quote!(, ::serde::Serialize),
            serde_derive: TokenStream::new(),
            serde_gate: TokenStream::new(),
            any,
            descendants,
            boxed: HashSet::new(),
        };
        ctx.boxed = ctx.cycles();
        // Optional fields of a complex type are boxed too: absent (the usual case) they cost a
        // pointer rather than the whole struct. Inline, a `Send` with its optional `Email`,
        // `Owner` and `Client` took 1,856 bytes, allocated, initialized, dropped and (glibc
        // trimming the freed heap) faulted in again for every result read; boxed, 784.
        let optional = ctx.optional_edges();
        ctx.boxed.extend(optional);
        ctx
    }

    /// Struct-in-struct edges of optional (`minOccurs="0"`) single fields.
    fn optional_edges(&self) -> Vec<(&'a str, usize)> {
        self.edges()
            .into_iter()
            .filter(|(owner, i, _)| {
                self.model
                    .complex(owner)
                    .and_then(|c| c.fields.get(*i))
                    .is_some_and(|f| f.min == 0)
            })
            .map(|(owner, i, _)| (owner, i))
            .collect()
    }

    /// Direct (unboxed) struct-in-struct edges: (owner, field index, target).
    fn edges(&self) -> Vec<(&'a str, usize, &'a str)> {
        let mut out = Vec::new();
        for def in self.model.types.values() {
            let TypeDef::Complex(c) = def else { continue };
            for (i, f) in c.fields.iter().enumerate() {
                if let FieldType::Named(t) = &f.ty {
                    if !f.is_list()
                        && !self.any.contains_key(t.as_str())
                        && self.model.complex(t).is_some()
                    {
                        out.push((c.name.as_str(), i, t.as_str()));
                    }
                }
            }
        }
        out
    }

    fn cycles(&self) -> HashSet<(&'a str, usize)> {
        let edges = self.edges();
        let mut adj: HashMap<&str, Vec<&str>> = HashMap::new();
        for (s, _, t) in &edges {
            adj.entry(s).or_default().push(t);
        }
        let reaches = |from: &str, to: &str| {
            let mut seen = HashSet::new();
            let mut todo = vec![from];
            while let Some(n) = todo.pop() {
                if n == to {
                    return true;
                }
                if seen.insert(n) {
                    todo.extend(adj.get(n).into_iter().flatten().copied());
                }
            }
            false
        };
        edges
            .iter()
            .filter(|(s, _, t)| reaches(t, s))
            .map(|(s, i, _)| (*s, *i))
            .collect()
    }

    /// `base` and every type derived from it, directly or not: the members of its `Any*` enum.
    fn members(&self, base: &'a str) -> Vec<&str> {
        std::iter::once(base)
            .chain(
                self.descendants
                    .get(base)
                    .into_iter()
                    .flatten()
                    .map(String::as_str),
            )
            .collect()
    }

    /// The fields of `base` that every type derived from it holds under the same Rust name and
    /// type (a required complex field can be boxed in one and not in another): those an `Any*`
    /// enum has accessors for and a `From<base>` moves across. Wildcards are left out.
    fn shared_fields(&self, base: &'a str) -> Vec<SharedField> {
        let Some(bc) = self.model.complex(base) else {
            return Vec::new();
        };
        let base_idents = field_idents(bc);
        let derived: Vec<(&ComplexType, Vec<syn::Ident>)> = self.members(base)[1..]
            .iter()
            .filter_map(|m| self.model.complex(m))
            .map(|mc| (mc, field_idents(mc)))
            .collect();
        let mut out = Vec::new();
        for (i, f) in bc.fields.iter().enumerate() {
            let ty = self.field_type(&bc.name, i, f);
            let text = ty.to_string();
            let same = derived.iter().all(|(mc, idents)| {
                mc.fields.get(i).is_some_and(|mf| {
                    mf.name == f.name
                        && idents.get(i) == base_idents.get(i)
                        && self.field_type(&mc.name, i, mf).to_string() == text
                })
            });
            if same {
                out.push(SharedField {
                    xsd: f.name.clone(),
                    wildcard: f.is_wildcard(),
                    ident: base_idents[i].clone(),
                    ty,
                });
            }
        }
        out
    }

    fn ident(&self, ty: &str) -> syn::Ident {
        format_ident!("{}", self.rust.get(ty).map_or("Unnamed", String::as_str))
    }

    fn item_type(&self, ty: &FieldType) -> TokenStream {
        match ty {
            FieldType::Xsd(x) if xsd_rust_type(x) == "String" => {
                let t = &self.string;
                quote!(#t)
            }
            FieldType::Xsd(x) => {
                let t = format_ident!("{}", xsd_rust_type(x));
                quote!(#t)
            }
            FieldType::Named(n) => {
                let name = self
                    .any
                    .get(n.as_str())
                    .or_else(|| self.rust.get(n.as_str()));
                let t = format_ident!("{}", name.map_or("String", String::as_str));
                quote!(#t)
            }
            FieldType::Wildcard => {
                let rt = &self.rt;
                quote!(#rt::AnyElement)
            }
        }
    }

    fn field_type(&self, owner: &str, index: usize, f: &Field) -> TokenStream {
        let mut t = self.item_type(&f.ty);
        if self.boxed.contains(&(owner, index)) {
            t = quote!(::std::boxed::Box<#t>);
        }
        if f.is_list() {
            quote!(::std::vec::Vec<#t>)
        } else if f.min == 0 {
            quote!(::core::option::Option<#t>)
        } else {
            t
        }
    }

    fn complex(&self, c: &ComplexType) -> TokenStream {
        let (serde_in_derive, serde_derive) = (&self.serde_in_derive, &self.serde_derive);
        let rt = &self.rt;
        let name = self.ident(&c.name);
        let xsd = &c.name;
        let summary = match (&c.base, c.inline) {
            (_, true) => format!("Inline type of element `{xsd}`."),
            (Some(b), false) => format!("XSD complex type `{xsd}` (extends `{b}`)."),
            (None, false) => format!("XSD complex type `{xsd}`."),
        };
        let docs = doc(&[
            summary.as_str(),
            doc_text(c.documentation.as_deref()).as_str(),
        ]);
        let field_docs = c.fields.iter().map(|f| {
            if f.is_wildcard() {
                doc(&[
                    "Elements the schema's `xs:any` wildcard matches (and any other child no \
                     field takes), kept as written.",
                    doc_text(f.documentation.as_deref()).as_str(),
                ])
            } else {
                doc(&[doc_text(f.documentation.as_deref()).as_str()])
            }
        });
        let idents = field_idents(c);
        let types = c
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| self.field_type(&c.name, i, f));
        let writes = c.fields.iter().zip(&idents).map(|(f, id)| {
            let xml = &f.name;
            if f.is_wildcard() {
                return quote!(w.any(&self.#id););
            }
            match (&f.wrapper_item, f.is_list(), f.min) {
                (Some(item), _, min) => {
                    let required = min > 0;
                    quote!(w.wrapped(#xml, #item, &self.#id, #required);)
                }
                (None, true, _) => quote!(w.many(#xml, &self.#id);),
                (None, false, 0) => quote!(w.opt(#xml, &self.#id);),
                (None, false, _) => quote!(w.req(#xml, &self.#id);),
            }
        });
        let mut seen = HashSet::new();
        let reads: Vec<TokenStream> = c
            .fields
            .iter()
            .zip(&idents)
            .filter(|(f, _)| !f.is_wildcard() && seen.insert(f.name.as_str()))
            .map(|(f, id)| {
                let xml = Literal::byte_string(f.name.as_bytes());
                match (&f.wrapper_item, f.is_list(), f.min) {
                    (Some(item), _, _) => {
                        let item = Literal::byte_string(item.as_bytes());
                        quote!(#xml => r.wrapped(c, #item, &mut self.#id)?,)
                    }
                    (None, true, _) => quote!(#xml => r.many(c, &mut self.#id)?,),
                    (None, false, 0) => quote!(#xml => r.opt(c, &mut self.#id)?,),
                    (None, false, _) => quote!(#xml => r.req(c, &mut self.#id)?,),
                }
            })
            .collect();
        // Children no named field takes go to the wildcard, if the type has one: kept as raw
        // elements, not skipped.
        let wildcard = c
            .fields
            .iter()
            .zip(&idents)
            .find(|(f, _)| f.is_wildcard())
            .map(|(_, id)| quote!(r.any(c, &mut self.#id)?));
        let w = if c.fields.is_empty() {
            quote!(_w)
        } else {
            quote!(w)
        };
        let read_body = match (reads.is_empty(), wildcard) {
            (true, None) => quote!(let _ = (r, c); ::core::result::Result::Ok(false)),
            (true, Some(any)) => quote! {
                #any;
                ::core::result::Result::Ok(true)
            },
            (false, wildcard) => {
                let other = match wildcard {
                    Some(any) => quote!(_ => #any,),
                    None => quote!(_ => return ::core::result::Result::Ok(false),),
                };
                quote! {
                    match c.local_name() {
                        #(#reads)*
                        #other
                    }
                    ::core::result::Result::Ok(true)
                }
            }
        };
        quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, Default #serde_in_derive)]
            #serde_derive
            pub struct #name {
                #(#field_docs pub #idents: #types,)*
            }
            impl #rt::XmlComplex for #name {
                const TYPE_NAME: &'static str = #xsd;
                fn write_fields(&self, #w: &mut #rt::XmlWriter) {
                    #(#writes)*
                }
                fn read_field(&mut self, r: &mut #rt::XmlReader<'_>, c: &#rt::Start<'_>) -> ::core::result::Result<bool, #rt::XmlError> {
                    #read_body
                }
            }
        }
    }

    fn enumeration(&self, e: &EnumType) -> TokenStream {
        let serde_gate = &self.serde_gate;
        let rt = &self.rt;
        let name = self.ident(&e.name);
        let xsd = &e.name;
        let docs = doc(&[
            format!(
                "XSD enumeration `{xsd}`. A value it does not list is kept as received in \
                 `Unrecognized`; the enum is `#[non_exhaustive]`, so that values the service adds \
                 are additive."
            )
            .as_str(),
            doc_text(e.documentation.as_deref()).as_str(),
        ]);
        let mut variant_names: Vec<String> = vec!["Unrecognized".to_string()];
        variant_names.extend(e.values.iter().map(|v| names::type_name(v)));
        names::dedupe(&mut variant_names);
        let variants: Vec<syn::Ident> = variant_names[1..]
            .iter()
            .map(|v| format_ident!("{}", v))
            .collect();
        let values = &e.values;
        let variant_docs = values.iter().map(|v| format!(" `{v}`"));
        // The first value is the default (`Unrecognized` when there is none).
        let defaults =
            (0..variants.len()).map(|i| if i == 0 { quote!(#[default]) } else { quote!() });
        let default_unrecognized = if variants.is_empty() {
            quote!(#[default])
        } else {
            quote!()
        };
        quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
            #[non_exhaustive]
            pub enum #name {
                #(#[doc = #variant_docs] #defaults #variants,)*
                /// A value this service description does not list, as received.
                #default_unrecognized
                Unrecognized(::std::string::String),
            }
            impl #name {
                /// Every value the service description lists, in its order.
                pub const VALUES: &'static [&'static str] = &[#(#values),*];
                /// The value as written on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(Self::#variants => #values,)*
                        Self::Unrecognized(v) => v,
                    }
                }
            }
            impl #rt::XmlEnum for #name {
                fn as_str(&self) -> &str {
                    Self::as_str(self)
                }
                fn from_wire(value: &str) -> Self {
                    match value {
                        #(#values => Self::#variants,)*
                        other => Self::Unrecognized(::std::string::ToString::to_string(other)),
                    }
                }
            }
            #serde_gate
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                    s.serialize_str(self.as_str())
                }
            }
        }
    }

    fn any_enum(&self, base: &'a str, any: &str) -> TokenStream {
        let (serde_in_derive, serde_derive) = (&self.serde_in_derive, &self.serde_derive);
        let rt = &self.rt;
        let name = format_ident!("{}", any);
        let base_ident = self.ident(base);
        let members = self.members(base);
        let variants: Vec<syn::Ident> = members.iter().map(|m| self.ident(m)).collect();
        let derived = &variants[1..];
        let derived_xsd = &members[1..];
        let member_docs = members.iter().map(|m| format!(" `{m}`"));
        let ns = &self.model.target_namespace;
        let base_lit = Literal::byte_string(base.as_bytes());
        let derived_lits = derived_xsd
            .iter()
            .map(|m| Literal::byte_string(m.as_bytes()));
        let accessors = self.accessors(base, &name, &variants);
        let docs = doc(&[format!(
            "`{base}` or one of the {} types derived from it, told apart by `xsi:type`. The enum \
             is `#[non_exhaustive]`: a type the service adds is an additive change (until the \
             bindings know it, such a value reads as `Untyped`).",
            derived.len()
        )]);
        quote! {
            #docs
            #[derive(Debug, Clone, PartialEq #serde_in_derive)]
            #serde_derive
            #[non_exhaustive]
            pub enum #name {
                #(#[doc = #member_docs] #variants(::std::boxed::Box<#variants>),)*
                /// An unknown `xsi:type` (or unknown content without one): the base fields and
                /// the raw element.
                Untyped(::std::boxed::Box<#rt::Untyped<#base_ident>>),
            }
            impl ::core::default::Default for #name {
                fn default() -> Self {
                    Self::#base_ident(::std::boxed::Box::default())
                }
            }
            impl #name {
                /// The XSD name of the value's type (its `xsi:type`); for `Untyped`, the
                /// `xsi:type` as received, or the base's name when it had none.
                pub fn type_name(&self) -> &str {
                    match self {
                        #(Self::#variants(_) => #members,)*
                        Self::Untyped(u) => u.xsi_type.as_deref().unwrap_or(#base),
                    }
                }
            }
            impl #rt::XmlValue for #name {
                fn write_element(&self, w: &mut #rt::XmlWriter, name: &str) {
                    match self {
                        Self::#base_ident(v) => w.complex(name, ::core::option::Option::None, &**v),
                        #(Self::#derived(v) => w.complex(name, ::core::option::Option::Some(#derived_xsd), &**v),)*
                        Self::Untyped(v) => #rt::write_untyped(v, w, name),
                    }
                }
                fn read_element(r: &mut #rt::XmlReader<'_>, s: &#rt::Start<'_>) -> ::core::result::Result<Self, #rt::XmlError> {
                    ::core::result::Result::Ok(match s.xsi_type_in(#ns) {
                        ::core::option::Option::None => match #rt::read_declared(r, s)? {
                            ::core::result::Result::Ok(v) => Self::#base_ident(v),
                            ::core::result::Result::Err(u) => Self::Untyped(u),
                        },
                        ::core::option::Option::Some(#base_lit) => Self::#base_ident(r.complex_boxed(s)?),
                        #(::core::option::Option::Some(#derived_lits) => Self::#derived(r.complex_boxed(s)?),)*
                        ::core::option::Option::Some(_) => Self::Untyped(#rt::read_untyped(r, s)?),
                    })
                }
            }
            #(impl ::core::convert::From<#variants> for #name {
                fn from(v: #variants) -> Self {
                    Self::#variants(::std::boxed::Box::new(v))
                }
            })*
            #accessors
        }
    }

    /// Accessors of an `Any*` enum for the fields its members share: one small macro that
    /// expands a `match` over the variants (`Untyped` holds the fields in `base`), and a one-line
    /// method per field.
    fn accessors(&self, base: &'a str, name: &syn::Ident, variants: &[syn::Ident]) -> TokenStream {
        let fields: Vec<SharedField> = self
            .shared_fields(base)
            .into_iter()
            .filter(|f| {
                let n = f.ident.to_string();
                let n = n.trim_start_matches("r#");
                !f.wildcard
                    && !TAKEN_METHOD_NAMES.contains(&n)
                    && !TAKEN_METHOD_NAMES.contains(&format!("{n}_mut").as_str())
            })
            .collect();
        if fields.is_empty() {
            return TokenStream::new();
        }
        let mac = format_ident!("__{}", names::field_name(&name.to_string()));
        let fields = fields.iter().map(|f| {
            let (id, ty, xsd) = (&f.ident, &f.ty, &f.xsd);
            let plain = id.to_string();
            let id_mut = format_ident!("{}_mut", plain.trim_start_matches("r#"));
            quote!(#id #id_mut #xsd: #ty;)
        });
        // The accessors are written by the macro: the generated file lists each field once.
        quote! {
            macro_rules! #mac {
                ($s:expr, $v:ident => $e:expr) => {
                    match $s {
                        #(#name::#variants($v) => $e,)*
                        #name::Untyped(u) => {
                            let $v = &u.base;
                            $e
                        }
                    }
                };
                (mut $s:expr, $v:ident => $e:expr) => {
                    match $s {
                        #(#name::#variants($v) => $e,)*
                        #name::Untyped(u) => {
                            let $v = &mut u.base;
                            $e
                        }
                    }
                };
                (fields $($f:ident $m:ident $x:literal: $t:ty;)*) => {
                    impl #name {
                        $(
                            #[doc = concat!(" `", $x, "`, whichever type the value has.")]
                            pub fn $f(&self) -> &$t {
                                #mac!(self, v => &v.$f)
                            }
                            #[doc = concat!(" `", $x, "`, whichever type the value has, to change.")]
                            pub fn $m(&mut self) -> &mut $t {
                                #mac!(mut self, v => &mut v.$f)
                            }
                        )*
                    }
                };
            }
            #mac!(fields #(#fields)*);
        }
    }

    /// `From<base>` for each type derived from `base` whose own fields are all optional or
    /// lists (so the base's fields moved across, the rest left empty, make a valid value):
    /// one macro with the base's fields, one use of it.
    fn conversions_from_base(&self, base: &'a str) -> TokenStream {
        let Some(bc) = self.model.complex(base) else {
            return TokenStream::new();
        };
        let shared = self.shared_fields(base);
        // A base without fields has nothing to convert (its derived types' `Default` is that).
        if shared.is_empty() || shared.len() != bc.fields.len() {
            return TokenStream::new();
        }
        let targets: Vec<syn::Ident> = self.members(base)[1..]
            .iter()
            .filter_map(|m| self.model.complex(m))
            .filter(|mc| {
                mc.fields[bc.fields.len().min(mc.fields.len())..]
                    .iter()
                    .all(|f| f.min == 0 || f.is_list())
            })
            .map(|mc| self.ident(&mc.name))
            .collect();
        if targets.is_empty() {
            return TokenStream::new();
        }
        let base_ident = self.ident(base);
        let mac = format_ident!("__from_{}", names::field_name(&base_ident.to_string()));
        let fields: Vec<&syn::Ident> = shared.iter().map(|f| &f.ident).collect();
        let doc = format!(" The `{base}`'s fields, the others empty.");
        quote! {
            macro_rules! #mac {
                ($($t:ident),*) => {$(
                    impl ::core::convert::From<#base_ident> for $t {
                        #[doc = #doc]
                        fn from(b: #base_ident) -> Self {
                            Self { #(#fields: b.#fields,)* ..::core::default::Default::default() }
                        }
                    }
                )*};
            }
            #mac!(#(#targets),*);
        }
    }

    /// `TryFrom<AnyB>` for each member `T` of `base`'s family: the `T` variant as it is; a
    /// variant of a type `T` derives from, or `Untyped`, read again as `T` (its fields that are
    /// there); any other variant given back as the error. One macro, one use per member.
    fn conversions_from_any(&self, base: &'a str, any: &str) -> TokenStream {
        let rt = &self.rt;
        let name = format_ident!("{}", any);
        let mac = format_ident!("__try_from_{}", names::field_name(any));
        let members = self.members(base);
        let uses = members.iter().map(|m| {
            let t = self.ident(m);
            let ancestors: Vec<syn::Ident> = members
                .iter()
                .filter(|a| {
                    *a != m
                        && self
                            .descendants
                            .get(**a)
                            .is_some_and(|d| d.iter().any(|x| x == m))
                })
                .map(|a| self.ident(a))
                .collect();
            quote!(#mac!(#t; #(#ancestors),*);)
        });
        let doc = format!(
            " The value as this type: this type's variant as it is; a variant of a type this \
             one derives from, or `Untyped` (an unknown `xsi:type`, or none), read again as this \
             type (the fields it has); any other variant (another type of the `{base}` family) \
             given back unchanged as the error."
        );
        quote! {
            macro_rules! #mac {
                ($t:ident; $($a:ident),*) => {
                    impl ::core::convert::TryFrom<#name> for $t {
                        type Error = #name;
                        #[doc = #doc]
                        #[allow(unreachable_patterns)]
                        fn try_from(value: #name) -> ::core::result::Result<Self, #name> {
                            match value {
                                #name::$t(v) => ::core::result::Result::Ok(*v),
                                $(#name::$a(v) => #rt::read_as::<_, Self>(&*v).map_err(|_| #name::$a(v)),)*
                                #name::Untyped(u) => #rt::read_untyped_as::<_, Self>(&u).map_err(|_| #name::Untyped(u)),
                                other => ::core::result::Result::Err(other),
                            }
                        }
                    }
                };
            }
            #(#uses)*
        }
    }

    fn elements(&self) -> Result<TokenStream, String> {
        let rt = &self.rt;
        let mut done: BTreeMap<&str, &str> = BTreeMap::new();
        let mut out = Vec::new();
        for op in &self.model.operations {
            for el in [&op.input_element, &op.output_element] {
                let Some(ty) = self.model.elements.get(el.as_str()) else {
                    continue;
                };
                if self.model.complex(ty).is_none() {
                    return Err(format!(
                        "element {el} of operation {} is not of a complex type",
                        op.name
                    ));
                }
                match done.insert(ty.as_str(), el.as_str()) {
                    Some(prev) if prev != el => {
                        return Err(format!("elements {prev} and {el} share type {ty}; each operation message needs its own type"))
                    }
                    Some(_) => continue,
                    None => {}
                }
                let name = self.ident(ty);
                out.push(quote! {
                    impl #rt::XmlElement for #name {
                        const NAME: &'static str = #el;
                        const NAMESPACE: &'static str = TARGET_NAMESPACE;
                    }
                });
            }
        }
        Ok(quote!(#(#out)*))
    }

    fn operations(&self, config: &RenderConfig) -> Result<TokenStream, String> {
        let rt = &self.rt;
        let mut markers: Vec<String> = self
            .model
            .operations
            .iter()
            .map(|op| names::type_name(&op.name))
            .collect();
        names::dedupe(&mut markers);
        let markers: Vec<syn::Ident> = markers.iter().map(|m| format_ident!("{}", m)).collect();
        let error = path(&config.error_type)?;
        let mut impls = Vec::new();
        let mut methods = Vec::new();
        for (op, marker) in self.model.operations.iter().zip(&markers) {
            let message = |el: &str| {
                self.model
                    .elements
                    .get(el)
                    .ok_or_else(|| format!("operation {}: element {el} is not declared", op.name))
            };
            let (input_ty, output_ty) = (message(&op.input_element)?, message(&op.output_element)?);
            let (input, output) = (self.ident(input_ty), self.ident(output_ty));
            let (n, a, i, o) = (
                &op.name,
                &op.soap_action,
                &op.input_element,
                &op.output_element,
            );
            let read_only = config.read_only.contains(n);
            let idempotent = config.idempotent_with_correlation_ids.contains(n);
            let correlated = if idempotent {
                let check = self.correlation_check(input_ty);
                quote! {
                    fn every_object_correlated(request: &Self::Input) -> bool {
                        #check
                    }
                }
            } else {
                TokenStream::new()
            };
            let summary = format!("`{n}` (SOAPAction `{a}`): sends a `{i}`, answers a `{o}`.");
            let docs = doc(&[
                doc_text(op.documentation.as_deref()).as_str(),
                summary.as_str(),
            ]);
            impls.push(quote! {
                #docs
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
                pub struct #marker;
                impl super::Operation for #marker {
                    const INFO: super::OperationInfo = super::OperationInfo {
                        name: #n,
                        soap_action: #a,
                        input: #i,
                        output: #o,
                        read_only: #read_only,
                        idempotent_with_correlation_ids: #idempotent,
                    };
                    type Input = super::#input;
                    type Output = super::#output;
                    #correlated
                }
            });
            let method = format_ident!("{}", names::field_name(n));
            methods.push(quote! {
                #docs
                pub async fn #method(&self, request: &#input) -> ::core::result::Result<#output, #error> {
                    self.call::<operations::#marker>(request).await
                }
            });
        }
        let table = quote! {
            /// A WSDL operation: its name, SOAPAction, the elements of its messages, and what a
            /// client may assume when it repeats one.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub struct OperationInfo {
                /// Operation name.
                pub name: &'static str,
                /// The `SOAPAction` header value.
                pub soap_action: &'static str,
                /// The request body element.
                pub input: &'static str,
                /// The response body element.
                pub output: &'static str,
                /// Changes nothing on the service: safe to repeat.
                pub read_only: bool,
                /// The service recognises a repeated request by the `CorrelationID` of each
                /// object it carries: safe to repeat when every object has one
                /// ([`Operation::every_object_correlated`]).
                pub idempotent_with_correlation_ids: bool,
            }
            /// An operation of the service description as a type (see [`operations`]): its
            /// metadata and the types of its messages.
            pub trait Operation {
                /// Name, SOAPAction, message elements and flags.
                const INFO: OperationInfo;
                /// The request message.
                type Input: #rt::XmlElement;
                /// The response message.
                type Output: #rt::XmlElement;
                /// Whether `request` carries at least one object that identifies itself by a
                /// `CorrelationID`, and each one either has a value that is not blank or leaves
                /// it unset (a writer told to fill it gives it one); objects of a type without
                /// the field cannot have one. Always `false` unless
                /// [`OperationInfo::idempotent_with_correlation_ids`].
                fn every_object_correlated(request: &Self::Input) -> bool {
                    let _ = request;
                    false
                }
            }
            /// One zero-sized type per operation, implementing [`Operation`].
            pub mod operations {
                #(#impls)*
            }
            /// Every operation of the service description, in its order.
            pub const OPERATIONS: &[OperationInfo] = &[#(<operations::#markers as Operation>::INFO,)*];
        };
        let Some(api) = &config.api_type else {
            return Ok(table);
        };
        let api = path(api)?;
        Ok(quote! {
            #table
            impl #api<'_> {
                #(#methods)*
            }
        })
    }

    /// The body of `every_object_correlated` for requests of type `input`: the objects are the
    /// values of its fields whose type has a `CorrelationID` (that is where the client's writer
    /// fills one in: at depth 2).
    fn correlation_check(&self, input: &str) -> TokenStream {
        let rt = &self.rt;
        let Some(c) = self.model.complex(input) else {
            return quote!(false);
        };
        let fillable = |f: &Field| {
            f.min == 0 && !f.is_list() && matches!(&f.ty, FieldType::Xsd(x) if x == "string")
        };
        let mut parts = Vec::new();
        for (f, id) in c.fields.iter().zip(field_idents(c)) {
            let FieldType::Named(t) = &f.ty else { continue };
            let polymorphic = self.any.contains_key(t.as_str());
            let members = if polymorphic {
                self.members(t)
            } else {
                vec![t.as_str()]
            };
            let fields: Vec<Option<(usize, &Field)>> = members
                .iter()
                .map(|m| {
                    self.model.complex(m).and_then(|mc| {
                        mc.fields
                            .iter()
                            .enumerate()
                            .find(|(_, f)| f.name == CORRELATION_FIELD)
                    })
                })
                .collect();
            if fields.iter().all(Option::is_none) {
                continue;
            }
            if !fields.iter().all(|f| f.is_some_and(|(_, f)| fillable(f))) {
                return quote!(false);
            }
            let get = if polymorphic {
                let accessor = self
                    .shared_fields(t)
                    .into_iter()
                    .find(|s| s.xsd == CORRELATION_FIELD);
                match accessor {
                    Some(s) => {
                        let name = s.ident;
                        quote!(v.#name())
                    }
                    // Not a field of the base: an `Untyped` value cannot carry one.
                    None => return quote!(false),
                }
            } else {
                let (Some(mc), Some(Some((i, _)))) = (self.model.complex(t), fields.first()) else {
                    return quote!(false);
                };
                let name = &field_idents(mc)[*i];
                quote!(&v.#name)
            };
            let values = if f.is_list() || f.min == 0 {
                quote!(request.#id.iter())
            } else {
                quote!(::core::iter::once(&request.#id))
            };
            parts.push(quote!(.chain(#values.map(|v| #get))));
        }
        if parts.is_empty() {
            return quote!(false);
        }
        quote!(#rt::all_correlated(::core::iter::empty() #(#parts)*))
    }
}

/// The Rust type of each field of each complex type, as [`render`] writes it, without paths
/// (`Option<Box<Email>>`, `Vec<AnySend>`, `i32`, `Vec<AnyElement>`): by type name, one entry
/// per field of [`ComplexType::fields`], in that order.
pub fn field_rust_types(model: &Model) -> BTreeMap<String, Vec<String>> {
    let ctx = Ctx::new(
        model,
        syn::Path::from(format_ident!("__rt")),
        syn::Path::from(format_ident!("String")),
    );
    let plain = |t: TokenStream| {
        let text: String = t.to_string().split_whitespace().collect();
        [
            "::core::option::",
            "::std::boxed::",
            "::std::vec::",
            "__rt::",
        ]
        .iter()
        .fold(text, |s, p| s.replace(p, ""))
    };
    model
        .types
        .values()
        .filter_map(|def| match def {
            TypeDef::Complex(c) => Some(c),
            TypeDef::Enum(_) => None,
        })
        .map(|c| {
            let types = c.fields.iter().enumerate();
            let types = types.map(|(i, f)| plain(ctx.field_type(&c.name, i, f)));
            (c.name.clone(), types.collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::doc_text;

    #[test]
    fn wsdl_documentation_is_plain_text_in_the_docs() {
        assert_eq!(
            doc_text(Some(
                r#"ObjectType "DataExtensionObject[CustomerKey]" <b>*x*</b> a_b `c` #1 \d"#
            )),
            r#"ObjectType "DataExtensionObject\[CustomerKey\]" \<b\>\*x\*\</b\> a\_b \`c\` \#1 \\d"#
        );
        assert_eq!(doc_text(None), "");
        assert_eq!(doc_text(Some("Plain words stay.")), "Plain words stay.");
    }
}
