//! Bulk Performs: many definitions in chunks of [`MAX_DEFINITIONS_PER_CALL`], several chunks in
//! flight at once, one outcome per definition in input order.
//!
//! [`Client::perform_bulk`] runs any Perform action on any objects; the send helpers
//! ([`Client::cancel_sends`] and the others, see [`crate::sends`]) are built on the same
//! machinery.
//!
//! # Concurrency
//!
//! Chunks are started in input order, at most [`Client::bulk_concurrency`] at a time
//! ([`ClientBuilder::bulk_concurrency`](crate::ClientBuilder::bulk_concurrency), default
//! [`DEFAULT_BULK_CONCURRENCY`], at most [`MAX_BULK_CONCURRENCY`]): when one finishes, the next
//! starts. With `1` the requests go one after the other, in input order. Whatever the setting:
//!
//! - the outcomes come back in input order, one per definition;
//! - the progress callback reports `(done, total)` as chunks finish (`done` never decreases);
//! - each request carries its own `CorrelationID`s (the client adds them), and a retried chunk
//!   repeats the same ones, so the service answers a repeat with the first outcome;
//! - after an error that would fail every chunk alike ([`stops_batch`]), no further chunk is
//!   started: those not started yet are [`OutcomeStatus::NotAttempted`], while the chunks
//!   already in flight finish and report what really happened to them.
//!
//! ```no_run
//! # async fn demo(client: sfmc_partnerapi::Client) -> Result<(), sfmc_partnerapi::Error> {
//! use sfmc_partnerapi::types::{AnyApiObject, Send};
//! let definitions: Vec<AnyApiObject> = (1000..1200)
//!     .map(|id| Send { id: Some(id), ..Default::default() }.into())
//!     .collect();
//! for o in client.perform_bulk("start", definitions, None).await? {
//!     println!("{} ({}): {} {}", o.key, o.index, o.status, o.message);
//! }
//! # Ok(())
//! # }
//! ```

use std::sync::OnceLock;

use futures_util::stream::{self, StreamExt as _};
use tracing::Instrument as _;

use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::sends::{stops_batch, OutcomeStatus, OverallStatus, MAX_DEFINITIONS_PER_CALL};
use crate::types::{
    AnyApiObject, AnyPerformResult, PerformOptions, PerformRequestMsg, PerformResponseMsg,
};

/// Chunks in flight at once when the builder does not say (see the [module](self) docs).
pub const DEFAULT_BULK_CONCURRENCY: usize = 4;

/// The most chunks in flight at once a client accepts.
pub const MAX_BULK_CONCURRENCY: usize = 64;

/// The outcomes of a bulk call, one per definition (or send ID) in input order, with what went
/// wrong: [`SendBatch`](crate::SendBatch) for the send helpers, [`PerformBatch`] for
/// [`Client::perform_bulk_with_progress`].
#[derive(Debug, Clone)]
pub struct Batch<O> {
    /// One outcome per definition, in input order.
    pub outcomes: Vec<O>,
    first_error: Option<Error>,
    answered: bool,
    overall_statuses: Vec<String>,
}

impl<O> Batch<O> {
    /// The error that failed the first chunk (in input order) that failed, if any.
    pub fn first_error(&self) -> Option<&Error> {
        self.first_error.as_ref()
    }

    /// Whether the service answered for at least one chunk.
    pub fn answered(&self) -> bool {
        self.answered
    }

    /// The `OverallStatus` of each chunk the service answered, in input order (`OK`,
    /// `Has Errors`, ...), as received.
    pub fn overall_statuses(&self) -> &[String] {
        &self.overall_statuses
    }

    /// The outcomes, or the first error when no chunk got an answer (then nothing is known
    /// about any definition); an empty batch gives no outcomes.
    pub fn into_result(self) -> Result<Vec<O>, Error> {
        match self.first_error {
            Some(error) if !self.answered => Err(error),
            _ => Ok(self.outcomes),
        }
    }
}

