//! Settings as written: defaults, then `paperboy.toml`, then `PAPERBOY_*` environment
//! variables (the environment wins), then command-line flags where a command has
//! them. [`crate::Config`] checks them into typed values.
//!
//! Every setting is documented once, in [`DOCS`]; `paperboy config default` prints
//! them with their defaults, and a test keeps [`DOCS`] and [`Settings`] in step.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use paperboy_core::endpoint::hide_password;
use serde::{Deserialize, Serialize};

use crate::ConfigError;

/// The file read from the working directory when `--config` is not given.
pub const DEFAULT_CONFIG_FILE: &str = "paperboy.toml";

/// Every setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Where the database and indexes live.
    pub data_dir: PathBuf,
    /// The database: `postgres://…` or `sqlite:PATH`; empty: SQLite in the data dir.
    pub database_url: String,
    /// Most connections to the database per process.
    pub database_pool_size: u32,
    /// Longest a PostgreSQL statement may run, in seconds.
    pub database_statement_timeout_secs: f64,
    /// Address `serve` listens on.
    pub addr: String,
    /// Most HTTP connections `serve` keeps open at once.
    pub max_connections: u32,
    /// The public base URL, for absolute links behind a reverse proxy.
    pub public_url: String,
    /// The operator's contact address, sent in the User-Agent of upstream requests.
    pub contact_email: String,
    /// arXiv API query endpoint.
    pub arxiv_api_url: String,
    /// arXiv OAI-PMH endpoint.
    pub arxiv_oai_url: String,
    /// Seconds between requests to arXiv.
    pub arxiv_request_interval_secs: f64,
    /// OAI-PMH sets `serve` harvests on a schedule; empty turns scheduled harvests off.
    pub harvest_sets: Vec<String>,
    /// Hours between scheduled harvests.
    pub harvest_interval_hours: f64,
    /// Sentence embedder: empty (the model in the data dir, fetched on first `serve`),
    /// `none`, `local:DIR` or `http:URL`.
    pub embedder: String,
    /// Whether `serve` extracts key phrases in the background for papers without any.
    pub keyphrases: bool,
    /// Whether `serve` keeps small copies of the papers' images for the lists.
    pub thumbnails: bool,
    /// OpenAI-compatible chat completions endpoint for TL;DR summaries; empty: off.
    pub summary_llm_url: String,
    /// The model to ask the summary endpoint for; empty: the server's default.
    pub summary_llm_model: String,
    /// Bearer token for the summary endpoint; empty: none.
    pub summary_llm_api_key: String,
    /// Seconds between two summary requests.
    pub summary_llm_interval_secs: f64,
    /// Seconds one summary request may take.
    pub summary_llm_timeout_secs: f64,
    /// The GitHub REST API (`https://api.github.com`); empty: no star sampling.
    pub github_api_url: String,
    /// A GitHub token for the API; empty: none (60 requests an hour).
    pub github_token: String,
    /// Hours between two samples of a repository's stars.
    pub github_stars_interval_hours: f64,
    /// Most days after its arXiv publication a paper may be submitted.
    pub submit_max_age_days: u32,
    /// Most papers one reader may submit a day.
    pub submit_daily_cap: u32,
    /// The time zone the daily lists' days are cut in.
    pub daily_timezone: String,
    /// The hour (0-23, in `daily_timezone`) a new daily list starts.
    pub daily_start_hour: u8,
    /// Mail server: `smtp://HOST:PORT` or `smtps://USER:PASSWORD@HOST`; empty:
    /// `.eml` files in the data dir.
    pub smtp_url: String,
    /// The `From` of every email.
    pub mail_from: String,
    /// Hours after which an undelivered email is given up on.
    pub mail_give_up_hours: f64,
    /// Most emails sent per minute (0: no limit).
    pub mail_per_minute: u32,
    /// Log filter (`info`, `debug`, `paperboy=debug,sqlx=warn`).
    pub log: String,
    /// Seconds between two progress lines of a long background round in the log.
    pub log_progress_secs: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            database_url: String::new(),
            database_pool_size: 16,
            database_statement_timeout_secs: 30.0,
            addr: "127.0.0.1:8080".into(),
            max_connections: 4096,
            public_url: String::new(),
            contact_email: String::new(),
            arxiv_api_url: "https://export.arxiv.org/api/query".into(),
            arxiv_oai_url: "https://oaipmh.arxiv.org/oai".into(),
            arxiv_request_interval_secs: 3.0,
            harvest_sets: Vec::new(),
            harvest_interval_hours: 6.0,
            embedder: String::new(),
            keyphrases: true,
            thumbnails: true,
            summary_llm_url: String::new(),
            summary_llm_model: String::new(),
            summary_llm_api_key: String::new(),
            summary_llm_interval_secs: 2.0,
            summary_llm_timeout_secs: 60.0,
            github_api_url: String::new(),
            github_token: String::new(),
            github_stars_interval_hours: 6.0,
            submit_max_age_days: 14,
            submit_daily_cap: 5,
            daily_timezone: "UTC".into(),
            daily_start_hour: 0,
            smtp_url: String::new(),
            mail_from: "paperboy <paperboy@localhost>".into(),
            mail_give_up_hours: 48.0,
            mail_per_minute: 60,
            log: "info".into(),
            log_progress_secs: 30.0,
        }
    }
}

