//! Filters of a Retrieve: [`Filter`] builds `SimpleFilterPart`s and nests them in
//! `ComplexFilterPart`s (AND, OR); [`FilterValue`] is a compared value, text or a date.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use compact_str::CompactString;

use crate::types::{
    AnyFilterPart, ComplexFilterPart, LogicalOperators, SimpleFilterPart, SimpleOperators,
};

/// A value a filter compares with: text, sent as a `Value`, or a date and time, sent as a
/// `DateValue` (`xs:dateTime`), as the service wants every date of a filter.
///
/// ```
/// use sfmc_partnerapi::retrieve::FilterValue;
///
/// assert_eq!(FilterValue::from("Scheduled").as_str(), "Scheduled");
/// let date = FilterValue::date_time("2026-01-01").expect("a date");
/// assert_eq!(date.as_str(), "2026-01-01T00:00:00");
/// assert!(date.is_date_time());
/// assert!(FilterValue::date_time("2026-02-30").is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FilterValue {
    /// Text, sent as a `Value` as it is (numbers too).
    Text(CompactString),
    /// A date and time, `YYYY-MM-DDTHH:MM:SS` with an optional zone (`Z`, `+02:00`), sent as a
    /// `DateValue`. Without a zone the service reads it in its own time (Central Standard Time,
    /// UTC-6, all year).
    DateTime(CompactString),
}

impl FilterValue {
    /// Text, sent as a `Value`.
    pub fn text(value: impl Into<CompactString>) -> Self {
        Self::Text(value.into())
    }

    /// A date (`YYYY-MM-DD`) or date and time (`YYYY-MM-DDTHH:MM[:SS]`), with an optional zone
    /// (`Z` or `±HH:MM`), written as `YYYY-MM-DDTHH:MM:SS[zone]`; `None` when `value` is not a
    /// valid one (month 13, February 30, hour 24, ...).
    pub fn date_time(value: &str) -> Option<Self> {
        normalize_date_time(value).map(|v| Self::DateTime(v.into()))
    }

    /// The value as sent.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Text(v) | Self::DateTime(v) => v,
        }
    }

    /// Whether it is sent as a `DateValue`.
    pub fn is_date_time(&self) -> bool {
        matches!(self, Self::DateTime(_))
    }
}

impl From<&str> for FilterValue {
    fn from(value: &str) -> Self {
        Self::Text(value.into())
    }
}

impl From<String> for FilterValue {
    fn from(value: String) -> Self {
        Self::Text(value.into())
    }
}

impl From<CompactString> for FilterValue {
    fn from(value: CompactString) -> Self {
        Self::Text(value)
    }
}

macro_rules! number_values {
    ($($t:ty),*) => {$(
        impl From<$t> for FilterValue {
            fn from(value: $t) -> Self {
                Self::Text(compact_str::format_compact!("{value}"))
            }
        }
    )*};
}
number_values!(i32, i64, u32, u64, bool);

/// The instant in UTC, to the second (`2026-01-01T12:00:00Z`): the service takes no fractions.
impl From<SystemTime> for FilterValue {
    fn from(time: SystemTime) -> Self {
        let seconds = match time.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            // Before 1970: a whole second earlier unless exactly on one.
            Err(e) => {
                let d = e.duration();
                let s = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                -s - i64::from(d.subsec_nanos() > 0)
            }
        };
        let days = seconds.div_euclid(86_400);
        let rest = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Self::DateTime(compact_str::format_compact!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            rest / 3600,
            rest % 3600 / 60,
            rest % 60
        ))
    }
}

/// The proleptic Gregorian date of `days` since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Whether `text` has the shape of a date the expression language reads as one:
/// `DDDD-DD-DD`, then optionally `THH:MM`, `:SS`, and a zone.
pub(crate) fn looks_like_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || matches!(b[10], b'T' | b't' | b'Z' | b'+' | b'-'))
}

