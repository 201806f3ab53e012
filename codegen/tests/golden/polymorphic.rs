/// Target namespace of the service description these bindings were generated from.
pub const TARGET_NAMESPACE: &str = "urn:golden";
/// Service address given by the service description, if any.
pub const SERVICE_ADDRESS: ::core::option::Option<&str> = ::core::option::Option::Some(
    "https://golden.invalid/Service.asmx",
);
///XSD complex type `Base`.
#[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize)]
pub struct Base {
    pub id: ::core::option::Option<i32>,
    pub name: ::core::option::Option<::std::string::String>,
}
impl ::sfmc_partnerapi::xml::XmlComplex for Base {
    const TYPE_NAME: &'static str = "Base";
    fn write_fields(&self, w: &mut ::sfmc_partnerapi::xml::XmlWriter) {
        w.opt("ID", &self.id);
        w.opt("Name", &self.name);
    }
    fn read_field(
        &mut self,
        r: &mut ::sfmc_partnerapi::xml::XmlReader<'_>,
        c: &::sfmc_partnerapi::xml::Start<'_>,
    ) -> ::core::result::Result<bool, ::sfmc_partnerapi::xml::XmlError> {
        match c.local_name() {
            b"ID" => r.opt(c, &mut self.id)?,
            b"Name" => r.opt(c, &mut self.name)?,
            _ => return ::core::result::Result::Ok(false),
        }
        ::core::result::Result::Ok(true)
    }
}
///XSD enumeration `Color`; values it does not list are kept in `Unrecognized`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Color {
    #[default]
    Red,
    HasErrors,
    Unrecognized2,
    /// A value this service description does not list, as received.
    Unrecognized(::std::string::String),
}
impl ::sfmc_partnerapi::xml::XmlEnum for Color {
    fn as_str(&self) -> &str {
        match self {
            Self::Red => "red",
            Self::HasErrors => "Has Errors",
            Self::Unrecognized2 => "Unrecognized",
            Self::Unrecognized(v) => v,
        }
    }
    fn from_wire(value: &str) -> Self {
        match value {
            "red" => Self::Red,
            "Has Errors" => Self::HasErrors,
            "Unrecognized" => Self::Unrecognized2,
            other => Self::Unrecognized(::std::string::ToString::to_string(other)),
        }
    }
}
impl ::sfmc_partnerapi::xml::XmlValue for Color {
    fn write_element(&self, w: &mut ::sfmc_partnerapi::xml::XmlWriter, name: &str) {
        ::sfmc_partnerapi::xml::write_enum(self, w, name);
    }
    fn read_element(
        r: &mut ::sfmc_partnerapi::xml::XmlReader<'_>,
        start: &::sfmc_partnerapi::xml::Start<'_>,
    ) -> ::core::result::Result<Self, ::sfmc_partnerapi::xml::XmlError> {
        ::sfmc_partnerapi::xml::read_enum(r, start)
    }
}
impl ::serde::Serialize for Color {
    fn serialize<S: ::serde::Serializer>(
        &self,
        s: S,
    ) -> ::core::result::Result<S::Ok, S::Error> {
        s.serialize_str(::sfmc_partnerapi::xml::XmlEnum::as_str(self))
    }
}
///Inline type of element `DoRequestMsg`.
#[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize)]
pub struct DoRequestMsg {
    pub holder: Holder,
}
impl ::sfmc_partnerapi::xml::XmlComplex for DoRequestMsg {
    const TYPE_NAME: &'static str = "DoRequestMsg";
    fn write_fields(&self, w: &mut ::sfmc_partnerapi::xml::XmlWriter) {
        w.req("Holder", &self.holder);
    }
    fn read_field(
        &mut self,
        r: &mut ::sfmc_partnerapi::xml::XmlReader<'_>,
        c: &::sfmc_partnerapi::xml::Start<'_>,
    ) -> ::core::result::Result<bool, ::sfmc_partnerapi::xml::XmlError> {
        match c.local_name() {
            b"Holder" => r.req(c, &mut self.holder)?,
            _ => return ::core::result::Result::Ok(false),
        }
        ::core::result::Result::Ok(true)
    }
}
///Inline type of element `DoResponseMsg`.
#[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize)]
pub struct DoResponseMsg {
    pub results: ::std::vec::Vec<AnyBase>,
    pub overall_status: ::std::string::String,
}
impl ::sfmc_partnerapi::xml::XmlComplex for DoResponseMsg {
    const TYPE_NAME: &'static str = "DoResponseMsg";
    fn write_fields(&self, w: &mut ::sfmc_partnerapi::xml::XmlWriter) {
        w.wrapped("Results", "Result", &self.results, false);
        w.req("OverallStatus", &self.overall_status);
    }
    fn read_field(
        &mut self,
        r: &mut ::sfmc_partnerapi::xml::XmlReader<'_>,
        c: &::sfmc_partnerapi::xml::Start<'_>,
    ) -> ::core::result::Result<bool, ::sfmc_partnerapi::xml::XmlError> {
        match c.local_name() {
            b"Results" => r.wrapped(c, b"Result", &mut self.results)?,
            b"OverallStatus" => r.req(c, &mut self.overall_status)?,
            _ => return ::core::result::Result::Ok(false),
        }
        ::core::result::Result::Ok(true)
    }
}
///XSD complex type `Holder`.
#[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize)]
pub struct Holder {
    pub thing: ::core::option::Option<AnyBase>,
    pub things: ::std::vec::Vec<AnyBase>,
    pub flag: bool,
    pub by_name: ::core::option::Option<::std::string::String>,
    pub by_number: ::core::option::Option<f64>,
    pub next: ::core::option::Option<::std::boxed::Box<Holder>>,
}
impl ::sfmc_partnerapi::xml::XmlComplex for Holder {
    const TYPE_NAME: &'static str = "Holder";
    fn write_fields(&self, w: &mut ::sfmc_partnerapi::xml::XmlWriter) {
        w.opt("Thing", &self.thing);
        w.many("Things", &self.things);
        w.req("Flag", &self.flag);
        w.opt("ByName", &self.by_name);
        w.opt("ByNumber", &self.by_number);
        w.opt("Next", &self.next);
    }
    fn read_field(
        &mut self,
        r: &mut ::sfmc_partnerapi::xml::XmlReader<'_>,
        c: &::sfmc_partnerapi::xml::Start<'_>,
    ) -> ::core::result::Result<bool, ::sfmc_partnerapi::xml::XmlError> {
        match c.local_name() {
            b"Thing" => r.opt(c, &mut self.thing)?,
            b"Things" => r.many(c, &mut self.things)?,
            b"Flag" => r.req(c, &mut self.flag)?,
            b"ByName" => r.opt(c, &mut self.by_name)?,
            b"ByNumber" => r.opt(c, &mut self.by_number)?,
            b"Next" => r.opt(c, &mut self.next)?,
            _ => return ::core::result::Result::Ok(false),
        }
        ::core::result::Result::Ok(true)
    }
}
///XSD complex type `Item` (extends `Base`).
#[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize)]
pub struct Item {
    pub id: ::core::option::Option<i32>,
    pub name: ::core::option::Option<::std::string::String>,
    pub count: i64,
    pub type_: ::core::option::Option<::std::string::String>,
    pub tags: ::std::vec::Vec<::std::string::String>,
    pub parent: ::core::option::Option<AnyItem>,
}
impl ::sfmc_partnerapi::xml::XmlComplex for Item {
    const TYPE_NAME: &'static str = "Item";
    fn write_fields(&self, w: &mut ::sfmc_partnerapi::xml::XmlWriter) {
        w.opt("ID", &self.id);
        w.opt("Name", &self.name);
        w.req("Count", &self.count);
        w.opt("Type", &self.type_);
        w.wrapped("Tags", "Tag", &self.tags, false);
        w.opt("Parent", &self.parent);
    }
    fn read_field(
        &mut self,
        r: &mut ::sfmc_partnerapi::xml::XmlReader<'_>,
        c: &::sfmc_partnerapi::xml::Start<'_>,
    ) -> ::core::result::Result<bool, ::sfmc_partnerapi::xml::XmlError> {
        match c.local_name() {
            b"ID" => r.opt(c, &mut self.id)?,
            b"Name" => r.opt(c, &mut self.name)?,
            b"Count" => r.req(c, &mut self.count)?,
            b"Type" => r.opt(c, &mut self.type_)?,
            b"Tags" => r.wrapped(c, b"Tag", &mut self.tags)?,
            b"Parent" => r.opt(c, &mut self.parent)?,
            _ => return ::core::result::Result::Ok(false),
        }
        ::core::result::Result::Ok(true)
    }
}
///XSD complex type `SpecialItem` (extends `Item`).
#[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize)]
pub struct SpecialItem {
    pub id: ::core::option::Option<i32>,
    pub name: ::core::option::Option<::std::string::String>,
    pub count: i64,
    pub type_: ::core::option::Option<::std::string::String>,
    pub tags: ::std::vec::Vec<::std::string::String>,
    pub parent: ::core::option::Option<AnyItem>,
    pub shade: ::core::option::Option<Color>,
}
impl ::sfmc_partnerapi::xml::XmlComplex for SpecialItem {
    const TYPE_NAME: &'static str = "SpecialItem";
    fn write_fields(&self, w: &mut ::sfmc_partnerapi::xml::XmlWriter) {
        w.opt("ID", &self.id);
        w.opt("Name", &self.name);
        w.req("Count", &self.count);
        w.opt("Type", &self.type_);
        w.wrapped("Tags", "Tag", &self.tags, false);
        w.opt("Parent", &self.parent);
        w.opt("Shade", &self.shade);
    }
    fn read_field(
        &mut self,
        r: &mut ::sfmc_partnerapi::xml::XmlReader<'_>,
        c: &::sfmc_partnerapi::xml::Start<'_>,
    ) -> ::core::result::Result<bool, ::sfmc_partnerapi::xml::XmlError> {
        match c.local_name() {
            b"ID" => r.opt(c, &mut self.id)?,
            b"Name" => r.opt(c, &mut self.name)?,
            b"Count" => r.req(c, &mut self.count)?,
            b"Type" => r.opt(c, &mut self.type_)?,
            b"Tags" => r.wrapped(c, b"Tag", &mut self.tags)?,
            b"Parent" => r.opt(c, &mut self.parent)?,
            b"Shade" => r.opt(c, &mut self.shade)?,
            _ => return ::core::result::Result::Ok(false),
        }
        ::core::result::Result::Ok(true)
    }
}
///`Base` or one of the 2 types derived from it, told apart by `xsi:type`.
#[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
pub enum AnyBase {
    ///`Base`
    Base(::std::boxed::Box<Base>),
    ///`Item`
    Item(::std::boxed::Box<Item>),
    ///`SpecialItem`
    SpecialItem(::std::boxed::Box<SpecialItem>),
    /// An unknown `xsi:type` (or unknown content without one): the base fields and
    /// the raw element.
    Untyped(::std::boxed::Box<::sfmc_partnerapi::xml::Untyped<Base>>),
}
impl ::core::default::Default for AnyBase {
    fn default() -> Self {
        Self::Base(::std::boxed::Box::default())
    }
}
impl ::sfmc_partnerapi::xml::XmlValue for AnyBase {
    fn write_element(&self, w: &mut ::sfmc_partnerapi::xml::XmlWriter, name: &str) {
        match self {
            Self::Base(v) => w.complex(name, ::core::option::Option::None, &**v),
            Self::Item(v) => w.complex(name, ::core::option::Option::Some("Item"), &**v),
            Self::SpecialItem(v) => {
                w.complex(name, ::core::option::Option::Some("SpecialItem"), &**v)
            }
            Self::Untyped(v) => ::sfmc_partnerapi::xml::write_untyped(v, w, name),
        }
    }
    fn read_element(
        r: &mut ::sfmc_partnerapi::xml::XmlReader<'_>,
        s: &::sfmc_partnerapi::xml::Start<'_>,
    ) -> ::core::result::Result<Self, ::sfmc_partnerapi::xml::XmlError> {
        ::core::result::Result::Ok(
            match s.xsi_type_in("urn:golden") {
                ::core::option::Option::None => {
                    match ::sfmc_partnerapi::xml::read_declared(r, s)? {
                        ::core::result::Result::Ok(v) => Self::Base(v),
                        ::core::result::Result::Err(u) => Self::Untyped(u),
                    }
                }
                ::core::option::Option::Some(b"Base") => Self::Base(r.complex_boxed(s)?),
                ::core::option::Option::Some(b"Item") => Self::Item(r.complex_boxed(s)?),
                ::core::option::Option::Some(b"SpecialItem") => {
                    Self::SpecialItem(r.complex_boxed(s)?)
                }
                ::core::option::Option::Some(_) => {
                    Self::Untyped(::sfmc_partnerapi::xml::read_untyped(r, s)?)
                }
            },
        )
    }
}
impl ::core::convert::From<Base> for AnyBase {
    fn from(v: Base) -> Self {
        Self::Base(::std::boxed::Box::new(v))
    }
}
impl ::core::convert::From<Item> for AnyBase {
    fn from(v: Item) -> Self {
        Self::Item(::std::boxed::Box::new(v))
    }
}
impl ::core::convert::From<SpecialItem> for AnyBase {
    fn from(v: SpecialItem) -> Self {
        Self::SpecialItem(::std::boxed::Box::new(v))
    }
}
///`Item` or one of the 1 types derived from it, told apart by `xsi:type`.
#[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
pub enum AnyItem {
    ///`Item`
    Item(::std::boxed::Box<Item>),
    ///`SpecialItem`
    SpecialItem(::std::boxed::Box<SpecialItem>),
    /// An unknown `xsi:type` (or unknown content without one): the base fields and
    /// the raw element.
    Untyped(::std::boxed::Box<::sfmc_partnerapi::xml::Untyped<Item>>),
}
impl ::core::default::Default for AnyItem {
    fn default() -> Self {
        Self::Item(::std::boxed::Box::default())
    }
}
impl ::sfmc_partnerapi::xml::XmlValue for AnyItem {
    fn write_element(&self, w: &mut ::sfmc_partnerapi::xml::XmlWriter, name: &str) {
        match self {
            Self::Item(v) => w.complex(name, ::core::option::Option::None, &**v),
            Self::SpecialItem(v) => {
                w.complex(name, ::core::option::Option::Some("SpecialItem"), &**v)
            }
            Self::Untyped(v) => ::sfmc_partnerapi::xml::write_untyped(v, w, name),
        }
    }
    fn read_element(
        r: &mut ::sfmc_partnerapi::xml::XmlReader<'_>,
        s: &::sfmc_partnerapi::xml::Start<'_>,
    ) -> ::core::result::Result<Self, ::sfmc_partnerapi::xml::XmlError> {
        ::core::result::Result::Ok(
            match s.xsi_type_in("urn:golden") {
                ::core::option::Option::None => {
                    match ::sfmc_partnerapi::xml::read_declared(r, s)? {
                        ::core::result::Result::Ok(v) => Self::Item(v),
                        ::core::result::Result::Err(u) => Self::Untyped(u),
                    }
                }
                ::core::option::Option::Some(b"Item") => Self::Item(r.complex_boxed(s)?),
                ::core::option::Option::Some(b"SpecialItem") => {
                    Self::SpecialItem(r.complex_boxed(s)?)
                }
                ::core::option::Option::Some(_) => {
                    Self::Untyped(::sfmc_partnerapi::xml::read_untyped(r, s)?)
                }
            },
        )
    }
}
impl ::core::convert::From<Item> for AnyItem {
    fn from(v: Item) -> Self {
        Self::Item(::std::boxed::Box::new(v))
    }
}
impl ::core::convert::From<SpecialItem> for AnyItem {
    fn from(v: SpecialItem) -> Self {
        Self::SpecialItem(::std::boxed::Box::new(v))
    }
}
impl ::sfmc_partnerapi::xml::XmlElement for DoRequestMsg {
    const NAME: &'static str = "DoRequestMsg";
    const NAMESPACE: &'static str = TARGET_NAMESPACE;
}
impl ::sfmc_partnerapi::xml::XmlElement for DoResponseMsg {
    const NAME: &'static str = "DoResponseMsg";
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
        name: "DoThing",
        soap_action: "urn:golden/DoThing",
        input: "DoRequestMsg",
        output: "DoResponseMsg",
    },
];
