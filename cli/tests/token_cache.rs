//! The file token cache across real `sfmc` processes, against an external `sfmc sandbox`: one
//! token request for many concurrent processes, hostile cache files never used nor followed and
//! replaced, no secret on disk, one refresh after the service expires the token, a lock holder
//! that dies or hangs, `sfmc token clear`, and `--sandbox` leaving the user's cache alone.
#[path = "support/cli.rs"]
mod cli_support;
#[path = "../../sandbox/tests/support/mod.rs"]
mod sandbox_support;

use std::fs;
use std::io::{BufRead as _, BufReader};
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cli_support::*;
use sandbox_support::R;
use secrecy::SecretString;
use sfmc_partnerapi::token_store::{StoredToken, TokenKey};

const CLIENT_ID: &str = "cache-client";
const CLIENT_SECRET: &str = "Cache-S3cret-q7Zx";

/// An external sandbox with client [`CLIENT_ID`] and scheduled sends `first..=last`.
fn sandbox(first: i64, last: i64) -> R<SandboxChild> {
    SandboxChild::start(&[
        "--client".into(),
        format!("{CLIENT_ID}:{CLIENT_SECRET}:12345"),
        "--send-range".into(),
        format!("{first}-{last}"),
    ])
}

/// `sfmc --token-cache DIR` with the client's credentials, against `sb`.
fn sfmc_cached(sb: &SandboxChild, dir: &Path, args: Vec<String>) -> Command {
    let mut cmd = sfmc();
    cmd.arg("--token-cache")
        .arg(dir)
        .args(["--endpoint", &sb.soap_url])
        .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
        .args(args);
    cmd
}

/// `sfmc cancel-send ID` for each ID, all at once, each its own process; their runs in order.
fn cancel_concurrently(sb: &SandboxChild, dir: &Path, ids: &[i64]) -> R<Vec<Run>> {
    let runs: Vec<_> = ids
        .iter()
        .map(|id| {
            let cmd = sfmc_cached(sb, dir, args!["cancel-send", id]);
            std::thread::spawn(move || {
                run_with_limit(cmd, Duration::from_secs(180)).map_err(|e| e.to_string())
            })
        })
        .collect();
    let mut out = Vec::new();
    for r in runs {
        out.push(r.join().map_err(|_| "thread panicked")??);
    }
    Ok(out)
}

fn cancel_one(sb: &SandboxChild, dir: &Path, id: i64) -> R<Run> {
    let run = run_with_limit(
        sfmc_cached(sb, dir, args!["cancel-send", id]),
        Duration::from_secs(120),
    )?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(run.stdout.trim(), format!("send {id}: canceled"));
    Ok(run)
}

fn token_requests(sb: &SandboxChild) -> R<u64> {
    sb.stats()?["token_requests"]
        .as_u64()
        .ok_or_else(|| "no token_requests".into())
}

/// The one token file in `dir`.
fn token_file(dir: &Path) -> R<PathBuf> {
    let files: Vec<_> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    match files.as_slice() {
        [one] => Ok(one.clone()),
        other => Err(format!(
            "expected one token file in {}, found {other:?}",
            dir.display()
        )
        .into()),
    }
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).map_or(0, |m| m.mode() & 0o7777)
}

/// No file under `dir` holds `secret`.
fn assert_absent(dir: &Path, secret: &str) -> R {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if fs::symlink_metadata(&path)?.is_file() {
            let bytes = fs::read(&path)?;
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "{} holds the client secret", path.display());
        }
    }
    Ok(())
}