/// `YYYY-MM-DD[THH:MM[:SS]][Z|±HH:MM]` as `YYYY-MM-DDTHH:MM:SS[zone]`, if valid.
fn normalize_date_time(text: &str) -> Option<String> {
    let text = text.trim();
    if !looks_like_date(text) {
        return None;
    }
    let number = |s: &str| -> Option<u32> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (year, month, day) = (
        number(text.get(..4)?)?,
        number(text.get(5..7)?)?,
        number(text.get(8..10)?)?,
    );
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month) || day == 0 || day > month_days[(month - 1) as usize] {
        return None;
    }
    let mut rest = text.get(10..)?;
    let (mut hour, mut minute, mut second) = (0, 0, 0);
    if let Some(time) = rest.strip_prefix(['T', 't']) {
        hour = number(time.get(..2)?)?;
        if time.get(2..3)? != ":" {
            return None;
        }
        minute = number(time.get(3..5)?)?;
        rest = time.get(5..)?;
        if let Some(s) = rest.strip_prefix(':') {
            second = number(s.get(..2)?)?;
            rest = s.get(2..)?;
        }
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
    }
    let zone = match rest {
        "" => String::new(),
        "Z" | "z" => "Z".to_string(),
        z if z.len() == 6 && matches!(z.as_bytes()[0], b'+' | b'-') && z.get(3..4) == Some(":") => {
            let (h, m) = (number(z.get(1..3)?)?, number(z.get(4..6)?)?);
            if h > 14 || m > 59 {
                return None;
            }
            z.to_string()
        }
        _ => return None,
    };
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{zone}"
    ))
}

/// A Retrieve filter: conditions (`SimpleFilterPart`) joined with AND and OR
/// (`ComplexFilterPart`), built with the methods below or parsed from an expression
/// ([`Filter::parse`], the language is described there). It converts into the request's
/// `AnyFilterPart`; its `Display` is the expression, which parses back to the same filter.
///
/// ```
/// use sfmc_partnerapi::retrieve::{Filter, FilterValue};
///
/// let built = Filter::equals("Status", "Scheduled")
///     .and(Filter::greater_than("CreatedDate", FilterValue::date_time("2026-01-01").unwrap()));
/// let parsed: Filter = "Status = Scheduled and CreatedDate > 2026-01-01".parse()?;
/// assert_eq!(built, parsed);
/// assert_eq!(
///     built.to_string(),
///     "Status = 'Scheduled' and CreatedDate > 2026-01-01T00:00:00"
/// );
/// # Ok::<(), sfmc_partnerapi::retrieve::FilterParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Filter(Node);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Node {
    Condition {
        property: CompactString,
        operator: SimpleOperators,
        values: Vec<FilterValue>,
    },
    /// At least two, none of them `All`.
    All(Vec<Node>),
    /// At least two, none of them `Any`.
    Any(Vec<Node>),
}

impl Filter {
    /// `property` compared with `values` by `operator`, any of the service's `SimpleOperators`
    /// (`beginsWith`, `contains`, ... too): one value for most, two for `between`, any number
    /// for `IN`, none for `isNull` and `isNotNull`. The values are all sent as `DateValue`s when
    /// they are all dates, as `Value`s otherwise.
    pub fn condition(
        property: impl Into<CompactString>,
        operator: SimpleOperators,
        values: impl IntoIterator<Item = FilterValue>,
    ) -> Self {
        Self(Node::Condition {
            property: property.into(),
            operator,
            values: values.into_iter().collect(),
        })
    }

    fn one(
        property: impl Into<CompactString>,
        operator: SimpleOperators,
        value: impl Into<FilterValue>,
    ) -> Self {
        Self::condition(property, operator, [value.into()])
    }

    /// `property` equals `value` (`equals`).
    pub fn equals(property: impl Into<CompactString>, value: impl Into<FilterValue>) -> Self {
        Self::one(property, SimpleOperators::Equals, value)
    }

    /// `property` differs from `value` (`notEquals`).
    pub fn not_equals(property: impl Into<CompactString>, value: impl Into<FilterValue>) -> Self {
        Self::one(property, SimpleOperators::NotEquals, value)
    }

    /// `property` is greater than `value` (`greaterThan`); later, for a date.
    pub fn greater_than(property: impl Into<CompactString>, value: impl Into<FilterValue>) -> Self {
        Self::one(property, SimpleOperators::GreaterThan, value)
    }