/// One documented setting.
pub struct SettingDoc {
    /// Its key in `paperboy.toml`; the environment variable is `PAPERBOY_<KEY>`.
    pub key: &'static str,
    /// What it does.
    pub doc: &'static str,
}

/// The documentation of every setting, in the order `config default` prints them.
pub const DOCS: &[SettingDoc] = &[
    SettingDoc {
        key: "data_dir",
        doc: "Directory holding the database and indexes (also --data-dir).",
    },
    SettingDoc {
        key: "database_url",
        doc: "The database: empty = SQLite in the data directory (paperboy.db); sqlite:PATH = a SQLite file elsewhere; postgres://USER:PASSWORD@HOST:5432/DATABASE = PostgreSQL, which several `paperboy serve` instances can share.",
    },
    SettingDoc {
        key: "database_pool_size",
        doc: "Most connections to the database per paperboy process (PostgreSQL: keep instances x this under the server's max_connections).",
    },
    SettingDoc {
        key: "database_statement_timeout_secs",
        doc: "Seconds a PostgreSQL statement may run before the server cancels it (and the request answers 503).",
    },
    SettingDoc {
        key: "addr",
        doc: "Address `paperboy serve` listens on (also serve --addr).",
    },
    SettingDoc {
        key: "max_connections",
        doc: "Most HTTP connections `paperboy serve` keeps open at once; more wait to be accepted.",
    },
    SettingDoc {
        key: "public_url",
        doc: "Public base URL when behind a reverse proxy, e.g. https://papers.example.org; empty: links use the request's host.",
    },
    SettingDoc {
        key: "contact_email",
        doc: "Your contact address, sent in the User-Agent of every request to arXiv, as arXiv asks.",
    },
    SettingDoc {
        key: "arxiv_api_url",
        doc: "arXiv API query endpoint (`paperboy fetch`); point it at a mirror or a test server.",
    },
    SettingDoc {
        key: "arxiv_oai_url",
        doc: "arXiv OAI-PMH endpoint (`paperboy harvest`); the legacy http://export.arxiv.org/oai2 works too.",
    },
    SettingDoc {
        key: "arxiv_request_interval_secs",
        doc: "Seconds to wait between requests to arXiv (arXiv asks for 3).",
    },
    SettingDoc {
        key: "harvest_sets",
        doc: "OAI-PMH sets `serve` harvests on a schedule, e.g. [\"cs\"]; empty turns scheduled harvesting off. Env: comma-separated.",
    },
    SettingDoc {
        key: "harvest_interval_hours",
        doc: "Hours between scheduled harvests.",
    },
    SettingDoc {
        key: "embedder",
        doc: "Semantic search embedder: empty = the all-MiniLM-L6-v2 model in <data_dir>/models (`serve` fetches it on first start), none = keyword search only, local:DIR = a sentence-transformers model directory, http:URL = an OpenAI-compatible /v1/embeddings endpoint (URL#MODEL names the model).",
    },
    SettingDoc {
        key: "keyphrases",
        doc: "Whether `serve` extracts key phrases (ai_keywords) in the background for papers that came without any; `paperboy keywords` runs the same job by hand.",
    },
    SettingDoc {
        key: "thumbnails",
        doc: "Whether `serve` fetches the image a source gives for each paper on the daily lists (an uploaded figure, else HF's thumbnail) once, keeps a small JPEG of it in the data dir and shows it on the lists; readers' browsers never call the source.",
    },
    SettingDoc {
        key: "summary_llm_url",
        doc: "OpenAI-compatible chat completions endpoint that writes one-sentence TL;DR summaries (ai_summary) of papers without one, e.g. http://127.0.0.1:8000/v1/chat/completions (vLLM, llama.cpp, Ollama); empty = no summaries.",
    },
    SettingDoc {
        key: "summary_llm_model",
        doc: "Model to ask the summary endpoint for, e.g. Qwen/Qwen2.5-7B-Instruct; empty = the server's default.",
    },
    SettingDoc {
        key: "summary_llm_api_key",
        doc: "Bearer token sent to the summary endpoint (hosted APIs); empty = none.",
    },
    SettingDoc {
        key: "summary_llm_interval_secs",
        doc: "Least seconds between two summary requests (a rate limit for the endpoint).",
    },
    SettingDoc {
        key: "summary_llm_timeout_secs",
        doc: "Seconds one summary request may take before it counts as failed.",
    },
    SettingDoc {
        key: "github_api_url",
        doc: "GitHub REST API root, https://api.github.com: `serve` samples the stars of the trending papers' code there, and trending weighs the stars gained; empty = no sampling (stars come only from imports).",
    },
    SettingDoc {
        key: "github_token",
        doc: "GitHub token sent to the API (a fine-grained token with no permissions is enough); empty = none, and GitHub allows 60 requests an hour.",
    },
    SettingDoc {
        key: "github_stars_interval_hours",
        doc: "Hours between two samples of one repository's stars.",
    },
    SettingDoc {
        key: "submit_max_age_days",
        doc: "Readers may submit a paper to the daily list within this many days of its arXiv publication.",
    },
    SettingDoc {
        key: "submit_daily_cap",
        doc: "Most papers one reader may submit to the daily lists a day.",
    },
    SettingDoc {
        key: "daily_timezone",
        doc: "Time zone of the daily lists' days: UTC, an offset such as +09:00, or a name such as Europe/Paris.",
    },
    SettingDoc {
        key: "daily_start_hour",
        doc: "Hour (0-23, in daily_timezone) at which submissions start going to the next day's list.",
    },
    SettingDoc {
        key: "smtp_url",
        doc: "Mail server for sign-in links and digests: smtp://HOST:PORT (plain, e.g. a local relay on 127.0.0.1:25), smtp://USER:PASSWORD@HOST:587?tls=required (STARTTLS) or smtps://USER:PASSWORD@HOST (TLS); empty = write each email as an .eml file into <data_dir>/mail and print sign-in links in the log.",
    },
    SettingDoc {
        key: "mail_from",
        doc: "The From of every email, e.g. \"Lab papers <papers@lab.example.org>\".",
    },
    SettingDoc {
        key: "mail_give_up_hours",
        doc: "Hours after which an email the mail server keeps refusing (or that cannot reach it) is given up on and recorded as failed.",
    },
    SettingDoc {
        key: "mail_per_minute",
        doc: "Most emails sent per minute, to stay under the mail server's limits; 0 = no limit.",
    },
    SettingDoc {
        key: "log",
        doc: "Log filter written to stderr, e.g. info, debug, paperboy=debug,sqlx=warn.",
    },
    SettingDoc {
        key: "log_progress_secs",
        doc: "Seconds between two lines in the log on the progress of a long background round while `serve` embeds papers: papers done, rate, time left.",
    },
];

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The built-in default.
    Default,
    /// The settings file at this path.
    File(PathBuf),
    /// This environment variable.
    Env(String),
    /// This command-line flag.
    Flag(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File(path) => write!(f, "file {}", path.display()),
            Origin::Env(var) => write!(f, "env {var}"),
            Origin::Flag(flag) => write!(f, "flag {flag}"),
        }
    }
}

