//! Compiles the generator's golden output (`codegen/tests/golden/polymorphic.rs`) against this
//! crate's XML runtime and checks what it does on the wire.

#[allow(dead_code, clippy::all)]
mod golden {
    include!("../codegen/tests/golden/polymorphic.rs");
}

use golden::{AnyBase, AnyItem, Color, DoRequestMsg, DoResponseMsg, Holder, Item, SpecialItem};
use sfmc_partnerapi::soap::{write_envelope, Envelope, RequestHeader};

fn round_trip(request: &DoRequestMsg) -> (String, DoRequestMsg) {
    let xml = write_envelope(&RequestHeader::None, request);
    let back = Envelope::parse(xml.as_bytes())
        .and_then(|e| e.read_body())
        .unwrap_or_else(|e| panic!("{e}\n{xml}"));
    (xml, back)
}

#[test]
fn derived_types_are_written_with_xsi_type_and_read_back() {
    let special = SpecialItem {
        id: Some(1),
        count: 2,
        shade: Some(Color::HasErrors),
        tags: vec!["a".into(), "b".into()],
        parent: Some(AnyItem::from(Item {
            count: 9,
            ..Default::default()
        })),
        ..Default::default()
    };
    let request = DoRequestMsg {
        holder: Holder {
            thing: Some(special.clone().into()),
            things: vec![
                Item {
                    count: 3,
                    ..Default::default()
                }
                .into(),
                golden::Base::default().into(),
            ],
            flag: true,
            by_number: Some(1.5),
            next: Some(Box::new(Holder {
                flag: false,
                ..Default::default()
            })),
            ..Default::default()
        },
    };
    let (xml, back) = round_trip(&request);
    assert!(xml.contains(
        "<Thing xsi:type=\"SpecialItem\"><ID>1</ID><Count>2</Count><Tags><Tag>a</Tag><Tag>b</Tag></Tags>\
         <Parent><Count>9</Count></Parent><Shade>Has Errors</Shade></Thing>"
    ), "{xml}");
    assert!(xml.contains("<Things xsi:type=\"Item\"><Count>3</Count></Things><Things/><Flag>true</Flag><ByNumber>1.5</ByNumber><Next><Flag>false</Flag></Next>"), "{xml}");
    assert_eq!(back, request);
}

#[test]
fn unknown_values_and_types_are_kept() {
    let xml = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
      <DoResponseMsg xmlns="urn:golden" xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns:g="urn:golden">
        <Results>
          <Result i:type="g:SpecialItem"><Shade>ultraviolet</Shade><Count>1</Count></Result>
          <Result i:type="g:Mystery"><ID>5</ID><Glow>yes</Glow></Result>
          <Result><ID>6</ID></Result>
        </Results>
        <OverallStatus>OK</OverallStatus>
      </DoResponseMsg></soap:Body></soap:Envelope>"#;
    let response: DoResponseMsg = Envelope::parse(xml.as_bytes())
        .and_then(|e| e.read_body())
        .unwrap();
    let [first, second, third] = &response.results[..] else {
        panic!("{response:?}")
    };
    let AnyBase::SpecialItem(s) = first else {
        panic!("{first:?}")
    };
    assert_eq!(s.shade, Some(Color::Unrecognized("ultraviolet".into())));
    assert_eq!(s.count, 1);
    let AnyBase::Untyped(u) = second else {
        panic!("{second:?}")
    };
    assert_eq!(u.xsi_type.as_deref(), Some("g:Mystery"));
    assert_eq!(u.base.id, Some(5));
    assert!(u.raw.contains("<Glow>yes</Glow>"));
    assert!(matches!(third, AnyBase::Base(b) if b.id == Some(6)));
    assert_eq!(golden::OPERATIONS[0].soap_action, "urn:golden/DoThing");
}

/// The builder's flags reach each operation's metadata (the golden test marks DoThing read-only
/// and DoMany idempotent with CorrelationIDs), through the marker types and the table alike.
#[test]
fn operations_carry_their_flags() {
    use golden::operations::{DoMany, DoThing};
    use golden::Operation;
    let (thing, many) = (DoThing::INFO, DoMany::INFO);
    assert_eq!(
        (thing.name, thing.input, thing.output),
        ("DoThing", "DoRequestMsg", "DoResponseMsg")
    );
    assert!(thing.read_only && !thing.idempotent_with_correlation_ids);
    assert_eq!(many.soap_action, "urn:golden/DoMany");
    assert!(!many.read_only && many.idempotent_with_correlation_ids);
    assert_eq!(golden::OPERATIONS, &[thing, many]);
    // Only the flagged operation looks at its objects' CorrelationIDs: DoRequestMsg has none.
    assert!(!DoThing::every_object_correlated(&DoRequestMsg::default()));
}

