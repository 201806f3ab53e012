//! The generated data set of every account: subscribers on three lists, two data extensions
//! with rows, and tracking events on the account's sent sends.
//!
//! Nothing is stored: row `i` of a table is computed from `(seed, MID, table, i)` when a page
//! needs it, so a million-row table costs no memory and two sandboxes with the same seed serve
//! the same rows.

use std::collections::{BTreeMap, BTreeSet};

use sfmc_partnerapi::CompactString;

use super::dates;

/// How much data every account gets, and the seed of its values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct DataConfig {
    /// Subscribers per account.
    pub(crate) subscribers: u64,
    /// Tracking events of each type per account.
    pub(crate) events: u64,
    /// Rows of each data extension per account.
    pub(crate) rows: u64,
    /// Seed of every generated value.
    pub(crate) seed: u64,
}

/// Subscribers an account gets when events are asked for but no subscriber count is given.
pub(crate) const SUBSCRIBERS_FOR_EVENTS: u64 = 1_000;

/// The most rows of one generated table (IDs are `xs:int`).
pub(crate) const MAX_ROWS: u64 = 100_000_000;

/// Milliseconds of 2026-01-01T00:00:00Z: the first event's date.
pub(crate) const EVENTS_START_MS: i64 = 1_767_225_600_000;
/// Milliseconds of 2025-01-01T00:00:00Z: the first subscriber's creation.
const SUBSCRIBERS_START_MS: i64 = 1_735_689_600_000;
/// Event `i` (of any type) happens `i` steps after the first: dates grow with the row ID.
pub(crate) const EVENT_STEP_MS: i64 = 10_000;

/// The data model shared by every request: the configuration, the sent sends events refer to,
/// and which accounts are children of which.
#[derive(Debug, Default)]
pub(crate) struct DataModel {
    pub(crate) config: DataConfig,
    /// Per account, the IDs of its sends in status Sent (events refer to these).
    sent_sends: BTreeMap<i64, Vec<i32>>,
    /// Per parent account, its child accounts (QueryAllAccounts, ClientIDs).
    children: BTreeMap<i64, BTreeSet<i64>>,
}

