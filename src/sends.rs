//! Helpers for sends: cancel, pause and resume one or many ([`SendAction`], in chunks of
//! [`MAX_DEFINITIONS_PER_CALL`], several in flight at once), a generic [`Client::perform`],
//! [`Client::retrieve_sends`], and dry runs ([`Client::dry_run`] and its forms). The bulk
//! form of any Perform is [`Client::perform_bulk`] ([`crate::bulk`]).
//!
//! # Batches and partial failures
//!
//! [`Client::cancel_sends`] (and the pause and resume forms) sends one Perform per chunk of at
//! most 50 IDs and returns one [`SendOutcome`] per ID, in input order. Chunks are started in
//! input order, [`Client::bulk_concurrency`] at a time (default
//! [`DEFAULT_BULK_CONCURRENCY`](crate::bulk::DEFAULT_BULK_CONCURRENCY), set with
//! [`ClientBuilder::bulk_concurrency`](crate::ClientBuilder::bulk_concurrency); `1` sends them
//! one after the other, in order); each request carries its own `CorrelationID`s, repeated when
//! the request is retried. Results are matched to IDs by the ID of the result's `Object`, or by
//! position when the service leaves the object out.
//!
//! - A result that is not OK (unknown ID, already canceled, ...) gives an outcome with
//!   `ok = false` and the service's `StatusCode`, `ErrorCode` and `StatusMessage`: it is
//!   [`OutcomeStatus::Failed`].
//! - A whole chunk that fails (SOAP fault, HTTP or transport error, unreadable answer, after the
//!   retries) gives each of its IDs an outcome with `ok = false`, the error's text and its
//!   [`ErrorKind`]; its status is [`OutcomeStatus::Refused`] when nothing can have been done (a
//!   Client or Security fault, credentials the token endpoint refused, a configuration error:
//!   the request was refused or never sent) and [`OutcomeStatus::Unknown`] otherwise (the send
//!   may or may not have been acted on: check with [`Client::retrieve_sends`]). See
//!   [`OutcomeStatus::of_failed_request`].
//! - After an error that would fail every chunk alike ([`stops_batch`]: authentication,
//!   configuration, connection, timeout), no further chunk is started: the IDs of the chunks not
//!   started yet are [`OutcomeStatus::NotAttempted`]; chunks already in flight (with a
//!   concurrency above 1) finish and report their real outcomes.
//! - When no chunk got an answer from the service at all, nothing is known about any ID: the
//!   first error is returned as `Err` instead of outcomes. So `cancel_send(id)` returns `Err` on a
//!   fault or transport error, and `Ok` with `ok = false` on a per-result error.
//!   [`Client::send_action_with_progress`] returns the outcomes in every case (with a progress
//!   callback as each chunk finishes), for callers that report per ID, such as the `sfmc`
//!   command line.

use tracing::Instrument as _;

use crate::bulk::{assemble, Batch, Verdict};
use crate::client::{new_correlation_id, Client};
use crate::error::{ApiError, Error, ErrorKind, ResultStatus};
use crate::retrieve::{Filter, RetrieveQuery};
use crate::secret::Redact as _;
use crate::soap::FaultKind;
use crate::types::{operations, Operation};
use crate::types::{
    AnyApiObject, AnyPerformResult, PerformOptions, PerformRequestMsg, PerformResponseMsg,
    RetrieveRequestMsg, Send,
};

/// The most definitions sent in one synchronous Perform (vendor guidance).
pub const MAX_DEFINITIONS_PER_CALL: usize = 50;

/// The most Retrieve batches [`Client::retrieve_sends`] follows with `ContinueRequest`.
pub const MAX_RETRIEVE_BATCHES: usize = 200;

/// The properties [`Client::retrieve_sends`] asks for.
pub const SEND_PROPERTIES: &[&str] = &[
    "ID",
    "Status",
    "SendDate",
    "EmailName",
    "Subject",
    "FromName",
    "FromAddress",
    "CreatedDate",
    "ModifiedDate",
];

/// The three actions the send helpers run on sends (Perform's `Action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum SendAction {
    /// `cancel`: a scheduled or paused send is canceled.
    Cancel,
    /// `pause`: a scheduled send is paused.
    Pause,
    /// `resume`: a paused send is scheduled again.
    Resume,
}