/// DoMany's objects are its `Objects` (a base with a CorrelationID): every one must have one
/// that is not blank, or none yet (the client's writer fills it); `Options` does not count.
#[test]
fn every_object_correlated_reads_the_request_value() {
    use golden::operations::DoMany;
    use golden::{DoManyRequestMsg, Operation};
    let object = |correlation: Option<&str>| -> AnyBase {
        SpecialItem {
            correlation_id: correlation.map(Into::into),
            ..Default::default()
        }
        .into()
    };
    let untyped = |correlation: Option<&str>| {
        AnyBase::Untyped(Box::new(sfmc_partnerapi::xml::Untyped {
            xsi_type: Some("Mystery".into()),
            base: golden::Base {
                correlation_id: correlation.map(Into::into),
                ..Default::default()
            },
            ..Default::default()
        }))
    };
    let request = |objects| DoManyRequestMsg {
        options: Some(Box::new(Holder::default())),
        objects,
    };
    let correlated = |objects| DoMany::every_object_correlated(&request(objects));
    assert!(correlated(vec![
        object(None),
        object(Some("a")),
        untyped(None)
    ]));
    assert!(correlated(vec![untyped(Some("b"))]));
    assert!(!correlated(vec![object(Some("a")), object(Some("  "))]));
    assert!(!correlated(vec![untyped(Some(""))]));
    assert!(!correlated(Vec::new()), "no object at all");
}