#[test]
fn fifty_concurrent_processes_make_one_token_request() -> R {
    let sb = sandbox(7000, 7049)?;
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("tokens");
    let ids: Vec<i64> = (7000..7050).collect();
    let runs = cancel_concurrently(&sb, &dir, &ids)?;
    for (id, run) in ids.iter().zip(&runs) {
        assert_eq!(run.code, Some(0), "{}", run.describe());
        assert_eq!(run.stdout.trim(), format!("send {id}: canceled"));
        assert!(!run.stderr.contains("warning"), "{}", run.describe());
    }
    let stats = sb.stats()?;
    assert_eq!(stats["token_requests"], 1, "{stats}");
    assert_eq!(
        stats["soap_requests_by_operation"]["Perform"], 50,
        "{stats}"
    );
    // The 50 sends are canceled (read with the cached token: no token request).
    let run = run_with_limit(
        sfmc_cached(&sb, &dir, args!["--json", "sends", "--status", "Canceled"]),
        Duration::from_secs(60),
    )?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let sends: serde_json::Value = serde_json::from_str(&run.stdout)?;
    let mut canceled: Vec<i64> = sends
        .as_array()
        .ok_or("not an array")?
        .iter()
        .filter_map(|s| s["id"].as_i64())
        .collect();
    canceled.sort_unstable();
    assert_eq!(canceled, ids);
    assert_eq!(token_requests(&sb)?, 1);
    // Private directory, private file, no secret.
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&token_file(&dir)?), 0o600);
    assert_absent(&dir, CLIENT_SECRET)?;
    Ok(())
}