/// splitmix64: a fast, well-mixed hash of the row's coordinates.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl DataModel {
    pub(crate) fn new(
        config: DataConfig,
        sent_sends: BTreeMap<i64, Vec<i32>>,
        children: BTreeMap<i64, BTreeSet<i64>>,
    ) -> Self {
        Self {
            config,
            sent_sends,
            children,
        }
    }

    /// The hash of row `i` of table `salt` of account `mid`.
    fn hash(&self, mid: i64, salt: u64, i: u64) -> u64 {
        mix(mix(mix(self.config.seed ^ salt.rotate_left(32)) ^ mid as u64) ^ i)
    }

    /// Subscribers per account (events without a count get [`SUBSCRIBERS_FOR_EVENTS`]).
    pub(crate) fn subscriber_count(&self) -> u64 {
        let c = &self.config;
        if c.subscribers == 0 && c.events > 0 {
            SUBSCRIBERS_FOR_EVENTS
        } else {
            c.subscribers
        }
    }

    /// The child accounts of `mid`.
    pub(crate) fn children(&self, mid: i64) -> impl Iterator<Item = i64> + '_ {
        self.children.get(&mid).into_iter().flatten().copied()
    }

    /// Events of each type of account `mid`: none without a sent send to refer to.
    pub(crate) fn event_count(&self, mid: i64) -> u64 {
        if self.sent_sends.get(&mid).is_some_and(|s| !s.is_empty()) {
            self.config.events
        } else {
            0
        }
    }

    /// Subscriber `index` (0-based) of account `mid`.
    pub(crate) fn subscriber(&self, mid: i64, index: u64) -> SubscriberRow {
        let h = self.hash(mid, 1, index);
        let status = match h % 100 {
            0..=84 => SubscriberState::Active,
            85..=91 => SubscriberState::Unsubscribed,
            92..=96 => SubscriberState::Bounced,
            _ => SubscriberState::Held,
        };
        let created_ms = SUBSCRIBERS_START_MS + index as i64 * 60_000;
        SubscriberRow {
            id: index + 1,
            key: subscriber_key(index),
            email: CompactString::from(format!("{}@example.com", subscriber_key(index))),
            status,
            created_ms,
            unsubscribed_ms: (status == SubscriberState::Unsubscribed)
                .then(|| created_ms + 86_400_000 * (1 + (h >> 8) as i64 % 300)),
            html: (h >> 16) % 10 != 0,
            first_name: FIRST_NAMES[((h >> 20) % FIRST_NAMES.len() as u64) as usize],
            last_name: LAST_NAMES[((h >> 28) % LAST_NAMES.len() as u64) as usize],
            city: CITIES[((h >> 36) % CITIES.len() as u64) as usize],
            // Every subscriber is on the first list; each of the others by a bit of the hash.
            lists: 1 | (((h >> 44) & 0b11) as u8) << 1,
        }
    }

    /// Event `index` (0-based) of type `kind` of account `mid`: the `index`-th delivery (a send
    /// of the account's sent sends, in turn, to a subscriber), at a date that grows with `index`.
    pub(crate) fn event(&self, mid: i64, kind: EventKind, index: u64) -> EventRow {
        let sends = self
            .sent_sends
            .get(&mid)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let send_id = match sends.len() as u64 {
            0 => 0,
            n => sends[(index % n) as usize],
        };
        let subscribers = self.subscriber_count().max(1);
        let delivery = self.hash(mid, 2, index);
        let subscriber = delivery % subscribers;
        let h = self.hash(mid, 10 + kind as u64, index);
        let jitter = if kind == EventKind::Sent {
            0
        } else {
            (h % EVENT_STEP_MS as u64) as i64
        };
        EventRow {
            kind,
            id: index + 1,
            send_id,
            subscriber_key: subscriber_key(subscriber),
            date_ms: EVENTS_START_MS + index as i64 * EVENT_STEP_MS + kind.delay_ms() + jitter,
            batch_id: (index / 1000 + 1) as i32,
            h,
        }
    }

    /// Row `index` (0-based) of data extension `de` of account `mid`.
    pub(crate) fn row(&self, mid: i64, de: &DataExtensionDef, index: u64) -> Vec<Cell> {
        let h = self.hash(mid, 20 + de.salt, index);
        match de.salt {
            0 => {
                let s = self.subscriber(mid, index);
                vec![
                    Cell::Text(s.key.clone()),
                    Cell::Text(s.email.clone()),
                    Cell::Text(s.first_name.into()),
                    Cell::Text(s.last_name.into()),
                    Cell::Text(s.city.into()),
                    Cell::Integer((h % 5000) as i64),
                    Cell::Date(s.created_ms),
                    Cell::Bool(s.status == SubscriberState::Active),
                ]
            }
            _ => {
                let subscribers = self.subscriber_count().max(1);
                vec![
                    Cell::Integer(index as i64 + 1),
                    Cell::Text(subscriber_key(h % subscribers)),
                    Cell::Cents(500 + ((h >> 16) % 50_000) as i64),
                    // Hourly from midnight of 2026-01-01 in the service's time (UTC-6).
                    Cell::Date(
                        EVENTS_START_MS - dates::SERVICE_UTC_OFFSET_MS + index as i64 * 3_600_000,
                    ),
                    Cell::Text(ORDER_STATES[((h >> 40) % 3) as usize].into()),
                ]
            }
        }
    }
}

fn subscriber_key(index: u64) -> CompactString {
    let mut s = CompactString::default();
    let _ = std::fmt::Write::write_fmt(&mut s, format_args!("sub{:06}", index + 1));
    s
}

const FIRST_NAMES: &[&str] = &[
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret", "Ken",
];
const LAST_NAMES: &[&str] = &[
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus", "Hamilton",
    "Thompson",
];
const CITIES: &[&str] = &[
    "Indianapolis",
    "San Francisco",
    "London",
    "Paris",
    "Sydney",
    "Toronto",
];
const ORDER_STATES: [&str; 3] = ["Placed", "Shipped", "Returned"];

/// A subscriber's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubscriberState {
    Active,
    Unsubscribed,
    Bounced,
    Held,
}

impl SubscriberState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SubscriberState::Active => "Active",
            SubscriberState::Unsubscribed => "Unsubscribed",
            SubscriberState::Bounced => "Bounced",
            SubscriberState::Held => "Held",
        }
    }
}

/// One generated subscriber.
#[derive(Debug, Clone)]
pub(crate) struct SubscriberRow {
    pub(crate) id: u64,
    pub(crate) key: CompactString,
    pub(crate) email: CompactString,
    pub(crate) status: SubscriberState,
    pub(crate) created_ms: i64,
    pub(crate) unsubscribed_ms: Option<i64>,
    pub(crate) html: bool,
    pub(crate) first_name: &'static str,
    pub(crate) last_name: &'static str,
    pub(crate) city: &'static str,
    /// Bit `k` set: on list `k` of [`LISTS`].
    pub(crate) lists: u8,
}

/// One of the lists every account has.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListDef {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) list_type: &'static str,
}