/// Accessors read (and change) the base's fields whatever the variant, `Untyped` included; a
/// field boxed or typed differently in some member has none.
#[test]
fn any_accessors_reach_every_variant() {
    let mut values: Vec<AnyBase> = vec![
        golden::Base {
            id: Some(1),
            ..Default::default()
        }
        .into(),
        Item {
            id: Some(2),
            count: 5,
            ..Default::default()
        }
        .into(),
        SpecialItem {
            id: Some(3),
            name: Some("s".into()),
            ..Default::default()
        }
        .into(),
        AnyBase::Untyped(Box::new(sfmc_partnerapi::xml::Untyped {
            base: golden::Base {
                id: Some(4),
                ..Default::default()
            },
            ..Default::default()
        })),
    ];
    let ids: Vec<Option<i32>> = values.iter().map(|v| *v.id()).collect();
    assert_eq!(ids, [Some(1), Some(2), Some(3), Some(4)]);
    assert_eq!(values[2].name().as_deref(), Some("s"));
    for v in &mut values {
        *v.correlation_id_mut() = Some("c".into());
    }
    let AnyBase::Untyped(u) = &values[3] else {
        panic!("{:?}", values[3])
    };
    assert_eq!(u.base.correlation_id.as_deref(), Some("c"));
    let AnyBase::Item(item) = &values[1] else {
        panic!("{:?}", values[1])
    };
    assert_eq!(item.correlation_id.as_deref(), Some("c"));
    // AnyItem: the fields of Item, Count (required) included.
    let special = AnyItem::from(SpecialItem {
        count: 7,
        r#type: Some("t".into()),
        ..Default::default()
    });
    assert_eq!(
        (*special.count(), special.r#type().as_deref()),
        (7, Some("t"))
    );
}

/// A derived type whose own fields are all optional converts from its base: every base field
/// moved across, its own left empty.
#[test]
fn derived_types_convert_from_their_base() {
    let item = Item {
        id: Some(8),
        count: 2,
        tags: vec!["x".into()],
        correlation_id: Some("k".into()),
        ..Default::default()
    };
    let special = SpecialItem::from(item.clone());
    assert_eq!(
        special,
        SpecialItem {
            id: Some(8),
            count: 2,
            tags: vec!["x".into()],
            correlation_id: Some("k".into()),
            shade: None,
            ..Default::default()
        }
    );
    assert_eq!(AnyItem::from(special).type_name(), "SpecialItem");
}

/// `TryFrom<Any*>`: a member's own variant as it is, a base type's variant or an unknown
/// `xsi:type` read again as the member, another member given back.
#[test]
fn members_convert_from_their_any_enum() {
    let special = SpecialItem {
        id: Some(3),
        count: 4,
        shade: Some(Color::Red),
        ..Default::default()
    };
    assert_eq!(
        SpecialItem::try_from(AnyBase::from(special.clone())),
        Ok(special.clone())
    );
    // Read as a base type: the fields it has.
    let item = Item {
        id: Some(5),
        count: 6,
        tags: vec!["t".into()],
        ..Default::default()
    };
    let read = SpecialItem::try_from(AnyBase::from(item.clone())).expect("read as SpecialItem");
    assert_eq!(
        (read.id, read.count, read.tags.clone()),
        (Some(5), 6, vec!["t".into()])
    );
    assert_eq!(read.shade, None);
    // Another member of the family: given back unchanged.
    let back = Item::try_from(AnyBase::from(special.clone())).expect_err("a SpecialItem");
    assert_eq!(back, AnyBase::from(special));
    // An unknown xsi:type holding the member's fields: read from the raw element.
    let xml = r#"<DoResponseMsg xmlns="urn:golden" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Results><Result xsi:type="Mystery"><ID>7</ID><Count>8</Count><Shade>red</Shade></Result></Results></DoResponseMsg>"#;
    let mut r = sfmc_partnerapi::xml::XmlReader::new(xml.as_bytes());
    let start = r.next_child().expect("xml").expect("an element");
    let msg: DoResponseMsg = r.complex(&start).expect("reads");
    let first = msg.results.into_iter().next().expect("one result");
    assert!(matches!(first, AnyBase::Untyped(_)), "{first:?}");
    let read = SpecialItem::try_from(first).expect("read again");
    assert_eq!(
        (read.id, read.count, read.shade),
        (Some(7), 8, Some(Color::Red))
    );
}

#[allow(dead_code, clippy::all)]
mod wildcard {
    include!("../codegen/tests/golden/wildcard.rs");
}

/// Elements a wildcard (`xs:any`) matches are kept as written, with the namespace declarations
/// in scope added so each reads back alone; written back, they are the same bytes, and a second
/// round trip changes nothing.
#[test]
fn wildcard_elements_are_kept_and_written_back_exactly() {
    let xml = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="urn:extra"><soap:Body>
      <GetResponseMsg xmlns="urn:wildcard" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
        <Record other="ignored">
          <ID>7</ID>
          <x:Flag level="2">on &amp; off</x:Flag>
          <Data><Html><p>Hello <b>there</b></p></Html><x:Meta x:kind='a"b'/><!-- kept --></Data>
          <Note>n</Note>
          <Unknown i:nil="true"/>
        </Record>
      </GetResponseMsg></soap:Body></soap:Envelope>"#;
    let response: wildcard::GetResponseMsg = Envelope::parse(xml.as_bytes())
        .and_then(|e| e.read_body())
        .unwrap_or_else(|e| panic!("{e}"));
    let [record] = &response.record[..] else {
        panic!("{response:?}")
    };
    assert_eq!(record.id, Some(7));
    assert_eq!(record.note.as_deref(), Some("n"));
    // Children no named field takes go to the wildcard, in order, with the declarations in
    // scope that they rely on (outermost first).
    let any: Vec<&str> = record.any.iter().map(|e| e.as_str()).collect();
    assert_eq!(
        any,
        [
            r#"<x:Flag xmlns:x="urn:extra" level="2">on &amp; off</x:Flag>"#,
            r#"<Unknown xmlns="urn:wildcard" xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/>"#,
        ]
    );
    assert_eq!(record.any[0].namespace().as_deref(), Some("urn:extra"));
    assert_eq!(record.any[1].local_name(), "Unknown");
    let data = record
        .data
        .as_deref()
        .map(|d| &d.any[..])
        .unwrap_or_default();
    assert_eq!(data.len(), 2, "{data:?}");
    assert_eq!(
        data[0].as_str(),
        r#"<Html xmlns="urn:wildcard"><p>Hello <b>there</b></p></Html>"#
    );
    assert_eq!(
        data[1].as_str(),
        r#"<x:Meta xmlns:x="urn:extra" x:kind='a"b'/>"#
    );

    // Written into a request: the kept elements come back byte for byte, each where its field
    // stands in the schema's order.
    let request = wildcard::GetRequestMsg {
        record: response.record.clone(),
        ..Default::default()
    };
    let written = write_envelope(&RequestHeader::None, &request);
    for e in record.any.iter().chain(data) {
        assert!(written.contains(e.as_str()), "{e}\n{written}");
    }
    let back: wildcard::GetRequestMsg = Envelope::parse(written.as_bytes())
        .and_then(|e| e.read_body())
        .unwrap_or_else(|e| panic!("{e}\n{written}"));
    assert_eq!(back.record, response.record);
    assert_eq!(write_envelope(&RequestHeader::None, &back), written);
    // Each kept element also reads alone, as the same value.
    for e in record.any.iter().chain(data) {
        let alone = sfmc_partnerapi::xml::AnyElement::parse(e.as_str())
            .unwrap_or_else(|err| panic!("{err}: {e}"));
        assert_eq!(&alone, e);
    }
}

#[test]
fn any_element_parse_refuses_what_is_not_one_element() {
    use sfmc_partnerapi::xml::AnyElement;
    for bad in [
        "",
        "text",
        "<a>",
        "<a></b>",
        "<a/><b/>",
        "<p:a/>",
        "<a>&custom;</a>",
        "<!DOCTYPE a><a/>",
    ] {
        assert!(AnyElement::parse(bad).is_err(), "{bad:?} was accepted");
    }
    let e = AnyElement::parse("  <a><b/></a>\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(e.as_str(), "<a xmlns=\"\"><b/></a>");
    assert_eq!(e.to_string(), e.as_str());
}
