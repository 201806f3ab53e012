//! The filter expression language: [`Filter::parse`] and its [`FilterParseError`].

use std::fmt;

use compact_str::CompactString;

use super::filter::{looks_like_date, Filter, FilterValue};
use crate::types::SimpleOperators;

/// How deep parentheses may nest.
pub const MAX_NESTING: usize = 64;

/// An expression [`Filter::parse`] could not read: where (the column, counted in characters
/// from 1) and what was expected there.
///
/// ```
/// use sfmc_partnerapi::retrieve::Filter;
///
/// let e = Filter::parse("Status = ").unwrap_err();
/// assert_eq!(e.column(), 10);
/// assert_eq!(e.expected(), "a value");
/// assert_eq!(e.to_string(), "column 10: expected a value, found the end of the expression");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterParseError {
    column: usize,
    expected: String,
    found: Option<String>,
}

impl FilterParseError {
    fn new(column: usize, expected: impl Into<String>, found: Option<&str>) -> Self {
        Self {
            column,
            expected: expected.into(),
            found: found.map(|f| {
                let mut cut: String = f.chars().take(40).collect();
                if cut.len() < f.len() {
                    cut.push_str("...");
                }
                cut
            }),
        }
    }

    /// The column (in characters, from 1) where the expression goes wrong.
    pub fn column(&self) -> usize {
        self.column
    }

    /// What was expected there, e.g. `a value`, `an operator (...)`.
    pub fn expected(&self) -> &str {
        &self.expected
    }

    /// What was found there as written (cut to 40 characters); `None` at the end of the
    /// expression.
    pub fn found(&self) -> Option<&str> {
        self.found.as_deref()
    }
}

impl fmt::Display for FilterParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "column {}: expected {}, found ",
            self.column, self.expected
        )?;
        match &self.found {
            Some(found) => write!(f, "{found:?}"),
            None => f.write_str("the end of the expression"),
        }
    }
}

impl std::error::Error for FilterParseError {}

/// A configuration error ([`ErrorKind::Config`](crate::ErrorKind)) saying where the filter
/// expression goes wrong.
impl From<FilterParseError> for crate::Error {
    fn from(e: FilterParseError) -> Self {
        crate::Error::config(format!("filter expression: {e}"))
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A bare word: a property, a keyword, an operator name or a value.
    Word(String),
    /// A value in '...' or "...".
    Quoted(String),
    /// A property in `...`.
    Backticked(String),
    Open,
    Close,
    Comma,
    /// `=`, `!=`, `<>`, `>`, `>=`, `<`, `<=`.
    Symbol(&'static str),
    End,
}

#[derive(Debug)]
struct Token {
    tok: Tok,
    column: usize,
    /// As written, for errors.
    text: String,
}

const KEYWORDS: &[&str] = &["and", "or", "not", "is", "null", "in", "like", "between"];

/// Whether `s` is written bare as a property: a word of the language that is not a keyword.
pub(crate) fn is_plain_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(is_word_char)
        && !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(s))
        && !looks_like_date(s)
}

fn is_word_char(c: char) -> bool {
    !c.is_whitespace()
        && !matches!(
            c,
            '(' | ')' | ',' | '\'' | '"' | '`' | '=' | '!' | '<' | '>'
        )
}

