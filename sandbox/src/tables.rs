//! The object types a Retrieve can read: their properties (name and kind), the value of each
//! property in a row (for filters), and each row written as the generated type with only the
//! asked properties set.

// Fields are built with `.into()` so that the code compiles against the shipped WSDL and the
// vendor's, where some of these types are polymorphic (`Any*`): there it is an identity.
#![allow(clippy::useless_conversion)]

use std::borrow::Cow;

use sfmc_partnerapi::types::{
    ApiProperty, Attribute, BounceEvent, ClickEvent, ClientId, DataExtension, DataExtensionField,
    DataExtensionFieldType, DataExtensionObject, EmailType, EventType, List, ListSubscriber,
    ListTypeEnum, OpenEvent, Send, SentEvent, Subscriber, SubscriberStatus, UnsubEvent,
};
use sfmc_partnerapi::xml::{XmlComplex, XmlWriter};
use sfmc_partnerapi::CompactString;

use super::data::{
    list_id, Cell, DataExtensionDef, DataModel, EventKind, EventRow, SubscriberRow,
    DATA_EXTENSIONS, LISTS,
};
use super::dates;
use super::filter::{Column, Filter, Kind, Value};
use super::state::SendRecord;

/// An object type the sandbox can retrieve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Object {
    Send,
    Subscriber,
    List,
    ListSubscriber,
    DataExtension,
    DataExtensionField,
    /// `DataExtensionObject[KEY]`: the rows of data extension `DATA_EXTENSIONS[i]`.
    Rows(usize),
    Event(EventKind),
}

/// The ObjectTypes the sandbox retrieves (for messages and documentation).
pub(crate) const OBJECT_TYPES: &str = "Send, Subscriber, List, ListSubscriber, DataExtension, \
     DataExtensionField, DataExtensionObject[CustomerKey], SentEvent, OpenEvent, ClickEvent, \
     BounceEvent, UnsubEvent";

impl Object {
    /// The object type an ObjectType names (case-sensitive, like the service); `Err` is the
    /// `OverallStatus`.
    pub(crate) fn resolve(object_type: &str) -> Result<Object, String> {
        let t = object_type.trim();
        let found = match t {
            "Send" => Some(Object::Send),
            "Subscriber" => Some(Object::Subscriber),
            "List" => Some(Object::List),
            "ListSubscriber" => Some(Object::ListSubscriber),
            "DataExtension" => Some(Object::DataExtension),
            "DataExtensionField" => Some(Object::DataExtensionField),
            _ => EventKind::ALL
                .into_iter()
                .find(|k| k.type_name() == t)
                .map(Object::Event),
        };
        if let Some(found) = found {
            return Ok(found);
        }
        if let Some(key) = t
            .strip_prefix("DataExtensionObject[")
            .and_then(|k| k.strip_suffix(']'))
        {
            let key = key.trim();
            return DATA_EXTENSIONS
                .iter()
                .position(|de| de.customer_key.eq_ignore_ascii_case(key))
                .or_else(|| {
                    DATA_EXTENSIONS
                        .iter()
                        .position(|de| de.name.eq_ignore_ascii_case(key))
                })
                .map(Object::Rows)
                .ok_or_else(|| {
                    format!(
                        "Error: Unable to find a data extension with the key or name {} (the sandbox's: {})",
                        crate::service::sanitize(key),
                        DATA_EXTENSIONS
                            .iter()
                            .map(|d| d.customer_key)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
        }
        if t == "DataExtensionObject" {
            return Err("Error: Retrieve of DataExtensionObject names its data extension: ObjectType DataExtensionObject[CustomerKey]".into());
        }
        if is_schema_type(t) {
            return Err(format!(
                "Error: Retrieve of ObjectType {t} is not supported by the sandbox (supported: {OBJECT_TYPES})"
            ));
        }
        Err(format!(
            "Error: Unable to find a handler for object type: {}. Object types are case-sensitive, check spelling.",
            if t.is_empty() {
                "(none)".to_string()
            } else {
                crate::service::sanitize(t)
            }
        ))
    }

    /// The name in messages: the ObjectType without its key.
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            Object::Send => "Send",
            Object::Subscriber => "Subscriber",
            Object::List => "List",
            Object::ListSubscriber => "ListSubscriber",
            Object::DataExtension => "DataExtension",
            Object::DataExtensionField => "DataExtensionField",
            Object::Rows(_) => "DataExtensionObject",
            Object::Event(k) => k.type_name(),
        }
    }

    /// The retrievable properties.
    pub(crate) fn columns(self) -> Cow<'static, [Column]> {
        match self {
            Object::Send => Cow::Borrowed(SEND),
            Object::Subscriber => Cow::Borrowed(SUBSCRIBER),
            Object::List => Cow::Borrowed(LIST),
            Object::ListSubscriber => Cow::Borrowed(LIST_SUBSCRIBER),
            Object::DataExtension => Cow::Borrowed(DATA_EXTENSION),
            Object::DataExtensionField => Cow::Borrowed(DATA_EXTENSION_FIELD),
            Object::Event(EventKind::Click) => Cow::Borrowed(CLICK_EVENT),
            Object::Event(EventKind::Bounce) => Cow::Borrowed(BOUNCE_EVENT),
            Object::Event(EventKind::Unsub) => Cow::Borrowed(UNSUB_EVENT),
            Object::Event(_) => Cow::Borrowed(&CLICK_EVENT[..EVENT_BASE]),
            Object::Rows(i) => Cow::Owned(
                DATA_EXTENSIONS[i]
                    .fields
                    .iter()
                    .map(|f| Column {
                        name: Cow::Borrowed(f.0),
                        kind: field_kind(f.1),
                    })
                    .collect(),
            ),
        }
    }
}

