//! Formatting never matters: the vendor WSDLs (`../shared/partnerapi`, read-only) rewritten at
//! test time with other schema prefixes (`xs:`, `xsd:`, default namespace), WSDL elements
//! prefixed `wsdl:` as .NET tooling writes them, LF / CRLF / CR / CR CR LF line endings, a blank
//! line after every line, or other indentation must generate byte-identical code and surface.
//! The variants live in a temp folder only. Under `CI=true` a missing vendor file is a failure.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesEnd, BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::{Reader, Writer};
use sfmc_partnerapi_codegen::{Builder, FAULT_NAMESPACE};

const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";
const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";

const OLD: &str = "etframework.wsdl";
const LIVE: &str = "etframework-live-2024-05.wsdl";

fn vendor(name: &str) -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/partnerapi")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) => {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "{} is missing under CI=true: {e}",
                path.display()
            );
            eprintln!("note: {} not found ({e}); check skipped", path.display());
            None
        }
    }
}

/// Code and surface generated from `text`, written as `name` into its own temp folder.
fn generate(name: &str, variant: &str, text: &str) -> (String, String) {
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "codegen-formatting-{}-{}-{variant}",
        std::process::id(),
        RUN.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let fault = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wsdl/ETFrameworkFault.xsd");
    let result = Builder::new()
        .wsdl(&path)
        .import(FAULT_NAMESPACE, fault)
        .api_type("crate::client::Api")
        .generate();
    let _ = std::fs::remove_dir_all(&dir);
    let g = result.unwrap_or_else(|e| panic!("variant {variant} of {name}: {e}"));
    (g.code, g.surface)
}

/// The unmodified file's output, generated once per process.
fn baseline(name: &str, text: &str) -> (String, String) {
    static CACHE: OnceLock<Mutex<BTreeMap<String, (String, String)>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(name).cloned()) {
        return hit;
    }
    let out = generate(name, "original", text);
    if let Ok(mut c) = cache.lock() {
        c.insert(name.to_string(), out.clone());
    }
    out
}

/// A named rewrite of a WSDL text.
type Variant = (&'static str, fn(&str) -> String);

/// Generates every variant of vendor file `name` and compares it with the original's output.
fn check(name: &str, variants: &[Variant]) {
    let Some(text) = vendor(name) else { return };
    let (code, surface) = baseline(name, &text);
    assert!(
        code.contains("pub struct ApiObject"),
        "{name}: no ApiObject"
    );
    let mut unchanged = 0;
    for (variant, make) in variants {
        let changed = make(&text);
        if changed == text {
            // The file's own style (e.g. its line endings); at most one variant may be.
            unchanged += 1;
            assert!(unchanged < 2, "variant {variant} of {name} changes nothing");
            continue;
        }
        let (c, s) = generate(name, variant, &changed);
        if let Some(line) = first_difference(&code, &c) {
            panic!("variant {variant} of {name}: the code differs at line {line}");
        }
        if let Some(line) = first_difference(&surface, &s) {
            panic!("variant {variant} of {name}: the surface differs at line {line}");
        }
    }
}

fn first_difference(a: &str, b: &str) -> Option<usize> {
    if a == b {
        return None;
    }
    Some(
        a.lines()
            .zip(b.lines())
            .position(|(x, y)| x != y)
            .map_or_else(|| a.lines().count().min(b.lines().count()) + 1, |i| i + 1),
    )
}

/// Line breaks normalized to LF, then written as `eol`.
fn line_endings(text: &str, eol: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', eol)
}

/// Every line break of the text doubled (a blank line after every line).
fn blank_lines(text: &str) -> String {
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    text.replace(eol, &format!("{eol}{eol}"))
}

/// Each line's leading spaces replaced by tabs, one per two spaces, plus one space.
fn reindent(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let rest = line.trim_start_matches(' ');
            let n = line.len() - rest.len();
            if n == 0 {
                line.to_string()
            } else {
                format!("{} {rest}", "\t".repeat(n / 2))
            }
        })
        .collect()
}

/// Which prefix each namespace's elements get: `None` keeps the element as written,
/// `Some("")` makes the namespace the default.
struct Prefixes {
    schema: Option<&'static str>,
    wsdl: Option<&'static str>,
}

