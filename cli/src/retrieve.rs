//! `sfmc retrieve OBJECT_TYPE --props A,B,...`: the library's streamed Retrieve, rows printed as
//! the pages arrive (table, JSON, NDJSON or CSV).

use std::io::{IsTerminal as _, Write};

use clap::ValueEnum;
use sfmc_partnerapi::retrieve::{Filter, RawObject, RetrieveQuery};
use sfmc_partnerapi::Client;

use crate::args::{Global, RetrieveArgs};
use crate::output::{ensure_newline, Failure, EXIT_OK, EXIT_TRANSPORT};

/// How the rows are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns (widths from the first rows), one line a row.
    Table,
    /// One JSON array of objects, written element by element.
    Json,
    /// One JSON object a line.
    Ndjson,
    /// CSV (RFC 4180) with a header line.
    Csv,
}

/// Rows a table measures its column widths on before printing.
const TABLE_SAMPLE: usize = 100;
/// The widest a table column is padded to (longer values are printed whole).
const TABLE_MAX_WIDTH: usize = 60;

/// Runs the Retrieve and prints its rows: exit 0 when every page came, the exit code of the
/// error that ended it otherwise (after the rows before it).
pub async fn retrieve(g: &Global, client: &Client, args: &RetrieveArgs) -> Result<u8, Failure> {
    let object_type = args.object_type.trim();
    if object_type.is_empty() {
        return Err(Failure::usage("the object type is empty"));
    }
    let props: Vec<String> = args.props.iter().map(|p| p.trim().to_string()).collect();
    if props.is_empty() || props.iter().any(String::is_empty) {
        return Err(Failure::usage(
            "--props: give the property names, comma separated (e.g. ID,Status)",
        ));
    }
    let mut query = RetrieveQuery::new(object_type)
        .properties(props.iter().map(String::as_str))
        .client_ids(args.mids.iter().copied());
    if let Some(expression) = &args.filter {
        let filter =
            Filter::parse(expression).map_err(|e| Failure::usage(format!("--filter: {e}")))?;
        query = query.filter(filter);
    }
    if args.all_accounts {
        query = query.query_all_accounts(true);
    }
    if let Some(limit) = args.limit {
        // No page is asked for after the one the rows end in.
        query = query.limit(limit);
    }
    if g.dry_run {
        print!("{}", ensure_newline(client.dry_run_retrieve(&query)));
        return Ok(EXIT_OK);
    }
    let format = args
        .format
        .unwrap_or(if g.json { Format::Json } else { Format::Table });
    let limit = args.limit.unwrap_or(u64::MAX);
    let mut rows = client.retrieve::<RawObject>(query);
    let stdout = std::io::stdout();
    let mut printer = Printer::new(format, &props, std::io::BufWriter::new(stdout.lock()));
    let mut progress = Progress::new();
    let mut failed = None;
    let mut written = Ok(());
    while printer.rows < limit {
        // Rows not yet shown go out before the next page is waited for.
        if rows.buffered() == 0 {
            written = printer.flush();
            if written.is_err() {
                break;
            }
        }
        let row = match rows.next().await {
            None => break,
            Some(Ok(row)) => row,
            Some(Err(e)) => {
                failed = Some(e);
                break;
            }
        };
        let mut values = row.values(&props);
        // What the service answered may repeat a credential: masked before it is shown.
        client.mask_secrets_in(values.iter_mut().flatten()).await;
        written = printer.row(values);
        if written.is_err() {
            break;
        }
        progress.show(rows.rows(), rows.pages());
    }
    // Stops the paging (a page being fetched is dropped).
    drop(rows);
    progress.clear();
    let started = printer.started();
    if written.is_ok() {
        written = printer.finish(failed.is_none() || started);
    }
    match written {
        // The reader went away (`| head`): not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(EXIT_OK),
        Err(e) => {
            return Err(Failure {
                code: EXIT_TRANSPORT,
                kind: "output",
                message: format!("cannot write the rows: {e}"),
                hint: None,
            })
        }
        Ok(()) => {}
    }
    match failed {
        None => Ok(EXIT_OK),
        // Nothing printed: the failure as any command reports it (JSON with --json).
        Some(e) if !started => Err(Failure::from_error(&e)),
        // After rows: on stderr, so that the output stays what it is.
        Some(e) => {
            let failure = Failure::from_error(&e);
            failure.report(false);
            Ok(failure.code)
        }
    }
}

