//! The types a Retrieve's rows are read as ([`RetrieveObject`]), [`RawObject`], and the page
//! reader that reads them one `Results` element at a time.

use compact_str::CompactString;

use crate::types::{AnyApiObject, RetrieveResponseMsg};
use crate::xml::{
    AnyElement, Start, XmlComplex, XmlElement, XmlError, XmlErrorKind, XmlReader, XmlValue,
    XmlWriter,
};

/// A type the rows of a Retrieve are read as: every generated `APIObject` type (`Send`,
/// `SentEvent`, `List`, ... through their `TryFrom<AnyApiObject>`), [`AnyApiObject`] (whatever
/// type each row has) and [`RawObject`] (each row as received, any property read as text).
///
/// A row of the type asked for is read as it is; a row that arrives as a base type of it or
/// without a known `xsi:type` is read again as that type (the fields it has); a row of another
/// type is given back as read, and the stream makes it an error for that row alone
/// ([`RetrieveProblem::UnexpectedType`](crate::RetrieveProblem::UnexpectedType)).
pub trait RetrieveObject: Sized + std::marker::Send + 'static {
    /// The `xsi:type` of the rows this type reads; `None` when it takes any type.
    const OBJECT_TYPE: Option<&'static str>;

    /// Reads one `Results` element (its start tag `start` just read): the row as `Self`, or
    /// (`Ok(Err(..))`) the row as read when it is of another type.
    fn read_result(
        r: &mut XmlReader<'_>,
        start: &Start<'_>,
    ) -> Result<Result<Self, AnyApiObject>, XmlError>;

    /// Writes the row as a `Results` element (with its `xsi:type`).
    fn write_result(&self, w: &mut XmlWriter);
}

impl<T> RetrieveObject for T
where
    T: XmlComplex + TryFrom<AnyApiObject, Error = AnyApiObject> + std::marker::Send + 'static,
{
    const OBJECT_TYPE: Option<&'static str> = Some(<T as XmlComplex>::TYPE_NAME);

    fn read_result(
        r: &mut XmlReader<'_>,
        start: &Start<'_>,
    ) -> Result<Result<Self, AnyApiObject>, XmlError> {
        Ok(T::try_from(AnyApiObject::read_element(r, start)?))
    }

    fn write_result(&self, w: &mut XmlWriter) {
        w.complex("Results", Some(<T as XmlComplex>::TYPE_NAME), self);
    }
}

impl RetrieveObject for AnyApiObject {
    const OBJECT_TYPE: Option<&'static str> = None;

    fn read_result(
        r: &mut XmlReader<'_>,
        start: &Start<'_>,
    ) -> Result<Result<Self, AnyApiObject>, XmlError> {
        Ok(Ok(AnyApiObject::read_element(r, start)?))
    }

    fn write_result(&self, w: &mut XmlWriter) {
        self.write_element(w, "Results");
    }
}

/// A retrieved row as received: its `xsi:type` and its XML, any property read from it as text,
/// exactly as the service wrote it (no number or date is converted, so nothing is lost). What
/// the `sfmc retrieve` command prints; any object type, also one these bindings do not know.
///
/// ```
/// use sfmc_partnerapi::retrieve::RawObject;
///
/// let row = RawObject::parse(
///     r#"<Results xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="DataExtensionObject">
///          <Client><ID>12345</ID></Client>
///          <Properties><Property><Name>Email</Name><Value>a@example.com</Value></Property></Properties>
///        </Results>"#,
/// )?;
/// assert_eq!(row.type_name(), Some("DataExtensionObject"));
/// assert_eq!(row.value("Client.ID").as_deref(), Some("12345"));
/// // A data extension row's fields by name (its Properties/Property Name and Value).
/// assert_eq!(row.value("Email").as_deref(), Some("a@example.com"));
/// assert_eq!(row.values(&["email", "Nope"]), vec![Some("a@example.com".to_string()), None]);
/// # Ok::<(), sfmc_partnerapi::xml::XmlError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RawObject {
    type_name: Option<CompactString>,
    element: AnyElement,
}

