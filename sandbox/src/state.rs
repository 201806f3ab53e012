//! The sandbox's state: sends and their state machine, the CorrelationID memory, credentials,
//! tokens, counters, and the state file.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::codes;
use super::faults::{InjectedFault, Injector};
use super::{Credential, SandboxError};

/// The state of a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SendStatus {
    /// Waiting for its send time: can be canceled or paused.
    Scheduled,
    /// Paused: can be resumed (back to Scheduled) or canceled.
    Paused,
    /// Canceled: final.
    Canceled,
    /// Sent: final.
    Sent,
}

impl SendStatus {
    /// The value of `Send.Status` on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            SendStatus::Scheduled => "Scheduled",
            SendStatus::Paused => "Paused",
            SendStatus::Canceled => "Canceled",
            SendStatus::Sent => "Sent",
        }
    }
}

impl fmt::Display for SendStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SendStatus {
    type Err = String;

    /// Case-insensitive; `Cancelled` and `Complete` are accepted for `Canceled` and `Sent`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "scheduled" => Ok(Self::Scheduled),
            "paused" => Ok(Self::Paused),
            "canceled" | "cancelled" => Ok(Self::Canceled),
            "sent" | "complete" | "completed" => Ok(Self::Sent),
            _ => Err(format!(
                "unknown send status {s:?} (Scheduled, Paused, Canceled, Sent)"
            )),
        }
    }
}

/// A send as the sandbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendRecord {
    /// `ID`.
    pub id: i64,
    /// The account (MID) it belongs to.
    pub mid: i64,
    /// `Status`.
    pub status: SendStatus,
    /// `EmailName`.
    pub email_name: String,
    /// `Subject`.
    pub subject: String,
    /// `SendDate` (RFC 3339, UTC).
    pub send_date: String,
    /// `CreatedDate`.
    pub created_date: String,
    /// `ModifiedDate`.
    pub modified_date: String,
}

impl SendRecord {
    fn new(id: i64, status: SendStatus, mid: i64) -> Self {
        let now = SystemTime::now();
        let created = rfc3339(now);
        Self {
            id,
            mid,
            status,
            email_name: format!("Sandbox email {id}"),
            subject: format!("Sandbox send {id}"),
            send_date: rfc3339(now + Duration::from_secs(86_400)),
            created_date: created.clone(),
            modified_date: created,
        }
    }
}

pub(crate) fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// The Perform actions on a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Action {
    Cancel,
    Pause,
    Resume,
}

impl Action {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cancel" => Some(Self::Cancel),
            "pause" => Some(Self::Pause),
            "resume" => Some(Self::Resume),
            _ => None,
        }
    }

    fn past(self) -> &'static str {
        match self {
            Action::Cancel => "canceled",
            Action::Pause => "paused",
            Action::Resume => "resumed",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Action::Cancel => "cancel",
            Action::Pause => "pause",
            Action::Resume => "resume",
        }
    }
}

/// The outcome of one action on one send (also what a repeated CorrelationID gets again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Outcome {
    pub(crate) ok: bool,
    pub(crate) error_code: Option<i32>,
    pub(crate) message: String,
    /// The send's status after the action (None when the send was not found).
    pub(crate) status: Option<SendStatus>,
}

impl Outcome {
    pub(crate) fn error(code: i32, message: String) -> Self {
        Self {
            ok: false,
            error_code: Some(code),
            message,
            status: None,
        }
    }
}

/// The state machine: the status after `action`, or why not.
fn transition(id: i64, from: SendStatus, action: Action) -> Result<SendStatus, (i32, String)> {
    use SendStatus::*;
    match (from, action) {
        (Scheduled | Paused, Action::Cancel) => Ok(Canceled),
        (Scheduled, Action::Pause) => Ok(Paused),
        (Paused, Action::Resume) => Ok(Scheduled),
        (Canceled, _) => Err((
            codes::ALREADY_CANCELED,
            format!(
                "Send {id} is already canceled and cannot be {}",
                action.past()
            ),
        )),
        (Sent, _) => Err((
            codes::ALREADY_SENT,
            format!(
                "Send {id} has already been sent and cannot be {}",
                action.past()
            ),
        )),
        (Paused, Action::Pause) => {
            Err((codes::INVALID_STATE, format!("Send {id} is already paused")))
        }
        (Scheduled, Action::Resume) => Err((
            codes::INVALID_STATE,
            format!("Send {id} is not paused (it is Scheduled); only a paused send can be resumed"),
        )),
    }
}