/// The lists of every account; subscriber membership comes from [`SubscriberRow::lists`].
pub(crate) const LISTS: [ListDef; 3] = [
    ListDef {
        name: "All Subscribers",
        description: "Every subscriber of the account",
        list_type: "Public",
    },
    ListDef {
        name: "Newsletter",
        description: "The monthly newsletter",
        list_type: "Public",
    },
    ListDef {
        name: "Promotions",
        description: "Offers and promotions",
        list_type: "Private",
    },
];

/// The ID of list `k` of account `mid`.
pub(crate) fn list_id(mid: i64, k: usize) -> i32 {
    ((mid % 100_000_000) * 10 + k as i64 + 1) as i32
}

/// The tracking event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    Sent = 0,
    Open = 1,
    Click = 2,
    Bounce = 3,
    Unsub = 4,
}

impl EventKind {
    pub(crate) const ALL: [EventKind; 5] = [
        EventKind::Sent,
        EventKind::Open,
        EventKind::Click,
        EventKind::Bounce,
        EventKind::Unsub,
    ];

    /// The ObjectType (and `xsi:type`).
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            EventKind::Sent => "SentEvent",
            EventKind::Open => "OpenEvent",
            EventKind::Click => "ClickEvent",
            EventKind::Bounce => "BounceEvent",
            EventKind::Unsub => "UnsubEvent",
        }
    }

    /// How long after the delivery's send the event happens (plus up to one step of jitter).
    fn delay_ms(self) -> i64 {
        match self {
            EventKind::Sent => 0,
            EventKind::Bounce => 120_000,
            EventKind::Open => 3_600_000,
            EventKind::Click => 3_900_000,
            EventKind::Unsub => 7_200_000,
        }
    }
}

/// The links a ClickEvent may name: (URLID, URL).
pub(crate) const LINKS: [(i32, &str); 4] = [
    (101, "https://example.com/"),
    (102, "https://example.com/offers"),
    (103, "https://example.com/account"),
    (104, "https://example.com/unsubscribe-preferences"),
];

/// The bounce kinds: (EventType, BounceCategory, SMTPCode, SMTPReason, BounceType).
pub(crate) const BOUNCES: [(&str, &str, &str, &str, &str); 3] = [
    (
        "HardBounce",
        "Hard bounce",
        "550",
        "550 5.1.1 The email account does not exist",
        "immediate",
    ),
    (
        "SoftBounce",
        "Soft bounce",
        "452",
        "452 4.2.2 The mailbox is full",
        "delayed",
    ),
    (
        "OtherBounce",
        "Technical/Other bounce",
        "421",
        "421 4.4.2 Connection timed out",
        "delayed",
    ),
];

/// One generated tracking event.
#[derive(Debug, Clone)]
pub(crate) struct EventRow {
    pub(crate) kind: EventKind,
    pub(crate) id: u64,
    pub(crate) send_id: i32,
    pub(crate) subscriber_key: CompactString,
    pub(crate) date_ms: i64,
    pub(crate) batch_id: i32,
    /// The row's hash, for the type's own fields.
    pub(crate) h: u64,
}

impl EventRow {
    /// The link of a ClickEvent.
    pub(crate) fn link(&self) -> (i32, &'static str) {
        LINKS[(self.h >> 20) as usize % LINKS.len()]
    }

    /// The bounce of a BounceEvent.
    pub(crate) fn bounce(
        &self,
    ) -> (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ) {
        BOUNCES[(self.h >> 20) as usize % BOUNCES.len()]
    }

    /// Whether an UnsubEvent unsubscribed from every list (master unsubscribe).
    pub(crate) fn master_unsubscribe(&self) -> bool {
        (self.h >> 24) % 4 == 0
    }

    /// The list an UnsubEvent left (one of the optional lists), when not a master unsubscribe.
    pub(crate) fn unsub_list(&self, mid: i64) -> Option<i32> {
        (!self.master_unsubscribe()).then(|| list_id(mid, 1 + (self.h >> 26) as usize % 2))
    }

    /// The EventType written.
    pub(crate) fn event_type(&self) -> &'static str {
        match self.kind {
            EventKind::Sent => "Sent",
            EventKind::Open => "Open",
            EventKind::Click => "Click",
            EventKind::Bounce => self.bounce().0,
            EventKind::Unsub => "Unsubscribe",
        }
    }
}

/// A column of a data extension: (Name, FieldType, IsPrimaryKey, IsRequired, MaxLength, Scale).
pub(crate) type FieldDef = (
    &'static str,
    &'static str,
    bool,
    bool,
    Option<i32>,
    Option<i32>,
);

/// One of the data extensions every account has.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DataExtensionDef {
    pub(crate) name: &'static str,
    pub(crate) customer_key: &'static str,
    pub(crate) description: &'static str,
    pub(crate) is_sendable: bool,
    pub(crate) fields: &'static [FieldDef],
    salt: u64,
}

