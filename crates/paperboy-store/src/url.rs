//! [`DatabaseUrl`]: which database a store opens, parsed from the `database_url`
//! setting.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::Backend;

/// The file name of the SQLite database inside the data directory.
pub const DATABASE_FILE: &str = "paperboy.db";

/// Where the database is.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file (`sqlite:PATH`).
    Sqlite(PathBuf),
    /// A PostgreSQL server (`postgres://user:pass@host:5432/db`), as given.
    Postgres(String),
}

/// A `database_url` that names no database paperboy can open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "database_url {shown:?} is not a database paperboy can open: {reason}; use \
     postgres://USER:PASSWORD@HOST:5432/DATABASE or sqlite:PATH"
)]
pub struct DatabaseUrlError {
    shown: String,
    reason: &'static str,
}

impl DatabaseUrl {
    /// The SQLite database in `data_dir`: the default when no URL is set.
    pub fn in_data_dir(data_dir: &Path) -> Self {
        Self::Sqlite(data_dir.join(DATABASE_FILE))
    }

    /// The engine it names.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// True when `self` and `other` name the same database: the same SQLite file
    /// (however the path is written) or the same PostgreSQL URL.
    pub fn same_database(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Sqlite(a), Self::Sqlite(b)) => a == b || absolute_file(a) == absolute_file(b),
            (Self::Postgres(a), Self::Postgres(b)) => {
                a.trim_end_matches('/') == b.trim_end_matches('/')
            }
            _ => false,
        }
    }
}

impl FromStr for DatabaseUrl {
    type Err = DatabaseUrlError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let error = |reason| DatabaseUrlError {
            shown: paperboy_core::endpoint::hide_password(text),
            reason,
        };
        if let Some(rest) = text.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(error("it names no file"));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        for scheme in ["postgres://", "postgresql://"] {
            if let Some(rest) = text.strip_prefix(scheme) {
                let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
                if host.is_empty() || host.starts_with('/') && !host.contains("host=") {
                    return Err(error("it names no server"));
                }
                return Ok(Self::Postgres(text.to_owned()));
            }
        }
        Err(error("unknown scheme"))
    }
}

/// `path` with symbolic links and `.`/`..` resolved, as far as it exists (a file not
/// created yet resolves through its directory).
fn absolute_file(path: &Path) -> Option<PathBuf> {
    if let Ok(resolved) = path.canonicalize() {
        return Some(resolved);
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.canonicalize().ok()?,
        _ => std::env::current_dir().ok()?,
    };
    Some(dir.join(path.file_name()?))
}

impl std::fmt::Display for DatabaseUrl {
    /// Shown in logs and errors: the password never is.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            Self::Postgres(text) => f.write_str(&paperboy_core::endpoint::hide_password(text)),
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_parse() {
        assert_eq!(
            "sqlite:/var/lib/paperboy/p.db".parse::<DatabaseUrl>(),
            Ok(DatabaseUrl::Sqlite("/var/lib/paperboy/p.db".into()))
        );
        assert_eq!(
            "sqlite://data/p.db?mode=rwc".parse::<DatabaseUrl>(),
            Ok(DatabaseUrl::Sqlite("data/p.db".into()))
        );
        let pg: DatabaseUrl = "postgres://pb:secret@db.example.org:5432/papers"
            .parse()
            .unwrap();
        assert_eq!(pg.backend(), Backend::Postgres);
        assert!(
            "postgresql://localhost/papers"
                .parse::<DatabaseUrl>()
                .is_ok()
        );
    }

    #[test]
    fn passwords_are_never_shown() {
        let pg: DatabaseUrl = "postgres://pb:secret@db:5432/papers".parse().unwrap();
        assert_eq!(pg.to_string(), "postgres://pb:***@db:5432/papers");
        assert!(!format!("{pg:?}").contains("secret"));
        let err = "postgres://pb:secret@".parse::<DatabaseUrl>().unwrap_err();
        let err = err.to_string();
        assert!(
            !err.contains("secret") && err.contains("names no server"),
            "{err}"
        );
    }

    #[test]
    fn the_same_database_is_recognised_however_it_is_written() {
        let dir = std::env::temp_dir();
        let a = DatabaseUrl::Sqlite(dir.join("pb-same.db"));
        let b = DatabaseUrl::Sqlite(dir.join(".").join("pb-same.db"));
        assert!(a.same_database(&b));
        assert!(!a.same_database(&DatabaseUrl::Sqlite(dir.join("pb-other.db"))));
        let pg: DatabaseUrl = "postgres://u@h/db".parse().unwrap();
        assert!(pg.same_database(&"postgres://u@h/db".parse().unwrap()));
        assert!(!pg.same_database(&"postgres://u@h/other".parse().unwrap()));
        assert!(!pg.same_database(&a));
    }

    #[test]
    fn other_schemes_are_refused_with_the_accepted_forms() {
        for bad in ["mysql://x/y", "papers.db", "sqlite:", ""] {
            let err = bad.parse::<DatabaseUrl>().unwrap_err().to_string();
            assert!(err.contains("postgres://USER"), "{bad}: {err}");
        }
    }
}