#[test]
fn hostile_cache_files_are_never_used_nor_followed_and_are_replaced() -> R {
    let sb = sandbox(7100, 7199)?;
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("tokens");
    cancel_one(&sb, &dir, 7100)?;
    let path = token_file(&dir)?;
    let good = fs::read(&path)?;
    // The same record for another client of the same token URL.
    let record: serde_json::Value = serde_json::from_slice(&good)?;
    let token_url = record["key"]["token_url"].as_str().ok_or("no token_url")?;
    let issued = std::time::SystemTime::now();
    let foreign = StoredToken {
        access_token: SecretString::from("foreign-token".to_string()),
        issued_at: issued,
        expires_at: issued + Duration::from_secs(600),
        soap_instance_url: None,
        rest_instance_url: None,
    }
    .to_record(&TokenKey::new(token_url, "another-client", None, None));
    let target = tmp.path().join("elsewhere.json");
    let root = is_root();
    let mut cases: Vec<&str> = vec![
        "truncated",
        "another shape",
        "a symlink",
        "mode 0644",
        "another key",
    ];
    if root {
        cases.push("another owner");
    } else {
        eprintln!("note: not root: the foreign-owner case is skipped (it needs chown)");
    }
    for (i, case) in cases.into_iter().enumerate() {
        let _ = fs::remove_file(&path);
        match case {
            "truncated" => fs::write(&path, &good[..good.len() / 2])?,
            "another shape" => fs::write(&path, br#"{"token":{"value":"x"},"expires":1}"#)?,
            "a symlink" => {
                fs::write(&target, &good)?;
                std::os::unix::fs::symlink(&target, &path)?;
            }
            "another key" => fs::write(&path, &foreign)?,
            _ => fs::write(&path, &good)?,
        }
        match case {
            "mode 0644" => fs::set_permissions(&path, fs::Permissions::from_mode(0o644))?,
            "another owner" => std::os::unix::fs::chown(&path, Some(65534), Some(65534))?,
            "a symlink" => {}
            _ => fs::set_permissions(&path, fs::Permissions::from_mode(0o600))?,
        }
        let before = token_requests(&sb)?;
        let run = cancel_one(&sb, &dir, 7101 + i as i64)?;
        assert_eq!(
            token_requests(&sb)?,
            before + 1,
            "{case}: the planted file was used"
        );
        assert!(
            run.stderr.contains("sfmc: warning: token cache file"),
            "{case}: no warning\n{}",
            run.describe()
        );
        // Replaced by a good, private, regular file.
        let meta = fs::symlink_metadata(&path)?;
        assert!(meta.is_file(), "{case}: not replaced by a regular file");
        assert_eq!(mode(&path), 0o600, "{case}");
        assert_eq!(meta.uid(), fs::metadata(&dir)?.uid(), "{case}");
        let now: serde_json::Value = serde_json::from_slice(&fs::read(&path)?)?;
        assert_eq!(now["key"]["client_id"], CLIENT_ID, "{case}");
        // The next run uses it.
        let before = token_requests(&sb)?;
        let run = cancel_one(&sb, &dir, 7150 + i as i64)?;
        assert_eq!(
            token_requests(&sb)?,
            before,
            "{case}: the new file is not used"
        );
        assert!(run.stderr.is_empty(), "{}", run.describe());
    }
    // The link's target was never written.
    assert_eq!(fs::read(&target)?, good);
    assert_absent(&dir, CLIENT_SECRET)?;
    Ok(())
}

/// Whether this process runs as root (can chown to another user).
fn is_root() -> bool {
    // The owner of a file this process creates is its effective user.
    tempfile::tempfile()
        .and_then(|f| f.metadata())
        .is_ok_and(|m| m.uid() == 0)
}

#[test]
fn token_expired_after_a_sandbox_side_expiry_means_one_more_token_request() -> R {
    let sb = sandbox(7200, 7299)?;
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("tokens");
    cancel_one(&sb, &dir, 7200)?;
    cancel_one(&sb, &dir, 7201)?;
    assert_eq!(token_requests(&sb)?, 1);
    assert_eq!(sb.expire_tokens()?["expired"], 1);
    // Eight processes at once, each starting with the expired token from the file.
    let ids: Vec<i64> = (7210..7218).collect();
    for (id, run) in ids.iter().zip(cancel_concurrently(&sb, &dir, &ids)?) {
        assert_eq!(run.code, Some(0), "{}", run.describe());
        assert_eq!(run.stdout.trim(), format!("send {id}: canceled"));
    }
    assert_eq!(token_requests(&sb)?, 2);
    // And once more, one after the other.
    assert_eq!(sb.expire_tokens()?["expired"], 2);
    for id in 7220..7224 {
        cancel_one(&sb, &dir, id)?;
    }
    assert_eq!(token_requests(&sb)?, 3);
    Ok(())
}

/// Not a test of its own: the child process of [`lock_holder`] (`SFMC_TEST_HOLD_LOCK=FILE`),
/// which takes the lock on FILE, says `SFMC_TEST_LOCKED`, and holds it until killed.
#[test]
#[ignore = "a child process of the lock holder tests, run by them"]
fn lock_holder_child() -> R {
    let path = std::env::var_os("SFMC_TEST_HOLD_LOCK").ok_or("SFMC_TEST_HOLD_LOCK is not set")?;
    let file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    file.lock()?;
    // On a line of its own (the test harness may have written the test's name before it).
    println!("\nSFMC_TEST_LOCKED");
    let deadline = Instant::now() + Duration::from_secs(600);
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// A child process holding a lock; killed when dropped.
struct Holder(std::process::Child);

impl Holder {
    /// Kills the holder (SIGKILL) and waits for its end.
    fn kill(&mut self) -> R {
        self.0.kill()?;
        self.0.wait()?;
        Ok(())
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A child process holding the lock on `path`, once it says so.
fn lock_holder(path: &Path) -> R<Holder> {
    let mut child = Command::new(std::env::current_exe()?)
        .args([
            "--exact",
            "lock_holder_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("SFMC_TEST_HOLD_LOCK", path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    for line in BufReader::new(stdout).lines() {
        if line?.trim() == "SFMC_TEST_LOCKED" {
            return Ok(Holder(child));
        }
    }
    let _ = child.kill();
    Err("the lock holder ended without taking the lock".into())
}

#[test]
fn a_dead_lock_holder_frees_the_lock_and_a_live_one_is_waited_for_a_bounded_time() -> R {
    let sb = sandbox(7300, 7399)?;
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("tokens");
    cancel_one(&sb, &dir, 7300)?;
    let lock_path = token_file(&dir)?.with_extension("refresh.lock");
    assert!(lock_path.exists());
    // Another process holds the refresh lock and dies (SIGKILL): the kernel frees it.
    let mut holder = lock_holder(&lock_path)?;
    let probe = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&lock_path)?;
    assert!(probe.try_lock().is_err(), "the holder holds the lock");
    holder.kill()?;
    probe.try_lock()?;
    probe.unlock()?;
    sb.expire_tokens()?;
    let before = token_requests(&sb)?;
    let run = cancel_one(&sb, &dir, 7301)?;
    assert!(run.stderr.is_empty(), "{}", run.describe());
    assert_eq!(token_requests(&sb)?, before + 1);

    // A live holder that never lets go: the run waits for it a bounded time (10 s), then
    // fetches a token itself.
    let mut holder = lock_holder(&lock_path)?;
    sb.expire_tokens()?;
    let started = Instant::now();
    let run = cancel_one(&sb, &dir, 7302);
    let waited = started.elapsed();
    holder.kill()?;
    let run = run?;
    assert!(
        run.stderr.contains("refresh lock was not free in time"),
        "{}",
        run.describe()
    );
    assert!(waited >= Duration::from_secs(10), "{waited:?}");
    assert!(waited < Duration::from_secs(100), "{waited:?}");
    assert_eq!(token_requests(&sb)?, before + 2);
    Ok(())
}

#[test]
fn token_clear_removes_the_cache_files_only() -> R {
    let sb = sandbox(7400, 7499)?;
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("tokens");
    cancel_one(&sb, &dir, 7400)?;
    let file = token_file(&dir)?;
    fs::write(dir.join("keep.txt"), "not the cache's")?;
    let clear = |extra: Vec<String>| {
        let mut cmd = sfmc();
        cmd.arg("--token-cache")
            .arg(&dir)
            .args(extra)
            .args(["token", "clear"]);
        run_with_limit(cmd, Duration::from_secs(60))
    };
    let run = clear(Vec::new())?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let removed: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(removed.len(), 3, "{}", run.describe());
    assert!(removed.contains(&format!("removed {}", file.display()).as_str()));
    assert!(!file.exists());
    assert!(dir.join("keep.txt").exists());
    let run = clear(args!["--json"])?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    let json: serde_json::Value = serde_json::from_str(&run.stdout)?;
    assert_eq!(json["removed"], serde_json::json!([]));
    // The next run asks for a token again.
    let before = token_requests(&sb)?;
    cancel_one(&sb, &dir, 7401)?;
    assert_eq!(token_requests(&sb)?, before + 1);
    // With the cache off there is nothing to clear.
    let mut cmd = sfmc();
    cmd.args(["--token-cache", "off", "token", "clear"]);
    let run = run_with_limit(cmd, Duration::from_secs(60))?;
    assert_eq!(run.code, Some(2), "{}", run.describe());
    Ok(())
}

#[test]
fn the_cache_is_on_by_default_and_off_for_the_in_process_sandbox() -> R {
    let sb = sandbox(7500, 7599)?;
    let home = tempfile::tempdir()?;
    let cache = home.path().join("xdg");
    let default_dir = cache.join("sfmc").join("tokens");
    let with_home = |mut cmd: Command| {
        cmd.env_remove("SFMC_TOKEN_CACHE")
            .env("HOME", home.path())
            .env("XDG_CACHE_HOME", &cache);
        cmd
    };
    // `--sandbox`: nothing in the user's cache.
    let run = run_with_limit(
        with_home({
            let mut c = sfmc();
            c.args(["--sandbox", "cancel-send", "29605"]);
            c
        }),
        Duration::from_secs(60),
    )?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert!(!default_dir.exists());
    // An external service with client credentials: cached there by default.
    let mut cmd = sfmc();
    cmd.args(["--endpoint", &sb.soap_url])
        .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
        .args(["cancel-send", "7500"]);
    let run = run_with_limit(with_home(cmd), Duration::from_secs(60))?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(mode(&token_file(&default_dir)?), 0o600);
    assert_eq!(mode(&default_dir), 0o700);
    // `SFMC_TOKEN_CACHE=off`: no token from it, none written.
    fs::remove_file(token_file(&default_dir)?)?;
    let before = token_requests(&sb)?;
    for id in [7501, 7502] {
        let mut cmd = sfmc();
        cmd.args(["--endpoint", &sb.soap_url])
            .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
            .args(["cancel-send", &id.to_string()]);
        let mut cmd = with_home(cmd);
        cmd.env("SFMC_TOKEN_CACHE", "off");
        let run = run_with_limit(cmd, Duration::from_secs(60))?;
        assert_eq!(run.code, Some(0), "{}", run.describe());
    }
    assert_eq!(token_requests(&sb)?, before + 2);
    assert!(token_file(&default_dir).is_err());
    // `--sandbox` with a directory given: cached there.
    let dir = home.path().join("explicit");
    let mut cmd = sfmc();
    cmd.arg("--token-cache")
        .arg(&dir)
        .args(["--sandbox", "cancel-send", "29605"]);
    let run = run_with_limit(cmd, Duration::from_secs(60))?;
    assert_eq!(run.code, Some(0), "{}", run.describe());
    assert_eq!(mode(&token_file(&dir)?), 0o600);
    Ok(())
}