fn tokenize(input: &str) -> Result<Vec<Token>, FilterParseError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let single = |tok: Tok, len: usize| Token {
            tok,
            column,
            text: chars[i..i + len].iter().collect(),
        };
        let next = chars.get(i + 1).copied();
        let (token, len) = match c {
            '(' => (single(Tok::Open, 1), 1),
            ')' => (single(Tok::Close, 1), 1),
            ',' => (single(Tok::Comma, 1), 1),
            '=' => (single(Tok::Symbol("="), 1), 1),
            '!' if next == Some('=') => (single(Tok::Symbol("!="), 2), 2),
            '<' if next == Some('>') => (single(Tok::Symbol("!="), 2), 2),
            '<' if next == Some('=') => (single(Tok::Symbol("<="), 2), 2),
            '>' if next == Some('=') => (single(Tok::Symbol(">="), 2), 2),
            '<' => (single(Tok::Symbol("<"), 1), 1),
            '>' => (single(Tok::Symbol(">"), 1), 1),
            '!' => {
                return Err(FilterParseError::new(
                    column,
                    "`!=` (a lone `!` means nothing)",
                    Some("!"),
                ))
            }
            '\'' | '"' | '`' => {
                // Quoted: the quote doubled stands for itself.
                let mut text = String::new();
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None => {
                            return Err(FilterParseError::new(
                                column,
                                format!("a closing {c} for the one opened here"),
                                None,
                            ))
                        }
                        Some(&q) if q == c => {
                            if chars.get(j + 1) == Some(&c) {
                                text.push(c);
                                j += 2;
                            } else {
                                j += 1;
                                break;
                            }
                        }
                        Some(&other) => {
                            text.push(other);
                            j += 1;
                        }
                    }
                }
                let tok = if c == '`' {
                    Tok::Backticked(text)
                } else {
                    Tok::Quoted(text)
                };
                (single(tok, j - i), j - i)
            }
            _ => {
                let mut j = i;
                while j < chars.len() && is_word_char(chars[j]) {
                    j += 1;
                }
                let word: String = chars[i..j].iter().collect();
                (single(Tok::Word(word), j - i), j - i)
            }
        };
        tokens.push(token);
        i += len;
    }
    tokens.push(Token {
        tok: Tok::End,
        column: chars.len() + 1,
        text: String::new(),
    });
    Ok(tokens)
}