impl RawObject {
    /// A row from the XML of one element (with the namespace declarations it uses).
    pub fn parse(xml: &str) -> Result<Self, XmlError> {
        let element = AnyElement::parse(xml)?;
        let mut r = XmlReader::new(element.as_str().as_bytes());
        let type_name = r.next_child()?.and_then(|s| xsi_type_name(&s));
        Ok(Self { type_name, element })
    }

    /// The row's `xsi:type` without its prefix (`Send`), if it has one.
    pub fn type_name(&self) -> Option<&str> {
        self.type_name.as_deref()
    }

    /// The row's element as XML, standalone (namespace declarations included).
    pub fn xml(&self) -> &str {
        self.element.as_str()
    }

    /// The row read as the generated types (by its `xsi:type`).
    pub fn to_object(&self) -> Result<AnyApiObject, XmlError> {
        let mut r = XmlReader::new(self.element.as_str().as_bytes());
        let start = r.expect_child("an object")?;
        AnyApiObject::read_element(&mut r, &start)
    }

    /// The value of property `path`, see [`values`](Self::values).
    pub fn value(&self, path: &str) -> Option<String> {
        self.values(&[path]).pop().flatten()
    }

    /// The values of properties `paths`, in order, read in one pass over the row:
    ///
    /// - a name (`Status`) is the child element of that name; a dotted path (`Client.ID`) goes
    ///   down through child elements; names match in any letter case, and the first element
    ///   that has the path wins;
    /// - the value is the element's text as written (references resolved); for an element with
    ///   child elements, its XML;
    /// - a name no child has is looked up in the row's `Properties/Property` list by `Name`
    ///   (the fields of a `DataExtensionObject` row), giving that property's `Value`;
    /// - `None` when the row has neither.
    pub fn values<S: AsRef<str>>(&self, paths: &[S]) -> Vec<Option<String>> {
        let split: Vec<Vec<&str>> = paths
            .iter()
            .map(|p| p.as_ref().split('.').map(str::trim).collect())
            .collect();
        let wanted: Vec<(usize, &[&str])> = split
            .iter()
            .enumerate()
            .map(|(i, s)| (i, s.as_slice()))
            .collect();
        let mut out = vec![None; paths.len()];
        let mut properties = Vec::new();
        let mut r = XmlReader::new(self.element.as_str().as_bytes());
        if let Ok(Some(_)) = r.next_child() {
            // A row that cannot be read to its end keeps what was found before.
            let _ = fill(&mut r, &wanted, &mut out, Some(&mut properties));
        }
        for (i, path) in paths.iter().enumerate() {
            if out[i].is_none() {
                let name = path.as_ref().trim();
                out[i] = properties
                    .iter()
                    .find(|(n, _)| n == name)
                    .or_else(|| {
                        properties
                            .iter()
                            .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    })
                    .map(|(_, v)| v.clone());
            }
        }
        out
    }

    /// The `Name`/`Value` pairs of the row's `Properties/Property` list (a `DataExtensionObject`
    /// row's fields), in order.
    pub fn extension_properties(&self) -> Vec<(String, String)> {
        let mut properties = Vec::new();
        let mut r = XmlReader::new(self.element.as_str().as_bytes());
        if let Ok(Some(_)) = r.next_child() {
            let _ = fill(&mut r, &[], &mut [], Some(&mut properties));
        }
        properties
    }
}

/// The `xsi:type` of `start` without its prefix.
fn xsi_type_name(start: &Start<'_>) -> Option<CompactString> {
    let raw = start.xsi_type()?;
    let local = raw.rsplit(|&b| b == b':').next().unwrap_or(raw);
    Some(String::from_utf8_lossy(local).trim().into())
}