impl SendAction {
    /// Every action, in declaration order.
    pub const ALL: [SendAction; 3] = [SendAction::Cancel, SendAction::Pause, SendAction::Resume];

    /// The Perform `Action` on the wire: `cancel`, `pause`, `resume`.
    pub fn as_str(self) -> &'static str {
        match self {
            SendAction::Cancel => "cancel",
            SendAction::Pause => "pause",
            SendAction::Resume => "resume",
        }
    }

    /// The past tense, for output: `canceled`, `paused`, `resumed`.
    pub fn past_tense(self) -> &'static str {
        match self {
            SendAction::Cancel => "canceled",
            SendAction::Pause => "paused",
            SendAction::Resume => "resumed",
        }
    }
}

impl std::fmt::Display for SendAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An action name that is not `cancel`, `pause` or `resume`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSendAction(pub String);

impl std::fmt::Display for UnknownSendAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} is not a send action (cancel, pause, resume)",
            self.0
        )
    }
}

impl std::error::Error for UnknownSendAction {}

impl std::str::FromStr for SendAction {
    type Err = UnknownSendAction;

    /// Reads `cancel`, `pause` or `resume` (in any letter case, spaces around ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        Self::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| UnknownSendAction(s.to_string()))
    }
}

/// What is known about one send ID (or Perform definition) after a batch. Serialized as
/// [`as_str`](Self::as_str).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OutcomeStatus {
    /// The service's result for the ID said `OK`: the action was done.
    Ok,
    /// The service's result for the ID was not OK (`Error`: unknown ID, already canceled, ...);
    /// [`SendOutcome::status_code`] keeps its `StatusCode` as received.
    Failed,
    /// Nothing was done: the request was refused before it was acted on (a Client or Security
    /// fault, credentials the token endpoint refused, a configuration error).
    Refused,
    /// The request failed without a definite answer (a Server fault, an HTTP or transport
    /// error, a timeout, an answer without a result for the ID): the send may or may not have
    /// been acted on; check with [`Client::retrieve_sends`].
    Unknown,
    /// Not sent: a chunk failed in a way that would have failed this one too, before this one
    /// was started.
    NotAttempted,
}

impl OutcomeStatus {
    /// `OK`, `Failed`, `Refused`, `Unknown`, `NotAttempted`.
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeStatus::Ok => "OK",
            OutcomeStatus::Failed => "Failed",
            OutcomeStatus::Refused => "Refused",
            OutcomeStatus::Unknown => "Unknown",
            OutcomeStatus::NotAttempted => "NotAttempted",
        }
    }

    /// The status of the IDs of a request that failed as a whole with `error`: [`Refused`]
    /// when nothing can have been done (a Client or Security fault, an authentication or
    /// configuration error: the request was refused or never sent), [`Unknown`] otherwise.
    ///
    /// [`Refused`]: OutcomeStatus::Refused
    /// [`Unknown`]: OutcomeStatus::Unknown
    pub fn of_failed_request(error: &Error) -> Self {
        let refused = match error.fault() {
            Some(fault) => matches!(fault.kind(), FaultKind::Client | FaultKind::Security),
            None => false,
        } || matches!(error.kind(), ErrorKind::Auth | ErrorKind::Config);
        if refused {
            OutcomeStatus::Refused
        } else {
            OutcomeStatus::Unknown
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for OutcomeStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for OutcomeStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `error`, failing one chunk of a batch, would fail every later chunk alike, so that
/// they are not sent ([`OutcomeStatus::NotAttempted`]): authentication, configuration and
/// connection errors, and a timeout (a Perform that timed out is not repeated, and the next
/// would most likely time out too).
pub fn stops_batch(error: &Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::Auth | ErrorKind::Config | ErrorKind::Connect | ErrorKind::Timeout
    )
}

/// What happened to one send ID.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SendOutcome {
    /// The send's ID.
    pub id: i64,
    /// Whether the action was done (`status` is [`OutcomeStatus::Ok`]).
    pub ok: bool,
    /// What is known about the send.
    pub status: OutcomeStatus,
    /// The result's `StatusCode` as the service wrote it (`OK`, `Error`, ...), or the name of
    /// `status` when the service gave no result for the ID.
    pub status_code: String,
    /// The result's `ErrorCode` (or the fault's `apifault` Code), if any.
    pub error_code: Option<i32>,
    /// The result's `StatusMessage`, or what went wrong.
    pub message: String,
    /// The kind of the error that failed the ID's request (or, for
    /// [`OutcomeStatus::NotAttempted`], stopped the batch); `None` when the service answered.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub error_kind: Option<ErrorKind>,
}