/// Whether the schema the crate was built from declares complex type `name`.
fn is_schema_type(name: &str) -> bool {
    !name.is_empty()
        && sfmc_partnerapi::types::API_SURFACE.lines().any(|l| {
            l.strip_prefix("type ")
                .and_then(|rest| rest.split_whitespace().next())
                == Some(name)
        })
}

fn field_kind(field_type: &str) -> Kind {
    match field_type {
        "Number" | "Decimal" => Kind::Number,
        "Date" => Kind::Date,
        "Boolean" => Kind::Bool,
        _ => Kind::Text,
    }
}

use Kind::{Bool as B, Complex as C, Date as D, Number as N, Text as T};

const SEND: &[Column] = &[
    Column::of("Client.ID", N),
    Column::of("Client.PartnerClientKey", T),
    Column::of("PartnerKey", T),
    Column::of("CreatedDate", D),
    Column::of("ModifiedDate", D),
    Column::of("ID", N),
    Column::of("ObjectID", T),
    Column::of("CustomerKey", T),
    Column::of("CorrelationID", T),
    Column::of("ObjectState", T),
    Column::of("Email.ID", N),
    Column::of("SendDate", D),
    Column::of("FromAddress", T),
    Column::of("FromName", T),
    Column::of("Duplicates", N),
    Column::of("InvalidAddresses", N),
    Column::of("ExistingUndeliverables", N),
    Column::of("ExistingUnsubscribes", N),
    Column::of("HardBounces", N),
    Column::of("SoftBounces", N),
    Column::of("OtherBounces", N),
    Column::of("ForwardedEmails", N),
    Column::of("UniqueClicks", N),
    Column::of("UniqueOpens", N),
    Column::of("NumberSent", N),
    Column::of("NumberDelivered", N),
    Column::of("NumberTargeted", N),
    Column::of("NumberErrored", N),
    Column::of("NumberExcluded", N),
    Column::of("Unsubscribes", N),
    Column::of("MissingAddresses", N),
    Column::of("Subject", T),
    Column::of("PreviewURL", T),
    Column::of("SentDate", D),
    Column::of("EmailName", T),
    Column::of("Status", T),
    Column::of("IsMultipart", B),
    Column::of("SendLimit", N),
    Column::of("SendWindowOpen", T),
    Column::of("SendWindowClose", T),
    Column::of("IsAlwaysOn", B),
    Column::of("Additional", T),
    Column::of("BccEmail", T),
];

const SUBSCRIBER: &[Column] = &[
    Column::of("Client.ID", N),
    Column::of("ID", N),
    Column::of("CreatedDate", D),
    Column::of("EmailAddress", T),
    Column::of("SubscriberKey", T),
    Column::of("Status", T),
    Column::of("UnsubscribedDate", D),
    Column::of("EmailTypePreference", T),
    Column::of("Attributes", C),
];

const LIST: &[Column] = &[
    Column::of("Client.ID", N),
    Column::of("ID", N),
    Column::of("ObjectID", T),
    Column::of("CustomerKey", T),
    Column::of("CreatedDate", D),
    Column::of("ModifiedDate", D),
    Column::of("ListName", T),
    Column::of("Category", N),
    Column::of("Type", T),
    Column::of("Description", T),
    Column::of("ListClassification", T),
];

const LIST_SUBSCRIBER: &[Column] = &[
    Column::of("Client.ID", N),
    Column::of("CreatedDate", D),
    Column::of("ListID", N),
    Column::of("SubscriberKey", T),
    Column::of("Status", T),
];

const DATA_EXTENSION: &[Column] = &[
    Column::of("Client.ID", N),
    Column::of("ObjectID", T),
    Column::of("CustomerKey", T),
    Column::of("Name", T),
    Column::of("Description", T),
    Column::of("IsSendable", B),
    Column::of("IsTestable", B),
    Column::of("CategoryID", N),
    Column::of("CreatedDate", D),
    Column::of("ModifiedDate", D),
];