/// Settings and where each of them came from.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedSettings {
    /// The settings in effect.
    pub settings: Settings,
    /// The origin of every setting that did not keep its default, by key.
    pub origins: BTreeMap<String, Origin>,
}

impl LoadedSettings {
    /// Where `key` came from.
    pub fn origin(&self, key: &str) -> &Origin {
        self.origins.get(key).unwrap_or(&Origin::Default)
    }

    /// `paperboy config show`: every setting in effect as TOML, each with where it
    /// came from; passwords and tokens are hidden (`***`).
    pub fn show(&self) -> String {
        let values = toml::Table::try_from(&self.settings).unwrap_or_default();
        let lines: Vec<(String, String)> = DOCS
            .iter()
            .map(|SettingDoc { key, .. }| {
                let value = values
                    .get(*key)
                    .map(|v| shown_value(key, v))
                    .unwrap_or_default();
                (format!("{key} = {value}"), self.origin(key).to_string())
            })
            .collect();
        let width = lines
            .iter()
            .map(|(setting, _)| setting.chars().count())
            .filter(|&n| n <= 60)
            .max()
            .unwrap_or(0);
        let mut out = String::from(
            "# paperboy settings in effect, each with where it came from\n\
             # (default < settings file < PAPERBOY_* environment < command-line flag).\n",
        );
        for (setting, origin) in lines {
            out.push_str(&format!("{setting:<width$}  # {origin}\n"));
        }
        out
    }
}