const MAX_REPLAYS: usize = 10_000;
const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct ReplayKey {
    mid: i64,
    action: Action,
    id: i64,
    correlation_id: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct ReplayEntry {
    #[serde(flatten)]
    key: ReplayKey,
    outcome: Outcome,
}

/// What the state file holds.
#[derive(Debug, Serialize, Deserialize)]
struct StateFile {
    version: u32,
    sends: Vec<SendRecord>,
    #[serde(default)]
    replays: Vec<ReplayEntry>,
}

/// Sends and CorrelationID memory, with the state file.
#[derive(Debug)]
pub(crate) struct Store {
    sends: BTreeMap<i64, SendRecord>,
    replays: HashMap<ReplayKey, Outcome>,
    replay_order: VecDeque<ReplayKey>,
    path: Option<PathBuf>,
    /// Changed since the state file was last written.
    dirty: bool,
}

impl Store {
    /// Loads the state file if it exists (its sends win), adds the configured sends it does not
    /// hold, and writes it once (so an unwritable path fails at start).
    pub(crate) fn new(
        path: Option<PathBuf>,
        seeds: &[(i64, SendStatus, i64)],
    ) -> Result<Self, SandboxError> {
        let mut store = Self {
            sends: BTreeMap::new(),
            replays: HashMap::new(),
            replay_order: VecDeque::new(),
            path,
            dirty: false,
        };
        if let Some(path) = store.path.clone() {
            match std::fs::read(&path) {
                Ok(bytes) => store.load(&path, &bytes)?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(SandboxError::State {
                        path,
                        message: e.to_string(),
                    })
                }
            }
        }
        for &(id, status, mid) in seeds {
            store
                .sends
                .entry(id)
                .or_insert_with(|| SendRecord::new(id, status, mid));
        }
        if let Some(path) = &store.path {
            store.write(path).map_err(|message| SandboxError::State {
                path: path.clone(),
                message,
            })?;
        }
        Ok(store)
    }

    fn load(&mut self, path: &Path, bytes: &[u8]) -> Result<(), SandboxError> {
        let file: StateFile = serde_json::from_slice(bytes).map_err(|e| SandboxError::State {
            path: path.to_path_buf(),
            message: format!("not a sandbox state file: {e}"),
        })?;
        if file.version != STATE_VERSION {
            return Err(SandboxError::State {
                path: path.to_path_buf(),
                message: format!(
                    "state file version {} is not supported (expected {STATE_VERSION})",
                    file.version
                ),
            });
        }
        for send in file.sends {
            self.sends.insert(send.id, send);
        }
        for entry in file.replays {
            self.remember(entry.key, entry.outcome);
        }
        Ok(())
    }

    fn remember(&mut self, key: ReplayKey, outcome: Outcome) {
        if self.replays.insert(key.clone(), outcome).is_none() {
            self.replay_order.push_back(key);
        }
        while self.replay_order.len() > MAX_REPLAYS {
            if let Some(old) = self.replay_order.pop_front() {
                self.replays.remove(&old);
            }
        }
    }

    fn write(&self, path: &Path) -> Result<(), String> {
        let file = StateFile {
            version: STATE_VERSION,
            sends: self.sends.values().cloned().collect(),
            replays: self
                .replay_order
                .iter()
                .filter_map(|k| {
                    self.replays.get(k).map(|o| ReplayEntry {
                        key: k.clone(),
                        outcome: o.clone(),
                    })
                })
                .collect(),
        };
        let json = serde_json::to_vec_pretty(&file).map_err(|e| e.to_string())?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state".into());
        let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&json)?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        result.map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            e.to_string()
        })
    }

    /// Writes the state file if anything changed since the last write (once per request, not
    /// once per definition).
    pub(crate) fn persist(&mut self) {
        if !std::mem::take(&mut self.dirty) {
            return;
        }
        if let Some(path) = &self.path {
            if let Err(e) = self.write(path) {
                tracing::warn!(path = %path.display(), error = %e, "sandbox: cannot write the state file");
                eprintln!(
                    "sfmc sandbox: warning: cannot write the state file {}: {e}",
                    path.display()
                );
            }
        }
    }

    /// Runs `action` on send `id` for account `mid`; a repeated CorrelationID gets its first
    /// outcome again. The state file is written by [`Store::persist`] once the request is done.
    pub(crate) fn perform(
        &mut self,
        mid: i64,
        action: Action,
        id: i64,
        correlation_id: Option<&str>,
    ) -> Outcome {
        let key = correlation_id.map(|c| ReplayKey {
            mid,
            action,
            id,
            correlation_id: c.to_string(),
        });
        if let Some(previous) = key.as_ref().and_then(|k| self.replays.get(k)) {
            return previous.clone();
        }
        let outcome = match self.sends.get_mut(&id).filter(|s| s.mid == mid) {
            None => Outcome::error(codes::SEND_NOT_FOUND, format!("Send {id} was not found")),
            Some(send) => match transition(id, send.status, action) {
                Ok(next) => {
                    send.status = next;
                    send.modified_date = rfc3339(SystemTime::now());
                    Outcome {
                        ok: true,
                        error_code: None,
                        message: format!("Send {id} {}", action.past()),
                        status: Some(next),
                    }
                }
                Err((code, message)) => Outcome {
                    ok: false,
                    error_code: Some(code),
                    message,
                    status: Some(send.status),
                },
            },
        };
        let changed = outcome.ok;
        if let Some(key) = key {
            self.remember(key, outcome.clone());
        }
        if changed || correlation_id.is_some() {
            self.dirty = true;
        }
        tracing::debug!(
            mid,
            id,
            action = action.verb(),
            ok = outcome.ok,
            "sandbox perform"
        );
        outcome
    }

    /// The sends of account `mid` that `keep` accepts, by ID.
    pub(crate) fn sends_of(&self, mid: i64, keep: impl Fn(&SendRecord) -> bool) -> Vec<SendRecord> {
        self.sends
            .values()
            .filter(|s| s.mid == mid && keep(s))
            .cloned()
            .collect()
    }
}