    /// `property` is greater than or equal to `value` (`greaterThanOrEqual`).
    pub fn greater_than_or_equal(
        property: impl Into<CompactString>,
        value: impl Into<FilterValue>,
    ) -> Self {
        Self::one(property, SimpleOperators::GreaterThanOrEqual, value)
    }

    /// `property` is less than `value` (`lessThan`); earlier, for a date.
    pub fn less_than(property: impl Into<CompactString>, value: impl Into<FilterValue>) -> Self {
        Self::one(property, SimpleOperators::LessThan, value)
    }

    /// `property` is less than or equal to `value` (`lessThanOrEqual`).
    pub fn less_than_or_equal(
        property: impl Into<CompactString>,
        value: impl Into<FilterValue>,
    ) -> Self {
        Self::one(property, SimpleOperators::LessThanOrEqual, value)
    }

    /// `property` is between `low` and `high`, both included (`between`).
    pub fn between(
        property: impl Into<CompactString>,
        low: impl Into<FilterValue>,
        high: impl Into<FilterValue>,
    ) -> Self {
        Self::condition(
            property,
            SimpleOperators::Between,
            [low.into(), high.into()],
        )
    }

    /// `property` is one of `values` (`IN`).
    pub fn is_in<V: Into<FilterValue>>(
        property: impl Into<CompactString>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Self::condition(
            property,
            SimpleOperators::In,
            values.into_iter().map(Into::into),
        )
    }

    /// `property` matches the SQL `LIKE` pattern `pattern` (`%` any text, `_` one character).
    pub fn like(property: impl Into<CompactString>, pattern: impl Into<FilterValue>) -> Self {
        Self::one(property, SimpleOperators::Like, pattern)
    }

    /// `property` has no value (`isNull`).
    pub fn is_null(property: impl Into<CompactString>) -> Self {
        Self::condition(property, SimpleOperators::IsNull, [])
    }

    /// `property` has a value (`isNotNull`).
    pub fn is_not_null(property: impl Into<CompactString>) -> Self {
        Self::condition(property, SimpleOperators::IsNotNull, [])
    }

    /// Both this filter and `other` (AND).
    pub fn and(self, other: Filter) -> Self {
        Self(join(self.0, other.0, true))
    }

    /// This filter or `other` (OR).
    pub fn or(self, other: Filter) -> Self {
        Self(join(self.0, other.0, false))
    }

    /// Every filter of `filters` (AND); `None` when there is none.
    pub fn all(filters: impl IntoIterator<Item = Filter>) -> Option<Self> {
        filters.into_iter().reduce(Filter::and)
    }

    /// Any filter of `filters` (OR); `None` when there is none.
    pub fn any(filters: impl IntoIterator<Item = Filter>) -> Option<Self> {
        filters.into_iter().reduce(Filter::or)
    }

    /// The filter as the request's `Filter`: a `SimpleFilterPart` for one condition, nested
    /// `ComplexFilterPart`s (a balanced tree of `LeftOperand` and `RightOperand`) for more.
    pub fn to_filter_part(&self) -> AnyFilterPart {
        part(&self.0)
    }
}

/// `a` and (or) `b`, flattened: a run of ANDs is one `All`, a run of ORs one `Any`.
fn join(a: Node, b: Node, and: bool) -> Node {
    let mut items = match (a, and) {
        (Node::All(v), true) | (Node::Any(v), false) => v,
        (other, _) => vec![other],
    };
    match (b, and) {
        (Node::All(v), true) | (Node::Any(v), false) => items.extend(v),
        (other, _) => items.push(other),
    }
    if and {
        Node::All(items)
    } else {
        Node::Any(items)
    }
}

fn part(node: &Node) -> AnyFilterPart {
    match node {
        Node::Condition {
            property,
            operator,
            values,
        } => {
            let texts = || values.iter().map(|v| v.as_str().into()).collect();
            let dates = !values.is_empty() && values.iter().all(FilterValue::is_date_time);
            SimpleFilterPart {
                property: property.as_str().into(),
                simple_operator: operator.clone(),
                value: if dates { Vec::new() } else { texts() },
                date_value: if dates { texts() } else { Vec::new() },
            }
            .into()
        }
        Node::All(nodes) => balanced(nodes, LogicalOperators::And),
        Node::Any(nodes) => balanced(nodes, LogicalOperators::Or),
    }
}

