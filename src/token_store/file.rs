//! [`FileTokenStore`]: tokens in files, one per key, in a private directory, shared by the
//! processes of one user on one machine (Unix).
//!
//! In the directory (created with mode 0700; refused if it is a symbolic link, another user's,
//! or open to the group or others), for each key ([`TokenKey::as_str`], 32 hexadecimal digits):
//!
//! - `KEY.json`: the [record](StoredToken::to_record) (access token, times, instance URLs, the
//!   key's four values; never the client secret), mode 0600, written atomically (a temporary
//!   file in the same directory, flushed to disk, renamed over the old one);
//! - `KEY.refresh.lock`: the refresh lock ([`TokenStore::lock`]), an advisory file lock
//!   (`flock`) that the kernel releases when its holder exits, however it exits;
//! - `KEY.write.lock`: held for the few microseconds of a save or an invalidation, so that an
//!   invalidation never removes a token saved a moment before.
//!
//! A token file that cannot be trusted is ignored with a warning (`tracing`, target
//! `sfmc_partnerapi::token_store`) and replaced by the next save: a symbolic link (never
//! followed), not a regular file, another user's, readable or writable by the group or others,
//! larger than 64 KiB, truncated, not a record, or a record for another key.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read as _, Write as _};
use std::os::unix::fs::{
    DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _, PermissionsExt,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{
    RefreshLock, StoreError, StoreErrorKind, StoreFuture, StoredToken, TokenKey, TokenStore,
};

/// The `tracing` target of the store's warnings.
const TARGET: &str = "sfmc_partnerapi::token_store";
/// The largest token file read (a record is well under 4 KiB).
const MAX_RECORD_BYTES: u64 = 64 << 10;
/// The longest wait for a key's write lock (held for microseconds by a save or invalidation).
const WRITE_LOCK_WAIT: Duration = Duration::from_secs(2);
/// Polling of a busy lock: from this interval, doubling, up to the next.
const POLL_FIRST: Duration = Duration::from_millis(2);
const POLL_MAX: Duration = Duration::from_millis(25);

/// Tokens in files under one directory; see the [module](self) docs for the layout and what is
/// trusted.
///
/// ```no_run
/// use sfmc_partnerapi::token_store::FileTokenStore;
/// use sfmc_partnerapi::Client;
///
/// # fn demo() -> Result<(), sfmc_partnerapi::Error> {
/// let dir = FileTokenStore::default_dir().unwrap_or_else(|| "/tmp/my-app-tokens".into());
/// let client = Client::builder()
///     .subdomain("mc563885gzs27c5t9-63k636ttgm")
///     .client_credentials("CLIENT_ID", "CLIENT_SECRET")
///     .token_store(FileTokenStore::new(dir))
///     .build()?;
/// # Ok(())
/// # }
/// ```
///
/// File operations are small and run on the calling task (a few system calls, one `fsync` per
/// save).
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    dir: PathBuf,
}