impl SendOutcome {
    /// An outcome for which the service gave no result.
    fn without_result(
        id: i64,
        status: OutcomeStatus,
        error_code: Option<i32>,
        message: String,
        error_kind: Option<ErrorKind>,
    ) -> Self {
        Self::of(
            id,
            Verdict::without_result(status, error_code, message, error_kind),
        )
    }

    fn of(id: i64, v: Verdict) -> Self {
        Self {
            id,
            ok: v.ok,
            status: v.status,
            status_code: v.status_code,
            error_code: v.error_code,
            message: v.message,
            error_kind: v.error_kind,
        }
    }
}

/// The outcomes of a batch of sends ([`Client::send_action_with_progress`]), one per ID in
/// input order, with the first error that failed a chunk (see [`Batch`]).
pub type SendBatch = Batch<SendOutcome>;

/// A response's `OverallStatus`, read leniently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverallStatus {
    /// `OK`.
    Ok,
    /// `MoreDataAvailable`: OK, and a Retrieve has more batches (`ContinueRequest`).
    MoreDataAvailable,
    /// `HasErrors` or `Has Errors`: some results failed.
    HasErrors,
    /// `Error`, or `Error: <message>`.
    Error(Option<String>),
    /// Anything else (including an empty status), as received.
    Other(String),
}

impl OverallStatus {
    /// Reads `OK`, `MoreDataAvailable`, `HasErrors`, `Has Errors`, `Error`, `Error: <message>`
    /// (in any letter case).
    pub fn parse(status: &str) -> Self {
        let s = status.trim();
        let squashed: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        match squashed.as_str() {
            "ok" => return Self::Ok,
            "moredataavailable" => return Self::MoreDataAvailable,
            "haserrors" => return Self::HasErrors,
            _ => {}
        }
        // `get`, not indexing: the fifth byte may fall inside a character.
        if let (Some(head), Some(tail)) = (s.get(..5), s.get(5..)) {
            if head.eq_ignore_ascii_case("error") {
                let rest = tail.trim_start();
                let rest = rest.strip_prefix(':').unwrap_or(rest).trim();
                if rest.is_empty() {
                    return Self::Error(None);
                }
                if tail.starts_with([':', ' ']) {
                    return Self::Error(Some(rest.to_string()));
                }
            }
        }
        Self::Other(s.to_string())
    }

    /// `OK` or `MoreDataAvailable`.
    pub fn is_ok(&self) -> bool {
        matches!(self, Self::Ok | Self::MoreDataAvailable)
    }
}

/// The fields of a Perform result that both WSDLs type alike.
struct ResultView<'a> {
    status_code: &'a str,
    status_message: &'a str,
    error_code: Option<i32>,
    object_id: Option<i64>,
}

fn view(result: &AnyPerformResult) -> ResultView<'_> {
    ResultView {
        status_code: result.status_code(),
        status_message: result.status_message(),
        error_code: *result.error_code(),
        object_id: object_id(result.object()),
    }
}

/// The `ID` of a result's object, whatever its type.
fn object_id(object: &AnyApiObject) -> Option<i64> {
    object.id().map(i64::from)
}

/// [`ApiError`] from a Perform response.
fn perform_api_error(resp: &PerformResponseMsg) -> ApiError {
    ApiError {
        operation: operations::Perform::INFO.name.into(),
        overall_status: resp.overall_status.trim().to_string(),
        message: Some(resp.overall_status_message.trim().to_string()).filter(|m| !m.is_empty()),
        request_id: resp.request_id.as_ref().map(ToString::to_string),
        results: result_statuses(resp),
    }
}

/// Every result of a Perform response: its object's ID (when it names one), `StatusCode`,
/// `ErrorCode` and `StatusMessage`, whatever the result's type.
pub fn result_statuses(resp: &PerformResponseMsg) -> Vec<ResultStatus> {
    resp.results
        .iter()
        .map(|r| {
            let v = view(r);
            ResultStatus {
                id: v.object_id,
                status_code: v.status_code.trim().to_string(),
                error_code: v.error_code,
                status_message: v.status_message.trim().to_string(),
            }
        })
        .collect()
}