const OPERATOR: &str = "an operator (=, !=, >, >=, <, <=, like, in, between, is null, \
                        is not null, or a SimpleOperator such as beginsWith)";

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        // The last token is `End`, and `at` never passes it.
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> &Token {
        let i = self.at.min(self.tokens.len() - 1);
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        &self.tokens[i]
    }

    fn error(&self, expected: impl Into<String>) -> FilterParseError {
        let t = self.peek();
        let found = (t.tok != Tok::End).then_some(t.text.as_str());
        FilterParseError::new(t.column, expected, found)
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(&self.peek().tok, Tok::Word(w) if w.eq_ignore_ascii_case(word))
    }

    fn expect_keyword(&mut self, word: &str, expected: &str) -> Result<(), FilterParseError> {
        if self.keyword(word) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    /// `or_expr := and_expr ("or" and_expr)*`
    fn or_expr(&mut self) -> Result<Filter, FilterParseError> {
        let mut filter = self.and_expr()?;
        while self.keyword("or") {
            self.bump();
            filter = filter.or(self.and_expr()?);
        }
        Ok(filter)
    }

    /// `and_expr := primary ("and" primary)*`
    fn and_expr(&mut self) -> Result<Filter, FilterParseError> {
        let mut filter = self.primary()?;
        while self.keyword("and") {
            self.bump();
            filter = filter.and(self.primary()?);
        }
        Ok(filter)
    }

    /// `primary := "(" or_expr ")" | condition`
    fn primary(&mut self) -> Result<Filter, FilterParseError> {
        if self.peek().tok != Tok::Open {
            return self.condition();
        }
        if self.depth >= MAX_NESTING {
            return Err(self.error(format!("at most {MAX_NESTING} nested parentheses")));
        }
        self.bump();
        self.depth += 1;
        let inner = self.or_expr()?;
        self.depth -= 1;
        if self.peek().tok != Tok::Close {
            return Err(self.error("`)`, `and` or `or`"));
        }
        self.bump();
        Ok(inner)
    }

    fn property(&mut self) -> Result<CompactString, FilterParseError> {
        let property = match &self.peek().tok {
            Tok::Backticked(p) if !p.trim().is_empty() => p.trim().into(),
            Tok::Word(w) if is_plain_word(w) => w.as_str().into(),
            _ => return Err(self.error("a property name (`...` for one that is a keyword)")),
        };
        self.bump();
        Ok(property)
    }

    /// `condition := property (symbol value | "like" value | "not" "like" ... | "in" list
    ///               | "between" value "and" value | "is" ["not"] "null" | NAME (value | list))`
    fn condition(&mut self) -> Result<Filter, FilterParseError> {
        let property = self.property()?;
        let (operator, word) = match &self.peek().tok {
            Tok::Symbol(s) => (symbol_operator(s), None),
            Tok::Word(w) => match operator_named(w) {
                Some(op) => (op, Some(w.to_ascii_lowercase())),
                None if w.eq_ignore_ascii_case("is") => {
                    (SimpleOperators::IsNull, Some("is".into()))
                }
                None => return Err(self.error(OPERATOR)),
            },
            _ => return Err(self.error(OPERATOR)),
        };
        self.bump();
        let values = match (word.as_deref(), &operator) {
            (Some("is"), _) => {
                let negated = self.keyword("not");
                if negated {
                    self.bump();
                }
                self.expect_keyword(
                    "null",
                    if negated {
                        "`null` after `is not`"
                    } else {
                        "`null` or `not null` after `is`"
                    },
                )?;
                let operator = if negated {
                    SimpleOperators::IsNotNull
                } else {
                    SimpleOperators::IsNull
                };
                return Ok(Filter::condition(property, operator, []));
            }
            // A SimpleOperator by name takes a list in parentheses, or what its symbol takes.
            (Some(_), _) if self.peek().tok == Tok::Open => self.list()?,
            (_, SimpleOperators::IsNull | SimpleOperators::IsNotNull) => Vec::new(),
            (_, SimpleOperators::Between) => {
                let low = self.value()?;
                self.expect_keyword("and", "`and` between the two values of `between`")?;
                vec![low, self.value()?]
            }
            (_, SimpleOperators::In) => self.list()?,
            _ => vec![self.value()?],
        };
        Ok(Filter::condition(property, operator, values))
    }

    /// `list := "(" value ("," value)* ")"`
    fn list(&mut self) -> Result<Vec<FilterValue>, FilterParseError> {
        if self.peek().tok != Tok::Open {
            return Err(self.error("`(` and a list of values"));
        }
        self.bump();
        let mut values = vec![self.value()?];
        loop {
            match self.peek().tok {
                Tok::Comma => {
                    self.bump();
                    values.push(self.value()?);
                }
                Tok::Close => {
                    self.bump();
                    return Ok(values);
                }
                _ => return Err(self.error("`,` or `)`")),
            }
        }
    }

    /// A quoted value (text as written), or a bare word: a date when it has the shape of one,
    /// text otherwise.
    fn value(&mut self) -> Result<FilterValue, FilterParseError> {
        let value =
            match &self.peek().tok {
                Tok::Quoted(text) => FilterValue::text(text.as_str()),
                Tok::Word(w) if !["and", "or"].iter().any(|k| k.eq_ignore_ascii_case(w)) => {
                    if looks_like_date(w) {
                        match FilterValue::date_time(w) {
                            Some(date) => date,
                            None => return Err(self.error(
                                "a valid date: YYYY-MM-DD, then optionally THH:MM, :SS and a zone \
                                 (Z, +HH:MM)",
                            )),
                        }
                    } else {
                        FilterValue::text(w.as_str())
                    }
                }
                _ => return Err(self.error("a value")),
            };
        self.bump();
        Ok(value)
    }
}

fn symbol_operator(symbol: &str) -> SimpleOperators {
    match symbol {
        "!=" => SimpleOperators::NotEquals,
        ">" => SimpleOperators::GreaterThan,
        ">=" => SimpleOperators::GreaterThanOrEqual,
        "<" => SimpleOperators::LessThan,
        "<=" => SimpleOperators::LessThanOrEqual,
        _ => SimpleOperators::Equals,
    }
}

/// `like`, `in`, `between`, or any `SimpleOperators` value by its wire name (any letter case).
fn operator_named(word: &str) -> Option<SimpleOperators> {
    SimpleOperators::VALUES
        .iter()
        .find(|v| v.eq_ignore_ascii_case(word))
        .map(|v| SimpleOperators::from(*v))
}