/// What names an object: its `ID`, `ObjectID` and `CustomerKey`, those it has. A result is
/// matched to a definition when every identifier both name is the same.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ObjectKey {
    /// `ID`.
    pub id: Option<i64>,
    /// `ObjectID` (compared without regard to letter case: a GUID).
    pub object_id: Option<String>,
    /// `CustomerKey`.
    pub customer_key: Option<String>,
}

impl ObjectKey {
    /// The identifiers `object` has (blank ones left out).
    pub fn of(object: &AnyApiObject) -> Self {
        let text = |s: &Option<crate::CompactString>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Self {
            id: object.id().map(i64::from),
            object_id: text(object.object_id()),
            customer_key: text(object.customer_key()),
        }
    }

    /// Whether the object names no identifier at all.
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.object_id.is_none() && self.customer_key.is_none()
    }
}

impl std::fmt::Display for ObjectKey {
    /// `ID 7`, `ObjectID 4c5…`, `CustomerKey spring-sale`, those present joined by `, `;
    /// `no ID` when there is none.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if let Some(id) = self.id {
            parts.push(format!("ID {id}"));
        }
        if let Some(o) = &self.object_id {
            parts.push(format!("ObjectID {o}"));
        }
        if let Some(k) = &self.customer_key {
            parts.push(format!("CustomerKey {k}"));
        }
        if parts.is_empty() {
            f.write_str("no ID")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// What happened to one definition of [`Client::perform_bulk`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PerformOutcome {
    /// The definition's position in the input.
    pub index: usize,
    /// The definition's identifiers, as given.
    pub key: ObjectKey,
    /// Whether the action was done (`status` is [`OutcomeStatus::Ok`]).
    pub ok: bool,
    /// What is known about the definition.
    pub status: OutcomeStatus,
    /// The result's `StatusCode` as the service wrote it (`OK`, `Error`, ...), or the name of
    /// `status` when the service gave no result for the definition.
    pub status_code: String,
    /// The result's `ErrorCode` (or the fault's `apifault` Code), if any.
    pub error_code: Option<i32>,
    /// The result's `StatusMessage`, or what went wrong.
    pub message: String,
    /// The kind of the error that failed the definition's request (or, for
    /// [`OutcomeStatus::NotAttempted`], stopped the batch); `None` when the service answered.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub error_kind: Option<ErrorKind>,
    /// The service's result for the definition (its object, task, new ID, ...), when it gave
    /// one. Its `StatusCode` and `StatusMessage` are masked like `message`; show other values
    /// through [`Client::mask_secrets`].
    pub result: Option<AnyPerformResult>,
}

/// The outcomes of [`Client::perform_bulk_with_progress`].
pub type PerformBatch = Batch<PerformOutcome>;

/// The part of an outcome every kind shares: what is known about one definition.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    pub(crate) ok: bool,
    pub(crate) status: OutcomeStatus,
    pub(crate) status_code: String,
    pub(crate) error_code: Option<i32>,
    pub(crate) message: String,
    pub(crate) error_kind: Option<ErrorKind>,
}

impl Verdict {
    /// For a definition the service gave no result for.
    pub(crate) fn without_result(
        status: OutcomeStatus,
        error_code: Option<i32>,
        message: String,
        error_kind: Option<ErrorKind>,
    ) -> Self {
        Self {
            ok: false,
            status,
            status_code: status.as_str().to_string(),
            error_code,
            message,
            error_kind,
        }
    }

    /// From the service's result; an empty message of a failed result takes the response's
    /// `OverallStatusMessage`.
    fn of_result(result: &AnyPerformResult, overall_message: &str) -> Self {
        let status_code = result.status_code().trim();
        let ok = status_code.eq_ignore_ascii_case("OK");
        let mut message = result.status_message().trim().to_string();
        if message.is_empty() && !ok {
            message = overall_message.to_string();
        }
        Self {
            ok,
            status: if ok {
                OutcomeStatus::Ok
            } else {
                OutcomeStatus::Failed
            },
            status_code: status_code.to_string(),
            error_code: *result.error_code(),
            message,
            error_kind: None,
        }
    }