/// The first Retrieve that [`Client::retrieve_sends`] sends: ObjectType `Send`, the properties
/// in [`SEND_PROPERTIES`], and a `Status` equals filter when `status` is given.
pub fn retrieve_sends_request(status: Option<&str>) -> RetrieveRequestMsg {
    sends_query(status).request()
}

/// The Retrieve of [`Client::retrieve_sends`], at most [`MAX_RETRIEVE_BATCHES`] pages.
fn sends_query(status: Option<&str>) -> RetrieveQuery {
    let query = RetrieveQuery::of::<Send>()
        .properties(SEND_PROPERTIES.iter().copied())
        .max_pages(MAX_RETRIEVE_BATCHES as u32);
    match status {
        Some(s) => query.filter(Filter::equals("Status", s)),
        None => query,
    }
}

/// The Perform request for `action` (`cancel`, `pause`, `resume`) on the sends `ids`, with
/// `Options` present as `<Options/>` like the vendor's example. The client adds a `CorrelationID`
/// to each definition when it sends it.
///
/// ```
/// let request = sfmc_partnerapi::sends::send_action_request("cancel", &[29605]);
/// assert_eq!(request.definitions.len(), 1);
/// ```
pub fn send_action_request(action: &str, ids: &[i32]) -> PerformRequestMsg {
    PerformRequestMsg {
        options: Some(PerformOptions::default().into()),
        action: Some(action.into()),
        definitions: ids
            .iter()
            .map(|&id| {
                Send {
                    id: Some(id),
                    ..Default::default()
                }
                .into()
            })
            .collect(),
    }
}

/// Send IDs are `xs:int` on the wire.
fn check_ids(ids: &[i64]) -> Result<Vec<i32>, Error> {
    ids.iter()
        .map(|&id| {
            i32::try_from(id).map_err(|_| {
                Error::config(format!(
                    "send ID {id} is out of range: the partnerAPI takes IDs from {} to {}",
                    i32::MIN,
                    i32::MAX
                ))
            })
        })
        .collect()
}

pub(crate) fn check_action(action: &str) -> Result<(), Error> {
    if action.trim().is_empty() {
        return Err(Error::config(
            "the Perform action is empty (cancel, pause, resume, start, ...)",
        ));
    }
    Ok(())
}

/// One outcome per ID of `chunk` from the service's answer.
#[cfg(test)]
fn match_outcomes(chunk: &[i64], resp: &PerformResponseMsg) -> Vec<SendOutcome> {
    crate::bulk::match_results(chunk, resp.clone())
        .into_iter()
        .zip(chunk)
        .map(|((verdict, _), &id)| SendOutcome::of(id, verdict))
        .collect()
}

impl Client {
    /// Cancels send `id`. `Ok` with `ok = false` when the service reports an error for it
    /// (unknown ID, already canceled, ...); `Err` on a fault, HTTP or transport error.
    pub async fn cancel_send(&self, id: i64) -> Result<SendOutcome, Error> {
        self.send_action_one(SendAction::Cancel, id).await
    }

    /// Pauses send `id` (see [`cancel_send`](Self::cancel_send)).
    pub async fn pause_send(&self, id: i64) -> Result<SendOutcome, Error> {
        self.send_action_one(SendAction::Pause, id).await
    }

    /// Resumes send `id` (see [`cancel_send`](Self::cancel_send)).
    pub async fn resume_send(&self, id: i64) -> Result<SendOutcome, Error> {
        self.send_action_one(SendAction::Resume, id).await
    }

    /// Cancels sends `ids`: one Perform per 50 IDs, [`bulk_concurrency`](Self::bulk_concurrency)
    /// of them in flight at once, one outcome per ID in input order. See the
    /// [module](crate::sends) docs for partial failures.
    pub async fn cancel_sends(&self, ids: &[i64]) -> Result<Vec<SendOutcome>, Error> {
        self.send_action(SendAction::Cancel, ids).await
    }