/// Settings whose values `config show` hides.
const SECRETS: [&str; 2] = ["github_token", "summary_llm_api_key"];

/// A setting's value as `config show` prints it: secrets and URL passwords hidden.
fn shown_value(key: &str, value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) if SECRETS.contains(&key) && !s.is_empty() => "\"***\"".into(),
        toml::Value::String(s) => toml::Value::String(hide_password(s)).to_string(),
        other => other.to_string(),
    }
}

impl Settings {
    /// Loads settings: defaults, then the config file (`explicit`, or
    /// `./paperboy.toml` when present), then `PAPERBOY_*` variables from `env`.
    pub fn load(
        explicit: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        Self::load_with_origins(explicit, env).map(|loaded| loaded.settings)
    }

    /// [`Settings::load`], noting where each setting came from.
    pub fn load_with_origins(
        explicit: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<LoadedSettings, ConfigError> {
        let file = explicit
            .or_else(|| Some(Path::new(DEFAULT_CONFIG_FILE)).filter(|default| default.exists()));
        let mut table = file.map(read_table).transpose()?.unwrap_or_default();
        let mut origins: BTreeMap<String, Origin> = file
            .map(|path| {
                table
                    .keys()
                    .map(|key| (key.clone(), Origin::File(path.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        for (key, default) in &defaults_table() {
            let var = format!("PAPERBOY_{}", key.to_ascii_uppercase());
            if let Some(raw) = env(&var) {
                let value = env_value(default, &raw).map_err(|reason| ConfigError::Env {
                    var: var.clone(),
                    value: raw.clone(),
                    reason,
                })?;
                table.insert(key.clone(), value);
                origins.insert(key.clone(), Origin::Env(var));
            }
        }
        let settings =
            Settings::deserialize(toml::Value::Table(table)).map_err(ConfigError::Invalid)?;
        Ok(LoadedSettings { settings, origins })
    }
}

/// The defaults as a TOML table (plain data: serialising it cannot fail).
fn defaults_table() -> toml::Table {
    toml::Table::try_from(Settings::default()).unwrap_or_default()
}

fn read_table(path: &Path) -> Result<toml::Table, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    text.parse::<toml::Table>()
        .map_err(|source| ConfigError::Toml {
            path: path.to_owned(),
            source,
        })
}

/// Reads an environment value as the type of the setting's default.
fn env_value(default: &toml::Value, raw: &str) -> Result<toml::Value, &'static str> {
    Ok(match default {
        toml::Value::String(_) => toml::Value::String(raw.to_owned()),
        toml::Value::Integer(_) => {
            toml::Value::Integer(raw.trim().parse().map_err(|_| "expected an integer")?)
        }
        toml::Value::Float(_) => {
            toml::Value::Float(raw.trim().parse().map_err(|_| "expected a number")?)
        }
        toml::Value::Boolean(_) => toml::Value::Boolean(match raw.trim() {
            "1" | "true" | "yes" | "on" => true,
            "0" | "false" | "no" | "off" => false,
            _ => return Err("expected true or false"),
        }),
        toml::Value::Array(_) => toml::Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.to_owned()))
                .collect(),
        ),
        _ => return Err("this setting cannot come from the environment"),
    })
}

/// `paperboy config default`: every setting with its default and what it does.
pub fn default_config_text() -> String {
    let defaults = defaults_table();
    let mut out = String::from(
        "# paperboy settings with their defaults.\n\
         # Put the ones you change in paperboy.toml (or pass --config FILE);\n\
         # each can also be set as an environment variable PAPERBOY_<KEY>, which wins.\n",
    );
    for SettingDoc { key, doc } in DOCS {
        let value = defaults
            .get(*key)
            .map(ToString::to_string)
            .unwrap_or_default();
        out.push_str(&format!(
            "\n# {doc}\n# env: PAPERBOY_{}\n{key} = {value}\n",
            key.to_ascii_uppercase()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_is_documented_once() {
        let defaults = toml::Table::try_from(Settings::default()).unwrap();
        let mut keys: Vec<&str> = defaults.keys().map(String::as_str).collect();
        let mut documented: Vec<&str> = DOCS.iter().map(|d| d.key).collect();
        keys.sort();
        documented.sort();
        assert_eq!(keys, documented);
    }

    #[test]
    fn printed_defaults_parse_back_to_the_defaults() {
        let text = default_config_text();
        let parsed: Settings = toml::from_str(&text).unwrap();
        assert_eq!(parsed, Settings::default());
        assert!(text.contains("# env: PAPERBOY_ARXIV_OAI_URL"));
    }

    #[test]
    fn file_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(
            &path,
            "addr = \"0.0.0.0:9000\"\ncontact_email = \"file@example.org\"\n",
        )
        .unwrap();
        let env = |k: &str| match k {
            "PAPERBOY_CONTACT_EMAIL" => Some("env@example.org".to_owned()),
            "PAPERBOY_HARVEST_SETS" => Some("cs, math".to_owned()),
            "PAPERBOY_ARXIV_REQUEST_INTERVAL_SECS" => Some("0.5".to_owned()),
            _ => None,
        };
        let s = Settings::load(Some(&path), env).unwrap();
        assert_eq!(s.addr, "0.0.0.0:9000");
        assert_eq!(s.contact_email, "env@example.org");
        assert_eq!(s.harvest_sets, vec!["cs", "math"]);
        assert_eq!(s.arxiv_request_interval_secs, 0.5);
    }

    #[test]
    fn show_names_each_origin_and_hides_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(
            &path,
            "addr = \"0.0.0.0:9000\"\ngithub_token = \"ghp_secret\"\n",
        )
        .unwrap();
        let env = |k: &str| {
            (k == "PAPERBOY_DATABASE_URL").then(|| "postgres://pb:hunter2@db:5432/pb".to_owned())
        };
        let loaded = Settings::load_with_origins(Some(&path), env).unwrap();
        assert_eq!(loaded.origin("addr"), &Origin::File(path.clone()));
        assert_eq!(
            loaded.origin("database_url"),
            &Origin::Env("PAPERBOY_DATABASE_URL".into())
        );
        assert_eq!(loaded.origin("log"), &Origin::Default);
        let text = loaded.show();
        assert!(
            text.contains(&format!("# file {}", path.display())),
            "{text}"
        );
        assert!(
            text.contains("database_url = \"postgres://pb:***@db:5432/pb\""),
            "{text}"
        );
        assert!(
            !text.contains("hunter2") && !text.contains("ghp_secret"),
            "{text}"
        );
        let values: Settings = toml::from_str(&text).expect("valid TOML");
        assert_eq!(values.addr, "0.0.0.0:9000");
    }

    #[test]
    fn mistakes_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, "adr = \"x\"\n").unwrap();
        let err = Settings::load(Some(&path), |_| None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `adr`"), "{err}");
        let env = |k: &str| (k == "PAPERBOY_HARVEST_INTERVAL_HOURS").then(|| "soon".to_owned());
        let err = Settings::load(None, env).unwrap_err().to_string();
        assert!(
            err.contains("PAPERBOY_HARVEST_INTERVAL_HOURS") && err.contains("expected a number"),
            "{err}"
        );
    }
}
