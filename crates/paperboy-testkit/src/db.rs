//! [`TestDb`]: an empty database of either backend for one test, and
//! [`on_both_backends!`](crate::on_both_backends), which runs a test against each.

use std::sync::Arc;

use paperboy_core::{Clock, FixedClock};
use paperboy_store::{Backend, DatabaseUrl, Store, StoreOptions};

use crate::postgres;

/// An empty database for one test: a SQLite file in a temporary directory, or a new
/// database on the test PostgreSQL server.
#[derive(Debug)]
pub struct TestDb {
    /// Where it is.
    pub url: DatabaseUrl,
    /// The temporary directory (SQLite's file lives in it; tests may put an index
    /// or a data dir there too).
    pub dir: tempfile::TempDir,
}

/// The time test stores start at unless a test sets its own clock.
pub const TEST_NOW: &str = "2026-01-10T12:00:00Z";

impl TestDb {
    /// A new empty database of `backend`; `None` (with the reason printed) when that
    /// backend is not available here.
    pub async fn new(backend: Backend) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = match backend {
            Backend::Sqlite => DatabaseUrl::Sqlite(dir.path().join("test.db")),
            Backend::Postgres => {
                let url = postgres::fresh_database().await?;
                url.parse().expect("the test server's URL parses")
            }
        };
        Some(Self { url, dir })
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    /// Opens the database with `clock`.
    pub async fn open_with(&self, clock: Arc<dyn Clock>) -> Store {
        Store::connect(
            &self.url,
            StoreOptions {
                clock,
                ..StoreOptions::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("opening {}: {e}", self.url))
    }

    /// Opens the database with a clock fixed at [`TEST_NOW`].
    pub async fn open(&self) -> Store {
        self.open_with(Arc::new(FixedClock::new(
            TEST_NOW.parse().expect("TEST_NOW parses"),
        )))
        .await
    }

    /// The URL as the `database_url` setting (and `--database-url`) take it.
    pub fn url_setting(&self) -> String {
        match &self.url {
            DatabaseUrl::Sqlite(path) => format!("sqlite:{}", path.display()),
            DatabaseUrl::Postgres(url) => url.clone(),
        }
    }

    /// Runs `sql` (several statements allowed) outside the store, for tests that
    /// tamper with a database the way an operator or another version might.
    pub async fn raw_execute(&self, sql: &str) {
        use sqlx::Connection;
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn =
                    sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
                        .await
                        .expect("sqlite connects");
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .expect("raw SQL runs");
            }
            DatabaseUrl::Postgres(url) => {
                let mut conn = sqlx::PgConnection::connect(url)
                    .await
                    .expect("postgres connects");
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .expect("raw SQL runs");
            }
        }
    }
}

/// Generates, for each named `async fn NAME(db: TestDb)`, one `#[tokio::test]` per
/// backend: `sqlite::NAME` and `postgres::NAME` (which skips, saying why, where no
/// PostgreSQL is available, and fails then when `PAPERBOY_REQUIRE_POSTGRES=1`).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[::tokio::test]
                async fn $name() {
                    let db = $crate::db::TestDb::new(::paperboy_store::Backend::Sqlite)
                        .await
                        .expect("SQLite is always available");
                    super::$name(db).await;
                }
            )+
        }
        mod postgres {
            $(
                #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = $crate::db::TestDb::new(::paperboy_store::Backend::Postgres).await {
                        super::$name(db).await;
                    }
                }
            )+
        }
    };
}