impl Filter {
    /// Reads a filter expression, such as `Status = Scheduled and CreatedDate > 2026-01-01`.
    ///
    /// - A condition is a property, an operator and its values: `=`, `!=` (or `<>`), `>`,
    ///   `>=`, `<`, `<=` and `like` take one value; `in (a, b, ...)` a list;
    ///   `between a and b` two; `is null` and `is not null` none. Any other `SimpleOperators`
    ///   value works by its name, with one value or a list (`EmailAddress beginsWith 'a'`).
    ///   Keywords and operator names are read in any letter case.
    /// - Conditions join with `and` and `or`; `and` binds tighter (`a or b and c` is
    ///   `a or (b and c)`); parentheses group (at most 64 deep).
    /// - A value is a bare word (`Scheduled`, `42`, `Spring%`) or quoted, in `'...'` or
    ///   `"..."` (the quote doubled inside: `'O''Brien'`). A bare value shaped like a date,
    ///   `YYYY-MM-DD`, then optionally `THH:MM`, `:SS` and a zone (`Z`, `+02:00`), is a date,
    ///   sent as a `DateValue` (`2026-01-01T00:00:00`); a quoted one stays text.
    /// - A property is a bare word; one with spaces or that is a keyword goes in backticks
    ///   (`` `First Name` = Ann ``).
    ///
    /// An error says at which column (in characters, from 1) the expression goes wrong and what
    /// was expected there.
    ///
    /// ```
    /// use sfmc_partnerapi::retrieve::Filter;
    ///
    /// let f = Filter::parse("Status in (Scheduled, Paused) or ID between 10 and 20")?;
    /// assert_eq!(f, Filter::is_in("Status", ["Scheduled", "Paused"]).or(Filter::between("ID", 10, 20)));
    /// let e = Filter::parse("Status = Scheduled and (ID > 3").unwrap_err();
    /// assert_eq!((e.column(), e.expected()), (31, "`)`, `and` or `or`"));
    /// # Ok::<(), sfmc_partnerapi::retrieve::FilterParseError>(())
    /// ```
    pub fn parse(expression: &str) -> Result<Filter, FilterParseError> {
        let mut parser = Parser {
            tokens: tokenize(expression)?,
            at: 0,
            depth: 0,
        };
        if parser.peek().tok == Tok::End {
            return Err(parser.error("a condition, such as `Status = Scheduled`"));
        }
        let filter = parser.or_expr()?;
        if parser.peek().tok != Tok::End {
            return Err(parser.error("`and`, `or` or the end of the expression"));
        }
        Ok(filter)
    }
}

impl std::str::FromStr for Filter {
    type Err = FilterParseError;

