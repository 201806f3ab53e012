//! A real `redis-server` for the Redis token store tests (the library's and the CLI's): started on
//! a free loopback port with a temporary directory and no persistence, ready once it answers
//! `PING`, killed when dropped.
//!
//! Without `redis-server` on `PATH` a test skips with a note, except under `CI=true`, where it
//! fails (`.ci/run` installs the Debian package `redis-server`).
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type R<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A `redis-server` child process on 127.0.0.1.
pub struct RedisServer {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
}

/// `redis-server` on `PATH`, if there.
fn binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
}

/// A loopback port nothing listens on (free a moment ago).
pub fn free_port() -> R<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl RedisServer {
    /// A fresh, empty server; `None` (after a note) when `redis-server` is missing outside CI.
    pub fn start() -> R<Option<Self>> {
        let Some(bin) = binary() else {
            let what = "redis-server is not on PATH (apt-get install redis-server)";
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                return Err(format!("CI=true and {what}").into());
            }
            eprintln!("note: skipping: {what}");
            return Ok(None);
        };
        // The port was free a moment ago; another process taking it meanwhile makes the server
        // exit, and another port is tried.
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            let dir = tempfile::tempdir()?;
            let child = Command::new(&bin)
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .arg("--dir")
                .arg(dir.path())
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?;
            let mut server = Self {
                child,
                addr: SocketAddr::from(([127, 0, 0, 1], port)),
                _dir: dir,
            };
            match server.wait_ready(Duration::from_secs(30)) {
                Ok(()) => return Ok(Some(server)),
                Err(e) => last = e.to_string(),
            }
        }
        Err(format!("redis-server did not start: {last}").into())
    }

    /// `redis://127.0.0.1:PORT/0`.
    pub fn url(&self) -> String {
        format!("redis://{}/0", self.addr)
    }

    fn wait_ready(&mut self, limit: Duration) -> R {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Err(format!("redis-server exited: {status}").into());
            }
            if self
                .query::<String>(&redis::cmd("PING"))
                .is_ok_and(|pong| pong == "PONG")
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err("redis-server did not answer PING".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A new connection (synchronous).
    pub fn connection(&self) -> R<redis::Connection> {
        let client = redis::Client::open(self.url())?;
        let connection = client.get_connection_with_timeout(Duration::from_secs(10))?;
        connection.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(connection)
    }

    /// One command over a new connection.
    pub fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> R<T> {
        Ok(cmd.query(&mut self.connection()?)?)
    }

    /// Every key and its value (strings only; other types as their type name).
    pub fn dump(&self) -> R<Vec<(String, String)>> {
        let mut connection = self.connection()?;
        let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut connection)?;
        let mut out = Vec::new();
        for key in keys {
            let kind: String = redis::cmd("TYPE").arg(&key).query(&mut connection)?;
            let value = if kind == "string" {
                let bytes: Option<Vec<u8>> = redis::cmd("GET").arg(&key).query(&mut connection)?;
                String::from_utf8_lossy(&bytes.unwrap_or_default()).into_owned()
            } else {
                kind
            };
            out.push((key, value));
        }
        Ok(out)
    }

    /// Sets `lock_key` as a holder that died would leave it: a value of its own, for a minute.
    pub fn hold_dead_lock(&self, lock_key: &str) -> R {
        self.query::<()>(
            redis::cmd("SET")
                .arg(lock_key)
                .arg("dead")
                .arg("PX")
                .arg(60_000),
        )
    }

    /// The keys starting with `prefix`.
    pub fn keys(&self, prefix: &str) -> R<Vec<String>> {
        let mut keys: Vec<String> = self.query(redis::cmd("KEYS").arg(format!("{prefix}*")))?;
        keys.sort();
        Ok(keys)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback TCP server that accepts connections and never answers (a Redis that hangs).
/// Gives its `redis://` URL; the listener lives as long as the process.
pub fn silent_server() -> R<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            match stream {
                Ok(s) => held.push(s),
                Err(_) => break,
            }
        }
    });
    Ok(format!("redis://{addr}/0"))
}
