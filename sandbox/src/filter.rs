//! Retrieve filters: a `SimpleFilterPart` or `ComplexFilterPart` compiled against the properties
//! of an object type, then evaluated on each row; the values they compare (text, numbers, dates,
//! booleans) and the date forms they accept.

use std::borrow::Cow;
use std::cmp::Ordering;

use sfmc_partnerapi::types::{AnyFilterPart, LogicalOperators, SimpleFilterPart, SimpleOperators};

use super::dates;

/// How a property's values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Text, compared without regard to ASCII case.
    Text,
    /// A number (integer or decimal).
    Number,
    /// A date and time (UTC).
    Date,
    /// `true` / `false`.
    Bool,
    /// A structure (such as `Attributes`): retrievable, not usable in a filter.
    Complex,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Number => "number",
            Kind::Date => "date",
            Kind::Bool => "boolean",
            Kind::Complex => "complex",
        }
    }
}

/// One retrievable property of an object type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    /// The name a request uses (`ID`, `Client.ID`, `EventDate`, a data extension's field).
    pub(crate) name: Cow<'static, str>,
    pub(crate) kind: Kind,
}

impl Column {
    pub(crate) const fn of(name: &'static str, kind: Kind) -> Self {
        Self {
            name: Cow::Borrowed(name),
            kind,
        }
    }
}

/// The index of property `name` among `columns` (ASCII case ignored, like the service).
pub(crate) fn column_index(columns: &[Column], name: &str) -> Option<usize> {
    let name = name.trim();
    columns
        .iter()
        .position(|c| c.name.eq_ignore_ascii_case(name))
}

/// A property's value in one row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value<'a> {
    /// No value.
    Null,
    Text(&'a str),
    Number(f64),
    /// Milliseconds since the Unix epoch, UTC.
    Date(i64),
    Bool(bool),
}

/// A compiled filter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    /// No filter: every row.
    All,
    Test(Test),
    And(Vec<Filter>),
    Or(Vec<Filter>),
}

/// One `SimpleFilterPart`: the column and the condition on its value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Test {
    column: usize,
    cond: Cond,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Between,
    In,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextOp {
    BeginsWith,
    EndsWith,
    Contains,
    NotContains,
    Word,
    NotWord,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anniversary {
    Is,
    IsNot,
    After,
    Before,
}

#[derive(Debug, Clone, PartialEq)]
enum Cond {
    IsNull,
    IsNotNull,
    Text(Cmp, Vec<String>),
    TextMatch(TextOp, String),
    Like(Vec<Like>),
    Number(Cmp, Vec<f64>),
    Date(Cmp, Vec<i64>),
    Bool(Cmp, bool),
    Anniversary(Anniversary, (u32, u32)),
}

/// A piece of a `like` pattern.
#[derive(Debug, Clone, PartialEq)]
enum Like {
    /// `%`: any run of characters.
    Any,
    /// `_`: exactly one character.
    One,
    /// Literal text, lowercased.
    Text(String),
}

/// The deepest nesting of ComplexFilterParts accepted.
const MAX_DEPTH: usize = 64;

impl Filter {
    /// Compiles `filter` for an object type named `type_name` with `columns`; `Err` is the
    /// `OverallStatus` to answer.
    pub(crate) fn compile(
        filter: Option<&AnyFilterPart>,
        columns: &[Column],
        type_name: &str,
    ) -> Result<Filter, String> {
        match filter {
            None => Ok(Filter::All),
            Some(f) => compile_part(f, columns, type_name, 0),
        }
    }

    /// Whether the row whose column values `value` gives passes.
    pub(crate) fn matches<'r>(&self, value: &impl Fn(usize) -> Value<'r>) -> bool {
        match self {
            Filter::All => true,
            Filter::Test(t) => t.cond.holds(value(t.column)),
            Filter::And(parts) => parts.iter().all(|p| p.matches(value)),
            Filter::Or(parts) => parts.iter().any(|p| p.matches(value)),
        }
    }
}