/// `nodes` joined by `operator` in a balanced tree (depth log2 of their number).
fn balanced(nodes: &[Node], operator: LogicalOperators) -> AnyFilterPart {
    match nodes {
        [] => AnyFilterPart::default(),
        [one] => part(one),
        _ => {
            let (left, right) = nodes.split_at(nodes.len() / 2);
            ComplexFilterPart {
                left_operand: balanced(left, operator.clone()),
                logical_operator: operator.clone(),
                right_operand: Some(balanced(right, operator)),
                ..Default::default()
            }
            .into()
        }
    }
}

impl From<Filter> for AnyFilterPart {
    fn from(filter: Filter) -> Self {
        filter.to_filter_part()
    }
}

impl From<&Filter> for AnyFilterPart {
    fn from(filter: &Filter) -> Self {
        filter.to_filter_part()
    }
}

/// The expression (see [`Filter::parse`]): it parses back to the same filter. Text values are
/// single-quoted, dates bare; properties that are not plain words are in backticks.
impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_node(f, &self.0)
    }
}

fn write_node(f: &mut fmt::Formatter<'_>, node: &Node) -> fmt::Result {
    match node {
        Node::Condition {
            property,
            operator,
            values,
        } => write_condition(f, property, operator, values),
        Node::All(nodes) => {
            for (i, n) in nodes.iter().enumerate() {
                if i > 0 {
                    f.write_str(" and ")?;
                }
                if matches!(n, Node::Any(_)) {
                    f.write_str("(")?;
                    write_node(f, n)?;
                    f.write_str(")")?;
                } else {
                    write_node(f, n)?;
                }
            }
            Ok(())
        }
        Node::Any(nodes) => {
            for (i, n) in nodes.iter().enumerate() {
                if i > 0 {
                    f.write_str(" or ")?;
                }
                write_node(f, n)?;
            }
            Ok(())
        }
    }
}

fn write_condition(
    f: &mut fmt::Formatter<'_>,
    property: &str,
    operator: &SimpleOperators,
    values: &[FilterValue],
) -> fmt::Result {
    if super::parse::is_plain_word(property) {
        f.write_str(property)?;
    } else {
        write!(f, "`{}`", property.replace('`', "``"))?;
    }
    let symbol = match operator {
        SimpleOperators::Equals => Some("="),
        SimpleOperators::NotEquals => Some("!="),
        SimpleOperators::GreaterThan => Some(">"),
        SimpleOperators::GreaterThanOrEqual => Some(">="),
        SimpleOperators::LessThan => Some("<"),
        SimpleOperators::LessThanOrEqual => Some("<="),
        SimpleOperators::Like => Some("like"),
        _ => None,
    };
    match (operator, symbol, values) {
        (_, Some(symbol), [value]) => {
            write!(f, " {symbol} ")?;
            write_value(f, value)
        }
        (SimpleOperators::IsNull, _, []) => f.write_str(" is null"),
        (SimpleOperators::IsNotNull, _, []) => f.write_str(" is not null"),
        (SimpleOperators::Between, _, [low, high]) => {
            f.write_str(" between ")?;
            write_value(f, low)?;
            f.write_str(" and ")?;
            write_value(f, high)
        }
        (SimpleOperators::In, _, _) => {
            f.write_str(" in (")?;
            write_list(f, values)?;
            f.write_str(")")
        }
        // Any other operator, or a number of values the symbols do not take: the operator's
        // wire name with the values in parentheses.
        _ => {
            write!(f, " {} (", operator.as_str())?;
            write_list(f, values)?;
            f.write_str(")")
        }
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, values: &[FilterValue]) -> fmt::Result {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write_value(f, v)?;
    }
    Ok(())
}