const DATA_EXTENSION_FIELD: &[Column] = &[
    Column::of("Client.ID", N),
    Column::of("ObjectID", T),
    Column::of("CustomerKey", T),
    Column::of("Name", T),
    Column::of("FieldType", T),
    Column::of("IsPrimaryKey", B),
    Column::of("IsRequired", B),
    Column::of("MaxLength", N),
    Column::of("Scale", N),
    Column::of("Ordinal", N),
    Column::of("DataExtension.CustomerKey", T),
];

/// The properties every tracking event has: the first `EVENT_BASE` of each event table.
const EVENT_BASE: usize = 8;

/// An event table: the properties every tracking event has (`EVENT_BASE` of them), then those
/// of its kind.
macro_rules! event_table {
    ($($extra:expr),* $(,)?) => {
        &[
            Column::of("Client.ID", N),
            Column::of("ID", N),
            Column::of("SendID", N),
            Column::of("SubscriberKey", T),
            Column::of("EventDate", D),
            Column::of("EventType", T),
            Column::of("TriggeredSendDefinitionObjectID", T),
            Column::of("BatchID", N),
            $($extra),*
        ]
    };
}

const CLICK_EVENT: &[Column] = event_table![
    Column::of("URLID", N),
    Column::of("URL", T),
    Column::of("URLIDLong", N),
];

const BOUNCE_EVENT: &[Column] = event_table![
    Column::of("SMTPCode", T),
    Column::of("BounceCategory", T),
    Column::of("SMTPReason", T),
    Column::of("BounceType", T),
];

const UNSUB_EVENT: &[Column] = event_table![
    Column::of("List.ID", N),
    Column::of("IsMasterUnsubscribed", B),
];

/// The asked properties, as a set of column indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selected {
    bits: Vec<bool>,
}

impl Selected {
    pub(crate) fn new(columns: usize, asked: impl IntoIterator<Item = usize>) -> Self {
        let mut bits = vec![false; columns];
        for i in asked {
            if let Some(b) = bits.get_mut(i) {
                *b = true;
            }
        }
        Self { bits }
    }

    fn has(&self, column: usize) -> bool {
        self.bits.get(column).copied().unwrap_or(false)
    }

    /// `Some(value())` when `column` was asked for.
    fn pick<V>(&self, column: usize, value: impl FnOnce() -> V) -> Option<V> {
        self.has(column).then(value)
    }
}

/// Everything a page of rows is read from.
pub(crate) struct Source<'a> {
    pub(crate) model: &'a DataModel,
    /// The sends, by ID (all accounts).
    pub(crate) sends: &'a std::collections::BTreeMap<i64, SendRecord>,
}

/// What a scan of one account's rows ended on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScanEnd {
    /// The page is full and the next matching row is at this position, or the replayed page
    /// reached its recorded end.
    At(u64),
    /// No row left in this account.
    Exhausted,
}

/// How much of an account's rows one call serves.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    /// Rows still to write on this page.
    pub(crate) rows: usize,
    /// A replayed page stops at its recorded end (in this account), whatever the count.
    pub(crate) stop: Option<u64>,
}