    /// For a definition without a result in an answer: unknown when the answer says OK, the
    /// answer's error otherwise.
    fn missing(
        resp: &PerformResponseMsg,
        overall: &OverallStatus,
        overall_message: &str,
        noun: &str,
    ) -> Self {
        if overall.is_ok() {
            return Self::without_result(
                OutcomeStatus::Unknown,
                None,
                format!("the service returned no result for this {noun}"),
                None,
            );
        }
        let message = match overall {
            OverallStatus::Error(Some(m)) => m.clone(),
            _ if !overall_message.is_empty() => overall_message.to_string(),
            _ => format!(
                "the service answered {} without a result for this {noun}",
                resp.overall_status.trim()
            ),
        };
        Self {
            ok: false,
            status: OutcomeStatus::Failed,
            status_code: "Error".into(),
            error_code: None,
            message,
            error_kind: None,
        }
    }

    /// For a definition whose request failed as a whole with `error`.
    fn failed(error: &Error) -> Self {
        Self::without_result(
            OutcomeStatus::of_failed_request(error),
            error.fault().and_then(|f| f.api_code()),
            // With its causes: a transport error's details are its source.
            error.report().to_string(),
            Some(error.kind()),
        )
    }

    fn mask(&mut self, secrets: &[&str]) {
        crate::secret::mask(&mut self.status_code, secrets);
        crate::secret::mask(&mut self.message, secrets);
    }
}

/// An identifier of a definition that results are matched against.
pub(crate) trait Key {
    /// What the definitions are called in messages (`ID`, `object`).
    const NOUN: &'static str;

    /// `Some(true)` when `object` (a result's) names this definition, `Some(false)` when it
    /// names another, `None` when it names nothing to compare with.
    fn names(&self, object: &AnyApiObject) -> Option<bool>;
}

/// A send ID: compared with the object's `ID`.
impl Key for i64 {
    const NOUN: &'static str = "ID";

    fn names(&self, object: &AnyApiObject) -> Option<bool> {
        object.id().map(|id| i64::from(id) == *self)
    }
}

impl Key for ObjectKey {
    const NOUN: &'static str = "object";

    fn names(&self, object: &AnyApiObject) -> Option<bool> {
        let other = ObjectKey::of(object);
        let mut compared = false;
        let mut same = |a: bool| {
            compared = true;
            a
        };
        let all_equal = [
            match (self.id, other.id) {
                (Some(a), Some(b)) => same(a == b),
                _ => true,
            },
            match (&self.object_id, &other.object_id) {
                (Some(a), Some(b)) => same(a.eq_ignore_ascii_case(b)),
                _ => true,
            },
            match (&self.customer_key, &other.customer_key) {
                (Some(a), Some(b)) => same(a == b),
                _ => true,
            },
        ]
        .into_iter()
        .all(|x| x);
        compared.then_some(all_equal)
    }
}

/// For each definition of `keys`, the index of its result in `results`: the first free
/// definition a result's object names, else (a result whose object names nothing comparable)
/// the definition at the result's position. Results for no definition asked for (or for one
/// twice) are ignored, with one warning.
pub(crate) fn place_results<K: Key>(
    keys: &[K],
    results: &[AnyPerformResult],
) -> Vec<Option<usize>> {
    let mut slots: Vec<Option<usize>> = vec![None; keys.len()];
    let mut positional = Vec::new();
    // Counted and reported once: a hostile answer with a million of them must not write a
    // million log lines.
    let mut strays = 0usize;
    let mut first_stray = None;
    for (index, result) in results.iter().enumerate() {
        let object = result.object();
        let mut comparable = false;
        let free = (0..keys.len()).find(|&p| {
            let named = keys[p].names(object);
            comparable |= named.is_some();
            slots[p].is_none() && named == Some(true)
        });
        match free {
            Some(p) => slots[p] = Some(index),
            None if comparable => {
                strays += 1;
                first_stray.get_or_insert_with(|| ObjectKey::of(object));
            }
            None => positional.push(index),
        }
    }
    if let Some(first) = first_stray {
        tracing::warn!(
            results = strays,
            first = %first,
            "the service answered for objects that were not asked for (or twice); ignored"
        );
    }
    let mut unplaced = 0usize;
    for index in positional {
        match slots.get_mut(index) {
            Some(slot @ None) => *slot = Some(index),
            _ => unplaced += 1,
        }
    }
    if unplaced > 0 {
        tracing::warn!(
            results = unplaced,
            "results that name no object and whose position is taken; ignored"
        );
    }
    slots
}

