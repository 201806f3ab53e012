/// Target namespace of the service description these bindings were generated from.
pub const TARGET_NAMESPACE: &str = "urn:wildcard";
/// Service address given by the service description, if any.
pub const SERVICE_ADDRESS: ::core::option::Option<&str> = ::core::option::Option::None;
///XSD complex type `AnyProperty`.
#[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize)]
pub struct AnyProperty {
    pub any: ::std::vec::Vec<::sfmc_partnerapi::xml::AnyElement>,
}
impl ::sfmc_partnerapi::xml::XmlComplex for AnyProperty {
    const TYPE_NAME: &'static str = "AnyProperty";
    fn write_fields(&self, w: &mut ::sfmc_partnerapi::xml::XmlWriter) {
        w.any(&self.any);
    }
    fn read_field(
        &mut self,
        r: &mut ::sfmc_partnerapi::xml::XmlReader<'_>,
        c: &::sfmc_partnerapi::xml::Start<'_>,
    ) -> ::core::result::Result<bool, ::sfmc_partnerapi::xml::XmlError> {
        r.any(c, &mut self.any)?;
        ::core::result::Result::Ok(true)
    }
}
///Inline type of element `GetRequestMsg`.
#[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize)]
pub struct GetRequestMsg {
    pub record: ::std::vec::Vec<Record>,
    pub strict: ::core::option::Option<::std::boxed::Box<Strict>>,
}
impl ::sfmc_partnerapi::xml::XmlComplex for GetRequestMsg {
    const TYPE_NAME: &'static str = "GetRequestMsg";
    fn write_fields(&self, w: &mut ::sfmc_partnerapi::xml::XmlWriter) {
        w.many("Record", &self.record);
        w.opt("Strict", &self.strict);
    }
    fn read_field(
        &mut self,
        r: &mut ::sfmc_partnerapi::xml::XmlReader<'_>,
        c: &::sfmc_partnerapi::xml::Start<'_>,
    ) -> ::core::result::Result<bool, ::sfmc_partnerapi::xml::XmlError> {
        match c.local_name() {
            b"Record" => r.many(c, &mut self.record)?,
            b"Strict" => r.opt(c, &mut self.strict)?,
            _ => return ::core::result::Result::Ok(false),
        }
        ::core::result::Result::Ok(true)
    }
}
///Inline type of element `GetResponseMsg`.
#[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize)]
pub struct GetResponseMsg {
    pub record: ::std::vec::Vec<Record>,
}
impl ::sfmc_partnerapi::xml::XmlComplex for GetResponseMsg {
    const TYPE_NAME: &'static str = "GetResponseMsg";
    fn write_fields(&self, w: &mut ::sfmc_partnerapi::xml::XmlWriter) {
        w.many("Record", &self.record);
    }
    fn read_field(
        &mut self,
        r: &mut ::sfmc_partnerapi::xml::XmlReader<'_>,
        c: &::sfmc_partnerapi::xml::Start<'_>,
    ) -> ::core::result::Result<bool, ::sfmc_partnerapi::xml::XmlError> {
        match c.local_name() {
            b"Record" => r.many(c, &mut self.record)?,
            _ => return ::core::result::Result::Ok(false),
        }
        ::core::result::Result::Ok(true)
    }
}
///XSD complex type `Record`.
#[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize)]
pub struct Record {
    pub id: ::core::option::Option<i32>,
    pub any: ::std::vec::Vec<::sfmc_partnerapi::xml::AnyElement>,
    pub data: ::core::option::Option<::std::boxed::Box<AnyProperty>>,
    pub note: ::core::option::Option<::std::string::String>,
}
impl ::sfmc_partnerapi::xml::XmlComplex for Record {
    const TYPE_NAME: &'static str = "Record";
    fn write_fields(&self, w: &mut ::sfmc_partnerapi::xml::XmlWriter) {
        w.opt("ID", &self.id);
        w.any(&self.any);
        w.opt("Data", &self.data);
        w.opt("Note", &self.note);
    }
    fn read_field(
        &mut self,
        r: &mut ::sfmc_partnerapi::xml::XmlReader<'_>,
        c: &::sfmc_partnerapi::xml::Start<'_>,
    ) -> ::core::result::Result<bool, ::sfmc_partnerapi::xml::XmlError> {
        match c.local_name() {
            b"ID" => r.opt(c, &mut self.id)?,
            b"Data" => r.opt(c, &mut self.data)?,
            b"Note" => r.opt(c, &mut self.note)?,
            _ => r.any(c, &mut self.any)?,
        }
        ::core::result::Result::Ok(true)
    }
}
///XSD complex type `Strict`.
#[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize)]
pub struct Strict {
    pub name: ::std::string::String,
    pub any: ::std::vec::Vec<::sfmc_partnerapi::xml::AnyElement>,
}
impl ::sfmc_partnerapi::xml::XmlComplex for Strict {
    const TYPE_NAME: &'static str = "Strict";
    fn write_fields(&self, w: &mut ::sfmc_partnerapi::xml::XmlWriter) {
        w.req("Name", &self.name);
        w.any(&self.any);
    }
    fn read_field(
        &mut self,
        r: &mut ::sfmc_partnerapi::xml::XmlReader<'_>,
        c: &::sfmc_partnerapi::xml::Start<'_>,
    ) -> ::core::result::Result<bool, ::sfmc_partnerapi::xml::XmlError> {
        match c.local_name() {
            b"Name" => r.req(c, &mut self.name)?,
            _ => r.any(c, &mut self.any)?,
        }
        ::core::result::Result::Ok(true)
    }
}
impl ::sfmc_partnerapi::xml::XmlElement for GetRequestMsg {
    const NAME: &'static str = "GetRequestMsg";
    const NAMESPACE: &'static str = TARGET_NAMESPACE;
}
impl ::sfmc_partnerapi::xml::XmlElement for GetResponseMsg {
    const NAME: &'static str = "GetResponseMsg";
    const NAMESPACE: &'static str = TARGET_NAMESPACE;
}
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
pub const OPERATIONS: &[OperationInfo] = &[
    OperationInfo {
        name: "Get",
        soap_action: "Get",
        input: "GetRequestMsg",
        output: "GetResponseMsg",
    },
];