/// Writes the rows of `object` of account `mid` from position `from` that pass `filter`, each
/// as a `Results` element with the `selected` properties, within `budget`; adds the count
/// written to `written`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn scan(
    object: Object,
    source: &Source<'_>,
    mid: i64,
    from: u64,
    filter: &Filter,
    selected: &Selected,
    budget: Budget,
    w: &mut XmlWriter,
    written: &mut usize,
) -> ScanEnd {
    let model = source.model;
    let start = *written;
    let mut page = Pager {
        filter,
        budget,
        w,
        written,
        start,
    };
    match object {
        Object::Send => {
            let from = i64::try_from(from).unwrap_or(i64::MAX);
            let rows = source
                .sends
                .range(from..)
                .filter(|(_, s)| s.mid == mid)
                .map(|(id, s)| (*id as u64, s));
            page.run(
                rows,
                |s, c| send_value(s, c),
                |s, w| write_send(s, selected, w),
            )
        }
        Object::Subscriber => {
            let rows = (from..model.subscriber_count()).map(|i| (i, model.subscriber(mid, i)));
            page.run(
                rows,
                |s, c| subscriber_value(mid, s, c),
                |s, w| write_subscriber(mid, s, selected, w),
            )
        }
        Object::List => {
            let rows = (from..LISTS.len() as u64)
                .map(|k| (k, (k as usize, list_object_id(mid, k as usize))));
            page.run(
                rows,
                |(k, oid), c| list_value(mid, *k, oid, c),
                |(k, oid), w| write_list(mid, *k, oid, selected, w),
            )
        }
        Object::ListSubscriber => {
            let n = model.subscriber_count() * LISTS.len() as u64;
            let rows = (from..n).filter_map(|p| {
                let k = (p % LISTS.len() as u64) as usize;
                let s = model.subscriber(mid, p / LISTS.len() as u64);
                (s.lists & (1 << k) != 0).then_some((p, (k, s)))
            });
            page.run(
                rows,
                |(k, s), c| list_subscriber_value(mid, *k, s, c),
                |(k, s), w| write_list_subscriber(mid, *k, s, selected, w),
            )
        }
        Object::DataExtension => {
            let rows = (from..DATA_EXTENSIONS.len() as u64)
                .map(|i| (i, (i as usize, de_object_id(mid, i as usize, None))));
            page.run(
                rows,
                |(d, oid), c| data_extension_value(mid, *d, oid, c),
                |(d, oid), w| write_data_extension(mid, *d, oid, selected, w),
            )
        }
        Object::DataExtensionField => {
            let fields: Vec<(usize, usize)> = DATA_EXTENSIONS
                .iter()
                .enumerate()
                .flat_map(|(d, de)| (0..de.fields.len()).map(move |f| (d, f)))
                .collect();
            let rows = fields
                .into_iter()
                .enumerate()
                .skip(usize::try_from(from).unwrap_or(usize::MAX))
                .map(|(p, (d, f))| (p as u64, FieldRow::new(mid, d, f)));
            page.run(
                rows,
                |row, c| field_value(mid, row, c),
                |row, w| write_field(mid, row, selected, w),
            )
        }
        Object::Rows(d) => {
            let de = &DATA_EXTENSIONS[d];
            let rows = (from..model.config.rows).map(|i| (i, model.row(mid, de, i)));
            page.run(
                rows,
                |cells, c| cell_value(cells, c),
                |cells, w| write_row(de, cells, selected, w),
            )
        }
        Object::Event(kind) => {
            let rows = (from..model.event_count(mid)).map(|i| (i, model.event(mid, kind, i)));
            page.run(
                rows,
                |e, c| event_value(mid, e, c),
                |e, w| write_event(mid, e, selected, w),
            )
        }
    }
}

struct Pager<'p> {
    filter: &'p Filter,
    budget: Budget,
    w: &'p mut XmlWriter,
    written: &'p mut usize,
    start: usize,
}

impl Pager<'_> {
    fn run<R>(
        &mut self,
        rows: impl Iterator<Item = (u64, R)>,
        value: impl for<'r> Fn(&'r R, usize) -> Value<'r>,
        mut write: impl FnMut(&R, &mut XmlWriter),
    ) -> ScanEnd {
        for (pos, row) in rows {
            if let Some(stop) = self.budget.stop {
                if pos >= stop {
                    return ScanEnd::At(stop);
                }
            }
            if !self.filter.matches(&|c| value(&row, c)) {
                continue;
            }
            if self.budget.stop.is_none() && *self.written - self.start >= self.budget.rows {
                return ScanEnd::At(pos);
            }
            write(&row, self.w);
            *self.written += 1;
        }
        ScanEnd::Exhausted
    }
}

fn client(mid: i64) -> Option<Box<ClientId>> {
    Some(Box::new(ClientId {
        id: i32::try_from(mid).ok(),
        ..Default::default()
    }))
}

fn int(n: impl TryInto<i32>) -> Option<i32> {
    n.try_into().ok()
}

fn text(s: &str) -> Value<'_> {
    Value::Text(s)
}

fn num(n: impl Into<f64>) -> Value<'static> {
    Value::Number(n.into())
}

fn date_text(s: &str) -> Value<'static> {
    dates::parse(s).map_or(Value::Null, Value::Date)
}

fn results<T: XmlComplex>(w: &mut XmlWriter, value: &T) {
    w.complex("Results", Some(T::TYPE_NAME), value);
}

// --- Send -------------------------------------------------------------------------------------

/// The positions in [`SEND`] of the properties the sandbox keeps for a send (the others are
/// accepted and have no value).
mod send_col {
    pub(super) const CLIENT_ID: usize = 0;
    pub(super) const CREATED_DATE: usize = 3;
    pub(super) const MODIFIED_DATE: usize = 4;
    pub(super) const ID: usize = 5;
    pub(super) const SEND_DATE: usize = 11;
    pub(super) const NUMBER_SENT: usize = 24;
    pub(super) const SUBJECT: usize = 31;
    pub(super) const EMAIL_NAME: usize = 34;
    pub(super) const STATUS: usize = 35;
}