impl FileTokenStore {
    /// A store in `dir` (created on first use, with mode 0700, parents included).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The user's cache directory for tokens: `$XDG_CACHE_HOME/sfmc/tokens` (when it is an
    /// absolute path), else `$HOME/.cache/sfmc/tokens`; `None` without either.
    pub fn default_dir() -> Option<PathBuf> {
        default_dir_from(std::env::var_os("XDG_CACHE_HOME"), std::env::var_os("HOME"))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file holding the token for `key`.
    pub fn token_path(&self, key: &TokenKey) -> PathBuf {
        self.dir.join(format!("{}.json", key.as_str()))
    }

    /// Removes every file this store wrote in its directory (token files, lock files, temporary
    /// files left by an interrupted save), and nothing else; the directory stays. The paths
    /// removed, in name order. A missing directory has nothing to remove.
    pub fn clear(&self) -> Result<Vec<PathBuf>, StoreError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io_error("cannot list", &self.dir, e)),
        };
        let mut removed = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| self.io_error("cannot list", &self.dir, e))?;
            let name = entry.file_name();
            if !name.to_str().is_some_and(is_store_file_name) {
                continue;
            }
            let path = entry.path();
            // `remove_file` removes a symbolic link itself, never what it points to.
            match fs::remove_file(&path) {
                Ok(()) => removed.push(path),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(self.io_error("cannot remove", &path, e)),
            }
        }
        removed.sort();
        Ok(removed)
    }

    fn io_error(&self, doing: &str, path: &Path, e: io::Error) -> StoreError {
        StoreError::new(
            StoreErrorKind::Io,
            format!("{doing} {}: {e}", path.display()),
        )
        .with_source(e)
    }

    fn lock_path(&self, key: &TokenKey, which: &str) -> PathBuf {
        self.dir.join(format!("{}.{which}.lock", key.as_str()))
    }

    /// Creates the directory if need be and checks it: a directory (not a symbolic link), this
    /// user's, closed to the group and others. A directory that fails the check is refused, not
    /// repaired: someone else may be able to read or plant tokens there.
    fn ensure_dir(&self) -> Result<(), StoreError> {
        let meta = match fs::symlink_metadata(&self.dir) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(&self.dir)
                    .map_err(|e| self.io_error("cannot create", &self.dir, e))?;
                fs::symlink_metadata(&self.dir)
                    .map_err(|e| self.io_error("cannot read", &self.dir, e))?
            }
            Err(e) => return Err(self.io_error("cannot read", &self.dir, e)),
        };
        let unsafe_dir = |why: String| {
            StoreError::new(
                StoreErrorKind::Unsafe,
                format!(
                    "the token cache directory {} {why}; not using it (give a directory of your \
                     own with mode 0700)",
                    self.dir.display()
                ),
            )
        };
        if meta.file_type().is_symlink() {
            return Err(unsafe_dir("is a symbolic link".into()));
        }
        if !meta.is_dir() {
            return Err(unsafe_dir("is not a directory".into()));
        }
        if meta.uid() != euid() {
            return Err(unsafe_dir(format!("belongs to user {}", meta.uid())));
        }
        if meta.mode() & 0o077 != 0 {
            return Err(unsafe_dir(format!(
                "is open to the group or others (mode {:04o})",
                meta.mode() & 0o7777
            )));
        }
        Ok(())
    }

    /// The token file's record for `key`, if the file exists and can be trusted; otherwise a
    /// warning and `None`.
    fn read_trusted(&self, key: &TokenKey) -> Result<Option<StoredToken>, StoreError> {
        let path = self.token_path(key);
        let ignore = |why: &str| {
            tracing::warn!(
                target: TARGET,
                file = %path.display(),
                "token cache file {why}; ignoring it (the next token replaces it)"
            );
            Ok(None)
        };
        let mut file = match OpenOptions::new()
            .read(true)
            // Never follow a link; never wait on a FIFO.
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&path)
        {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return ignore("is a symbolic link"),
            Err(e) => return Err(self.io_error("cannot open", &path, e)),
        };
        let meta = file
            .metadata()
            .map_err(|e| self.io_error("cannot read", &path, e))?;
        if !meta.is_file() {
            return ignore("is not a regular file");
        }
        if meta.uid() != euid() {
            return ignore(&format!("belongs to user {}", meta.uid()));
        }
        if meta.mode() & 0o077 != 0 {
            return ignore(&format!(
                "is open to the group or others (mode {:04o})",
                meta.mode() & 0o7777
            ));
        }
        let mut bytes = Vec::new();
        (&mut file)
            .take(MAX_RECORD_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| self.io_error("cannot read", &path, e))?;
        if bytes.len() as u64 > MAX_RECORD_BYTES {
            return ignore("is larger than a token record");
        }
        match StoredToken::from_record(key, &bytes) {
            Ok(token) => Ok(Some(token)),
            Err(e) if e.kind() == StoreErrorKind::OtherKey => {
                ignore("holds a token for another client, account, scope or token URL")
            }
            Err(e) => ignore(&format!("is not a token record ({})", e.message())),
        }
    }

    /// Writes `record` as the token file of `key`: a new file of mode 0600 beside it, flushed to
    /// disk, renamed over it (which replaces a link or another file, never writes through it),
    /// then the directory flushed.
    fn write_atomically(&self, key: &TokenKey, record: &str) -> Result<(), StoreError> {
        let path = self.token_path(key);
        let temp = self.dir.join(format!(
            ".{}.{}.{:016x}.tmp",
            key.as_str(),
            std::process::id(),
            fastrand::u64(..)
        ));
        let written = (|| -> io::Result<()> {
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&temp)?;
            // The mode asked for at creation passes through the umask: set it as meant.
            file.set_permissions(fs::Permissions::from_mode(0o600))?;
            file.write_all(record.as_bytes())?;
            file.sync_all()?;
            fs::rename(&temp, &path)?;
            File::open(&self.dir)?.sync_all()
        })();
        written.map_err(|e| {
            let _ = fs::remove_file(&temp);
            self.io_error("cannot write", &path, e)
        })
    }

    /// The lock file `path` (created with mode 0600), locked within `wait`, or `None`.
    async fn acquire(&self, path: PathBuf, wait: Duration) -> Result<Option<FileLock>, StoreError> {
        let file = self.open_lock_file(&path)?;
        let deadline = Instant::now() + wait;
        let mut pause = POLL_FIRST;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(FileLock { file, path })),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(self.io_error("cannot lock", &path, e)),
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            // A little jitter, so that waiting processes do not poll in step.
            let jitter = Duration::from_micros(fastrand::u64(0..=pause.as_micros() as u64 / 2));
            tokio::time::sleep((pause + jitter).min(deadline - now)).await;
            pause = (pause * 2).min(POLL_MAX);
        }
    }

    /// Opens (or creates) a lock file; one that is a link, not a regular file or another
    /// user's is removed and created anew, once.
    fn open_lock_file(&self, path: &Path) -> Result<File, StoreError> {
        let open = || {
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
                .open(path)
        };
        let trusted = |file: &File| {
            file.metadata()
                .is_ok_and(|m| m.is_file() && m.uid() == euid())
        };
        match open() {
            Ok(file) if trusted(&file) => return Ok(file),
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {}
            Err(e) => return Err(self.io_error("cannot open", path, e)),
        }
        tracing::warn!(
            target: TARGET,
            file = %path.display(),
            "token cache lock file is a link, not a regular file or another user's; replacing it"
        );
        fs::remove_file(path).map_err(|e| self.io_error("cannot remove", path, e))?;
        match open() {
            Ok(file) if trusted(&file) => Ok(file),
            Ok(_) => Err(StoreError::new(
                StoreErrorKind::Unsafe,
                format!("the lock file {} cannot be trusted", path.display()),
            )),
            Err(e) => Err(self.io_error("cannot open", path, e)),
        }
    }

    /// The write lock of `key` (for a save or an invalidation).
    async fn write_lock(&self, key: &TokenKey) -> Result<FileLock, StoreError> {
        let path = self.lock_path(key, "write");
        match self.acquire(path.clone(), WRITE_LOCK_WAIT).await? {
            Some(lock) => Ok(lock),
            None => Err(StoreError::new(
                StoreErrorKind::Unavailable,
                format!(
                    "the write lock {} stayed busy for {} s",
                    path.display(),
                    WRITE_LOCK_WAIT.as_secs()
                ),
            )),
        }
    }
}