/// Fills `out[i]` for each `(i, path)` of `wanted` found below the element being read (its
/// start tag read), reading to its end tag; collects the `Properties/Property` pairs into
/// `properties` when given (the row's own level).
fn fill(
    r: &mut XmlReader<'_>,
    wanted: &[(usize, &[&str])],
    out: &mut [Option<String>],
    mut properties: Option<&mut Vec<(String, String)>>,
) -> Result<(), XmlError> {
    while let Some(child) = r.next_child()? {
        let name = child.local_name();
        let matches = |segment: &str| segment.as_bytes().eq_ignore_ascii_case(name);
        // Most children match nothing: no allocation for them.
        let mut here = Vec::new();
        let mut below: Vec<(usize, &[&str])> = Vec::new();
        for &(i, path) in wanted {
            if out[i].is_some() {
                continue;
            }
            match path {
                [first] if matches(first) => here.push(i),
                [first, rest @ ..] if matches(first) => below.push((i, rest)),
                _ => {}
            }
        }
        match (here.is_empty(), below.is_empty()) {
            (true, true) => match properties.as_deref_mut() {
                Some(pairs) if name == b"Properties" => read_properties(r, &child, pairs)?,
                _ => r.skip(&child)?,
            },
            (false, true) => {
                let value = element_value(r, &child)?;
                put(out, &here, value);
            }
            (true, false) => fill(r, &below, out, None)?,
            (false, false) => {
                // Both the element and paths below it: the paths as it is read, then its value
                // from the XML it spans.
                fill(r, &below, out, None)?;
                let raw = r.raw_since(&child).into_owned();
                let mut again = XmlReader::new(raw.as_bytes());
                let value = match again.next_child() {
                    Ok(Some(start)) => {
                        element_value(&mut again, &start).unwrap_or_else(|_| raw.clone())
                    }
                    _ => raw.clone(),
                };
                put(out, &here, value);
            }
        }
    }
    Ok(())
}

/// `value` into `out[i]` for each `i` of `at`.
fn put(out: &mut [Option<String>], at: &[usize], value: String) {
    if let Some((&last, rest)) = at.split_last() {
        for &i in rest {
            out[i] = Some(value.clone());
        }
        out[last] = Some(value);
    }
}

/// The text of element `start`, or its XML when it has child elements.
fn element_value(r: &mut XmlReader<'_>, start: &Start<'_>) -> Result<String, XmlError> {
    let skipped = r.skipped();
    let text = r.text(start)?;
    if r.skipped() == skipped {
        Ok(text.into_owned())
    } else {
        Ok(r.raw_since(start).into_owned())
    }
}

/// The `Property` children (`Name`, `Value`) of a `Properties` element.
fn read_properties(
    r: &mut XmlReader<'_>,
    start: &Start<'_>,
    pairs: &mut Vec<(String, String)>,
) -> Result<(), XmlError> {
    if start.is_empty() {
        return Ok(());
    }
    while let Some(property) = r.next_child()? {
        if property.local_name() != b"Property" || property.is_empty() {
            r.skip(&property)?;
            continue;
        }
        let (mut name, mut value) = (String::new(), String::new());
        while let Some(field) = r.next_child()? {
            match field.local_name() {
                b"Name" => name = r.text(&field)?.trim().to_string(),
                b"Value" => value = r.text(&field)?.into_owned(),
                _ => r.skip(&field)?,
            }
        }
        pairs.push((name, value));
    }
    Ok(())
}

impl RetrieveObject for RawObject {
    const OBJECT_TYPE: Option<&'static str> = None;

    fn read_result(
        r: &mut XmlReader<'_>,
        start: &Start<'_>,
    ) -> Result<Result<Self, AnyApiObject>, XmlError> {
        let type_name = xsi_type_name(start);
        let mut captured = Vec::new();
        r.any(start, &mut captured)?;
        let element = match captured.pop() {
            Some(e) => e,
            None => return Err(r.unexpected("a row", start)),
        };
        Ok(Ok(Self { type_name, element }))
    }

