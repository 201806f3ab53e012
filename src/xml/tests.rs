//! Tests of the runtime with hand-written types shaped like the generated ones.

use super::*;

#[derive(Debug, Clone, PartialEq, Default)]
struct Item {
    id: Option<i32>,
    key: Option<String>,
    tags: Vec<String>,
    nested: Option<Box<Item>>,
}

impl XmlComplex for Item {
    const TYPE_NAME: &'static str = "Item";

    fn write_fields(&self, w: &mut XmlWriter) {
        w.opt("ID", &self.id);
        w.opt("Key", &self.key);
        w.wrapped("Tags", "Tag", &self.tags, false);
        w.opt("Nested", &self.nested);
    }

    fn read_field(&mut self, r: &mut XmlReader<'_>, c: &Start<'_>) -> Result<bool, XmlError> {
        match c.local_name() {
            b"ID" => r.opt(c, &mut self.id)?,
            b"Key" => r.opt(c, &mut self.key)?,
            b"Tags" => r.wrapped(c, b"Tag", &mut self.tags)?,
            b"Nested" => r.opt(c, &mut self.nested)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

fn read(xml: &str) -> Result<Item, XmlError> {
    let mut r = XmlReader::new(xml.as_bytes());
    let start = r
        .next_child()?
        .ok_or_else(|| XmlError::new(XmlErrorKind::UnexpectedEof, 0))?;
    Item::read_element(&mut r, &start)
}

fn write(item: &Item) -> String {
    let mut w = XmlWriter::new();
    item.write_element(&mut w, "Item");
    w.into_string()
}

#[test]
fn round_trips_values_that_need_escaping() {
    let item = Item {
        id: Some(7),
        key: Some("a<b & c]]>d \"q\"".into()),
        tags: vec!["x".into(), "".into()],
        nested: Some(Box::new(Item {
            id: Some(8),
            ..Item::default()
        })),
    };
    let xml = write(&item);
    assert_eq!(
        xml,
        "<Item><ID>7</ID><Key>a&lt;b &amp; c]]&gt;d \"q\"</Key><Tags><Tag>x</Tag><Tag/></Tags>\
         <Nested><ID>8</ID></Nested></Item>"
    );
    assert!(!xml.contains("]]>"));
    assert_eq!(read(&xml), Ok(item));
}

#[test]
fn unset_fields_are_not_written() {
    assert_eq!(write(&Item::default()), "<Item/>");
}

#[test]
fn nil_reads_as_absent_and_unknown_children_are_skipped() {
    let xml = r#"<Item xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
        <ID i:nil="true"/><Unknown><Deep><Deeper/></Deep></Unknown>
        <Key><![CDATA[<raw & text>]]></Key><!-- comment --><Tags i:nil="true"/></Item>"#;
    let item = read(xml).unwrap();
    assert_eq!(item.id, None);
    assert_eq!(item.key.as_deref(), Some("<raw & text>"));
    assert!(item.tags.is_empty());
}

#[test]
fn references_are_resolved_and_unknown_entities_rejected() {
    let item = read("<Item><Key>&lt;&#x41;&#66;&amp;&quot;</Key></Item>").unwrap();
    assert_eq!(item.key.as_deref(), Some("<AB&\""));
    let err = read("<Item><Key>&lol;</Key></Item>").unwrap_err();
    assert!(
        matches!(err.kind(), XmlErrorKind::UnknownEntity(e) if e == "lol"),
        "{err}"
    );
}

#[test]
fn numbers_out_of_range_are_value_errors() {
    let err = read("<Item><ID>99999999999</ID></Item>").unwrap_err();
    assert!(
        matches!(
            err.kind(),
            XmlErrorKind::Value {
                expected: "xs:int",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("99999999999"));
}

#[test]
fn depth_is_bounded_without_recursion_in_skipped_content() {
    let deep = "<Nested>".repeat(200) + &"</Nested>".repeat(200);
    let err = read(&format!("<Item>{deep}</Item>")).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            XmlErrorKind::TooDeep {
                limit: DEFAULT_MAX_DEPTH
            }
        ),
        "{err}"
    );
    // Unknown content is skipped with a loop, whatever its depth.
    let unknown = "<U>".repeat(200_000) + &"</U>".repeat(200_000);
    let item = read(&format!("<Item>{unknown}<ID>1</ID></Item>")).unwrap();
    assert_eq!(item.id, Some(1));
}

#[test]
fn malformed_and_truncated_input_are_errors() {
    assert!(matches!(
        read("<Item><ID>1</Key></Item>").unwrap_err().kind(),
        XmlErrorKind::Syntax(_)
    ));
    assert!(matches!(
        read("<Item><ID>1</ID>").unwrap_err().kind(),
        XmlErrorKind::UnexpectedEof
    ));
    let doctype = "<!DOCTYPE x [<!ENTITY a \"b\">]><Item/>";
    let mut r = XmlReader::new(doctype.as_bytes());
    assert!(matches!(
        r.next_child().unwrap_err().kind(),
        XmlErrorKind::Doctype
    ));
}

#[test]
fn bom_and_invalid_utf8() {
    let item = read("\u{feff}<Item><ID>3</ID></Item>").unwrap();
    assert_eq!(item.id, Some(3));
    let bytes = b"<Item><Key>\xff\xfe</Key></Item>";
    let mut r = XmlReader::new(bytes);
    let start = r.next_child().unwrap().unwrap();
    let err = Item::read_element(&mut r, &start).unwrap_err();
    assert!(matches!(err.kind(), XmlErrorKind::Encoding(_)), "{err}");
}

#[test]
fn xsi_type_resolves_its_prefix() {
    let xml = r#"<a xmlns:p="urn:x" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
        <b xsi:type="p:Send"/><c xsi:type="Send"/><d xmlns:q="urn:other" xsi:type="q:Send"/><e/></a>"#;
    let mut r = XmlReader::new(xml.as_bytes());
    let _root = r.next_child().unwrap().unwrap();
    let mut seen = Vec::new();
    while let Some(c) = r.next_child().unwrap() {
        seen.push(
            c.xsi_type_in("urn:x")
                .map(|t| String::from_utf8_lossy(t).into_owned()),
        );
        r.skip(&c).unwrap();
    }
    assert_eq!(
        seen,
        [
            Some("Send".to_string()),
            Some("Send".to_string()),
            Some("q:Send".to_string()),
            None
        ]
    );
}

#[test]
fn declared_encodings_and_line_ends() {
    // Declared ISO-8859-1: the byte E9 is é (and the document is not UTF-8).
    let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Item><Key>caf\xe9</Key></Item>";
    let mut r = XmlReader::new(latin1);
    let start = r.next_child().unwrap().unwrap();
    let item = Item::read_element(&mut r, &start).unwrap();
    assert_eq!(item.key.as_deref(), Some("caf\u{e9}"));
    // Declared UTF-8, or nothing declared: read as UTF-8; carriage returns normalized.
    for decl in [
        "<?xml version='1.0' encoding='UTF-8'?>",
        "<?xml version=\"1.0\"?>",
        "",
    ] {
        let xml =
            format!("{decl}<Item><Key>caf\u{e9}\r\nx</Key><Tags><Tag>a\rb</Tag></Tags></Item>");
        let item = read(&xml).unwrap();
        assert_eq!(item.key.as_deref(), Some("caf\u{e9}\nx"), "{decl}");
        assert_eq!(item.tags, ["a\nb"], "{decl}");
    }
    assert!(reader::utf8_by_declaration(
        b"<?xml version=\"1.0\" encoding = \"utf8\" ?><a/>"
    ));
    assert!(!reader::utf8_by_declaration(
        b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><a/>"
    ));
    assert!(!reader::utf8_by_declaration(b"<\0?\0x\0m\0l\0"));
    assert!(!reader::utf8_by_declaration(
        b"<?xml version=\"1.0\" encoding=\"utf-8\""
    ));
}

#[test]
fn attributes_are_unique_and_many_are_fine() {
    let dup = r#"<Item a="1" b="2" a="3"><ID>1</ID></Item>"#;
    let err = read(dup).unwrap_err();
    assert!(matches!(err.kind(), XmlErrorKind::Syntax(_)), "{err}");
    assert!(err.to_string().contains("duplicate attribute `a`"), "{err}");
    // More attributes than are kept on the stack, the xsi ones last.
    let mut attrs: String = (0..20)
        .map(|i| format!(" a{i}=\"{i}\" p:b{i}=\"x\""))
        .collect();
    attrs.push_str(
        r#" xmlns:p="urn:p" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Send""#,
    );
    let xml = format!("<r{attrs}/>");
    let mut r = XmlReader::new(xml.as_bytes());
    let root = r.next_child().unwrap().unwrap();
    assert_eq!(root.xsi_type_in("urn:x"), Some(&b"Send"[..]));
    let xml = format!("<r{attrs} a7=\"again\"/>");
    let mut r = XmlReader::new(xml.as_bytes());
    let err = r.next_child().unwrap_err();
    assert!(
        err.to_string().contains("duplicate attribute `a7`"),
        "{err}"
    );
}

#[test]
fn malformed_attributes_are_syntax_errors_that_say_what() {
    for (tag, says) in [
        (r#"<Item a=1>"#, "value of attribute `a` is not quoted"),
        (r#"<Item a "1">"#, "attribute `a` without `=`"),
        (
            r#"<Item a="1"b="2">"#,
            "no white space after the value of attribute `a`",
        ),
        (r#"<Item ="1">"#, "an attribute without a name"),
        // (An unclosed quote never gets here: quick-xml's search for the tag's end minds quotes
        // and reports the tag as not closed.)
    ] {
        let xml = format!("{tag}<ID>1</ID></Item>");
        let mut r = XmlReader::new(xml.as_bytes());
        match r.next_child() {
            Err(err) => {
                assert!(
                    matches!(err.kind(), XmlErrorKind::Syntax(_)),
                    "{tag}: {err}"
                );
                assert!(err.to_string().contains(says), "{tag}: {err}");
                assert!(err.to_string().contains("`Item`"), "{tag}: {err}");
            }
            Ok(start) => panic!("{tag}: read as {start:?}"),
        }
    }
}

#[test]
fn attributes_in_every_legal_spelling_are_read() {
    let xsi = "http://www.w3.org/2001/XMLSchema-instance";
    for tag in [
        format!(r#"<Item xmlns:i="{xsi}" i:type="Send" i:nil="true"/>"#),
        format!("<Item\n\txmlns:i = '{xsi}'\r\n i:type\t=\t'Send'  i:nil='1' />"),
        format!(r#"<Item i:nil="true" i:type="Send" xmlns:i="{xsi}" other="a&amp;b"></Item>"#),
    ] {
        let mut r = XmlReader::new(tag.as_bytes());
        let start = r.next_child().unwrap_or_else(|e| panic!("{tag}: {e}"));
        let start = start.unwrap_or_else(|| panic!("{tag}: no element"));
        assert_eq!(start.xsi_type_in("urn:x"), Some(&b"Send"[..]), "{tag}");
        assert!(start.is_nil(), "{tag}");
    }
}

#[test]
fn an_error_is_one_pointer_wide() {
    // Every step of a read returns a Result with it: a wide error would be copied around on
    // every element.
    assert_eq!(
        std::mem::size_of::<XmlError>(),
        std::mem::size_of::<usize>()
    );
    assert_eq!(
        std::mem::size_of::<Result<(), XmlError>>(),
        std::mem::size_of::<usize>()
    );
}

#[test]
fn an_xsi_type_that_is_not_a_qname_names_no_type() {
    let xsi = "http://www.w3.org/2001/XMLSchema-instance";
    for (value, names) in [
        ("Send", &b"Send"[..]),
        ("p:Send", b"Send"),
        (":Send", b":Send"),
        (":p:Send", b":p:Send"),
        ("p:q:Send", b"p:q:Send"),
        ("p:", b"p:"),
    ] {
        let xml =
            format!(r#"<Item xmlns="urn:x" xmlns:p="urn:x" xmlns:i="{xsi}" i:type="{value}"/>"#);
        let mut r = XmlReader::new(xml.as_bytes());
        let start = r.next_child().unwrap_or_else(|e| panic!("{value}: {e}"));
        let start = start.unwrap_or_else(|| panic!("{value}: no element"));
        assert_eq!(start.xsi_type_in("urn:x"), Some(names), "{value}");
        // Only a QName's prefix is looked up (a leading colon is not the default namespace).
        let bound = (value == "Send" || value == "p:Send").then_some(&b"urn:x"[..]);
        assert_eq!(start.xsi_type_namespace(), bound, "{value}");
    }
}
