//! The OAuth token cache: `--token-cache DIR|off` (the library's
//! [`FileTokenStore`]), `--token-store redis://...` (its `RedisTokenStore`, shared by hosts),
//! `sfmc token clear`, and the store's warnings on stderr.

use std::fmt::Write as _;
use std::path::Path;

#[cfg(feature = "redis")]
use sfmc_partnerapi::token_store::RedisTokenStore;
use sfmc_partnerapi::{token_store::FileTokenStore, ClientBuilder};

use crate::args::Global;
use crate::output::{Failure, EXIT_OK};

/// The `tracing` target of the library's token store warnings.
const STORE_TARGET: &str = "sfmc_partnerapi::token_store";

/// The file store `g` asks for: `--token-cache DIR`, none for `off`, else the user's cache
/// directory (none with `--sandbox`: the in-process sandbox's tokens are for one run, on a port
/// of that run, and would only pile up).
pub fn cache(g: &Global) -> Result<Option<FileTokenStore>, Failure> {
    match g.token_cache.as_deref().map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("off") => Ok(None),
        Some(dir) if !dir.is_empty() => Ok(Some(FileTokenStore::new(dir))),
        _ if g.sandbox => Ok(None),
        _ => Ok(FileTokenStore::default_dir().map(FileTokenStore::new)),
    }
}

/// `--token-store URL`: the token shared through Redis (a URL it cannot use is a usage error;
/// a Redis that cannot be reached is a warning at the first call, and the token is fetched
/// directly).
#[cfg(feature = "redis")]
pub fn shared(b: ClientBuilder, url: &str) -> Result<ClientBuilder, Failure> {
    let store = RedisTokenStore::new(url).map_err(|e| Failure::from_error(&e))?;
    Ok(b.token_store(store))
}

#[cfg(not(feature = "redis"))]
pub fn shared(_: ClientBuilder, _: &str) -> Result<ClientBuilder, Failure> {
    Err(Failure::usage(
        "--token-store: this sfmc was built without Redis support (cargo feature `redis`)",
    ))
}

/// `sfmc token clear`: removes the cache's files; one line per file removed (or JSON).
pub fn clear(g: &Global) -> Result<u8, Failure> {
    let store = match g.token_cache.as_deref().map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("off") => {
            return Err(Failure::usage(
                "the token cache is off (--token-cache off or SFMC_TOKEN_CACHE=off): nothing to clear",
            ))
        }
        Some(dir) if !dir.is_empty() => FileTokenStore::new(dir),
        _ => FileTokenStore::default_dir()
            .map(FileTokenStore::new)
            .ok_or_else(|| {
                Failure::usage(
                    "no cache directory: neither XDG_CACHE_HOME nor HOME is set; give --token-cache DIR",
                )
            })?,
    };
    let removed = store.clear().map_err(|e| Failure::usage(e.to_string()))?;
    let shown = |p: &Path| p.display().to_string();
    if g.json {
        let out = serde_json::json!({
            "ok": true,
            "dir": shown(store.dir()),
            "removed": removed.iter().map(|p| shown(p)).collect::<Vec<_>>(),
        });
        println!("{out}");
    } else if removed.is_empty() {
        println!("no cached tokens in {}", shown(store.dir()));
    } else {
        for path in &removed {
            println!("removed {}", shown(path));
        }
    }
    Ok(EXIT_OK)
}

/// Shows the token store's warnings (an untrusted cache file ignored, a directory refused, a
/// lock not obtained in time) on stderr as `sfmc: warning: ...`; nothing else the library logs.
pub fn show_store_warnings() {
    let _ = tracing::subscriber::set_global_default(StoreWarnings);
}

/// A `tracing` subscriber for one target's warnings and errors: a line each on stderr.
struct StoreWarnings;

impl tracing::Subscriber for StoreWarnings {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.is_event()
            && *metadata.level() <= tracing::Level::WARN
            && metadata.target() == STORE_TARGET
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::WARN)
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        // Never called for a span (only events are enabled); an ID all the same.
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = Line::default();
        event.record(&mut line);
        if line.fields.is_empty() {
            eprintln!("sfmc: warning: {}", line.message);
        } else {
            eprintln!("sfmc: warning: {} ({})", line.message, line.fields);
        }
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

/// An event's message and its other fields as `name=value, ...`.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl tracing::field::Visit for Line {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            if !self.fields.is_empty() {
                self.fields.push_str(", ");
            }
            let _ = write!(self.fields, "{}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }
}