fn send_value(s: &SendRecord, c: usize) -> Value<'_> {
    use send_col::*;
    match c {
        CLIENT_ID => num(s.mid as f64),
        CREATED_DATE => date_text(&s.created_date),
        MODIFIED_DATE => date_text(&s.modified_date),
        ID => num(s.id as f64),
        SEND_DATE => date_text(&s.send_date),
        NUMBER_SENT => num(0),
        SUBJECT => text(&s.subject),
        EMAIL_NAME => text(&s.email_name),
        STATUS => text(s.status.as_str()),
        _ => Value::Null,
    }
}

fn write_send(s: &SendRecord, sel: &Selected, w: &mut XmlWriter) {
    use send_col::*;
    let send = Send {
        client: sel.pick(CLIENT_ID, || client(s.mid)).flatten(),
        created_date: sel.pick(CREATED_DATE, || s.created_date.as_str().into()),
        modified_date: sel.pick(MODIFIED_DATE, || s.modified_date.as_str().into()),
        id: sel.pick(ID, || int(s.id)).flatten(),
        send_date: sel.pick(SEND_DATE, || s.send_date.as_str().into()),
        number_sent: sel.pick(NUMBER_SENT, || 0),
        subject: sel.pick(SUBJECT, || s.subject.as_str().into()),
        email_name: sel.pick(EMAIL_NAME, || s.email_name.as_str().into()),
        status: sel.pick(STATUS, || s.status.as_str().into()),
        ..Default::default()
    };
    results(w, &send);
}

// --- Subscriber -------------------------------------------------------------------------------

fn subscriber_value(mid: i64, s: &SubscriberRow, c: usize) -> Value<'_> {
    match c {
        0 => num(mid as f64),
        1 => num(s.id as f64),
        2 => Value::Date(s.created_ms),
        3 => text(&s.email),
        4 => text(&s.key),
        5 => text(s.status.as_str()),
        6 => s.unsubscribed_ms.map_or(Value::Null, Value::Date),
        7 => text(if s.html { "HTML" } else { "Text" }),
        _ => Value::Null,
    }
}

fn subscriber_status(s: &SubscriberRow) -> SubscriberStatus {
    use super::data::SubscriberState as S;
    match s.status {
        S::Active => SubscriberStatus::Active,
        S::Unsubscribed => SubscriberStatus::Unsubscribed,
        S::Bounced => SubscriberStatus::Bounced,
        S::Held => SubscriberStatus::Held,
    }
}

fn write_subscriber(mid: i64, s: &SubscriberRow, sel: &Selected, w: &mut XmlWriter) {
    let attribute = |name: &str, value: &str| {
        Attribute {
            name: name.into(),
            value: value.into(),
            ..Default::default()
        }
        .into()
    };
    let sub = Subscriber {
        client: sel.pick(0, || client(mid)).flatten(),
        id: sel.pick(1, || int(s.id)).flatten(),
        created_date: sel.pick(2, || dates::xs_datetime(s.created_ms)),
        email_address: sel.pick(3, || s.email.clone()),
        subscriber_key: sel.pick(4, || s.key.clone()),
        status: sel.pick(5, || subscriber_status(s)),
        unsubscribed_date: sel
            .pick(6, || s.unsubscribed_ms.map(dates::xs_datetime))
            .flatten(),
        email_type_preference: sel.pick(7, || {
            if s.html {
                EmailType::Html
            } else {
                EmailType::Text
            }
        }),
        attributes: if sel.has(8) {
            vec![
                attribute("First Name", s.first_name),
                attribute("Last Name", s.last_name),
                attribute("City", s.city),
            ]
        } else {
            Vec::new()
        },
        ..Default::default()
    };
    results(w, &sub);
}

// --- List and ListSubscriber ------------------------------------------------------------------

/// Lists were created on 2024-06-01.
const LISTS_CREATED_MS: i64 = 1_717_200_000_000;

fn list_value(mid: i64, k: usize, oid: &str, c: usize) -> Value<'_> {
    let def = &LISTS[k % LISTS.len()];
    match c {
        0 => num(mid as f64),
        1 => num(list_id(mid, k)),
        2 | 3 => text(oid),
        4 | 5 => Value::Date(LISTS_CREATED_MS),
        6 => text(def.name),
        7 => num(0),
        8 => text(def.list_type),
        9 => text(def.description),
        10 => text("ExactTargetList"),
        _ => Value::Null,
    }
}

fn list_object_id(mid: i64, k: usize) -> CompactString {
    CompactString::from(format!(
        "{:08x}-0000-4000-8000-{:012x}",
        list_id(mid, k),
        mid
    ))
}