/// `$XDG_CACHE_HOME/sfmc/tokens` if absolute, else `$HOME/.cache/sfmc/tokens` if absolute.
fn default_dir_from(
    xdg_cache_home: Option<std::ffi::OsString>,
    home: Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    let absolute = |v: Option<std::ffi::OsString>| v.map(PathBuf::from).filter(|p| p.is_absolute());
    let cache = absolute(xdg_cache_home).or_else(|| absolute(home).map(|h| h.join(".cache")))?;
    Some(cache.join("sfmc").join("tokens"))
}

/// Whether `name` is one of the files a [`FileTokenStore`] writes.
fn is_store_file_name(name: &str) -> bool {
    let is_key = |s: &str| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(key) = name
        .strip_suffix(".json")
        .or_else(|| name.strip_suffix(".refresh.lock"))
        .or_else(|| name.strip_suffix(".write.lock"))
    {
        return is_key(key);
    }
    // `.KEY.PID.RANDOM.tmp`
    name.strip_prefix('.')
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .and_then(|rest| rest.split('.').next())
        .is_some_and(is_key)
}

/// The effective user ID of this process.
fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail (POSIX).
    unsafe { libc::geteuid() }
}

/// A held lock file: unlocked by [`RefreshLock::release`], or by the kernel when the file is
/// closed (drop, or the process's exit, however it exits).
struct FileLock {
    file: File,
    path: PathBuf,
}

impl std::fmt::Debug for FileLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileLock")
            .field("path", &self.path)
            .finish()
    }
}

impl RefreshLock for FileLock {
    fn release(self: Box<Self>) -> StoreFuture<'static, ()> {
        let result = self.file.unlock().map_err(|e| {
            StoreError::new(
                StoreErrorKind::Io,
                format!("cannot unlock {}: {e}", self.path.display()),
            )
            .with_source(e)
        });
        drop(self);
        Box::pin(async move { result })
    }
}

impl TokenStore for FileTokenStore {
    fn load<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, Option<StoredToken>> {
        Box::pin(async move {
            self.ensure_dir()?;
            self.read_trusted(key)
        })
    }

