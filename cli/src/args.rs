//! The command line's arguments (clap).

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand};
use sfmc_partnerapi::SendAction;
use sfmc_partnerapi_sandbox::{self as sandbox, InjectedFault};

#[derive(Parser, Debug)]
#[command(
    name = "sfmc",
    version,
    about = "Salesforce Marketing Cloud SOAP partnerAPI from the command line, and a local sandbox",
    after_help = "Exit codes: 0 all succeeded; 1 the API answered with an error; 2 usage or configuration error; 3 transport or protocol error.\n\nTry it without an account: sfmc --sandbox cancel-send 29605"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug)]
#[group(skip)]
pub struct Global {
    /// SOAP endpoint (https://SUBDOMAIN.soap.marketingcloudapis.com/Service.asmx); optional
    /// with OAuth, whose token answer names it.
    #[arg(long, env = "SFMC_ENDPOINT", global = true, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Tenant subdomain: derives the auth and SOAP URLs.
    #[arg(long, env = "SFMC_SUBDOMAIN", global = true, value_name = "S")]
    pub subdomain: Option<String>,
    /// Token endpoint base (POST {URL}/v2/token), e.g. a local sandbox's http://127.0.0.1:PORT.
    #[arg(long, env = "SFMC_AUTH_URL", global = true, value_name = "URL")]
    pub auth_url: Option<String>,
    /// OAuth client ID (installed package).
    #[arg(long, env = "SFMC_CLIENT_ID", global = true, value_name = "ID")]
    pub client_id: Option<String>,
    /// OAuth client secret.
    #[arg(
        long,
        env = "SFMC_CLIENT_SECRET",
        global = true,
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub client_secret: Option<String>,
    /// Account (MID) to act in.
    #[arg(long, env = "SFMC_ACCOUNT_ID", global = true, value_name = "MID")]
    pub account_id: Option<i64>,
    /// A ready OAuth access token instead of client credentials.
    #[arg(
        long,
        env = "SFMC_ACCESS_TOKEN",
        global = true,
        hide_env_values = true,
        value_name = "T"
    )]
    pub access_token: Option<String>,
    /// WS-Security user name (legacy authentication).
    #[arg(long, env = "SFMC_USERNAME", global = true, value_name = "U")]
    pub username: Option<String>,
    /// WS-Security password.
    #[arg(
        long,
        env = "SFMC_PASSWORD",
        global = true,
        hide_env_values = true,
        value_name = "P"
    )]
    pub password: Option<String>,
    /// Timeout of one request, in seconds.
    #[arg(long, env = "SFMC_TIMEOUT", global = true, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Retries after the first attempt.
    #[arg(long, env = "SFMC_MAX_RETRIES", global = true, value_name = "N")]
    pub max_retries: Option<u32>,
    /// Requests in flight at once for cancel-send, pause-send, resume-send and perform (chunks
    /// of 50 IDs), 1 to 64; 1 sends them one after the other, in order.
    #[arg(
        long,
        env = "SFMC_CONCURRENCY",
        global = true,
        value_name = "N",
        default_value_t = sfmc_partnerapi::bulk::DEFAULT_BULK_CONCURRENCY
    )]
    pub concurrency: usize,
    /// Print JSON on stdout.
    #[arg(long, env = "SFMC_JSON", global = true, value_parser = BoolishValueParser::new())]
    pub json: bool,
    /// Print the request envelope (secrets masked) and send nothing.
    #[arg(long, env = "SFMC_DRY_RUN", global = true, value_parser = BoolishValueParser::new())]
    pub dry_run: bool,
    /// Run against an in-process sandbox with the demo sends (29605 among them).
    #[arg(long, env = "SFMC_SANDBOX", global = true, value_parser = BoolishValueParser::new())]
    pub sandbox: bool,
    /// Where the OAuth token is cached between runs (client credentials): a directory, or
    /// `off`. Default: $XDG_CACHE_HOME/sfmc/tokens or ~/.cache/sfmc/tokens (off with --sandbox).
    #[arg(long, env = "SFMC_TOKEN_CACHE", global = true, value_name = "DIR|off")]
    pub token_cache: Option<String>,
    /// Share the OAuth token through Redis (redis://[:PASSWORD@]HOST[:PORT][/DB]) with every
    /// process and host using it; takes precedence over the file cache. Redis down: a warning,
    /// and the token is fetched directly.
    #[arg(
        long,
        env = "SFMC_TOKEN_STORE",
        global = true,
        hide_env_values = true,
        value_name = "URL"
    )]
    pub token_store: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Cancel scheduled (or paused) sends.
    CancelSend {
        /// Send IDs.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<i64>,
    },
    /// Pause scheduled sends.
    PauseSend {
        /// Send IDs.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<i64>,
    },
    /// Resume paused sends.
    ResumeSend {
        /// Send IDs.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<i64>,
    },
    /// List sends (Retrieve of Send objects).
    Sends {
        /// Only sends with this status (Scheduled, Paused, Canceled, ...).
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
    },
    /// Retrieve objects of any type, rows printed as the pages arrive.
    Retrieve(Box<RetrieveArgs>),
    /// Run any Perform action on objects given by type and ID (chunks of 50, --concurrency at
    /// a time).
    Perform {
        /// The action (cancel, pause, resume, start, ...).
        #[arg(long, value_name = "A")]
        action: String,
        /// The object type (xsi:type), e.g. Send.
        #[arg(long, value_name = "T")]
        object_type: String,
        /// Object IDs.
        #[arg(long = "id", required = true, value_name = "N")]
        ids: Vec<i64>,
    },
    /// The OAuth token cache (see --token-cache).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Serve the local sandbox (token endpoint and Service.asmx) until Ctrl-C or SIGTERM.
    Sandbox(Box<SandboxArgs>),
    /// Print the API surface of a WSDL: operations, elements, types, fields, enumeration values.
    WsdlSurface {
        /// The WSDL (default: the one the bindings were generated from).
        wsdl: Option<PathBuf>,
    },
    /// Compare two WSDLs: added, removed and changed operations, types, fields and enumeration
    /// values, each breaking, additive or wire-only (judged by the generated Rust). Exit 0: nothing
    /// breaking; 1: something breaking; 2: bad input.
    WsdlDiff {
        /// The old WSDL.
        old: PathBuf,
        /// The new WSDL.
        new: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Remove the cached tokens: the files sfmc wrote in the cache directory (and nothing else).
    Clear,
}