fn write_list(mid: i64, k: usize, oid: &CompactString, sel: &Selected, w: &mut XmlWriter) {
    let def = &LISTS[k];
    let list = List {
        client: sel.pick(0, || client(mid)).flatten(),
        id: sel.pick(1, || list_id(mid, k)),
        object_id: sel.pick(2, || oid.clone()),
        customer_key: sel.pick(3, || oid.clone()),
        created_date: sel.pick(4, || dates::xs_datetime(LISTS_CREATED_MS)),
        modified_date: sel.pick(5, || dates::xs_datetime(LISTS_CREATED_MS)),
        list_name: sel.pick(6, || def.name.into()),
        category: sel.pick(7, || 0),
        r#type: sel.pick(8, || ListTypeEnum::from(def.list_type)),
        description: sel.pick(9, || def.description.into()),
        list_classification: sel.pick(10, || "ExactTargetList".into()),
        ..Default::default()
    };
    results(w, &list);
}

fn list_subscriber_value<'r>(mid: i64, k: usize, s: &'r SubscriberRow, c: usize) -> Value<'r> {
    match c {
        0 => num(mid as f64),
        1 => Value::Date(s.created_ms),
        2 => num(list_id(mid, k)),
        3 => text(&s.key),
        4 => text(s.status.as_str()),
        _ => Value::Null,
    }
}

fn write_list_subscriber(mid: i64, k: usize, s: &SubscriberRow, sel: &Selected, w: &mut XmlWriter) {
    let row = ListSubscriber {
        client: sel.pick(0, || client(mid)).flatten(),
        created_date: sel.pick(1, || dates::xs_datetime(s.created_ms)),
        list_id: sel.pick(2, || list_id(mid, k)),
        subscriber_key: sel.pick(3, || s.key.clone()),
        status: sel.pick(4, || subscriber_status(s)),
        ..Default::default()
    };
    results(w, &row);
}

// --- DataExtension, DataExtensionField and rows ------------------------------------------------

/// Data extensions were created on 2024-09-01.
const DES_CREATED_MS: i64 = 1_725_148_800_000;

fn de_object_id(mid: i64, d: usize, field: Option<usize>) -> CompactString {
    CompactString::from(format!(
        "{:08x}-{:04x}-4000-8000-{:012x}",
        d + 1,
        field.map_or(0, |f| f + 1),
        mid
    ))
}

fn data_extension_value(mid: i64, d: usize, oid: &str, c: usize) -> Value<'_> {
    let de = &DATA_EXTENSIONS[d % DATA_EXTENSIONS.len()];
    match c {
        0 => num(mid as f64),
        1 => text(oid),
        2 => text(de.customer_key),
        3 => text(de.name),
        4 => text(de.description),
        5 => Value::Bool(de.is_sendable),
        6 => Value::Bool(de.is_sendable),
        7 => num(0),
        8 | 9 => Value::Date(DES_CREATED_MS),
        _ => Value::Null,
    }
}

fn write_data_extension(
    mid: i64,
    d: usize,
    oid: &CompactString,
    sel: &Selected,
    w: &mut XmlWriter,
) {
    let de = &DATA_EXTENSIONS[d];
    let obj = DataExtension {
        client: sel.pick(0, || client(mid)).flatten(),
        object_id: sel.pick(1, || oid.clone()),
        customer_key: sel.pick(2, || de.customer_key.into()),
        name: sel.pick(3, || de.name.into()),
        description: sel.pick(4, || de.description.into()),
        is_sendable: sel.pick(5, || de.is_sendable),
        is_testable: sel.pick(6, || de.is_sendable),
        category_id: sel.pick(7, || 0),
        created_date: sel.pick(8, || dates::xs_datetime(DES_CREATED_MS)),
        modified_date: sel.pick(9, || dates::xs_datetime(DES_CREATED_MS)),
        ..Default::default()
    };
    results(w, &obj);
}

/// A field of a data extension, with its generated ObjectID and CustomerKey.
struct FieldRow {
    d: usize,
    f: usize,
    object_id: CompactString,
    customer_key: CompactString,
}

impl FieldRow {
    fn new(mid: i64, d: usize, f: usize) -> Self {
        let de = &DATA_EXTENSIONS[d];
        Self {
            d,
            f,
            object_id: de_object_id(mid, d, Some(f)),
            customer_key: CompactString::from(format!(
                "[{}].[{}]",
                de.customer_key, de.fields[f].0
            )),
        }
    }
}

fn field_value(mid: i64, row: &FieldRow, c: usize) -> Value<'_> {
    let de: &'static DataExtensionDef = &DATA_EXTENSIONS[row.d];
    let (f, field) = (row.f, &de.fields[row.f]);
    match c {
        0 => num(mid as f64),
        1 => text(&row.object_id),
        2 => text(&row.customer_key),
        3 => text(field.0),
        4 => text(field.1),
        5 => Value::Bool(field.2),
        6 => Value::Bool(field.3),
        7 => field.4.map_or(Value::Null, num),
        8 => field.5.map_or(Value::Null, num),
        9 => num(f as f64),
        10 => text(de.customer_key),
        _ => Value::Null,
    }
}