/// The document with the elements of XML Schema and WSDL written with the chosen prefixes, the
/// namespaces declared where needed (on `definitions` and on each `schema`), and the QNames of
/// built-in types (`type`, `base`, `itemType`, `memberTypes`, `ref`) rewritten to match.
fn reprefix(text: &str, prefixes: &Prefixes) -> String {
    let mut reader = Reader::from_str(text);
    let mut writer = Writer::new(Vec::with_capacity(text.len() + 4096));
    // Namespace declarations of the original, per open element; the names written, per open
    // element.
    let mut scopes: Vec<Vec<(String, String)>> = Vec::new();
    let mut names: Vec<Vec<u8>> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("the vendor file is not well-formed: {e}"));
        let (tag, empty) = match event {
            Event::Start(tag) => (tag, false),
            Event::Empty(tag) => (tag, true),
            Event::End(_) => {
                scopes.pop();
                let name = names.pop().unwrap_or_default();
                let name = String::from_utf8(name).unwrap_or_else(|e| panic!("{e}"));
                write(&mut writer, Event::End(BytesEnd::new(name)));
                continue;
            }
            Event::Eof => break,
            other => {
                write(&mut writer, other);
                continue;
            }
        };
        let attrs: Vec<Attribute<'_>> = tag
            .attributes()
            .map(|a| a.unwrap_or_else(|e| panic!("bad attribute: {e}")))
            .collect();
        let decls: Vec<(String, String)> = attrs
            .iter()
            .filter_map(|a| {
                let key = std::str::from_utf8(a.key.as_ref()).ok()?;
                let value = String::from_utf8(a.value.to_vec()).ok()?;
                if key == "xmlns" {
                    Some((String::new(), value))
                } else {
                    key.strip_prefix("xmlns:").map(|p| (p.to_string(), value))
                }
            })
            .collect();
        scopes.push(decls);
        let qname = String::from_utf8_lossy(tag.name().as_ref()).into_owned();
        let (prefix, local) = qname.split_once(':').unwrap_or(("", &qname));
        let ns = resolve(prefix, &scopes).unwrap_or_default();
        let chosen = match ns.as_str() {
            XSD_NS => prefixes.schema,
            WSDL_NS => prefixes.wsdl,
            _ => None,
        };
        let name = match chosen {
            Some("") => local.to_string(),
            Some(p) => format!("{p}:{local}"),
            None => qname.clone(),
        };
        let mut out = BytesStart::new(name.clone());
        // A new declaration goes on the root (for WSDL) and on each schema (for XSD), replacing
        // any declaration of the same prefix or of the default namespace there.
        let declare = match (ns.as_str(), local, chosen) {
            (WSDL_NS, "definitions", Some(p)) | (XSD_NS, "schema", Some(p)) => Some(p),
            _ => None,
        };
        for a in &attrs {
            let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
            if let Some(p) = declare {
                let target = if p.is_empty() {
                    "xmlns".to_string()
                } else {
                    format!("xmlns:{p}")
                };
                if key == "xmlns" || key == target {
                    continue;
                }
            }
            let rewrite = ns == XSD_NS
                && prefixes.schema.is_some()
                && matches!(
                    key.as_str(),
                    "type" | "base" | "ref" | "itemType" | "memberTypes"
                );
            if rewrite {
                let value = String::from_utf8_lossy(&a.value).into_owned();
                let value = value
                    .split_whitespace()
                    .map(|q| rewrite_qname(q, &scopes, prefixes.schema.unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join(" ");
                out.push_attribute(Attribute {
                    key: QName(a.key.as_ref()),
                    value: Cow::Owned(value.into_bytes()),
                });
            } else {
                out.push_attribute(a.clone());
            }
        }
        if let Some(p) = declare {
            let key = if p.is_empty() {
                "xmlns".to_string()
            } else {
                format!("xmlns:{p}")
            };
            out.push_attribute(Attribute {
                key: QName(key.as_bytes()),
                value: Cow::Borrowed(ns.as_bytes()),
            });
        }
        if empty {
            scopes.pop();
            write(&mut writer, Event::Empty(out));
        } else {
            names.push(name.into_bytes());
            write(&mut writer, Event::Start(out));
        }
    }
    String::from_utf8(writer.into_inner()).unwrap_or_else(|e| panic!("{e}"))
}

/// The namespace `prefix` is bound to.
fn resolve(prefix: &str, scopes: &[Vec<(String, String)>]) -> Option<String> {
    scopes
        .iter()
        .rev()
        .flat_map(|d| d.iter().rev())
        .find(|(p, _)| p == prefix)
        .map(|(_, ns)| ns.clone())
}