/// One verdict per definition of `keys` from the service's answer `resp`, each with its result
/// when there is one.
pub(crate) fn match_results<K: Key>(
    keys: &[K],
    resp: PerformResponseMsg,
) -> Vec<(Verdict, Option<AnyPerformResult>)> {
    let slots = place_results(keys, &resp.results);
    let overall = OverallStatus::parse(&resp.overall_status);
    let overall_message = resp.overall_status_message.trim().to_string();
    let verdicts: Vec<Verdict> = slots
        .iter()
        .map(|slot| match slot {
            Some(i) => Verdict::of_result(&resp.results[*i], &overall_message),
            None => Verdict::missing(&resp, &overall, &overall_message, K::NOUN),
        })
        .collect();
    let mut results: Vec<Option<AnyPerformResult>> = resp.results.into_iter().map(Some).collect();
    verdicts
        .into_iter()
        .zip(slots)
        .map(|(verdict, slot)| (verdict, slot.and_then(|i| results[i].take())))
        .collect()
}

/// What became of one chunk.
pub(crate) enum ChunkAnswer {
    /// The service answered.
    Answered(PerformResponseMsg),
    /// The request failed as a whole (after the retries).
    Failed(Error),
    /// Not sent: an earlier chunk failed with an error that [`stops_batch`].
    NotAttempted { reason: String, kind: ErrorKind },
}

