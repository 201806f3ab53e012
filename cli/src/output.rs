//! Exit codes, the failure of a command as a whole, and output helpers.

use std::io::IsTerminal as _;

use sfmc_partnerapi::{Error, ErrorKind};

/// Every ID succeeded.
pub const EXIT_OK: u8 = 0;
/// The API answered with an error (a fault or a non-OK status) for any ID.
pub const EXIT_API: u8 = 1;
/// Usage or configuration error.
pub const EXIT_USAGE: u8 = 2;
/// Transport or protocol error (connection, timeout, HTTP error without a SOAP fault,
/// unreadable response).
pub const EXIT_TRANSPORT: u8 = 3;

/// Batches of more IDs than this show a progress bar on stderr (when it is a terminal): more
/// than one Perform request.
const PROGRESS_ABOVE: usize = sfmc_partnerapi::sends::MAX_DEFINITIONS_PER_CALL;

/// A failure of the command as a whole, with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub kind: &'static str,
    pub message: String,
    /// What to check, printed on its own line (the client error's `Error::hint`).
    pub hint: Option<&'static str>,
}

impl Failure {
    /// A usage or configuration error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: EXIT_USAGE,
            kind: "config",
            message: message.into(),
            hint: None,
        }
    }

    /// A client error, with the exit code of its kind.
    pub fn from_error(e: &Error) -> Self {
        let kind = e.kind();
        Self {
            code: exit_code(kind),
            kind: kind_name(kind),
            // The message with its causes (a transport error's details are its source).
            message: e.report().to_string(),
            hint: e.hint(),
        }
    }

    /// Prints the failure: a JSON object on stdout with `--json`, a line on stderr otherwise.
    pub fn report(&self, json: bool) {
        if json {
            let out = serde_json::json!({
                "ok": false,
                "error": {
                    "kind": self.kind,
                    "exit_code": self.code,
                    "message": self.message,
                    "hint": self.hint,
                },
            });
            println!("{out}");
        } else {
            eprintln!("sfmc: {}", self.message);
            if let Some(hint) = self.hint {
                eprintln!("hint: {hint}");
            }
        }
    }
}

/// The exit code of a client error of `kind`.
pub fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Fault | ErrorKind::Auth | ErrorKind::Api => EXIT_API,
        ErrorKind::Config => EXIT_USAGE,
        _ => EXIT_TRANSPORT,
    }
}

/// A short class name of a client error of `kind`, for JSON output.
pub fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Fault => "fault",
        ErrorKind::Auth => "auth",
        ErrorKind::Api => "api",
        ErrorKind::Config => "config",
        ErrorKind::Connect => "connect",
        ErrorKind::Timeout => "timeout",
        ErrorKind::Http => "http",
        ErrorKind::Protocol => "protocol",
        _ => "other",
    }
}

/// `s` on one line, runs of whitespace collapsed.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `s` ending in a newline.
pub fn ensure_newline(mut s: String) -> String {
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// `, ErrorCode N` when there is a code.
pub fn error_code_suffix(code: Option<i32>) -> String {
    code.map(|c| format!(", ErrorCode {c}")).unwrap_or_default()
}

/// The exit code of a batch: the worst of its outcomes' (`(ok, error_kind)` each): 0 done; the
/// exit code of the error that failed (or stopped) an outcome's request; 1 when the service
/// answered with an error for it.
pub fn batch_exit_code(outcomes: impl IntoIterator<Item = (bool, Option<ErrorKind>)>) -> u8 {
    outcomes
        .into_iter()
        .map(|outcome| match outcome {
            (true, _) => EXIT_OK,
            (false, Some(kind)) => exit_code(kind),
            (false, None) => EXIT_API,
        })
        .max()
        .unwrap_or(EXIT_OK)
}

/// A progress bar on stderr for a batch of IDs, when it spans more than one request and
/// stderr is a terminal (otherwise nothing is shown).
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    /// For `n` IDs; `what` says what is done to them ("cancel sends", ...).
    pub fn new(n: usize, what: String) -> Self {
        if n <= PROGRESS_ABOVE || !std::io::stderr().is_terminal() {
            return Self(None);
        }
        let bar = indicatif::ProgressBar::new(n as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({elapsed})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what);
        Self(Some(bar))
    }

    /// `done` IDs have an outcome.
    pub fn set(&self, done: usize) {
        if let Some(bar) = &self.0 {
            bar.set_position(done as u64);
        }
    }

    /// Clears the bar.
    pub fn finish(self) {
        if let Some(bar) = self.0 {
            bar.finish_and_clear();
        }
    }
}