#[derive(Args, Debug)]
#[command(
    after_help = "FILTER: conditions joined with `and` / `or` (`and` binds tighter), \
parentheses to group: `Status = Scheduled and CreatedDate > 2026-01-01`. Operators: = != > >= < <= \
like, in (a, b), between a and b, is null, is not null, or a SimpleOperator by name (beginsWith). \
Values bare or quoted ('...' or \"...\"); a bare YYYY-MM-DD[THH:MM[:SS]] is a date (DateValue). \
A property with spaces goes in backticks."
)]
pub struct RetrieveArgs {
    /// The object type: Send, SentEvent, Subscriber, List, DataExtensionObject[KEY], ...
    #[arg(value_name = "OBJECT_TYPE")]
    pub object_type: String,
    /// The properties to retrieve, comma separated: the columns, in order (Client.ID for a
    /// nested one; a data extension row's fields by name).
    #[arg(long, required = true, value_delimiter = ',', value_name = "A,B,...")]
    pub props: Vec<String>,
    /// Only the objects this expression selects (see FILTER below).
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// The objects of every account (business unit) the credentials can see (QueryAllAccounts).
    #[arg(long)]
    pub all_accounts: bool,
    /// The objects of this account (MID), in ClientIDs; repeat or comma separate for more.
    #[arg(long = "mid", value_name = "N", value_delimiter = ',')]
    pub mids: Vec<i32>,
    /// Stop after N rows (no further page is asked for).
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// The output: table, json, ndjson or csv (default table; json with --json).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<crate::retrieve::Format>,
}