fn write_field(mid: i64, row: &FieldRow, sel: &Selected, w: &mut XmlWriter) {
    let de = &DATA_EXTENSIONS[row.d];
    let (f, field) = (row.f, &de.fields[row.f]);
    let obj = DataExtensionField {
        client: sel.pick(0, || client(mid)).flatten(),
        object_id: sel.pick(1, || row.object_id.clone()),
        customer_key: sel.pick(2, || row.customer_key.clone()),
        name: sel.pick(3, || field.0.into()),
        field_type: sel.pick(4, || DataExtensionFieldType::from(field.1)),
        is_primary_key: sel.pick(5, || field.2),
        is_required: sel.pick(6, || field.3),
        max_length: sel.pick(7, || field.4).flatten(),
        scale: sel.pick(8, || field.5).flatten(),
        ordinal: sel.pick(9, || int(f)).flatten(),
        data_extension: sel.pick(10, || {
            Box::new(DataExtension {
                customer_key: Some(de.customer_key.into()),
                ..Default::default()
            })
        }),
        ..Default::default()
    };
    results(w, &obj);
}

fn cell_value(cells: &[Cell], c: usize) -> Value<'_> {
    match cells.get(c) {
        Some(Cell::Text(t)) => text(t),
        Some(Cell::Integer(n)) => num(*n as f64),
        Some(Cell::Cents(n)) => num(*n as f64 / 100.0),
        Some(Cell::Date(ms)) => Value::Date(*ms),
        Some(Cell::Bool(b)) => Value::Bool(*b),
        None => Value::Null,
    }
}

fn write_row(de: &DataExtensionDef, cells: &[Cell], sel: &Selected, w: &mut XmlWriter) {
    let obj = DataExtensionObject {
        properties: de
            .fields
            .iter()
            .zip(cells)
            .enumerate()
            .filter(|(c, _)| sel.has(*c))
            .map(|(_, (field, cell))| {
                ApiProperty {
                    name: field.0.into(),
                    value: cell.wire(),
                }
                .into()
            })
            .collect(),
        ..Default::default()
    };
    results(w, &obj);
}

// --- Tracking events --------------------------------------------------------------------------

fn event_value(mid: i64, e: &EventRow, c: usize) -> Value<'_> {
    match (e.kind, c) {
        (_, 0) => num(mid as f64),
        (_, 1) => num(e.id as f64),
        (_, 2) => num(e.send_id),
        (_, 3) => text(&e.subscriber_key),
        (_, 4) => Value::Date(e.date_ms),
        (_, 5) => text(e.event_type()),
        (_, 6) => Value::Null,
        (_, 7) => num(e.batch_id),
        (EventKind::Click, 8 | 10) => num(e.link().0),
        (EventKind::Click, 9) => text(e.link().1),
        (EventKind::Bounce, 8) => text(e.bounce().2),
        (EventKind::Bounce, 9) => text(e.bounce().1),
        (EventKind::Bounce, 10) => text(e.bounce().3),
        (EventKind::Bounce, 11) => text(e.bounce().4),
        (EventKind::Unsub, 8) => e.unsub_list(mid).map_or(Value::Null, num),
        (EventKind::Unsub, 9) => Value::Bool(e.master_unsubscribe()),
        _ => Value::Null,
    }
}

/// Fills the TrackingEvent fields every event type has.
macro_rules! tracking_event {
    ($ty:ident, $mid:expr, $e:expr, $sel:expr, { $($field:ident: $value:expr),* $(,)? }) => {
        $ty {
            client: $sel.pick(0, || client($mid)).flatten(),
            id: $sel.pick(1, || int($e.id)).flatten(),
            send_id: $sel.pick(2, || $e.send_id),
            subscriber_key: $sel.pick(3, || $e.subscriber_key.clone()),
            event_date: $sel.pick(4, || dates::xs_datetime($e.date_ms)),
            event_type: $sel.pick(5, || EventType::from($e.event_type())),
            batch_id: $sel.pick(7, || $e.batch_id),
            $($field: $value,)*
            ..Default::default()
        }
    };
}