fn compile_part(
    part: &AnyFilterPart,
    columns: &[Column],
    type_name: &str,
    depth: usize,
) -> Result<Filter, String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "Error: the filter nests more than {MAX_DEPTH} ComplexFilterParts"
        ));
    }
    match part {
        AnyFilterPart::SimpleFilterPart(simple) => compile_simple(simple, columns, type_name),
        AnyFilterPart::ComplexFilterPart(complex) => {
            let mut parts = vec![compile_part(
                &complex.left_operand,
                columns,
                type_name,
                depth + 1,
            )?];
            for operand in complex
                .right_operand
                .iter()
                .chain(&complex.additional_operands)
            {
                parts.push(compile_part(operand, columns, type_name, depth + 1)?);
            }
            match &complex.logical_operator {
                LogicalOperators::And => Ok(Filter::And(parts)),
                LogicalOperators::Or => Ok(Filter::Or(parts)),
                other => Err(format!(
                    "Error: The LogicalOperator {} is not valid (AND, OR)",
                    crate::service::sanitize(other.as_str())
                )),
            }
        }
        other => Err(format!(
            "Error: a filter of type {} is not supported (SimpleFilterPart, ComplexFilterPart)",
            crate::service::sanitize(other.type_name())
        )),
    }
}

fn compile_simple(
    part: &SimpleFilterPart,
    columns: &[Column],
    type_name: &str,
) -> Result<Filter, String> {
    let property = part.property.trim();
    let Some(column) = column_index(columns, property) else {
        return Err(format!(
            "Error: Filter Property '{}' is not a retrievable property of {type_name}.",
            crate::service::sanitize(property)
        ));
    };
    let kind = columns[column].kind;
    let op = &part.simple_operator;
    let shown = || crate::service::sanitize(op.as_str());
    let cannot = || {
        format!(
            "Error: The SimpleOperator {} cannot be used on the {} property {}",
            shown(),
            kind.name(),
            columns[column].name
        )
    };
    if kind == Kind::Complex {
        return Err(format!(
            "Error: The property {} cannot be used in a filter",
            columns[column].name
        ));
    }
    // Dates may come as DateValue or as Value text; other kinds use Value.
    let texts: Vec<&str> = if kind == Kind::Date && !part.date_value.is_empty() {
        part.date_value.iter().map(|v| v.as_str()).collect()
    } else {
        part.value.iter().map(|v| v.as_str()).collect()
    };
    let cmp = match op {
        SimpleOperators::IsNull => return Ok(test(column, Cond::IsNull)),
        SimpleOperators::IsNotNull => return Ok(test(column, Cond::IsNotNull)),
        SimpleOperators::Equals => Cmp::Eq,
        SimpleOperators::NotEquals => Cmp::Ne,
        SimpleOperators::GreaterThan => Cmp::Gt,
        SimpleOperators::LessThan => Cmp::Lt,
        SimpleOperators::GreaterThanOrEqual => Cmp::Ge,
        SimpleOperators::LessThanOrEqual => Cmp::Le,
        SimpleOperators::Between => Cmp::Between,
        SimpleOperators::In => Cmp::In,
        SimpleOperators::Like => {
            if kind != Kind::Text {
                return Err(cannot());
            }
            let [pattern] = one(&texts, &shown(), property)?;
            return Ok(test(column, Cond::Like(like_pattern(pattern))));
        }
        SimpleOperators::BeginsWith
        | SimpleOperators::EndsWith
        | SimpleOperators::Contains
        | SimpleOperators::NotContains
        | SimpleOperators::ExistsInString
        | SimpleOperators::ExistsInStringAsAWord
        | SimpleOperators::NotExistsInString => {
            if kind != Kind::Text {
                return Err(cannot());
            }
            let text_op = match op {
                SimpleOperators::BeginsWith => TextOp::BeginsWith,
                SimpleOperators::EndsWith => TextOp::EndsWith,
                SimpleOperators::Contains | SimpleOperators::ExistsInString => TextOp::Contains,
                SimpleOperators::NotContains | SimpleOperators::NotExistsInString => {
                    TextOp::NotContains
                }
                SimpleOperators::ExistsInStringAsAWord => TextOp::Word,
                _ => TextOp::NotWord,
            };
            let [needle] = one(&texts, &shown(), property)?;
            return Ok(test(
                column,
                Cond::TextMatch(text_op, needle.to_ascii_lowercase()),
            ));
        }
        SimpleOperators::IsAnniversary
        | SimpleOperators::IsNotAnniversary
        | SimpleOperators::GreaterThanAnniversary
        | SimpleOperators::LessThanAnniversary => {
            if kind != Kind::Date {
                return Err(cannot());
            }
            let which = match op {
                SimpleOperators::IsAnniversary => Anniversary::Is,
                SimpleOperators::IsNotAnniversary => Anniversary::IsNot,
                SimpleOperators::GreaterThanAnniversary => Anniversary::After,
                _ => Anniversary::Before,
            };
            let [date] = one(&texts, &shown(), property)?;
            let ms = parse_date(date, property)?;
            return Ok(test(column, Cond::Anniversary(which, dates::month_day(ms))));
        }
        other => {
            return Err(format!(
                "Error: The SimpleOperator {} is not valid",
                crate::service::sanitize(other.as_str())
            ))
        }
    };
    let count_ok = match cmp {
        Cmp::Between => texts.len() == 2,
        Cmp::In => !texts.is_empty(),
        _ => texts.len() == 1,
    };
    if !count_ok {
        return Err(format!(
            "Error: The SimpleOperator {} on {} needs {} value(s), found {}",
            shown(),
            crate::service::sanitize(property),
            match cmp {
                Cmp::Between => "2",
                Cmp::In => "1 or more",
                _ => "1",
            },
            texts.len()
        ));
    }
    let cond = match kind {
        Kind::Text => Cond::Text(cmp, texts.iter().map(|t| t.to_string()).collect()),
        Kind::Number => Cond::Number(
            cmp,
            texts
                .iter()
                .map(|t| parse_number(t, property))
                .collect::<Result<_, _>>()?,
        ),
        Kind::Date => Cond::Date(
            cmp,
            texts
                .iter()
                .map(|t| parse_date(t, property))
                .collect::<Result<_, _>>()?,
        ),
        Kind::Bool => {
            if !matches!(cmp, Cmp::Eq | Cmp::Ne) {
                return Err(cannot());
            }
            Cond::Bool(cmp, parse_bool(texts[0], property)?)
        }
        Kind::Complex => return Err(cannot()),
    };
    Ok(test(column, cond))
}