/// A QName of an XML Schema built-in written with `prefix`; any other QName as it was (which
/// must not depend on a default namespace the variant changes).
fn rewrite_qname(qname: &str, scopes: &[Vec<(String, String)>], prefix: &str) -> String {
    let (p, local) = qname.split_once(':').unwrap_or(("", qname));
    let ns = resolve(p, scopes);
    if ns.as_deref() == Some(XSD_NS) {
        return if prefix.is_empty() {
            local.to_string()
        } else {
            format!("{prefix}:{local}")
        };
    }
    assert!(
        !p.is_empty(),
        "{qname} names a type of the default namespace {ns:?}: this variant cannot keep it"
    );
    qname.to_string()
}

fn write(writer: &mut Writer<Vec<u8>>, event: Event<'_>) {
    writer
        .write_event(event)
        .unwrap_or_else(|e| panic!("writing the variant: {e}"));
}

fn xs(text: &str) -> String {
    reprefix(
        text,
        &Prefixes {
            schema: Some("xs"),
            wsdl: None,
        },
    )
}

fn xsd(text: &str) -> String {
    reprefix(
        text,
        &Prefixes {
            schema: Some("xsd"),
            wsdl: None,
        },
    )
}

fn default_namespace(text: &str) -> String {
    reprefix(
        text,
        &Prefixes {
            schema: Some(""),
            wsdl: None,
        },
    )
}

/// As .NET tooling writes it: `wsdl:definitions`, `wsdl:types`, ..., and `s:schema`.
fn dotnet(text: &str) -> String {
    reprefix(
        text,
        &Prefixes {
            schema: Some("s"),
            wsdl: Some("wsdl"),
        },
    )
}

/// Only the WSDL elements prefixed; the schema as it was.
fn wsdl_prefixed(text: &str) -> String {
    reprefix(
        text,
        &Prefixes {
            schema: None,
            wsdl: Some("wsdl"),
        },
    )
}

const PREFIXES: &[Variant] = &[
    ("xs", xs),
    ("xsd", xsd),
    ("default-namespace", default_namespace),
    ("dotnet", dotnet),
    ("wsdl-prefixed", wsdl_prefixed),
];

const LINE_ENDINGS: &[Variant] = &[
    ("lf", |t| line_endings(t, "\n")),
    ("crlf", |t| line_endings(t, "\r\n")),
    ("cr", |t| line_endings(t, "\r")),
    ("crcrlf", |t| line_endings(t, "\r\r\n")),
];

const LAYOUT: &[Variant] = &[
    ("blank-lines", blank_lines),
    ("reindented", reindent),
    ("blank-lines-cr", |t| blank_lines(&line_endings(t, "\r"))),
];

#[test]
fn old_wsdl_prefixes_do_not_matter() {
    check(OLD, PREFIXES);
}

#[test]
fn live_wsdl_prefixes_do_not_matter() {
    check(LIVE, PREFIXES);
}

#[test]
fn old_wsdl_line_endings_do_not_matter() {
    check(OLD, LINE_ENDINGS);
}

#[test]
fn live_wsdl_line_endings_do_not_matter() {
    check(LIVE, LINE_ENDINGS);
}

#[test]
fn old_wsdl_layout_does_not_matter() {
    check(OLD, LAYOUT);
}

#[test]
fn live_wsdl_layout_does_not_matter() {
    check(LIVE, LAYOUT);
}

#[test]
fn the_prefix_variants_are_what_they_claim() {
    let Some(text) = vendor(LIVE) else { return };
    let v = xs(&text);
    assert!(v.contains("<xs:complexType name=\"APIObject\">"));
    assert!(v.contains("type=\"xs:string\""));
    assert!(!v.contains("<complexType") && !v.contains("<xsd:complexType"));
    let v = default_namespace(&text);
    assert!(v.contains("<complexType name=\"ListSend\">"));
    assert!(v.contains("<element name=\"PartnerKey\" type=\"string\""));
    // Only commented-out declarations keep their prefix.
    assert!(
        v.lines()
            .filter(|l| l.contains("type=\"xsd:"))
            .all(|l| l.contains("<!--")
                || l.trim_start().starts_with("<element name=\"ToBeDefined\""))
    );
    let v = dotnet(&text);
    assert!(v.starts_with("<wsdl:definitions") || v.contains("\n<wsdl:definitions"));
    assert!(v.contains("<wsdl:portType") && v.contains("<s:schema"));
    assert!(v.contains("type=\"tns:APIObject\"") || v.contains("base=\"tns:APIObject\""));
}