fn write_value(f: &mut fmt::Formatter<'_>, value: &FilterValue) -> fmt::Result {
    match value {
        FilterValue::DateTime(d) => f.write_str(d),
        FilterValue::Text(t) => write!(f, "'{}'", t.replace('\'', "''")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::XmlWriter;

    fn xml(filter: &Filter) -> String {
        let mut w = XmlWriter::new();
        crate::xml::XmlValue::write_element(&filter.to_filter_part(), &mut w, "Filter");
        w.into_string()
    }

    #[test]
    fn conditions_are_simple_filter_parts() {
        assert_eq!(
            xml(&Filter::equals("Status", "Scheduled")),
            "<Filter xsi:type=\"SimpleFilterPart\"><Property>Status</Property>\
             <SimpleOperator>equals</SimpleOperator><Value>Scheduled</Value></Filter>"
        );
        let between = Filter::between(
            "CreatedDate",
            FilterValue::date_time("2026-01-01").unwrap(),
            FilterValue::date_time("2026-02-01T12:30").unwrap(),
        );
        assert_eq!(
            xml(&between),
            "<Filter xsi:type=\"SimpleFilterPart\"><Property>CreatedDate</Property>\
             <SimpleOperator>between</SimpleOperator><DateValue>2026-01-01T00:00:00</DateValue>\
             <DateValue>2026-02-01T12:30:00</DateValue></Filter>"
        );
        assert!(xml(&Filter::is_in("ID", [1, 2, 3])).contains(
            "<SimpleOperator>IN</SimpleOperator><Value>1</Value><Value>2</Value><Value>3</Value>"
        ));
        assert!(xml(&Filter::is_null("Email"))
            .ends_with("<SimpleOperator>isNull</SimpleOperator></Filter>"));
    }

    #[test]
    fn and_or_nest_as_complex_filter_parts() {
        let f = Filter::equals("A", "1")
            .and(Filter::equals("B", "2"))
            .or(Filter::less_than("C", 3));
        let text = xml(&f);
        assert!(
            text.starts_with(
                "<Filter xsi:type=\"ComplexFilterPart\"><LeftOperand xsi:type=\"ComplexFilterPart\">\
                 <LeftOperand xsi:type=\"SimpleFilterPart\"><Property>A</Property>"
            ),
            "{text}"
        );
        assert!(
            text.contains("<LogicalOperator>AND</LogicalOperator>"),
            "{text}"
        );
        assert!(
            text.contains("</LeftOperand><LogicalOperator>OR</LogicalOperator><RightOperand"),
            "{text}"
        );
        // A long run of ANDs is one flat list, written as a balanced tree.
        let many = Filter::all((0..1024).map(|i| Filter::equals("ID", i))).unwrap();
        let text = xml(&many);
        assert_eq!(text.matches("SimpleFilterPart").count(), 1024);
        assert_eq!(text.matches("\"ComplexFilterPart\"").count(), 1023);
        let Filter(Node::All(items)) = &many else {
            panic!("{many:?}")
        };
        assert_eq!(items.len(), 1024);
    }

    #[test]
    fn dates_are_checked_and_written_in_full() {
        let d = |s| FilterValue::date_time(s).map(|v| v.as_str().to_string());
        assert_eq!(d("2024-02-29").as_deref(), Some("2024-02-29T00:00:00"));
        assert_eq!(
            d("2026-01-01T08:05").as_deref(),
            Some("2026-01-01T08:05:00")
        );
        assert_eq!(
            d("2026-01-01T08:05:09-06:00").as_deref(),
            Some("2026-01-01T08:05:09-06:00")
        );
        assert_eq!(d("2026-01-01Z").as_deref(), Some("2026-01-01T00:00:00Z"));
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-01-32",
            "2026-01-01T24:00",
            "2026-01-01T10:60",
            "2026-01-01T10",
            "2026-01-01T10:00:00.5",
            "2026-01-01+25:00",
            "2026-1-1",
            "",
            "2026-01-01T\u{e9}",
        ] {
            assert_eq!(d(bad), None, "{bad}");
        }
    }

    #[test]
    fn system_times_are_utc_seconds() {
        use std::time::Duration;
        let at = |secs: u64| FilterValue::from(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0).as_str(), "1970-01-01T00:00:00Z");
        assert_eq!(at(1_767_225_600).as_str(), "2026-01-01T00:00:00Z");
        assert_eq!(at(951_782_400).as_str(), "2000-02-29T00:00:00Z");
        let before = FilterValue::from(UNIX_EPOCH - Duration::from_millis(1500));
        assert_eq!(before.as_str(), "1969-12-31T23:59:58Z");
        assert!(before.is_date_time());
    }
}