    /// Pauses sends `ids` (see [`cancel_sends`](Self::cancel_sends)).
    pub async fn pause_sends(&self, ids: &[i64]) -> Result<Vec<SendOutcome>, Error> {
        self.send_action(SendAction::Pause, ids).await
    }

    /// Resumes sends `ids` (see [`cancel_sends`](Self::cancel_sends)).
    pub async fn resume_sends(&self, ids: &[i64]) -> Result<Vec<SendOutcome>, Error> {
        self.send_action(SendAction::Resume, ids).await
    }

    async fn send_action_one(&self, action: SendAction, id: i64) -> Result<SendOutcome, Error> {
        let mut outcomes = self.send_action(action, &[id]).await?;
        Ok(outcomes.pop().unwrap_or_else(|| {
            SendOutcome::without_result(id, OutcomeStatus::Unknown, None, "no outcome".into(), None)
        }))
    }

    /// Runs `action` on sends `ids`, in chunks of [`MAX_DEFINITIONS_PER_CALL`], and returns
    /// one outcome per ID in input order, or the first error when no chunk got an answer (see
    /// the [module](crate::sends) docs). IDs outside `xs:int`: [`ErrorKind::Config`], before
    /// anything is sent.
    pub async fn send_action(
        &self,
        action: SendAction,
        ids: &[i64],
    ) -> Result<Vec<SendOutcome>, Error> {
        self.send_action_with_progress(action, ids, |_, _| {})
            .await?
            .into_result()
    }