    fn save<'a>(&'a self, key: &'a TokenKey, token: &'a StoredToken) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.ensure_dir()?;
            let lock = self.write_lock(key).await?;
            let written = self.write_atomically(key, &token.to_record(key));
            drop(lock);
            written
        })
    }

    fn invalidate<'a>(
        &'a self,
        key: &'a TokenKey,
        token: &'a StoredToken,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            self.ensure_dir()?;
            let lock = self.write_lock(key).await?;
            let removed = match self.read_trusted(key)? {
                Some(stored) if stored.same_token(token) => {
                    let path = self.token_path(key);
                    match fs::remove_file(&path) {
                        Ok(()) => true,
                        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
                        Err(e) => return Err(self.io_error("cannot remove", &path, e)),
                    }
                }
                _ => false,
            };
            drop(lock);
            Ok(removed)
        })
    }

    fn lock<'a>(
        &'a self,
        key: &'a TokenKey,
        wait: Duration,
    ) -> StoreFuture<'a, Option<Box<dyn RefreshLock>>> {
        Box::pin(async move {
            self.ensure_dir()?;
            let lock = self.acquire(self.lock_path(key, "refresh"), wait).await?;
            Ok(lock.map(|l| Box::new(l) as Box<dyn RefreshLock>))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::{ExposeSecret as _, SecretString};
    use std::os::unix::fs::symlink;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::SystemTime;

    fn key(n: i64) -> TokenKey {
        TokenKey::new("http://127.0.0.1:9/v2/token", "client", Some(n), None)
    }

    fn token(text: &str) -> StoredToken {
        let issued_at = SystemTime::now();
        StoredToken {
            access_token: SecretString::from(text.to_string()),
            issued_at,
            expires_at: issued_at + Duration::from_secs(600),
            soap_instance_url: Some("http://127.0.0.1:9/".into()),
            rest_instance_url: None,
        }
    }

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().mode() & 0o7777
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn saves_atomically_with_private_modes() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b/tokens");
        let store = FileTokenStore::new(&dir);
        assert!(store.load(&key(1)).await.unwrap().is_none());
        assert_eq!(mode(&dir), 0o700);
        store.save(&key(1), &token("tok-1")).await.unwrap();
        let path = store.token_path(&key(1));
        assert_eq!(mode(&path), 0o600);
        let back = store.load(&key(1)).await.unwrap().unwrap();
        assert_eq!(back.access_token.expose_secret(), "tok-1");
        // Replaced whole: a new inode each time, no temporary file left.
        let before = fs::metadata(&path).unwrap().ino();
        store.save(&key(1), &token("tok-2")).await.unwrap();
        assert_ne!(fs::metadata(&path).unwrap().ino(), before);
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
        assert!(names.iter().all(|n| is_store_file_name(n)), "{names:?}");
        // Another key is another file.
        assert!(store.load(&key(2)).await.unwrap().is_none());
        // Invalidation removes only the same token.
        assert!(!store.invalidate(&key(1), &token("tok-1")).await.unwrap());
        assert!(store.invalidate(&key(1), &token("tok-2")).await.unwrap());
        assert!(store.load(&key(1)).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn untrusted_files_are_ignored_and_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("tokens");
        let store = FileTokenStore::new(&dir);
        let k = key(1);
        store.save(&k, &token("good")).await.unwrap();
        let path = store.token_path(&k);
        let good = fs::read(&path).unwrap();
        let target = tmp.path().join("elsewhere.json");
        fs::write(&target, &good).unwrap();
        type Plant<'a> = Box<dyn Fn() + 'a>;
        let planted: Vec<(&str, Plant)> = vec![
            (
                "truncated",
                Box::new(|| fs::write(&path, &good[..good.len() / 2]).unwrap()),
            ),
            (
                "another shape",
                Box::new(|| fs::write(&path, b"{\"access_token\":\"x\"}").unwrap()),
            ),
            (
                "another key",
                Box::new(|| fs::write(&path, token("other").to_record(&key(2))).unwrap()),
            ),
            (
                "mode 0644",
                Box::new(|| {
                    fs::write(&path, &good).unwrap();
                    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
                }),
            ),
            (
                "a symlink",
                Box::new(|| {
                    let _ = fs::remove_file(&path);
                    symlink(&target, &path).unwrap();
                }),
            ),
            (
                "a directory",
                Box::new(|| {
                    let _ = fs::remove_file(&path);
                    fs::create_dir(&path).unwrap();
                }),
            ),
            (
                "too large",
                Box::new(|| fs::write(&path, vec![b' '; 70_000]).unwrap()),
            ),
        ];
        for (what, plant) in planted {
            if path.is_dir() {
                fs::remove_dir(&path).unwrap();
            } else {
                let _ = fs::remove_file(&path);
            }
            plant();
            assert!(store.load(&k).await.unwrap().is_none(), "{what} trusted");
            if what == "a directory" {
                fs::remove_dir(&path).unwrap();
            }
            store.save(&k, &token("fresh")).await.unwrap();
            let back = store.load(&k).await.unwrap().unwrap();
            assert_eq!(back.access_token.expose_secret(), "fresh", "{what}");
            assert_eq!(mode(&path), 0o600, "{what}");
            assert!(fs::symlink_metadata(&path).unwrap().is_file(), "{what}");
        }
        // The symlink's target was never written.
        assert_eq!(fs::read(&target).unwrap(), good);
    }

    #[tokio::test]
    async fn an_unsafe_directory_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let open = tmp.path().join("open");
        fs::create_dir(&open).unwrap();
        fs::set_permissions(&open, fs::Permissions::from_mode(0o755)).unwrap();
        let store = FileTokenStore::new(&open);
        let e = store.load(&key(1)).await.unwrap_err();
        assert_eq!(e.kind(), StoreErrorKind::Unsafe);
        assert!(e.to_string().contains("mode 0755"), "{e}");
        assert!(store.save(&key(1), &token("t")).await.is_err());
        assert!(
            fs::read_dir(&open).unwrap().next().is_none(),
            "nothing written"
        );

        let private = tmp.path().join("private");
        fs::create_dir(&private).unwrap();
        fs::set_permissions(&private, fs::Permissions::from_mode(0o700)).unwrap();
        let link = tmp.path().join("link");
        symlink(&private, &link).unwrap();
        let e = FileTokenStore::new(&link).load(&key(1)).await.unwrap_err();
        assert_eq!(e.kind(), StoreErrorKind::Unsafe);
        assert!(e.to_string().contains("symbolic link"), "{e}");
    }

    #[test]
    fn the_refresh_lock_is_single_flight_across_threads() {
        let tmp = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(tmp.path().join("tokens"));
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (store, inside, most) = (store.clone(), inside.clone(), most.clone());
                std::thread::spawn(move || {
                    runtime().block_on(async {
                        for _ in 0..5 {
                            let lock = store
                                .lock(&key(1), Duration::from_secs(60))
                                .await
                                .unwrap()
                                .expect("the lock within 60 s");
                            let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(now, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(2));
                            inside.fetch_sub(1, Ordering::SeqCst);
                            lock.release().await.unwrap();
                        }
                    })
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_busy_lock_is_waited_for_a_bounded_time_and_freed_by_drop() {
        let tmp = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(tmp.path().join("tokens"));
        let held = store.lock(&key(1), Duration::from_secs(5)).await.unwrap();
        assert!(held.is_some());
        let started = Instant::now();
        let other = store
            .lock(&key(1), Duration::from_millis(50))
            .await
            .unwrap();
        assert!(other.is_none());
        assert!(started.elapsed() >= Duration::from_millis(50));
        // Another key's lock is free.
        assert!(store.lock(&key(2), Duration::ZERO).await.unwrap().is_some());
        drop(held);
        assert!(store.lock(&key(1), Duration::ZERO).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn clear_removes_only_the_store_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("tokens");
        let store = FileTokenStore::new(&dir);
        store.save(&key(1), &token("a")).await.unwrap();
        store.save(&key(2), &token("b")).await.unwrap();
        drop(store.lock(&key(1), Duration::ZERO).await.unwrap());
        fs::write(dir.join("notes.txt"), "mine").unwrap();
        fs::write(dir.join(format!(".{}.1.2.tmp", key(3).as_str())), "x").unwrap();
        let removed = store.clear().unwrap();
        // Two tokens, their write locks, one refresh lock, one temporary file.
        assert_eq!(removed.len(), 6, "{removed:?}");
        let left: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("notes.txt")]);
        assert!(FileTokenStore::new(tmp.path().join("none"))
            .clear()
            .unwrap()
            .is_empty());
    }

    #[test]
    fn default_dir_follows_xdg_then_home() {
        let d = |x: Option<&str>, h: Option<&str>| {
            default_dir_from(x.map(Into::into), h.map(Into::into))
        };
        assert_eq!(
            d(Some("/x/cache"), Some("/home/u")),
            Some(PathBuf::from("/x/cache/sfmc/tokens"))
        );
        assert_eq!(
            d(Some("relative"), Some("/home/u")),
            Some(PathBuf::from("/home/u/.cache/sfmc/tokens"))
        );
        assert_eq!(
            d(None, Some("/home/u")),
            Some(PathBuf::from("/home/u/.cache/sfmc/tokens"))
        );
        assert_eq!(d(None, Some("")), None);
        assert_eq!(d(None, None), None);
    }
}
