//! Stage 3: Rust source for a [`Model`], built with `quote` and formatted by `prettyplease`.
//!
//! Each complex type becomes a struct (inherited fields flattened in) implementing the runtime's
//! `XmlComplex`; each type that others extend and that a field refers to also gets an `Any*`
//! enum dispatching on `xsi:type`; enumerations become enums with a catch-all for unknown values;
//! each operation becomes one async method on the configured API type.

use std::collections::{BTreeMap, HashMap, HashSet};

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
    /// parameter and an async `call(&OperationInfo, &Req) -> Result<Resp, Error>` method.
    pub api_type: Option<String>,
    /// The error type of operation methods (`crate::Error`).
    pub error_type: String,
    /// The Rust type of XSD string values (`::std::string::String` by default).
    pub string_type: String,
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

struct Ctx<'a> {
    model: &'a Model,
    rt: syn::Path,
    /// The Rust type of string values.
    string: syn::Path,
    /// Rust name of each model type.
    rust: HashMap<&'a str, String>,
    /// Rust name of the `Any*` enum of each type used polymorphically.
    any: BTreeMap<&'a str, String>,
    descendants: BTreeMap<String, Vec<String>>,
    /// (type, field index) pairs that must be boxed to break a cycle.
    boxed: HashSet<(&'a str, usize)>,
}