    /// [`send_action`](Self::send_action), calling `progress(done, total)` as each chunk
    /// finishes (`done` IDs of `total` have an outcome; it never decreases), and returning every outcome even when no chunk
    /// got an answer ([`SendBatch::into_result`] applies that rule). `Err` only for IDs outside
    /// `xs:int` ([`ErrorKind::Config`]), before anything is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: sfmc_partnerapi::Client) -> Result<(), sfmc_partnerapi::Error> {
    /// use sfmc_partnerapi::sends::SendAction;
    /// let ids: Vec<i64> = (1000..1200).collect();
    /// let batch = client
    ///     .send_action_with_progress(SendAction::Pause, &ids, |done, total| {
    ///         eprintln!("{done}/{total}")
    ///     })
    ///     .await?;
    /// for o in &batch.outcomes {
    ///     println!("{}: {} {}", o.id, o.status, o.message);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send_action_with_progress(
        &self,
        action: SendAction,
        ids: &[i64],
        mut progress: impl FnMut(usize, usize),
    ) -> Result<SendBatch, Error> {
        let wire_ids = check_ids(ids)?;
        let span = tracing::info_span!(
            "partnerapi.sends",
            action = action.as_str(),
            ids = ids.len(),
            chunks = ids.len().div_ceil(MAX_DEFINITIONS_PER_CALL),
            concurrency = self.bulk_concurrency(),
        );
        async {
            let requests = wire_ids
                .chunks(MAX_DEFINITIONS_PER_CALL)
                .map(|wire| send_action_request(action.as_str(), wire))
                .collect();
            let answers = self.perform_chunks(requests, &mut progress).await;
            let batch = self
                .with_secrets(|secrets| {
                    assemble(
                        ids.chunks(MAX_DEFINITIONS_PER_CALL).zip(answers),
                        secrets,
                        |&id, _, verdict, _| SendOutcome::of(id, verdict),
                    )
                })
                .await;
            Ok(batch)
        }
        .instrument(span)
        .await
    }

    /// Perform `action` on `definitions` (with `options`, or an empty `<Options/>`), in one
    /// request: keep it to [`MAX_DEFINITIONS_PER_CALL`] definitions. An `OverallStatus` other
    /// than OK is an API error ([`Error::api_error`]) listing every result; use
    /// [`api().perform`](crate::Api::perform) to get such answers as they are.
    pub async fn perform(
        &self,
        action: &str,
        definitions: Vec<AnyApiObject>,
        options: Option<PerformOptions>,
    ) -> Result<PerformResponseMsg, Error> {
        check_action(action)?;
        let request = PerformRequestMsg {
            options: Some(options.unwrap_or_default().into()),
            action: Some(action.into()),
            definitions,
        };
        let resp = self.api().perform(&request).await?;
        if OverallStatus::parse(&resp.overall_status).is_ok() {
            Ok(resp)
        } else {
            let mut error = Error::from(perform_api_error(&resp));
            self.with_secrets(|secrets| error.redact(secrets)).await;
            Err(error)
        }
    }

    /// Retrieves sends (ObjectType `Send`, the properties in [`SEND_PROPERTIES`]), those with
    /// `Status` equal to `status` when given (`Scheduled`, `Sending`, `Complete`, `Canceled`,
    /// ...), all collected: [`Client::retrieve`] of up to [`MAX_RETRIEVE_BATCHES`] pages (past
    /// them, [`RetrieveProblem::TooManyPages`](crate::RetrieveProblem::TooManyPages)). An
    /// `OverallStatus` other than OK is an API error ([`Error::api_error`]); an object of another
    /// type is skipped with a warning.
    pub async fn retrieve_sends(&self, status: Option<&str>) -> Result<Vec<Send>, Error> {
        let mut rows = self.retrieve::<AnyApiObject>(sends_query(status));
        let mut sends = Vec::new();
        while let Some(object) = rows.try_next().await? {
            match Send::try_from(object) {
                Ok(send) => sends.push(send),
                Err(other) => tracing::warn!(
                    found = other.type_name(),
                    "Retrieve of Send answered an object of another type; skipped"
                ),
            }
        }
        Ok(sends)
    }

    /// The Perform request envelope(s) `action` on sends `ids` would send (one per chunk of
    /// [`MAX_DEFINITIONS_PER_CALL`], one per line), with every secret masked as `***`. Nothing
    /// is sent. Each envelope has the `CorrelationID` a real call would generate; IDs outside
    /// `xs:int` appear as an XML comment instead (the real call refuses them).
    pub fn dry_run(&self, action: SendAction, ids: &[i64]) -> String {
        let mut out = Vec::new();
        let valid: Vec<i32> = ids
            .iter()
            .filter_map(|&id| {
                let wire = i32::try_from(id).ok();
                if wire.is_none() {
                    out.push(format!(
                        "<!-- send ID {id} is out of range (xs:int) and would be refused -->"
                    ));
                }
                wire
            })
            .collect();
        for chunk in valid.chunks(MAX_DEFINITIONS_PER_CALL) {
            out.push(
                self.dry_run_request::<operations::Perform>(&send_action_request(
                    action.as_str(),
                    chunk,
                )),
            );
        }
        out.join("\n")
    }

    /// The envelope [`perform`](Self::perform) would send for `action` on `definitions` (one
    /// request, every definition with the `CorrelationID` a real call would generate), with
    /// every secret masked as `***`. Nothing is sent.
    pub fn dry_run_perform(
        &self,
        action: &str,
        definitions: Vec<AnyApiObject>,
        options: Option<PerformOptions>,
    ) -> String {
        let request = PerformRequestMsg {
            options: Some(options.unwrap_or_default().into()),
            action: Some(action.into()),
            definitions,
        };
        self.dry_run_request::<operations::Perform>(&request)
    }

    /// The first Retrieve envelope [`retrieve_sends`](Self::retrieve_sends) would send, with
    /// every secret masked as `***`. Nothing is sent.
    pub fn dry_run_retrieve_sends(&self, status: Option<&str>) -> String {
        self.dry_run_request::<operations::Retrieve>(&retrieve_sends_request(status))
    }

    /// The masked envelope of `request` as operation `O` would send it (with the
    /// `CorrelationID`s a real call would fill in).
    fn dry_run_request<O: Operation>(&self, request: &O::Input) -> String {
        let correlation_id = new_correlation_id();
        let body = Client::write_body(&O::INFO, request, Some(&correlation_id));
        self.masked_envelope(&body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overall_status_is_read_leniently() {
        assert_eq!(OverallStatus::parse("OK"), OverallStatus::Ok);
        assert_eq!(OverallStatus::parse(" ok "), OverallStatus::Ok);
        assert_eq!(
            OverallStatus::parse("MoreDataAvailable"),
            OverallStatus::MoreDataAvailable
        );
        assert_eq!(OverallStatus::parse("HasErrors"), OverallStatus::HasErrors);
        assert_eq!(OverallStatus::parse("Has Errors"), OverallStatus::HasErrors);
        assert_eq!(OverallStatus::parse("Error"), OverallStatus::Error(None));
        assert_eq!(
            OverallStatus::parse("Error: Invalid action"),
            OverallStatus::Error(Some("Invalid action".into()))
        );
        assert_eq!(
            OverallStatus::parse("Errors everywhere"),
            OverallStatus::Other("Errors everywhere".into())
        );
        assert_eq!(
            OverallStatus::parse(""),
            OverallStatus::Other(String::new())
        );
        // A character across the fifth byte (this panicked once).
        assert_eq!(
            OverallStatus::parse("abcd\u{e9}"),
            OverallStatus::Other("abcd\u{e9}".into())
        );
        assert_eq!(
            OverallStatus::parse("Error\u{2713}"),
            OverallStatus::Other("Error\u{2713}".into())
        );
        assert!(OverallStatus::MoreDataAvailable.is_ok());
        assert!(!OverallStatus::HasErrors.is_ok());
    }

    fn result(id: Option<i32>, code: &str, msg: &str) -> AnyPerformResult {
        crate::types::PerformResult {
            status_code: code.into(),
            status_message: msg.into(),
            object: match id {
                Some(id) => Send {
                    id: Some(id),
                    ..Default::default()
                }
                .into(),
                None => AnyApiObject::default(),
            },
            ..Default::default()
        }
        .into()
    }

    #[test]
    fn results_match_by_id_then_position() {
        let resp = PerformResponseMsg {
            results: vec![
                result(Some(3), "Error", "already canceled"),
                result(None, "OK", "done"),
                result(Some(1), "OK", "canceled"),
                result(Some(99), "OK", "stray"),
            ],
            overall_status: "Has Errors".into(),
            ..Default::default()
        };
        let out = match_outcomes(&[1, 2, 3], &resp);
        let summary: Vec<_> = out
            .iter()
            .map(|o| (o.id, o.ok, o.message.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (1, true, "canceled"),
                (2, true, "done"),
                (3, false, "already canceled")
            ]
        );
    }

    #[test]
    fn missing_results_take_the_overall_status() {
        let resp = PerformResponseMsg {
            overall_status: "Error: Invalid action".into(),
            ..Default::default()
        };
        let out = match_outcomes(&[7], &resp);
        assert_eq!(out.len(), 1);
        assert!(!out[0].ok);
        assert_eq!(out[0].message, "Invalid action");
    }

    #[test]
    fn send_actions_read_and_write_their_wire_names() {
        for action in SendAction::ALL {
            assert_eq!(action.as_str().parse::<SendAction>(), Ok(action));
            assert_eq!(action.to_string(), action.as_str());
        }
        assert_eq!(" Cancel ".parse::<SendAction>(), Ok(SendAction::Cancel));
        assert_eq!(SendAction::Resume.past_tense(), "resumed");
        assert!("start".parse::<SendAction>().is_err());
    }

    #[test]
    fn failed_requests_are_refused_only_when_nothing_was_done() {
        use crate::soap::Fault;
        use std::time::Duration;
        let status = OutcomeStatus::of_failed_request;
        let refused = [
            Error::auth_failed("invalid client", Some(401)),
            Error::config("bad endpoint"),
            Error::from(Fault::new("soap:Client", "Invalid action")),
            Error::from(Fault::new("q0:Security", "Login Failed")),
        ];
        for e in &refused {
            assert_eq!(status(e), OutcomeStatus::Refused, "{e:?}");
        }
        let timeout = Error::timed_out("Perform", Duration::from_secs(1));
        let unknown = [
            timeout.clone(),
            Error::from(Fault::new("soap:Server", "boom")),
            Error::connect_failed("https://x".into(), "reset"),
        ];
        for e in &unknown {
            assert_eq!(status(e), OutcomeStatus::Unknown, "{e:?}");
        }
        // Auth, Config, Connect and Timeout stop a batch; a Server fault does not.
        assert!(refused[..2].iter().all(stops_batch));
        assert!(stops_batch(&timeout) && stops_batch(&unknown[2]));
        assert!(!stops_batch(&unknown[1]));
    }

    #[test]
    fn ids_must_fit_xs_int() {
        assert!(check_ids(&[1, i64::from(i32::MAX)]).is_ok());
        assert!(check_ids(&[1, i64::from(i32::MAX) + 1]).is_err_and(|e| e.is_config()));
    }
}