struct TokenInfo {
    mid: i64,
    expires: Instant,
}

/// Request and fault counters of a sandbox (also served as JSON by `GET /_sandbox/stats`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SandboxStats {
    /// Requests to `/v2/token`.
    pub token_requests: u64,
    /// Tokens issued.
    pub tokens_issued: u64,
    /// Requests to `/Service.asmx`.
    pub soap_requests: u64,
    /// Requests to `/Service.asmx` by the operation their SOAPAction names (`Perform`,
    /// `Retrieve`, ...; `(none)` without one, `(unknown)` for one that names no operation),
    /// faults injected into them included.
    pub soap_requests_by_operation: BTreeMap<String, u64>,
    /// SOAP faults answered (injected ones included).
    pub faults: u64,
    /// Injected 503 answers.
    pub injected_503: u64,
    /// Injected rate-limit faults.
    pub injected_rate_limited: u64,
    /// Injected `Token Expired` faults.
    pub injected_token_expired: u64,
    /// Injected dropped connections.
    pub injected_dropped: u64,
}

#[derive(Default)]
struct Counters {
    token_requests: AtomicU64,
    tokens_issued: AtomicU64,
    soap_requests: AtomicU64,
    /// By operation name: a few keys (the WSDL's operations and two more), never the caller's
    /// text.
    by_operation: Mutex<BTreeMap<&'static str, u64>>,
    faults: AtomicU64,
    injected_503: AtomicU64,
    injected_rate_limited: AtomicU64,
    injected_token_expired: AtomicU64,
    injected_dropped: AtomicU64,
}

/// Everything the handlers share.
pub(crate) struct Shared {
    store: Mutex<Store>,
    clients: HashMap<String, Credential>,
    users: HashMap<String, Credential>,
    tokens: Mutex<HashMap<String, TokenInfo>>,
    pub(crate) token_lifetime: Duration,
    pub(crate) injector: Injector,
    pub(crate) max_body_bytes: usize,
    pub(crate) log_requests: bool,
    pub(crate) addr: SocketAddr,
    counters: Counters,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("addr", &self.addr)
            .field("clients", &self.clients.len())
            .field("users", &self.users.len())
            .finish_non_exhaustive()
    }
}