/// The data extensions of every account. `Customers` has a row per subscriber (the same keys,
/// names and addresses); `Orders` refers to subscribers by key.
pub(crate) const DATA_EXTENSIONS: [DataExtensionDef; 2] = [
    DataExtensionDef {
        name: "Customers",
        customer_key: "Customers_DE",
        description: "Loyalty customers, one row per subscriber",
        is_sendable: true,
        fields: &[
            ("SubscriberKey", "Text", true, true, Some(254), None),
            ("EmailAddress", "EmailAddress", false, true, Some(254), None),
            ("FirstName", "Text", false, false, Some(50), None),
            ("LastName", "Text", false, false, Some(50), None),
            ("City", "Text", false, false, Some(100), None),
            ("Points", "Number", false, false, None, None),
            ("JoinDate", "Date", false, false, None, None),
            ("Active", "Boolean", false, false, None, None),
        ],
        salt: 0,
    },
    DataExtensionDef {
        name: "Orders",
        customer_key: "Orders_DE",
        description: "Orders placed by subscribers",
        is_sendable: false,
        fields: &[
            ("OrderID", "Number", true, true, None, None),
            ("SubscriberKey", "Text", false, true, Some(254), None),
            ("Amount", "Decimal", false, false, Some(18), Some(2)),
            ("OrderDate", "Date", false, false, None, None),
            ("Status", "Text", false, false, Some(20), None),
        ],
        salt: 1,
    },
];

/// One value of a data extension row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(CompactString),
    Integer(i64),
    /// A Decimal(.., 2), in hundredths.
    Cents(i64),
    Date(i64),
    Bool(bool),
}

impl Cell {
    /// The value as the service writes it in `Properties/Property/Value`.
    pub(crate) fn wire(&self) -> CompactString {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Integer(n) => CompactString::from(n.to_string()),
            Cell::Cents(c) => CompactString::from(format!("{}.{:02}", c / 100, c % 100)),
            Cell::Date(ms) => dates::us_datetime(*ms),
            Cell::Bool(b) => CompactString::from(if *b { "True" } else { "False" }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(seed: u64) -> DataModel {
        DataModel::new(
            DataConfig {
                subscribers: 50,
                events: 1000,
                rows: 10,
                seed,
            },
            BTreeMap::from([(7, vec![11, 12])]),
            BTreeMap::new(),
        )
    }

    #[test]
    fn rows_are_a_function_of_seed_account_and_index() {
        let (a, b, c) = (model(1), model(1), model(2));
        let ev = |m: &DataModel, mid, i| {
            let e = m.event(mid, EventKind::Open, i);
            (e.send_id, e.subscriber_key, e.date_ms, e.h)
        };
        assert_eq!(ev(&a, 7, 5), ev(&b, 7, 5));
        assert_ne!(ev(&a, 7, 5), ev(&c, 7, 5));
        assert_ne!(ev(&a, 7, 5).3, ev(&a, 8, 5).3);
        assert_eq!(
            a.row(7, &DATA_EXTENSIONS[0], 3),
            b.row(7, &DATA_EXTENSIONS[0], 3)
        );
    }

    #[test]
    fn events_refer_to_sent_sends_and_subscribers_in_date_order() {
        let m = model(9);
        assert_eq!(m.event_count(7), 1000);
        assert_eq!(m.event_count(8), 0, "no sent send, no events");
        for kind in EventKind::ALL {
            let mut last = i64::MIN;
            for i in 0..1000 {
                let e = m.event(7, kind, i);
                assert!([11, 12].contains(&e.send_id));
                let n: u64 = e.subscriber_key[3..].parse().unwrap();
                assert!((1..=50).contains(&n), "{}", e.subscriber_key);
                assert!(e.date_ms > last, "{kind:?} {i}");
                last = e.date_ms;
            }
        }
        // The open of a delivery follows its send.
        let sent = m.event(7, EventKind::Sent, 4);
        let open = m.event(7, EventKind::Open, 4);
        assert_eq!(
            (sent.send_id, &sent.subscriber_key),
            (open.send_id, &open.subscriber_key)
        );
        assert!(open.date_ms > sent.date_ms);
    }

    #[test]
    fn cells_are_written_like_the_service() {
        assert_eq!(Cell::Cents(1205).wire(), "12.05");
        assert_eq!(Cell::Bool(true).wire(), "True");
        // In the service's time (UTC-6).
        assert_eq!(
            Cell::Date(EVENTS_START_MS - dates::SERVICE_UTC_OFFSET_MS).wire(),
            "1/1/2026 12:00:00 AM"
        );
        assert_eq!(subscriber_key(0), "sub000001");
        assert_eq!(list_id(12345, 0), 123_451);
    }
}