/// Renders the whole bindings file.
pub fn render(model: &Model, config: &RenderConfig) -> Result<String, String> {
    let ctx = Ctx::new(model, path(&config.runtime)?, path(&config.string_type)?);
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
    }
    items.push(ctx.elements()?);
    items.push(ctx.operations(config)?);
    let tokens = quote!(#(#items)*);
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated code does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

impl<'a> Ctx<'a> {
    fn new(model: &'a Model, rt: syn::Path, string: syn::Path) -> Self {
        let descendants = model.descendants();
        let used = model.polymorphic();
        // One namespace for all Rust type names: structs, enums and the `Any*` enums.
        let keys: Vec<&str> = model.types.keys().map(String::as_str).collect();
        let mut all: Vec<String> = keys.iter().map(|k| names::type_name(k)).collect();
        all.extend(used.iter().map(|k| format!("Any{}", names::type_name(k))));
        let any_keys: Vec<&str> = model
            .types
            .keys()
            .map(String::as_str)
            .filter(|k| used.contains(*k))
            .collect();
        all.push("OperationInfo".to_string());
        names::dedupe(&mut all);
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
        let rt = &self.rt;
        let name = self.ident(&c.name);
        let xsd = &c.name;
        let mut doc = match (&c.base, c.inline) {
            (_, true) => format!("Inline type of element `{xsd}`."),
            (Some(b), false) => format!("XSD complex type `{xsd}` (extends `{b}`)."),
            (None, false) => format!("XSD complex type `{xsd}`."),
        };
        if let Some(d) = &c.documentation {
            doc = format!("{doc} {d}");
        }
        let mut field_names: Vec<String> = c
            .fields
            .iter()
            .map(|f| names::field_name(&f.name))
            .collect();
        names::dedupe(&mut field_names);
        let idents: Vec<syn::Ident> = field_names.iter().map(|n| format_ident!("{}", n)).collect();
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
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize)]
            pub struct #name {
                #(pub #idents: #types,)*
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
        let rt = &self.rt;
        let name = self.ident(&e.name);
        let xsd = &e.name;
        let mut doc =
            format!("XSD enumeration `{xsd}`; values it does not list are kept in `Unrecognized`.");
        if let Some(d) = &e.documentation {
            doc = format!("{doc} {d}");
        }
        let mut variant_names: Vec<String> = vec!["Unrecognized".to_string()];
        variant_names.extend(e.values.iter().map(|v| names::type_name(v)));
        names::dedupe(&mut variant_names);
        let variants: Vec<syn::Ident> = variant_names[1..]
            .iter()
            .map(|v| format_ident!("{}", v))
            .collect();
        let values = &e.values;
        let first = variants.first().map(|v| quote!(#[default] #v,));
        let rest = variants.iter().skip(1);
        let default_unrecognized = if variants.is_empty() {
            quote!(#[default])
        } else {
            quote!()
        };
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
            pub enum #name {
                #first
                #(#rest,)*
                /// A value this service description does not list, as received.
                #default_unrecognized
                Unrecognized(::std::string::String),
            }
            impl #rt::XmlEnum for #name {
                fn as_str(&self) -> &str {
                    match self {
                        #(Self::#variants => #values,)*
                        Self::Unrecognized(v) => v,
                    }
                }
                fn from_wire(value: &str) -> Self {
                    match value {
                        #(#values => Self::#variants,)*
                        other => Self::Unrecognized(::std::string::ToString::to_string(other)),
                    }
                }
            }
            impl #rt::XmlValue for #name {
                fn write_element(&self, w: &mut #rt::XmlWriter, name: &str) {
                    #rt::write_enum(self, w, name);
                }
                fn read_element(r: &mut #rt::XmlReader<'_>, start: &#rt::Start<'_>) -> ::core::result::Result<Self, #rt::XmlError> {
                    #rt::read_enum(r, start)
                }
            }
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                    s.serialize_str(#rt::XmlEnum::as_str(self))
                }
            }
        }
    }

    fn any_enum(&self, base: &str, any: &str) -> TokenStream {
        let rt = &self.rt;
        let name = format_ident!("{}", any);
        let base_ident = self.ident(base);
        let members: Vec<&str> = std::iter::once(base)
            .chain(
                self.descendants
                    .get(base)
                    .into_iter()
                    .flatten()
                    .map(String::as_str),
            )
            .collect();
        let variants: Vec<syn::Ident> = members.iter().map(|m| self.ident(m)).collect();
        let derived = &variants[1..];
        let derived_xsd = &members[1..];
        let member_docs = members.iter().map(|m| format!("`{m}`"));
        let ns = &self.model.target_namespace;
        let base_lit = Literal::byte_string(base.as_bytes());
        let derived_lits = derived_xsd
            .iter()
            .map(|m| Literal::byte_string(m.as_bytes()));
        let doc = format!(
            "`{base}` or one of the {} types derived from it, told apart by `xsi:type`.",
            derived.len()
        );
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
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
        let infos = self.model.operations.iter().map(|op| {
            let (n, a, i, o) = (
                &op.name,
                &op.soap_action,
                &op.input_element,
                &op.output_element,
            );
            quote!(OperationInfo { name: #n, soap_action: #a, input: #i, output: #o },)
        });
        let table = quote! {
            /// A WSDL operation: its name, SOAPAction and the elements of its messages.
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
            }
            /// Every operation of the service description, in its order.
            pub const OPERATIONS: &[OperationInfo] = &[#(#infos)*];
        };
        let Some(api) = &config.api_type else {
            return Ok(table);
        };
        let api = path(api)?;
        let error = path(&config.error_type)?;
        let methods = self.model.operations.iter().enumerate().map(|(i, op)| {
            let method = format_ident!("{}", names::field_name(&op.name));
            let input = self.ident(&self.model.elements[&op.input_element]);
            let output = self.ident(&self.model.elements[&op.output_element]);
            let mut doc = format!(
                "`{}` (SOAPAction `{}`): sends a `{}`, answers a `{}`.",
                op.name, op.soap_action, op.input_element, op.output_element
            );
            if let Some(d) = &op.documentation {
                doc = format!("{d}. {doc}");
            }
            quote! {
                #[doc = #doc]
                pub async fn #method(&self, request: &#input) -> ::core::result::Result<#output, #error> {
                    self.call(&OPERATIONS[#i], request).await
                }
            }
        });
        Ok(quote! {
            #table
            impl #api<'_> {
                #(#methods)*
            }
        })
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