/// How a caller authenticated.
pub(crate) enum AuthCheck {
    /// Account `mid`, by an OAuth token (`by_token`) or a UsernameToken.
    Ok { mid: i64, by_token: bool },
    /// Unknown token, user or password, or no credentials.
    LoginFailed,
    /// A token past its lifetime.
    Expired,
}

const MAX_TOKENS: usize = 100_000;

impl Shared {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        store: Store,
        clients: Vec<Credential>,
        users: Vec<Credential>,
        token_lifetime: Duration,
        injector: Injector,
        max_body_bytes: usize,
        log_requests: bool,
        addr: SocketAddr,
    ) -> Self {
        Self {
            store: Mutex::new(store),
            clients: clients.into_iter().map(|c| (c.name.clone(), c)).collect(),
            users: users.into_iter().map(|c| (c.name.clone(), c)).collect(),
            tokens: Mutex::new(HashMap::new()),
            token_lifetime,
            injector,
            max_body_bytes,
            log_requests,
            addr,
            counters: Counters::default(),
        }
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        match self.store.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn tokens(&self) -> MutexGuard<'_, HashMap<String, TokenInfo>> {
        match self.tokens.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    pub(crate) fn store_send(&self, id: i64) -> Option<SendRecord> {
        self.store().sends.get(&id).cloned()
    }

    pub(crate) fn store_sends(&self) -> Vec<SendRecord> {
        self.store().sends.values().cloned().collect()
    }

    /// Checks client credentials: `Ok(mid)`, or `Err(true)` for a known client asking for an
    /// account it does not belong to, `Err(false)` for bad credentials.
    pub(crate) fn check_client(
        &self,
        id: &str,
        secret: &str,
        account: Option<i64>,
    ) -> Result<i64, bool> {
        let client = self.clients.get(id).ok_or(false)?;
        if !ct_eq(client.secret.expose_secret(), secret) {
            return Err(false);
        }
        match account {
            Some(a) if a != client.mid => Err(true),
            _ => Ok(client.mid),
        }
    }

    /// Issues a token for account `mid`.
    pub(crate) fn issue_token(&self, mid: i64) -> String {
        let bytes: [u8; 32] = std::array::from_fn(|_| fastrand::u8(..));
        use base64::Engine as _;
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let now = Instant::now();
        let mut tokens = self.tokens();
        // An expired token is remembered (as expired) for another lifetime, so that calls
        // still using it get `Token Expired`, not `Login Failed`, once another call has
        // refreshed.
        let lifetime = self.token_lifetime;
        tokens.retain(|_, t| now.saturating_duration_since(t.expires) < lifetime);
        if tokens.len() >= MAX_TOKENS {
            // Keep memory bounded: drop the tokens closest to expiry.
            let mut by_expiry: Vec<(String, Instant)> =
                tokens.iter().map(|(k, t)| (k.clone(), t.expires)).collect();
            by_expiry.sort_by_key(|(_, e)| *e);
            for (k, _) in by_expiry.into_iter().take(MAX_TOKENS / 10) {
                tokens.remove(&k);
            }
        }
        tokens.insert(
            token.clone(),
            TokenInfo {
                mid,
                expires: now + self.token_lifetime,
            },
        );
        self.counters.tokens_issued.fetch_add(1, Ordering::Relaxed);
        token
    }

    /// Expires every token issued so far; how many there were.
    pub(crate) fn expire_tokens(&self) -> usize {
        let now = Instant::now();
        let mut tokens = self.tokens();
        for t in tokens.values_mut() {
            t.expires = now;
        }
        tokens.len()
    }

    /// Authenticates a request by its token, or else its UsernameToken.
    pub(crate) fn authenticate(
        &self,
        token: Option<&SecretString>,
        user: Option<(&str, &SecretString)>,
    ) -> AuthCheck {
        if let Some(token) = token.filter(|t| !t.expose_secret().is_empty()) {
            let tokens = self.tokens();
            return match tokens.get(token.expose_secret()) {
                None => AuthCheck::LoginFailed,
                Some(t) if t.expires <= Instant::now() => AuthCheck::Expired,
                Some(t) => AuthCheck::Ok {
                    mid: t.mid,
                    by_token: true,
                },
            };
        }
        if let Some((name, password)) = user {
            if let Some(u) = self.users.get(name) {
                if ct_eq(u.secret.expose_secret(), password.expose_secret()) {
                    return AuthCheck::Ok {
                        mid: u.mid,
                        by_token: false,
                    };
                }
            }
        }
        AuthCheck::LoginFailed
    }

    pub(crate) fn count_token_request(&self) {
        self.counters.token_requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a SOAP request, under the operation its `SOAPAction` header names.
    pub(crate) fn count_soap_request(&self, soap_action: Option<&str>) {
        self.counters.soap_requests.fetch_add(1, Ordering::Relaxed);
        let action = soap_action
            .map(|a| a.trim().trim_matches('"').trim())
            .unwrap_or_default();
        let name = if action.is_empty() {
            "(none)"
        } else {
            sfmc_partnerapi::types::OPERATIONS
                .iter()
                .find(|op| op.soap_action == action)
                .map_or("(unknown)", |op| op.name)
        };
        let mut by_operation = match self.counters.by_operation.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *by_operation.entry(name).or_default() += 1;
    }

    pub(crate) fn count_fault(&self) {
        self.counters.faults.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_injected(&self, fault: InjectedFault) {
        let c = &self.counters;
        let counter = match fault {
            InjectedFault::None => return,
            InjectedFault::Http503 => &c.injected_503,
            InjectedFault::RateLimited => &c.injected_rate_limited,
            InjectedFault::TokenExpired => &c.injected_token_expired,
            InjectedFault::DropConnection => &c.injected_dropped,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn stats(&self) -> SandboxStats {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        SandboxStats {
            token_requests: get(&c.token_requests),
            tokens_issued: get(&c.tokens_issued),
            soap_requests: get(&c.soap_requests),
            soap_requests_by_operation: match c.by_operation.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            }
            .iter()
            .map(|(name, n)| (name.to_string(), *n))
            .collect(),
            faults: get(&c.faults),
            injected_503: get(&c.injected_503),
            injected_rate_limited: get(&c.injected_rate_limited),
            injected_token_expired: get(&c.injected_token_expired),
            injected_dropped: get(&c.injected_dropped),
        }
    }
}

/// Compares two secrets in time independent of where they differ.
fn ct_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= usize::from(x ^ y);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_machine() {
        use SendStatus::*;
        let t = |from, a| transition(1, from, a).map_err(|(c, _)| c);
        assert_eq!(t(Scheduled, Action::Cancel), Ok(Canceled));
        assert_eq!(t(Paused, Action::Cancel), Ok(Canceled));
        assert_eq!(t(Scheduled, Action::Pause), Ok(Paused));
        assert_eq!(t(Paused, Action::Resume), Ok(Scheduled));
        assert_eq!(t(Canceled, Action::Cancel), Err(codes::ALREADY_CANCELED));
        assert_eq!(t(Sent, Action::Cancel), Err(codes::ALREADY_SENT));
        assert_eq!(t(Paused, Action::Pause), Err(codes::INVALID_STATE));
        assert_eq!(t(Scheduled, Action::Resume), Err(codes::INVALID_STATE));
        assert_eq!(t(Canceled, Action::Resume), Err(codes::ALREADY_CANCELED));
    }

    #[test]
    fn constant_time_compare() {
        assert!(ct_eq("abc", "abc"));
        assert!(!ct_eq("abc", "abd"));
        assert!(!ct_eq("abc", "abcd"));
        assert!(!ct_eq("", "a"));
        assert!(ct_eq("", ""));
    }

    #[test]
    fn replay_memory_is_bounded() {
        let mut store = Store {
            sends: BTreeMap::new(),
            replays: HashMap::new(),
            replay_order: VecDeque::new(),
            path: None,
            dirty: false,
        };
        for i in 0..(MAX_REPLAYS as i64 + 10) {
            store.perform(1, Action::Cancel, i, Some("c"));
        }
        assert_eq!(store.replays.len(), MAX_REPLAYS);
        assert_eq!(store.replay_order.len(), MAX_REPLAYS);
    }
}
