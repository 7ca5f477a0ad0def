//! A real PostgreSQL server for tests.
//!
//! The tests of the PostgreSQL backend need a server. [`admin_url`] finds one:
//! `$PAPERBOY_TEST_POSTGRES_URL` (CI starts a throwaway cluster and names it there),
//! else a private cluster this test process starts once with the installed
//! PostgreSQL binaries ([`PgCluster`]) and that goes away with the process. Each test
//! then takes a fresh, empty database of its own ([`fresh_database`]).
//!
//! Where no PostgreSQL is installed the PostgreSQL variants print why and return
//! early, unless `PAPERBOY_REQUIRE_POSTGRES=1` (set by `.ci/run`), which makes that
//! a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The environment variable naming a server to use instead of a private cluster:
/// a URL of a superuser (it creates databases), e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`.
pub const SERVER_ENV: &str = "PAPERBOY_TEST_POSTGRES_URL";
/// When set to 1, a missing PostgreSQL fails the tests instead of skipping them.
pub const REQUIRE_ENV: &str = "PAPERBOY_REQUIRE_POSTGRES";

/// The directory holding `initdb`, `postgres` and `pg_ctl`: `$PAPERBOY_PG_BIN`, else
/// what `pg_config --bindir` says, else the newest `/usr/lib/postgresql/*/bin`.
pub fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PAPERBOY_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|dir| dir.join("initdb").is_file());
    if from_pg_config.is_some() {
        return from_pg_config;
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// The numeric user and group ids of the `postgres` account.
fn postgres_account() -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.first() == Some(&"postgres") && fields.len() > 3)
            .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
            .flatten()
    })
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            == Some("0")
    })
}

/// A PostgreSQL cluster of its own, on loopback, in a temporary directory, tuned
/// for tests (no fsync). PostgreSQL refuses to run as root; as root the cluster runs
/// as the `postgres` account. Stopped and deleted when dropped, and (through a small
/// watchdog script) when the test process dies without dropping it.
#[derive(Debug)]
pub struct PgCluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl PgCluster {
    /// Creates and starts a cluster; the reason it could not, otherwise.
    pub fn start() -> Result<Self, String> {
        let bin = bin_dir().ok_or(
            "no PostgreSQL binaries found (install the Debian package postgresql, or set PAPERBOY_PG_BIN)",
        )?;
        let as_postgres = running_as_root();
        let dir = tempfile::Builder::new()
            .prefix("paperboy-pg-")
            .tempdir()
            .map_err(|e| format!("temporary directory: {e}"))?
            .keep();
        if as_postgres {
            let (uid, gid) = postgres_account()
                .ok_or("running as root and there is no `postgres` account to run PostgreSQL as")?;
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                .map_err(|e| format!("chown {}: {e}", dir.display()))?;
        }
        let port = free_port()?;
        let cluster = Self {
            bin,
            dir,
            port,
            as_postgres,
        };
        let data = cluster.data_dir();
        let status = cluster
            .command("initdb")
            .args([
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !status.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&status.stderr)
            ));
        }
        cluster.resume()?;
        Ok(cluster)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// A command running `program` from the PostgreSQL binaries, as `postgres`
    /// when this process is root.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    /// Starts the server (again, after [`PgCluster::stop`]) and waits until it
    /// accepts connections.
    pub fn resume(&self) -> Result<(), String> {
        let data = self.data_dir();
        let postgres = self.bin.join("postgres");
        // The watchdog: runs the server, stops it when this process is gone, and
        // then deletes the cluster.
        let script = format!(
            "\"{postgres}\" -D \"{data}\" -p {port} -k \"{dir}\" -c listen_addresses=127.0.0.1 \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 \
             -c shared_buffers=64MB >\"{dir}/server.log\" 2>&1 & pg=$!; \
             while [ -d /proc/{parent} ] && kill -0 $pg 2>/dev/null; do sleep 0.2; done; \
             kill -INT $pg 2>/dev/null; wait $pg; \
             [ -d /proc/{parent} ] || rm -rf \"{dir}\"",
            postgres = postgres.display(),
            data = data.display(),
            dir = self.dir.display(),
            port = self.port,
            parent = std::process::id(),
        );
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--", "sh", "-c", &script]);
            command
        } else {
            let mut command = Command::new("sh");
            command.args(["-c", &script]);
            command
        };
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting postgres: {e}"))?;
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() && self.is_ready() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "postgres did not start within 30 s: {}",
            std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
        ))
    }

    fn is_ready(&self) -> bool {
        self.command("pg_isready")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Stops the server (fast shutdown: open connections are cut) and waits until it
    /// is gone.
    pub fn stop(&self) {
        let _ = self
            .command("pg_ctl")
            .args(["stop", "-m", "fast", "-w", "-D"])
            .arg(self.data_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// The URL of the superuser on database `database`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// The cluster's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub(crate) fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("local address: {e}"))?
        .port();
    Ok(port)
}

/// The superuser URL of the server the tests use, or why there is none.
pub fn admin_url() -> Result<&'static str, String> {
    static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
    let server = SERVER.get_or_init(|| {
        if let Ok(url) = std::env::var(SERVER_ENV) {
            return Ok(url);
        }
        let cluster = PgCluster::start()?;
        let url = cluster.url("postgres");
        // The cluster lives as long as the process; its watchdog cleans up.
        std::mem::forget(cluster);
        Ok(url)
    });
    server.as_ref().map(String::as_str).map_err(Clone::clone)
}

/// Prints why PostgreSQL tests are skipped, or panics when they are required.
pub fn skip_or_fail(reason: &str) {
    let required = std::env::var(REQUIRE_ENV).is_ok_and(|v| v == "1");
    assert!(
        !required,
        "PostgreSQL is required ({REQUIRE_ENV}=1) but unavailable: {reason}"
    );
    eprintln!(
        "skipping the PostgreSQL variant: {reason} (set {SERVER_ENV}, or install PostgreSQL)"
    );
}

/// Creates a new empty database on the test server and returns its URL; `None`
/// (after [`skip_or_fail`]) when there is no server.
pub async fn fresh_database() -> Option<String> {
    let admin = match admin_url() {
        Ok(url) => url,
        Err(reason) => {
            skip_or_fail(&reason);
            return None;
        }
    };
    Some(create_database(admin).await)
}

/// Creates a new empty database on the server `admin` points at; returns its URL.
pub async fn create_database(admin: &str) -> String {
    use sqlx::Connection;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "pb_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    );
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .unwrap_or_else(|e| panic!("connecting to the test server {admin}: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' STRATEGY file_copy"
    )))
    .execute(&mut conn)
    .await
    .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
    let _ = conn.close().await;
    match admin.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("{SERVER_ENV} must end in /DATABASE: {admin}"),
    }
}