    fn write_result(&self, w: &mut XmlWriter) {
        w.any(std::slice::from_ref(&self.element));
    }
}

tokio::task_local! {
    /// The most rows the page being read may hold (the query's `max_page_rows`), for the task
    /// that fetches it.
    static PAGE_ROW_LIMIT: usize;
}

/// Reads `future` (a page fetch) with pages bounded to `limit` rows.
pub(crate) async fn with_page_row_limit<F: std::future::Future>(
    limit: usize,
    future: F,
) -> F::Output {
    PAGE_ROW_LIMIT.scope(limit, future).await
}

/// One answer of a paged Retrieve (a `RetrieveResponseMsg`), its rows read as `T` one `Results`
/// element at a time: at most the page row limit of them, whatever the answer holds.
#[derive(Debug)]
pub(crate) struct Page<T> {
    pub(crate) overall_status: CompactString,
    pub(crate) request_id: Option<CompactString>,
    pub(crate) rows: Vec<Result<T, AnyApiObject>>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            overall_status: CompactString::default(),
            request_id: None,
            rows: Vec::new(),
        }
    }
}

impl<T: RetrieveObject> XmlComplex for Page<T> {
    const TYPE_NAME: &'static str = <RetrieveResponseMsg as XmlComplex>::TYPE_NAME;

    fn write_fields(&self, w: &mut XmlWriter) {
        w.req("OverallStatus", &self.overall_status);
        w.opt("RequestID", &self.request_id);
        for row in &self.rows {
            match row {
                Ok(row) => row.write_result(w),
                Err(other) => other.write_element(w, "Results"),
            }
        }
    }