fn test(column: usize, cond: Cond) -> Filter {
    Filter::Test(Test { column, cond })
}

fn one<'t>(texts: &[&'t str], op: &str, property: &str) -> Result<[&'t str; 1], String> {
    match texts {
        [one] => Ok([*one]),
        _ => Err(format!(
            "Error: The SimpleOperator {op} on {} needs 1 value, found {}",
            crate::service::sanitize(property),
            texts.len()
        )),
    }
}

fn parse_number(text: &str, property: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| {
            format!(
                "Error: The filter value '{}' is not a valid number for {}",
                crate::service::sanitize(text),
                crate::service::sanitize(property)
            )
        })
}

fn parse_date(text: &str, property: &str) -> Result<i64, String> {
    dates::parse(text).ok_or_else(|| {
        format!(
            "Error: The filter value '{}' is not a valid date for {} (e.g. 2026-01-31, 2026-01-31T10:00:00, 1/31/2026)",
            crate::service::sanitize(text),
            crate::service::sanitize(property)
        )
    })
}

fn parse_bool(text: &str, property: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(format!(
            "Error: The filter value '{}' is not a valid boolean for {}",
            crate::service::sanitize(text),
            crate::service::sanitize(property)
        )),
    }
}

fn like_pattern(pattern: &str) -> Vec<Like> {
    let mut out = Vec::new();
    let mut text = String::new();
    for c in pattern.chars() {
        match c {
            '%' | '_' => {
                if !text.is_empty() {
                    out.push(Like::Text(std::mem::take(&mut text)));
                }
                out.push(if c == '%' { Like::Any } else { Like::One });
            }
            c => text.extend(c.to_lowercase()),
        }
    }
    if !text.is_empty() {
        out.push(Like::Text(text));
    }
    out
}