#[derive(Args, Debug)]
pub struct SandboxArgs {
    /// Address to listen on (loopback only).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: String,
    /// An OAuth client (MID default 12345). Without --client/--user/--send: the demo.
    #[arg(long = "client", value_name = "ID:SECRET[:MID]", value_parser = sandbox::parse_credential_spec)]
    pub clients: Vec<(String, String, i64)>,
    /// A WS-Security user (MID default 12345).
    #[arg(long = "user", value_name = "NAME:PASSWORD[:MID]", value_parser = sandbox::parse_credential_spec)]
    pub users: Vec<(String, String, i64)>,
    /// A send (status default Scheduled, MID default 12345).
    #[arg(long = "send", value_name = "ID[:STATUS[:MID]]", value_parser = sandbox::parse_send_spec)]
    pub sends: Vec<(i64, sandbox::SendStatus, i64)>,
    /// Sends FIRST to LAST (inclusive, at most 1,000,000), e.g. for load tests: 1000000-1099999.
    #[arg(long = "send-range", value_name = "FIRST-LAST[:STATUS[:MID]]", value_parser = sandbox::parse_send_range_spec)]
    pub send_ranges: Vec<(std::ops::RangeInclusive<i64>, sandbox::SendStatus, i64)>,
    /// Keep the state in this JSON file across restarts.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Access token lifetime (e.g. 20m, 90s, 500ms).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub token_lifetime: Option<Duration>,
    /// Latency added to every SOAP response (e.g. 200ms).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub latency: Option<Duration>,
    /// Random extra latency up to this much.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub latency_jitter: Option<Duration>,
    /// Share of SOAP requests answered HTTP 503 (0..1).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fail_503: f64,
    /// Share answered with a rate-limit Server fault (apifault Code 17).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fail_rate_limit: f64,
    /// Share of token-authenticated requests answered `Token Expired`.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fail_token_expired: f64,
    /// Share whose connection is closed without a response (after taking effect).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fail_drop: f64,
    /// Seed for the fault draws (repeatable runs).
    #[arg(long, value_name = "N")]
    pub fault_seed: Option<u64>,
    /// Faults of the first requests, in order: none, 503, rate-limited, token-expired, drop.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub fault_sequence: Vec<InjectedFault>,
    /// Cap on a request body in bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Tracking events of each type (SentEvent, OpenEvent, ClickEvent, BounceEvent, UnsubEvent)
    /// per account, on its sends in status Sent; generated as pages need them.
    #[arg(long, value_name = "N")]
    pub events: Option<u64>,
    /// Subscribers per account (default with --events: 1000).
    #[arg(long, value_name = "N")]
    pub subscribers: Option<u64>,
    /// Rows in each data extension (Customers_DE, Orders_DE) per account.
    #[arg(long, value_name = "N")]
    pub rows: Option<u64>,
    /// Seed of the generated data set (default 1): the same seed serves the same rows.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Objects per Retrieve page (default 2500).
    #[arg(long, value_name = "N")]
    pub page_size: Option<usize>,
    /// How long a Retrieve continuation stays valid unused (default 10m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub continuation_ttl: Option<Duration>,
    /// Account CHILD is a child of PARENT (QueryAllAccounts and ClientIDs reach it).
    #[arg(long = "child-account", value_name = "PARENT:CHILD", value_parser = sandbox::parse_child_account_spec)]
    pub child_accounts: Vec<(i64, i64)>,
    /// Do not log requests on stderr.
    #[arg(long)]
    pub quiet: bool,
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim()).map_err(|e| format!("{s:?}: {e} (e.g. 500ms, 90s, 20m)"))
}

impl Command {
    /// The send action and its IDs, for `cancel-send`, `pause-send` and `resume-send`.
    pub fn send_action(&self) -> Option<(SendAction, &[i64])> {
        match self {
            Command::CancelSend { ids } => Some((SendAction::Cancel, ids)),
            Command::PauseSend { ids } => Some((SendAction::Pause, ids)),
            Command::ResumeSend { ids } => Some((SendAction::Resume, ids)),
            _ => None,
        }
    }
}