    fn read_field(&mut self, r: &mut XmlReader<'_>, child: &Start<'_>) -> Result<bool, XmlError> {
        match child.local_name() {
            b"OverallStatus" => r.req(child, &mut self.overall_status)?,
            b"RequestID" => r.opt(child, &mut self.request_id)?,
            b"Results" => {
                let limit = PAGE_ROW_LIMIT
                    .try_with(|l| *l)
                    .unwrap_or(super::DEFAULT_MAX_PAGE_ROWS);
                if self.rows.len() >= limit {
                    return Err(XmlError::new(
                        XmlErrorKind::UnexpectedElement {
                            expected: format!(
                                "at most {limit} <Results> in one Retrieve page (max_page_rows)"
                            ),
                            found: "Results".to_string(),
                        },
                        child.position(),
                    ));
                }
                if child.is_nil() {
                    r.skip(child)?;
                } else {
                    self.rows.push(T::read_result(r, child)?);
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

impl<T: RetrieveObject> XmlElement for Page<T> {
    const NAME: &'static str = <RetrieveResponseMsg as XmlElement>::NAME;
    const NAMESPACE: &'static str = <RetrieveResponseMsg as XmlElement>::NAMESPACE;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Send;

    const NS: &str = "xmlns=\"http://exacttarget.com/wsdl/partnerAPI\" \
                      xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

    fn page<T: RetrieveObject>(xml: &str) -> Result<Page<T>, XmlError> {
        let mut r = XmlReader::new(xml.as_bytes());
        let start = r.expect_child("RetrieveResponseMsg")?;
        r.complex(&start)
    }

    #[test]
    fn rows_are_read_as_the_type_asked_for() {
        let xml = format!(
            "<RetrieveResponseMsg {NS}><OverallStatus>MoreDataAvailable</OverallStatus>\
             <RequestID>r-1</RequestID>\
             <Results xsi:type=\"Send\"><ID>1</ID><Status>Scheduled</Status></Results>\
             <Results><ID>2</ID><EmailName>no xsi:type</EmailName></Results>\
             <Results xsi:type=\"Mystery\"><ID>3</ID><Subject>unknown type</Subject></Results>\
             <Results xsi:type=\"List\"><ID>4</ID></Results>\
             <Results xsi:nil=\"true\"/></RetrieveResponseMsg>"
        );
        let p: Page<Send> = page(&xml).unwrap();
        assert_eq!(p.overall_status, "MoreDataAvailable");
        assert_eq!(p.request_id.as_deref(), Some("r-1"));
        assert_eq!(p.rows.len(), 4);
        let ok: Vec<&Send> = p.rows.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(ok.len(), 3);
        assert_eq!(ok[0].status.as_deref(), Some("Scheduled"));
        assert_eq!(ok[1].email_name.as_deref(), Some("no xsi:type"));
        assert_eq!(ok[2].subject.as_deref(), Some("unknown type"));
        assert!(matches!(&p.rows[3], Err(AnyApiObject::List(_))));

        let any: Page<AnyApiObject> = page(&xml).unwrap();
        assert!(any.rows.iter().all(Result::is_ok));
        let raw: Page<RawObject> = page(&xml).unwrap();
        let names: Vec<Option<&str>> = raw
            .rows
            .iter()
            .map(|r| r.as_ref().ok().and_then(RawObject::type_name))
            .collect();
        assert_eq!(
            names,
            vec![Some("Send"), None, Some("Mystery"), Some("List")]
        );
        let first = raw.rows[0].as_ref().unwrap();
        assert_eq!(
            first.values(&["status", "ID", "Nope"]),
            vec![Some("Scheduled".into()), Some("1".into()), None]
        );
        assert!(matches!(first.to_object(), Ok(AnyApiObject::Send(_))));

        // A page writes back what it read.
        let mut w = XmlWriter::new();
        w.complex("RetrieveResponseMsg", None, &p);
        let again: Page<Send> = page(&w.into_string()).unwrap();
        assert_eq!(again.rows.len(), 4);
        assert_eq!(again.rows[0].as_ref().ok(), p.rows[0].as_ref().ok());
    }

    #[tokio::test]
    async fn pages_are_bounded_in_rows() {
        let xml = format!(
            "<RetrieveResponseMsg {NS}><OverallStatus>OK</OverallStatus>{}</RetrieveResponseMsg>",
            "<Results/>".repeat(11)
        );
        let read = with_page_row_limit(10, async { page::<AnyApiObject>(&xml) }).await;
        let e = read.expect_err("more than 10 rows");
        assert!(e.to_string().contains("at most 10 <Results>"), "{e}");
        let read = with_page_row_limit(11, async { page::<AnyApiObject>(&xml) }).await;
        assert_eq!(read.map(|p| p.rows.len()), Ok(11));
    }

    #[test]
    fn raw_values_follow_paths_and_properties() {
        let row = RawObject::parse(
            "<Results xmlns=\"urn:x\"><Client><ID>7</ID><ID>8</ID></Client>\
             <Name>a &amp; b</Name><Name>second</Name><Empty/>\
             <Properties><Property><Name>Key</Name><Value> v </Value></Property>\
             <Property><Name>Other</Name><Value/></Property></Properties></Results>",
        )
        .unwrap();
        assert_eq!(row.type_name(), None);
        assert_eq!(
            row.values(&[
                "Client.ID",
                "Name",
                "Client",
                "Empty",
                "key",
                "Other",
                "Client.Nope"
            ]),
            vec![
                Some("7".into()),
                Some("a & b".into()),
                Some("<Client><ID>7</ID><ID>8</ID></Client>".into()),
                Some(String::new()),
                Some(" v ".into()),
                Some(String::new()),
                None,
            ]
        );
        // The element and a path below it, asked together.
        assert_eq!(
            row.values(&["Client", "Client.ID"]),
            vec![
                Some("<Client><ID>7</ID><ID>8</ID></Client>".into()),
                Some("7".into())
            ]
        );
        assert_eq!(
            row.extension_properties(),
            vec![
                ("Key".into(), " v ".into()),
                ("Other".into(), String::new())
            ]
        );
    }
}