/// Writes the rows in one format.
struct Printer<'a, W: Write> {
    format: Format,
    props: &'a [String],
    out: W,
    rows: u64,
    started: bool,
    /// A table's first rows, until its widths are known.
    sample: Vec<Vec<Option<String>>>,
    widths: Option<Vec<usize>>,
    /// The properties as JSON keys (`"ID":`), written once.
    json_keys: Vec<String>,
}

impl<'a, W: Write> Printer<'a, W> {
    fn new(format: Format, props: &'a [String], out: W) -> Self {
        Self {
            format,
            props,
            out,
            rows: 0,
            started: false,
            sample: Vec::new(),
            widths: None,
            json_keys: props.iter().map(|p| json_string(p) + ":").collect(),
        }
    }

    /// Whether anything was written.
    fn started(&self) -> bool {
        self.started
    }

    fn row(&mut self, values: Vec<Option<String>>) -> std::io::Result<()> {
        self.rows += 1;
        match self.format {
            Format::Table if self.widths.is_none() => {
                self.sample.push(values);
                if self.sample.len() >= TABLE_SAMPLE {
                    self.table_start()?;
                }
                Ok(())
            }
            Format::Table => self.table_row(&values),
            Format::Json => {
                self.out
                    .write_all(if self.started { b",\n" } else { b"[\n" })?;
                self.started = true;
                self.json_object(&values)
            }
            Format::Ndjson => {
                self.started = true;
                self.json_object(&values)?;
                self.out.write_all(b"\n")
            }
            Format::Csv => {
                if !self.started {
                    self.started = true;
                    let header: Vec<Option<String>> =
                        self.props.iter().cloned().map(Some).collect();
                    self.csv_line(&header)?;
                }
                self.csv_line(&values)
            }
        }
    }

    /// Ends the output; `whole`: also when nothing was written (a header, `[]`).
    fn finish(&mut self, whole: bool) -> std::io::Result<()> {
        match self.format {
            Format::Table if self.widths.is_none() && (whole || !self.sample.is_empty()) => {
                self.table_start()?
            }
            Format::Json if self.started => self.out.write_all(b"\n]\n")?,
            Format::Json if whole => {
                self.started = true;
                self.out.write_all(b"[]\n")?
            }
            Format::Csv if !self.started && whole => {
                self.started = true;
                let header: Vec<Option<String>> = self.props.iter().cloned().map(Some).collect();
                self.csv_line(&header)?
            }
            _ => {}
        }
        self.out.flush()
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    fn table_start(&mut self) -> std::io::Result<()> {
        let mut widths: Vec<usize> = self.props.iter().map(|p| p.chars().count()).collect();
        for row in &self.sample {
            for (w, v) in widths.iter_mut().zip(row) {
                let n = v.as_deref().map_or(0, |v| v.chars().count());
                *w = (*w).max(n.min(TABLE_MAX_WIDTH));
            }
        }
        self.widths = Some(widths);
        self.started = true;
        let header: Vec<Option<String>> = self.props.iter().cloned().map(Some).collect();
        self.table_row(&header)?;
        for row in std::mem::take(&mut self.sample) {
            self.table_row(&row)?;
        }
        Ok(())
    }

    fn table_row(&mut self, values: &[Option<String>]) -> std::io::Result<()> {
        let widths = self.widths.as_deref().unwrap_or_default();
        let mut line = String::new();
        for (i, v) in values.iter().enumerate() {
            // One row a line: line breaks and tabs in a value print as spaces.
            let cell: String = v
                .as_deref()
                .unwrap_or("")
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            line.push_str(&cell);
            if i + 1 < values.len() {
                let width = widths.get(i).copied().unwrap_or(0);
                let pad = width.saturating_sub(cell.chars().count()) + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        let line = line.trim_end();
        self.out.write_all(line.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// `{"A":"value","B":null}`, keys in the order of `--props`.
    fn json_object(&mut self, values: &[Option<String>]) -> std::io::Result<()> {
        let mut s = String::with_capacity(64);
        s.push('{');
        for (i, (key, value)) in self.json_keys.iter().zip(values).enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str(key);
            match value {
                Some(v) => s.push_str(&json_string(v)),
                None => s.push_str("null"),
            }
        }
        s.push('}');
        self.out.write_all(s.as_bytes())
    }

    /// One CSV record (RFC 4180): fields with a comma, quote or line break quoted, quotes
    /// doubled; CRLF at the end. An absent value is an empty field.
    fn csv_line(&mut self, values: &[Option<String>]) -> std::io::Result<()> {
        let mut line = String::new();
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            let v = v.as_deref().unwrap_or("");
            if v.contains([',', '"', '\r', '\n']) {
                line.push('"');
                line.push_str(&v.replace('"', "\"\""));
                line.push('"');
            } else {
                line.push_str(v);
            }
        }
        line.push_str("\r\n");
        self.out.write_all(line.as_bytes())
    }
}

/// `s` as a JSON string (quoted, escaped).
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| String::from("null"))
}

/// `N rows, P pages` on stderr while the rows come, when stderr is a terminal.
struct Progress {
    on: bool,
    shown: Option<(u64, u32)>,
}

impl Progress {
    fn new() -> Self {
        Self {
            on: std::io::stderr().is_terminal(),
            shown: None,
        }
    }

