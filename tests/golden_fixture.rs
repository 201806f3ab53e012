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