/// Whether `value` (any case) matches the `like` pattern.
fn like_matches(pattern: &[Like], value: &str) -> bool {
    let value = value.to_lowercase();
    like_from(pattern, &value)
}

fn like_from(pattern: &[Like], value: &str) -> bool {
    match pattern.split_first() {
        None => value.is_empty(),
        Some((Like::Text(t), rest)) => value
            .strip_prefix(t.as_str())
            .is_some_and(|v| like_from(rest, v)),
        Some((Like::One, rest)) => {
            let mut chars = value.chars();
            chars.next().is_some() && like_from(rest, chars.as_str())
        }
        Some((Like::Any, rest)) => {
            if rest.is_empty() {
                return true;
            }
            value
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(value.len()))
                .any(|i| like_from(rest, &value[i..]))
        }
    }
}

fn cmp_text(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// Byte offset of `needle` (lowercase) in `hay`, ASCII case ignored.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..=h.len().checked_sub(n.len())?).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

fn has_word(hay: &str, word: &str) -> bool {
    hay.split(|c: char| !c.is_alphanumeric())
        .any(|w| !w.is_empty() && w.eq_ignore_ascii_case(word))
}

fn compare<T: Copy>(cmp: Cmp, value: T, operands: &[T], order: impl Fn(T, T) -> Ordering) -> bool {
    let first = || operands.first().copied();
    match cmp {
        Cmp::Eq => first().is_some_and(|o| order(value, o).is_eq()),
        Cmp::Ne => first().is_some_and(|o| order(value, o).is_ne()),
        Cmp::Gt => first().is_some_and(|o| order(value, o).is_gt()),
        Cmp::Lt => first().is_some_and(|o| order(value, o).is_lt()),
        Cmp::Ge => first().is_some_and(|o| order(value, o).is_ge()),
        Cmp::Le => first().is_some_and(|o| order(value, o).is_le()),
        Cmp::Between => match operands {
            [low, high] => order(value, *low).is_ge() && order(value, *high).is_le(),
            _ => false,
        },
        Cmp::In => operands.iter().any(|o| order(value, *o).is_eq()),
    }
}

impl Cond {
    /// SQL's rule: a missing value passes only `isNull` (an empty text counts as missing).
    fn holds(&self, value: Value<'_>) -> bool {
        let missing = matches!(value, Value::Null | Value::Text(""));
        match (self, value) {
            (Cond::IsNull, _) => missing,
            (Cond::IsNotNull, _) => !missing,
            (_, Value::Null) => false,
            (Cond::Text(cmp, operands), Value::Text(v)) => {
                let refs: Vec<&str> = operands.iter().map(String::as_str).collect();
                compare(*cmp, v, &refs, cmp_text)
            }
            (Cond::TextMatch(op, needle), Value::Text(v)) => match op {
                TextOp::BeginsWith => v
                    .as_bytes()
                    .get(..needle.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(needle.as_bytes())),
                TextOp::EndsWith => v
                    .len()
                    .checked_sub(needle.len())
                    .and_then(|start| v.as_bytes().get(start..))
                    .is_some_and(|s| s.eq_ignore_ascii_case(needle.as_bytes())),
                TextOp::Contains => find_ci(v, needle).is_some(),
                TextOp::NotContains => find_ci(v, needle).is_none(),
                TextOp::Word => has_word(v, needle),
                TextOp::NotWord => !has_word(v, needle),
            },
            (Cond::Like(pattern), Value::Text(v)) => like_matches(pattern, v),
            (Cond::Number(cmp, operands), Value::Number(v)) => {
                compare(*cmp, v, operands, |a, b| a.total_cmp(&b))
            }
            (Cond::Date(cmp, operands), Value::Date(v)) => {
                compare(*cmp, v, operands, |a: i64, b| a.cmp(&b))
            }
            (Cond::Bool(cmp, wanted), Value::Bool(v)) => match cmp {
                Cmp::Ne => v != *wanted,
                _ => v == *wanted,
            },
            (Cond::Anniversary(which, md), Value::Date(v)) => {
                let this = dates::month_day(v);
                match which {
                    Anniversary::Is => this == *md,
                    Anniversary::IsNot => this != *md,
                    Anniversary::After => this > *md,
                    Anniversary::Before => this < *md,
                }
            }
            // A value of another kind than the column's (never produced by the tables).
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sfmc_partnerapi::types::ComplexFilterPart;

    const COLUMNS: &[Column] = &[
        Column::of("Name", Kind::Text),
        Column::of("Points", Kind::Number),
        Column::of("Joined", Kind::Date),
        Column::of("Active", Kind::Bool),
        Column::of("Attributes", Kind::Complex),
    ];

    fn simple(property: &str, op: SimpleOperators, values: &[&str]) -> AnyFilterPart {
        SimpleFilterPart {
            property: property.into(),
            simple_operator: op,
            value: values.iter().map(|v| (*v).into()).collect(),
            ..Default::default()
        }
        .into()
    }

    fn row<'a>(name: &'a str, points: f64, joined: &str, active: bool) -> [Value<'a>; 4] {
        [
            if name.is_empty() {
                Value::Null
            } else {
                Value::Text(name)
            },
            Value::Number(points),
            Value::Date(dates::parse(joined).unwrap()),
            Value::Bool(active),
        ]
    }

    fn passes(filter: &AnyFilterPart, r: &[Value<'_>; 4]) -> bool {
        let f = Filter::compile(Some(filter), COLUMNS, "T").unwrap();
        f.matches(&|c| r[c])
    }

    #[test]
    fn simple_operators_on_each_kind() {
        use SimpleOperators::*;
        // 10:00 in the service's time (UTC-6): what a date without a zone means.
        let r = row("Ada Lovelace", 42.0, "2026-03-04T16:00:00Z", true);
        let yes = [
            simple("name", Equals, &["ada lovelace"]),
            simple("Name", NotEquals, &["Bob"]),
            simple("Name", Like, &["a%LACE"]),
            simple("Name", Like, &["_da%"]),
            simple("Name", BeginsWith, &["ADA"]),
            simple("Name", EndsWith, &["lace"]),
            simple("Name", Contains, &["love"]),
            simple("Name", NotContains, &["xyz"]),
            simple("Name", ExistsInStringAsAWord, &["lovelace"]),
            simple("Name", In, &["x", "Ada Lovelace"]),
            simple("Name", GreaterThan, &["Ab"]),
            simple("Name", IsNotNull, &[]),
            simple("Points", Equals, &["42"]),
            simple("Points", Between, &["40", "42.0"]),
            simple("Points", In, &["1", "42"]),
            simple("Points", GreaterThanOrEqual, &["42"]),
            simple("Points", LessThan, &["42.5"]),
            simple("Joined", GreaterThan, &["2026-01-01"]),
            simple("Joined", LessThan, &["3/5/2026"]),
            simple("Joined", Equals, &["2026-03-04T10:00:00"]),
            simple("Joined", Between, &["2026-03-04", "2026-03-05"]),
            simple("Joined", IsAnniversary, &["1999-03-04"]),
            simple("Joined", GreaterThanAnniversary, &["2030-03-03"]),
            simple("Active", Equals, &["True"]),
            simple("Active", NotEquals, &["0"]),
        ];
        for f in &yes {
            assert!(passes(f, &r), "{f:?}");
        }
        let no = [
            simple("Name", Like, &["ada"]),
            simple("Name", ExistsInStringAsAWord, &["love"]),
            simple("Name", IsNull, &[]),
            simple("Points", NotEquals, &["42"]),
            simple("Points", Between, &["43", "50"]),
            simple("Joined", LessThanOrEqual, &["2026-03-04"]),
            simple("Joined", IsNotAnniversary, &["2001-03-04"]),
            simple("Active", Equals, &["false"]),
        ];
        for f in &no {
            assert!(!passes(f, &r), "{f:?}");
        }
        // A missing value passes isNull only.
        let empty = row("", 0.0, "2026-01-01", false);
        assert!(passes(&simple("Name", IsNull, &[]), &empty));
        assert!(!passes(&simple("Name", NotEquals, &["x"]), &empty));
        assert!(!passes(&simple("Name", NotContains, &["x"]), &empty));
        // DateValue is used for dates.
        let f: AnyFilterPart = SimpleFilterPart {
            property: "Joined".into(),
            simple_operator: Equals,
            date_value: vec!["2026-03-04T16:00:00.000Z".into()],
            ..Default::default()
        }
        .into();
        assert!(passes(&f, &r));
    }

    #[test]
    fn complex_parts_nest() {
        use SimpleOperators::*;
        let r = row("Ada", 42.0, "2026-03-04", true);
        let and = |l, rr, more: Vec<AnyFilterPart>, op| -> AnyFilterPart {
            ComplexFilterPart {
                left_operand: l,
                logical_operator: op,
                right_operand: Some(rr),
                additional_operands: more,
            }
            .into()
        };
        let t = simple("Points", Equals, &["42"]);
        let f = simple("Points", Equals, &["1"]);
        assert!(passes(
            &and(t.clone(), t.clone(), vec![], LogicalOperators::And),
            &r
        ));
        assert!(!passes(
            &and(t.clone(), t.clone(), vec![f.clone()], LogicalOperators::And),
            &r
        ));
        assert!(passes(
            &and(f.clone(), f.clone(), vec![t.clone()], LogicalOperators::Or),
            &r
        ));
        let nested = and(
            and(f.clone(), t.clone(), vec![], LogicalOperators::Or),
            and(t.clone(), f.clone(), vec![], LogicalOperators::And),
            vec![],
            LogicalOperators::Or,
        );
        assert!(passes(&nested, &r));
    }

    #[test]
    fn bad_filters_are_errors_with_the_services_wording() {
        use SimpleOperators::*;
        let err = |f: AnyFilterPart| Filter::compile(Some(&f), COLUMNS, "T").unwrap_err();
        assert_eq!(
            err(simple("Nope", Equals, &["1"])),
            "Error: Filter Property 'Nope' is not a retrievable property of T."
        );
        assert!(err(simple("Points", Equals, &["x"])).contains("not a valid number"));
        assert!(err(simple("Joined", Equals, &["yesterday"])).contains("not a valid date"));
        assert!(err(simple("Points", Between, &["1"])).contains("needs 2 value(s)"));
        assert!(err(simple("Points", Like, &["1%"])).contains("cannot be used"));
        assert!(err(simple("Attributes", IsNull, &[])).contains("cannot be used in a filter"));
        assert!(err(simple("Active", GreaterThan, &["true"])).contains("cannot be used"));
        assert!(err(simple("Name", SimpleOperators::from("almost"), &["x"])).contains("not valid"));
    }

    #[test]
    fn like_handles_unicode_and_runs() {
        let p = like_pattern("%é%z_");
        assert!(like_matches(&p, "abÉcdzq"));
        assert!(!like_matches(&p, "abcdzq"));
        assert!(like_matches(&like_pattern("%"), ""));
        assert!(!like_matches(&like_pattern("_"), ""));
        assert!(like_matches(&like_pattern("a%%b"), "ab"));
    }
}