    fn show(&mut self, rows: u64, pages: u32) {
        if !self.on {
            return;
        }
        // A new page, or every 10,000 rows.
        let due = match self.shown {
            None => true,
            Some((r, p)) => p != pages || rows >= r + 10_000,
        };
        if due {
            self.shown = Some((rows, pages));
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{rows} rows, {pages} pages");
            let _ = err.flush();
        }
    }

    fn clear(&mut self) {
        if self.on && self.shown.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(format: Format, rows: &[Vec<Option<&str>>], whole: bool) -> String {
        let props: Vec<String> = vec!["ID".into(), "Name".into()];
        let mut out = Vec::new();
        let mut p = Printer::new(format, &props, &mut out);
        for r in rows {
            p.row(r.iter().map(|v| v.map(str::to_string)).collect())
                .unwrap();
        }
        p.finish(whole).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_quotes_per_rfc_4180() {
        let rows = vec![
            vec![Some("1"), Some("plain")],
            vec![Some("2"), Some("a, \"b\"\nc")],
            vec![None, Some("")],
        ];
        assert_eq!(
            print(Format::Csv, &rows, true),
            "ID,Name\r\n1,plain\r\n2,\"a, \"\"b\"\"\nc\"\r\n,\r\n"
        );
        assert_eq!(print(Format::Csv, &[], true), "ID,Name\r\n");
        assert_eq!(print(Format::Csv, &[], false), "");
    }

    #[test]
    fn json_keeps_the_order_of_the_properties() {
        let rows = vec![vec![Some("1"), Some("x\"y")], vec![Some("2"), None]];
        let text = print(Format::Json, &rows, true);
        assert_eq!(
            text,
            "[\n{\"ID\":\"1\",\"Name\":\"x\\\"y\"},\n{\"ID\":\"2\",\"Name\":null}\n]\n"
        );
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed[1]["Name"], serde_json::Value::Null);
        assert_eq!(print(Format::Json, &[], true), "[]\n");
        assert_eq!(
            print(Format::Ndjson, &rows, true),
            "{\"ID\":\"1\",\"Name\":\"x\\\"y\"}\n{\"ID\":\"2\",\"Name\":null}\n"
        );
    }

    #[test]
    fn tables_align_on_the_first_rows() {
        let rows = vec![
            vec![Some("1"), Some("first")],
            vec![Some("22222"), Some("tab\there")],
        ];
        assert_eq!(
            print(Format::Table, &rows, true),
            "ID     Name\n1      first\n22222  tab here\n"
        );
        assert_eq!(print(Format::Table, &[], true), "ID  Name\n");
    }
}