    /// [`Filter::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Filter::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> FilterValue {
        FilterValue::date_time(s).unwrap()
    }

    #[test]
    fn the_issue_example() {
        let f = Filter::parse("Status = Scheduled and CreatedDate > 2026-01-01").unwrap();
        assert_eq!(
            f,
            Filter::equals("Status", "Scheduled")
                .and(Filter::greater_than("CreatedDate", date("2026-01-01")))
        );
    }

    #[test]
    fn every_operator() {
        let cases: Vec<(&str, Filter)> = vec![
            ("A = 1", Filter::equals("A", 1)),
            ("A != 1", Filter::not_equals("A", 1)),
            ("A <> 1", Filter::not_equals("A", 1)),
            ("A > 1", Filter::greater_than("A", 1)),
            ("A >= 1", Filter::greater_than_or_equal("A", 1)),
            ("A < 1", Filter::less_than("A", 1)),
            ("A <= 1", Filter::less_than_or_equal("A", 1)),
            ("A like 'x%'", Filter::like("A", "x%")),
            ("A LIKE x%", Filter::like("A", "x%")),
            ("A in (1, 2,3)", Filter::is_in("A", [1, 2, 3])),
            ("A IN ('a b')", Filter::is_in("A", ["a b"])),
            (
                "A between 2026-01-01 and 2026-02-01T10:00",
                Filter::between("A", date("2026-01-01"), date("2026-02-01T10:00")),
            ),
            ("A is null", Filter::is_null("A")),
            ("A IS NOT NULL", Filter::is_not_null("A")),
            ("A isNull", Filter::is_null("A")),
            (
                "A beginsWith 'x'",
                Filter::condition("A", SimpleOperators::BeginsWith, ["x".into()]),
            ),
            (
                "A contains (x, y)",
                Filter::condition("A", SimpleOperators::Contains, ["x".into(), "y".into()]),
            ),
            ("A=1", Filter::equals("A", 1)),
            (
                "A>=2026-01-01",
                Filter::greater_than_or_equal("A", date("2026-01-01")),
            ),
            ("`First Name` = Ann", Filter::equals("First Name", "Ann")),
            ("`and` = 'it''s'", Filter::equals("and", "it's")),
            ("A = \"say \"\"hi\"\"\"", Filter::equals("A", "say \"hi\"")),
            ("A = '2026-01-01'", Filter::equals("A", "2026-01-01")),
            ("Client.ID = 5", Filter::equals("Client.ID", 5)),
        ];
        for (text, expected) in cases {
            assert_eq!(Filter::parse(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let (a, b, c) = (
            Filter::equals("A", 1),
            Filter::equals("B", 2),
            Filter::equals("C", 3),
        );
        assert_eq!(
            Filter::parse("A = 1 or B = 2 and C = 3"),
            Ok(a.clone().or(b.clone().and(c.clone())))
        );
        assert_eq!(
            Filter::parse("(A = 1 or B = 2) and C = 3"),
            Ok(a.clone().or(b.clone()).and(c.clone()))
        );
        assert_eq!(
            Filter::parse("A = 1 and (B = 2 and C = 3)"),
            Ok(a.and(b).and(c))
        );
    }

    #[test]
    fn errors_name_the_column_and_what_was_expected() {
        let cases = [
            ("", 1, "a condition, such as `Status = Scheduled`", None),
            ("Status", 7, OPERATOR, None),
            ("Status ~ x", 8, OPERATOR, Some("~")),
            ("Status = ", 10, "a value", None),
            (
                "Status = 'open",
                10,
                "a closing ' for the one opened here",
                None,
            ),
            (
                "A = 1 B = 2",
                7,
                "`and`, `or` or the end of the expression",
                Some("B"),
            ),
            (
                "A = 1 and",
                10,
                "a property name (`...` for one that is a keyword)",
                None,
            ),
            ("A in 1", 6, "`(` and a list of values", Some("1")),
            ("A in (1 2)", 9, "`,` or `)`", Some("2")),
            (
                "A between 1 or 2",
                13,
                "`and` between the two values of `between`",
                Some("or"),
            ),
            (
                "A is nothing",
                6,
                "`null` or `not null` after `is`",
                Some("nothing"),
            ),
            ("A is not", 9, "`null` after `is not`", None),
            ("(A = 1", 7, "`)`, `and` or `or`", None),
            (
                "A = 1)",
                6,
                "`and`, `or` or the end of the expression",
                Some(")"),
            ),
            ("A ! 1", 3, "`!=` (a lone `!` means nothing)", Some("!")),
            (
                "and = 1",
                1,
                "a property name (`...` for one that is a keyword)",
                Some("and"),
            ),
            ("A = and", 5, "a value", Some("and")),
        ];
        for (text, column, expected, found) in cases {
            let e = Filter::parse(text).expect_err(text);
            assert_eq!(
                (e.column(), e.expected(), e.found()),
                (column, expected, found),
                "{text}"
            );
        }
        let e = Filter::parse("CreatedDate > 2026-02-30").unwrap_err();
        assert_eq!((e.column(), e.found()), (15, Some("2026-02-30")));
        assert!(e.expected().starts_with("a valid date"), "{e}");
        // Columns count characters, not bytes.
        let e = Filter::parse("Näme = ").unwrap_err();
        assert_eq!(e.column(), 8);
        let deep = format!("{}A = 1{}", "(".repeat(65), ")".repeat(65));
        let e = Filter::parse(&deep).unwrap_err();
        assert_eq!(e.column(), 65);
        assert!(e.expected().contains("64 nested"), "{e}");
        assert!(Filter::parse(&format!("{}A = 1{}", "(".repeat(64), ")".repeat(64))).is_ok());
        // Into the library's error: a configuration error.
        let e: crate::Error = Filter::parse("A =").unwrap_err().into();
        assert!(e.is_config());
        assert!(e.to_string().contains("column 4"), "{e}");
    }

    /// A small deterministic generator (no dependency): random filters print and parse back to
    /// themselves; random text never makes the parser panic.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.below(from.len())]
        }
    }

    fn random_value(rng: &mut Rng) -> FilterValue {
        match rng.below(4) {
            0 => date(rng.pick(&["2026-01-01", "1999-12-31T23:59:59", "2024-02-29T00:00Z"])),
            1 => (rng.below(1000) as u64).into(),
            _ => rng
                .pick(&[
                    "Scheduled",
                    "it's",
                    "a \"b\"",
                    "",
                    " x ",
                    "and",
                    "(",
                    "é,",
                    "%",
                ])
                .into(),
        }
    }

    fn random_filter(rng: &mut Rng, depth: usize) -> Filter {
        if depth == 0 || rng.below(3) == 0 {
            let property = rng.pick(&["Status", "ID", "First Name", "or", "Client.ID", "x`y"]);
            let values: Vec<FilterValue> = (0..rng.below(4)).map(|_| random_value(rng)).collect();
            return match rng.below(8) {
                0 => Filter::is_null(property),
                1 => Filter::is_not_null(property),
                2 => Filter::is_in(property, values.into_iter().chain([random_value(rng)])),
                3 => Filter::between(property, random_value(rng), random_value(rng)),
                4 => Filter::condition(
                    property,
                    SimpleOperators::EndsWith,
                    values.into_iter().chain([random_value(rng)]),
                ),
                5 => Filter::condition(property, SimpleOperators::IsNull, values),
                _ => Filter::condition(
                    property,
                    SimpleOperators::from(rng.pick(&[
                        "equals",
                        "notEquals",
                        "greaterThan",
                        "lessThan",
                        "like",
                    ])),
                    [random_value(rng)],
                ),
            };
        }
        let (a, b) = (random_filter(rng, depth - 1), random_filter(rng, depth - 1));
        if rng.below(2) == 0 {
            a.and(b)
        } else {
            a.or(b)
        }
    }

    #[test]
    fn printed_filters_parse_back() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            let f = random_filter(&mut rng, 4);
            let text = f.to_string();
            assert_eq!(Filter::parse(&text), Ok(f), "{text}");
        }
    }

    #[test]
    fn random_input_never_panics() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let pieces = [
            "A",
            " ",
            "=",
            "!",
            "!=",
            "<",
            ">",
            "<=",
            ">=",
            "<>",
            "(",
            ")",
            ",",
            "'",
            "\"",
            "`",
            "and",
            "or",
            "not",
            "is",
            "null",
            "in",
            "like",
            "between",
            "2026-01-01",
            "2026-13-01",
            "T10:00",
            "Z",
            "+05:00",
            "x",
            "é",
            "\u{1F600}",
            "\t",
            "''",
            "isNull",
            "beginsWith",
        ];
        for _ in 0..20_000 {
            let text: String = (0..rng.below(12)).map(|_| rng.pick(&pieces)).collect();
            let _ = Filter::parse(&text);
            // Bytes too, as text.
            let bytes: Vec<u8> = (0..rng.below(16)).map(|_| rng.next() as u8).collect();
            let _ = Filter::parse(&String::from_utf8_lossy(&bytes));
        }
        // Long inputs stay within the nesting bound and the stack.
        let _ = Filter::parse(&"(".repeat(100_000));
        let long = vec!["A = 1"; 20_000].join(" and ");
        assert!(Filter::parse(&long).is_ok());
    }
}