/// Builds the batch from the chunks' `answers` (in chunk order, each with its definitions'
/// keys): one outcome per key from `make(key, position, verdict, result)`, every text from the
/// service masked with `secrets`.
pub(crate) fn assemble<'k, K: Key + 'k, O>(
    answers: impl IntoIterator<Item = (&'k [K], ChunkAnswer)>,
    secrets: &[&str],
    mut make: impl FnMut(&'k K, usize, Verdict, Option<AnyPerformResult>) -> O,
) -> Batch<O> {
    let mut outcomes = Vec::new();
    let mut first_error: Option<Error> = None;
    let mut answered = false;
    let mut overall_statuses = Vec::new();
    for (keys, answer) in answers {
        let verdicts: Vec<(Verdict, Option<AnyPerformResult>)> = match answer {
            ChunkAnswer::Answered(resp) => {
                answered = true;
                overall_statuses.push(crate::secret::masked(resp.overall_status.trim(), secrets));
                match_results(keys, resp)
            }
            ChunkAnswer::Failed(error) => {
                let verdict = Verdict::failed(&error);
                first_error.get_or_insert(error);
                keys.iter().map(|_| (verdict.clone(), None)).collect()
            }
            ChunkAnswer::NotAttempted { reason, kind } => {
                let verdict =
                    Verdict::without_result(OutcomeStatus::NotAttempted, None, reason, Some(kind));
                keys.iter().map(|_| (verdict.clone(), None)).collect()
            }
        };
        for (key, (mut verdict, mut result)) in keys.iter().zip(verdicts) {
            // The service's messages may repeat a credential: masked.
            verdict.mask(secrets);
            if let Some(r) = &mut result {
                mask_compact(r.status_code_mut(), secrets);
                mask_compact(r.status_message_mut(), secrets);
            }
            let position = outcomes.len();
            outcomes.push(make(key, position, verdict, result));
        }
    }
    Batch {
        outcomes,
        first_error,
        answered,
        overall_statuses,
    }
}

/// `definitions` in chunks of [`MAX_DEFINITIONS_PER_CALL`], in order.
fn chunked(definitions: Vec<AnyApiObject>) -> Vec<Vec<AnyApiObject>> {
    let mut chunks = Vec::with_capacity(definitions.len().div_ceil(MAX_DEFINITIONS_PER_CALL));
    let mut definitions = definitions.into_iter().peekable();
    while definitions.peek().is_some() {
        chunks.push(
            definitions
                .by_ref()
                .take(MAX_DEFINITIONS_PER_CALL)
                .collect(),
        );
    }
    chunks
}

/// [`crate::secret::mask`] for a string of the generated types.
fn mask_compact(text: &mut crate::CompactString, secrets: &[&str]) {
    if secrets.iter().any(|s| !s.is_empty() && text.contains(s)) {
        *text = crate::secret::masked(text, secrets).into();
    }
}

impl Client {
    /// Sends each of `requests` as one Perform, at most [`bulk_concurrency`](Self::bulk_concurrency)
    /// at a time, started in order, and returns what became of each, in order. Calls
    /// `progress(done, total)` as each finishes (`done` definitions of `total` have an answer).
    /// After an error that [`stops_batch`], the requests not started yet are not sent.
    pub(crate) async fn perform_chunks(
        &self,
        requests: Vec<PerformRequestMsg>,
        progress: &mut impl FnMut(usize, usize),
    ) -> Vec<ChunkAnswer> {
        let sizes: Vec<usize> = requests.iter().map(|r| r.definitions.len()).collect();
        let total: usize = sizes.iter().sum();
        // Set by the first chunk that fails with an error that stops the batch; read by each
        // chunk as it starts. Chunks run on the caller's task (no spawning): `Sync` only so
        // that the caller's future stays `Send`.
        let stop: OnceLock<(String, ErrorKind)> = OnceLock::new();
        let stop = &stop;
        let mut answers: Vec<(usize, ChunkAnswer)> = Vec::with_capacity(sizes.len());
        let mut chunks = stream::iter(requests.into_iter().enumerate())
            .map(|(index, request)| async move {
                if let Some((reason, kind)) = stop.get() {
                    let answer = ChunkAnswer::NotAttempted {
                        reason: reason.clone(),
                        kind: *kind,
                    };
                    return (index, answer);
                }
                let answer = match self.api().perform(&request).await {
                    Ok(resp) => ChunkAnswer::Answered(resp),
                    Err(error) => {
                        tracing::warn!(
                            chunk = index,
                            definitions = request.definitions.len(),
                            error = %error,
                            "a chunk failed"
                        );
                        if stops_batch(&error) {
                            let reason =
                                format!("not sent: an earlier chunk failed: {}", error.report());
                            let _ = stop.set((reason, error.kind()));
                        }
                        ChunkAnswer::Failed(error)
                    }
                };
                (index, answer)
            })
            .buffer_unordered(self.bulk_concurrency());
        let mut done = 0;
        while let Some((index, answer)) = chunks.next().await {
            done += sizes[index];
            answers.push((index, answer));
            progress(done, total);
        }
        // Every chunk yields once: back in input order.
        answers.sort_unstable_by_key(|(index, _)| *index);
        answers.into_iter().map(|(_, answer)| answer).collect()
    }

    /// Performs `action` on `definitions` (with `options`, or an empty `<Options/>`, on every
    /// request) in chunks of [`MAX_DEFINITIONS_PER_CALL`], several at a time (see the
    /// [module](self) docs), and returns one outcome per definition in input order, or the
    /// first error when no chunk got an answer. Results are matched to definitions by their
    /// object's `ID`, `ObjectID` or `CustomerKey`, or by position when the object names none.
    /// An empty `action` is [`ErrorKind::Config`], before anything is sent.
    pub async fn perform_bulk(
        &self,
        action: &str,
        definitions: Vec<AnyApiObject>,
        options: Option<PerformOptions>,
    ) -> Result<Vec<PerformOutcome>, Error> {
        self.perform_bulk_with_progress(action, definitions, options, |_, _| {})
            .await?
            .into_result()
    }

    /// The envelopes [`perform_bulk`](Self::perform_bulk) would send for `action` on
    /// `definitions` (one per chunk of [`MAX_DEFINITIONS_PER_CALL`], one per line, each with
    /// the `CorrelationID` a real call would generate), with every secret masked as `***`.
    /// Nothing is sent.
    pub fn dry_run_perform_bulk(
        &self,
        action: &str,
        definitions: Vec<AnyApiObject>,
        options: Option<PerformOptions>,
    ) -> String {
        chunked(definitions)
            .into_iter()
            .map(|chunk| self.dry_run_perform(action, chunk, options.clone()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// [`perform_bulk`](Self::perform_bulk), calling `progress(done, total)` as each chunk
    /// finishes, and returning every outcome even when no chunk got an answer
    /// ([`Batch::into_result`] applies that rule). `Err` only for an empty action
    /// ([`ErrorKind::Config`]), before anything is sent.
    pub async fn perform_bulk_with_progress(
        &self,
        action: &str,
        definitions: Vec<AnyApiObject>,
        options: Option<PerformOptions>,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<PerformBatch, Error> {
        crate::sends::check_action(action)?;
        let keys: Vec<ObjectKey> = definitions.iter().map(ObjectKey::of).collect();
        let span = tracing::info_span!(
            "partnerapi.perform_bulk",
            action,
            definitions = definitions.len(),
            chunks = definitions.len().div_ceil(MAX_DEFINITIONS_PER_CALL),
            concurrency = self.bulk_concurrency(),
        );
        async {
            let options = options.unwrap_or_default();
            let mut requests = Vec::with_capacity(keys.len().div_ceil(MAX_DEFINITIONS_PER_CALL));
            let mut definitions = definitions.into_iter().peekable();
            while definitions.peek().is_some() {
                requests.push(PerformRequestMsg {
                    options: Some(options.clone().into()),
                    action: Some(action.into()),
                    definitions: definitions
                        .by_ref()
                        .take(MAX_DEFINITIONS_PER_CALL)
                        .collect(),
                });
            }
            let answers = self.perform_chunks(requests, &mut progress).await;
            let batch = self
                .with_secrets(|secrets| {
                    assemble(
                        keys.chunks(MAX_DEFINITIONS_PER_CALL).zip(answers),
                        secrets,
                        |key, index, v, result| PerformOutcome {
                            index,
                            key: key.clone(),
                            ok: v.ok,
                            status: v.status,
                            status_code: v.status_code,
                            error_code: v.error_code,
                            message: v.message,
                            error_kind: v.error_kind,
                            result,
                        },
                    )
                })
                .await;
            Ok(batch)
        }
        .instrument(span)
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{ApiObject, PerformResult, Send};

    fn object(id: Option<i32>, object_id: Option<&str>, key: Option<&str>) -> AnyApiObject {
        AnyApiObject::ApiObject(Box::new(ApiObject {
            id,
            object_id: object_id.map(Into::into),
            customer_key: key.map(Into::into),
            ..Default::default()
        }))
    }

    fn result(object: AnyApiObject, code: &str) -> AnyPerformResult {
        PerformResult {
            status_code: code.into(),
            object,
            ..Default::default()
        }
        .into()
    }

    /// Applications spawn bulk calls on multi-thread runtimes: their futures must be `Send`.
    #[test]
    fn bulk_futures_are_send() {
        fn send<T: std::marker::Send>(_: T) {}
        let client = Client::builder()
            .endpoint("http://127.0.0.1:9/Service.asmx")
            .access_token("t")
            .bulk_concurrency(8)
            .build()
            .unwrap();
        assert_eq!(client.bulk_concurrency(), 8);
        send(client.cancel_sends(&[1]));
        send(client.send_action_with_progress(crate::SendAction::Pause, &[1], |_, _| {}));
        send(client.perform_bulk("start", Vec::new(), None));
        for bad in [0, MAX_BULK_CONCURRENCY + 1] {
            let e = Client::builder()
                .endpoint("http://127.0.0.1:9/Service.asmx")
                .bulk_concurrency(bad)
                .build()
                .unwrap_err();
            assert!(
                e.is_config() && e.to_string().contains("give 1 to 64"),
                "{e}"
            );
        }
        let default = Client::builder()
            .endpoint("http://127.0.0.1:9/Service.asmx")
            .build()
            .unwrap();
        assert_eq!(default.bulk_concurrency(), DEFAULT_BULK_CONCURRENCY);
    }

    #[test]
    fn keys_compare_what_both_sides_name() {
        let by_key = ObjectKey::of(&object(None, None, Some("spring")));
        assert_eq!(
            by_key.names(&object(Some(5), None, Some("spring"))),
            Some(true)
        );
        assert_eq!(
            by_key.names(&object(None, None, Some("autumn"))),
            Some(false)
        );
        assert_eq!(by_key.names(&object(Some(5), None, None)), None);
        let guid = ObjectKey::of(&object(Some(1), Some(" AB-cd "), None));
        assert_eq!(guid.object_id.as_deref(), Some("AB-cd"));
        assert_eq!(guid.names(&object(None, Some("ab-CD"), None)), Some(true));
        // Same ObjectID, another ID: not the same object.
        assert_eq!(
            guid.names(&object(Some(2), Some("ab-cd"), None)),
            Some(false)
        );
        assert_eq!(guid.to_string(), "ID 1, ObjectID AB-cd");
        assert_eq!(ObjectKey::default().to_string(), "no ID");
        assert!(ObjectKey::of(&object(None, Some(" "), None)).is_empty());
    }

    #[test]
    fn generic_results_match_by_key_then_position() {
        let keys = vec![
            ObjectKey::of(&object(None, None, Some("a"))),
            ObjectKey::of(&object(None, None, Some("b"))),
            ObjectKey::of(&object(Some(3), None, None)),
        ];
        let results = vec![
            // For "b", by its key; then one naming nothing (position 1, taken by "b": ignored);
            // then an ID (3); then a stray key; then one naming nothing at position 4 (none).
            result(object(None, None, Some("b")), "OK"),
            result(object(None, None, None), "OK"),
            result(
                Send {
                    id: Some(3),
                    ..Default::default()
                }
                .into(),
                "Error",
            ),
            result(object(None, None, Some("zzz")), "OK"),
            result(object(None, None, None), "OK"),
        ];
        assert_eq!(place_results(&keys, &results), vec![None, Some(0), Some(2)]);
        // An object naming nothing at the first position takes the first definition.
        let results = vec![result(object(None, None, None), "OK")];
        assert_eq!(place_results(&keys, &results), vec![Some(0), None, None]);
    }

    #[test]
    fn missing_results_are_unknown_under_ok_and_failed_under_an_error() {
        let ok = PerformResponseMsg {
            overall_status: "OK".into(),
            ..Default::default()
        };
        let out = match_results(&[1i64], ok);
        assert_eq!(out[0].0.status, OutcomeStatus::Unknown);
        let error = PerformResponseMsg {
            overall_status: "Error".into(),
            overall_status_message: "Invalid action".into(),
            ..Default::default()
        };
        let out = match_results(&[1i64, 2], error);
        assert!(out.iter().all(|(v, r)| v.status == OutcomeStatus::Failed
            && v.message == "Invalid action"
            && r.is_none()));
    }
}