fn write_event(mid: i64, e: &EventRow, sel: &Selected, w: &mut XmlWriter) {
    match e.kind {
        EventKind::Sent => results(w, &tracking_event!(SentEvent, mid, e, sel, {})),
        EventKind::Open => results(w, &tracking_event!(OpenEvent, mid, e, sel, {})),
        EventKind::Click => results(
            w,
            &tracking_event!(ClickEvent, mid, e, sel, {
                urlid: sel.pick(8, || e.link().0),
                url: sel.pick(9, || e.link().1.into()),
                urlid_long: sel.pick(10, || i64::from(e.link().0)),
            }),
        ),
        EventKind::Bounce => results(
            w,
            &tracking_event!(BounceEvent, mid, e, sel, {
                smtp_code: sel.pick(8, || e.bounce().2.into()),
                bounce_category: sel.pick(9, || e.bounce().1.into()),
                smtp_reason: sel.pick(10, || e.bounce().3.into()),
                bounce_type: sel.pick(11, || e.bounce().4.into()),
            }),
        ),
        EventKind::Unsub => results(
            w,
            &tracking_event!(UnsubEvent, mid, e, sel, {
                list: sel
                    .pick(8, || {
                        e.unsub_list(mid).map(|id| {
                            Box::new(List {
                                id: Some(id),
                                ..Default::default()
                            })
                        })
                    })
                    .flatten(),
                is_master_unsubscribed: sel.pick(9, || e.master_unsubscribe()),
            }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_types_resolve_like_the_service() {
        assert_eq!(
            Object::resolve("SentEvent"),
            Ok(Object::Event(EventKind::Sent))
        );
        assert_eq!(Object::resolve(" Send "), Ok(Object::Send));
        assert_eq!(
            Object::resolve("DataExtensionObject[Customers_DE]"),
            Ok(Object::Rows(0))
        );
        assert_eq!(
            Object::resolve("DataExtensionObject[orders]"),
            Ok(Object::Rows(1))
        );
        let e = Object::resolve("sentevent").unwrap_err();
        assert!(e.contains("case-sensitive"), "{e}");
        assert!(Object::resolve("DataExtensionObject[nope]")
            .unwrap_err()
            .contains("Customers_DE"));
        assert!(Object::resolve("Email")
            .unwrap_err()
            .contains("not supported by the sandbox"));
    }

    #[test]
    fn the_crate_docs_list_every_property() {
        let docs = include_str!("lib.rs");
        let table: Vec<&str> = docs.lines().filter(|l| l.starts_with("//! | `")).collect();
        let all = [
            (Object::Send, "Send"),
            (Object::Subscriber, "Subscriber"),
            (Object::List, "List"),
            (Object::ListSubscriber, "ListSubscriber"),
            (Object::DataExtension, "DataExtension"),
            (Object::DataExtensionField, "DataExtensionField"),
            (Object::Rows(0), "DataExtensionObject[KEY]"),
            (Object::Rows(1), "DataExtensionObject[KEY]"),
            (Object::Event(EventKind::Sent), "SentEvent"),
            (Object::Event(EventKind::Click), "ClickEvent"),
            (Object::Event(EventKind::Bounce), "BounceEvent"),
            (Object::Event(EventKind::Unsub), "UnsubEvent"),
        ];
        for (object, row) in all {
            let line = table
                .iter()
                .find(|l| l.starts_with(&format!("//! | `{row}`")))
                .unwrap_or_else(|| panic!("no row for {row}"));
            let inherited = table
                .iter()
                .find(|l| l.starts_with("//! | `SentEvent`"))
                .unwrap();
            // Of a send, the properties with a value (the others are accepted as a group).
            let kept = [
                send_col::CLIENT_ID,
                send_col::CREATED_DATE,
                send_col::MODIFIED_DATE,
                send_col::ID,
                send_col::SEND_DATE,
                send_col::NUMBER_SENT,
                send_col::SUBJECT,
                send_col::EMAIL_NAME,
                send_col::STATUS,
            ];
            let columns = object.columns();
            let documented = columns
                .iter()
                .enumerate()
                .filter(|(i, _)| object != Object::Send || kept.contains(i));
            for (_, c) in documented {
                let name = format!("`{}`", c.name);
                assert!(
                    line.contains(&name) || inherited.contains(&name),
                    "{row}: {name} is not documented"
                );
            }
        }
    }

    #[test]
    fn every_table_has_client_id_first_and_fits_the_selection() {
        let all = [
            Object::Send,
            Object::Subscriber,
            Object::List,
            Object::ListSubscriber,
            Object::DataExtension,
            Object::DataExtensionField,
            Object::Event(EventKind::Sent),
            Object::Event(EventKind::Click),
            Object::Event(EventKind::Bounce),
            Object::Event(EventKind::Unsub),
        ];
        for o in all {
            let cols = o.columns();
            assert_eq!(cols[0].name, "Client.ID", "{o:?}");
        }
        assert_eq!(Object::Event(EventKind::Open).columns().len(), EVENT_BASE);
        use send_col::*;
        for (i, name) in [
            (CLIENT_ID, "Client.ID"),
            (CREATED_DATE, "CreatedDate"),
            (MODIFIED_DATE, "ModifiedDate"),
            (ID, "ID"),
            (SEND_DATE, "SendDate"),
            (NUMBER_SENT, "NumberSent"),
            (SUBJECT, "Subject"),
            (EMAIL_NAME, "EmailName"),
            (STATUS, "Status"),
        ] {
            assert_eq!(SEND[i].name, name);
        }
        assert_eq!(Object::Rows(0).columns().len(), 8);
    }
}
