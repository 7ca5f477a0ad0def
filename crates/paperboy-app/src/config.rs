//! [`Config`]: the settings checked once, at load, into typed values. A bad URL or
//! number is an error naming the setting before anything starts.

use std::path::PathBuf;
use std::time::Duration;

use paperboy_core::{BoundaryError, DayBoundary, SubmitRules};
use paperboy_embed::EmbedderSetting;
use paperboy_enrich::stars::GithubOptions;
use paperboy_enrich::summary::ChatOptions;
use paperboy_ingest::http::HttpOptions;
use paperboy_mail::{SenderOptions, Transport};
use paperboy_store::{DatabaseUrl, StoreOptions};
use paperboy_web::WebConfig;
use reqwest::Url;

use crate::Settings;

/// Why the settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The config file is not TOML.
    #[error("config file {path} is not valid TOML: {source}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// Where and why.
        source: toml::de::Error,
    },
    /// An environment variable does not hold a value of the setting's type.
    #[error("environment variable {var}={value:?}: {reason}")]
    Env {
        /// The variable.
        var: String,
        /// Its value.
        value: String,
        /// What was expected.
        reason: &'static str,
    },
    /// An unknown setting, or one of the wrong type.
    #[error("invalid settings (see `paperboy config default`): {0}")]
    Invalid(toml::de::Error),
    /// A setting's value is out of range or malformed.
    #[error("setting {setting}: {reason}")]
    Setting {
        /// The setting's key.
        setting: &'static str,
        /// What is wrong, and what would be right.
        reason: String,
    },
}

fn invalid(setting: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Setting {
        setting,
        reason: reason.into(),
    }
}

/// Seconds as a duration, within `range` (inclusive).
fn seconds(
    setting: &'static str,
    value: f64,
    range: std::ops::RangeInclusive<f64>,
) -> Result<Duration, ConfigError> {
    if !value.is_finite() || !range.contains(&value) {
        return Err(invalid(
            setting,
            format!(
                "{value} is not between {} and {} seconds",
                range.start(),
                range.end()
            ),
        ));
    }
    Ok(Duration::from_secs_f64(value))
}

/// Hours as a duration, from a second to a year; `shortest` names the lower bound
/// for the error.
fn hours(setting: &'static str, value: f64, shortest: &str) -> Result<Duration, ConfigError> {
    seconds(setting, value * 3600.0, 1.0..=365.0 * 86_400.0).map_err(|_| {
        invalid(
            setting,
            format!(
                "{value} is not a number of hours between 1/3600 ({shortest}) and 8760 (a year)"
            ),
        )
    })
}

/// An absolute `http` or `https` URL.
fn http_url(setting: &'static str, value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value.trim())
        .map_err(|e| invalid(setting, format!("{value:?} is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(
            setting,
            format!("{value:?} must be an http:// or https:// URL with a host"),
        ));
    }
    Ok(url)
}

/// The summary endpoint, when one is set.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryConfig {
    /// The chat completions endpoint.
    pub url: Url,
    /// The model to ask for; empty: the server's default.
    pub model: String,
    /// Bearer token; empty: none.
    pub api_key: String,
    /// Least time between two requests.
    pub interval: Duration,
    /// Longest one request may take.
    pub timeout: Duration,
}

impl SummaryConfig {
    /// The chat client's options.
    pub fn chat_options(&self) -> ChatOptions {
        ChatOptions {
            model: self.model.clone(),
            api_key: self.api_key.clone(),
            timeout: self.timeout,
            ..ChatOptions::new(self.url.as_str())
        }
    }
}

/// The GitHub API, when one is set.
#[derive(Debug, Clone, PartialEq)]
pub struct GithubConfig {
    /// The API's root.
    pub api_url: Url,
    /// A token; empty: none.
    pub token: String,
    /// How often each repository's stars are sampled.
    pub interval: Duration,
}

impl GithubConfig {
    /// The client's options.
    pub fn options(&self) -> GithubOptions {
        GithubOptions {
            api_url: self.api_url.to_string(),
            token: self.token.clone(),
        }
    }
}

/// Every setting, checked and typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where the SQLite database (by default), the indexes and models live.
    pub data_dir: PathBuf,
    /// The database.
    pub database: DatabaseUrl,
    /// Most database connections per process.
    pub database_pool_size: u32,
    /// Longest a PostgreSQL statement may run.
    pub database_statement_timeout: Duration,
    /// Address `serve` listens on (`host:port`).
    pub addr: String,
    /// Most HTTP connections open at once.
    pub max_connections: usize,
    /// How the site presents itself (the checked `public_url`).
    pub web: WebConfig,
    /// Polite HTTP towards arXiv (contact address, spacing).
    pub arxiv_http: HttpOptions,
    /// The arXiv API query endpoint.
    pub arxiv_api_url: Url,
    /// The arXiv OAI-PMH endpoint.
    pub arxiv_oai_url: Url,
    /// Sets harvested on a schedule; empty: no scheduled harvest.
    pub harvest_sets: Vec<String>,
    /// Time between scheduled harvests.
    pub harvest_interval: Duration,
    /// The `embedder` setting: `None` for the default (the model in the data dir,
    /// fetched on first `serve`), else what it names.
    pub embedder: Option<EmbedderSetting>,
    /// Whether `serve` extracts key phrases.
    pub keyphrases: bool,
    /// Whether `serve` fetches thumbnails.
    pub thumbnails: bool,
    /// The summary endpoint, when one is set.
    pub summary: Option<SummaryConfig>,
    /// The GitHub API, when one is set: stars of the papers' code.
    pub github: Option<GithubConfig>,
    /// Mail: the transport and how the outbox is sent.
    pub mail: MailConfig,
    /// The log filter.
    pub log: String,
    /// Time between two progress lines of a long background round in the log.
    pub log_progress_every: Duration,
}

/// Where mail goes and how it is sent.
#[derive(Debug, Clone, PartialEq)]
pub struct MailConfig {
    /// The checked `smtp_url`; empty: `.eml` files in `<data_dir>/mail`.
    pub smtp_url: String,
    /// The sender's options (`mail_from`, give-up time, rate).
    pub sender: SenderOptions,
}

impl MailConfig {
    /// The transport, writing files into `data_dir/mail` when no server is set.
    pub fn transport(&self, data_dir: &std::path::Path) -> Transport {
        // Checked by `Config::from_settings`; a file transport is the safe fallback.
        Transport::from_setting(&self.smtp_url, &data_dir.join("mail"))
            .unwrap_or_else(|_| Transport::File(data_dir.join("mail")))
    }
}

/// The submission rules, checked.
fn submit_rules(settings: &Settings) -> Result<SubmitRules, ConfigError> {
    if settings.submit_daily_cap == 0 {
        return Err(invalid("submit_daily_cap", "must be at least 1"));
    }
    if settings.submit_max_age_days == 0 {
        return Err(invalid("submit_max_age_days", "must be at least 1"));
    }
    let boundary = DayBoundary::new(&settings.daily_timezone, settings.daily_start_hour).map_err(
        |e| match e {
            BoundaryError::Hour(_) => invalid("daily_start_hour", e.to_string()),
            BoundaryError::TimeZone(_) => invalid("daily_timezone", e.to_string()),
        },
    )?;
    Ok(SubmitRules {
        max_age_days: settings.submit_max_age_days,
        daily_cap: settings.submit_daily_cap,
        boundary,
    })
}

/// The mail settings, checked.
fn mail_config(settings: &Settings) -> Result<MailConfig, ConfigError> {
    Transport::from_setting(&settings.smtp_url, &settings.data_dir.join("mail"))
        .map_err(|e| invalid("smtp_url", e.to_string()))?;
    let give_up = seconds(
        "mail_give_up_hours",
        settings.mail_give_up_hours * 3600.0,
        60.0..=30.0 * 86_400.0,
    )
    .map_err(|_| {
        invalid(
            "mail_give_up_hours",
            format!(
                "{} is not a number of hours between 1/60 and 720",
                settings.mail_give_up_hours
            ),
        )
    })?;
    let sender = SenderOptions::new(&settings.mail_from, give_up, settings.mail_per_minute)
        .map_err(|e| invalid("mail_from", e.to_string()))?;
    Ok(MailConfig {
        smtp_url: settings.smtp_url.trim().to_owned(),
        sender,
    })
}

impl Config {
    /// Checks `settings`.
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigError> {
        let database = if settings.database_url.trim().is_empty() {
            DatabaseUrl::in_data_dir(&settings.data_dir)
        } else {
            settings
                .database_url
                .parse()
                .map_err(|e: paperboy_store::DatabaseUrlError| {
                    invalid("database_url", e.to_string())
                })?
        };
        if !(1..=1000).contains(&settings.database_pool_size) {
            return Err(invalid(
                "database_pool_size",
                format!("{} is not between 1 and 1000", settings.database_pool_size),
            ));
        }
        if settings.max_connections == 0 {
            return Err(invalid("max_connections", "must be at least 1"));
        }
        check_addr(&settings.addr)?;
        let web = WebConfig {
            public_url: Some(settings.public_url.clone()).filter(|u| !u.trim().is_empty()),
            // Without a mail server, sign-in links reach the owner through the log.
            log_sign_in_links: settings.smtp_url.trim().is_empty(),
            submit: submit_rules(settings)?,
            thumbnails_dir: Some(settings.data_dir.join(paperboy_core::thumbnail::DIR)),
            ..WebConfig::default()
        };
        web.validate()
            .map_err(|e| invalid("public_url", e.to_string()))?;
        let embedder = Some(settings.embedder.trim())
            .filter(|e| !e.is_empty())
            .map(EmbedderSetting::parse)
            .transpose()
            .map_err(|e| invalid("embedder", e.to_string()))?;
        if settings.harvest_sets.iter().any(|s| s.trim().is_empty()) {
            return Err(invalid("harvest_sets", "a set name is empty"));
        }
        Ok(Self {
            data_dir: settings.data_dir.clone(),
            database,
            database_pool_size: settings.database_pool_size,
            database_statement_timeout: seconds(
                "database_statement_timeout_secs",
                settings.database_statement_timeout_secs,
                0.1..=86_400.0,
            )?,
            addr: settings.addr.trim().to_owned(),
            max_connections: settings.max_connections as usize,
            web,
            arxiv_http: HttpOptions {
                contact_email: settings.contact_email.trim().to_owned(),
                interval: seconds(
                    "arxiv_request_interval_secs",
                    settings.arxiv_request_interval_secs,
                    0.0..=3600.0,
                )?,
                ..HttpOptions::default()
            },
            arxiv_api_url: http_url("arxiv_api_url", &settings.arxiv_api_url)?,
            arxiv_oai_url: http_url("arxiv_oai_url", &settings.arxiv_oai_url)?,
            harvest_sets: settings
                .harvest_sets
                .iter()
                .map(|s| s.trim().to_owned())
                .collect(),
            harvest_interval: hours(
                "harvest_interval_hours",
                settings.harvest_interval_hours,
                "a second",
            )?,
            embedder,
            keyphrases: settings.keyphrases,
            thumbnails: settings.thumbnails,
            summary: summary_config(settings)?,
            github: github_config(settings)?,
            mail: mail_config(settings)?,
            log: settings.log.clone(),
            log_progress_every: seconds(
                "log_progress_secs",
                settings.log_progress_secs,
                0.0..=86_400.0,
            )?,
        })
    }

    /// How the store connects.
    pub fn store_options(&self) -> StoreOptions {
        StoreOptions {
            pool_size: self.database_pool_size,
            statement_timeout: self.database_statement_timeout,
            ..StoreOptions::default()
        }
    }

    /// The absolute base URL of links in emails: `public_url`, else the listen
    /// address over http; without a trailing `/`.
    pub fn public_base_url(&self) -> String {
        self.web
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr))
            .trim_end_matches('/')
            .to_owned()
    }

    /// Where the keyword index lives.
    pub fn keyword_index_dir(&self) -> PathBuf {
        self.data_dir.join("index").join("keyword")
    }
}

fn summary_config(settings: &Settings) -> Result<Option<SummaryConfig>, ConfigError> {
    if settings.summary_llm_url.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(SummaryConfig {
        url: http_url("summary_llm_url", &settings.summary_llm_url)?,
        model: settings.summary_llm_model.trim().to_owned(),
        api_key: settings.summary_llm_api_key.trim().to_owned(),
        interval: seconds(
            "summary_llm_interval_secs",
            settings.summary_llm_interval_secs,
            0.0..=3600.0,
        )?,
        timeout: seconds(
            "summary_llm_timeout_secs",
            settings.summary_llm_timeout_secs,
            0.1..=3600.0,
        )?,
    }))
}

fn github_config(settings: &Settings) -> Result<Option<GithubConfig>, ConfigError> {
    if settings.github_api_url.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(GithubConfig {
        api_url: http_url("github_api_url", &settings.github_api_url)?,
        token: settings.github_token.trim().to_owned(),
        interval: hours(
            "github_stars_interval_hours",
            settings.github_stars_interval_hours,
            "a second",
        )?,
    }))
}

/// `addr` must be `host:port` with a port number.
fn check_addr(addr: &str) -> Result<(), ConfigError> {
    let port = addr
        .trim()
        .rsplit_once(':')
        .map(|(host, port)| (host, port.parse::<u16>()));
    match port {
        Some((host, Ok(_))) if !host.is_empty() => Ok(()),
        _ => Err(invalid(
            "addr",
            format!("{addr:?} is not HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(change: impl FnOnce(&mut Settings)) -> Result<Config, ConfigError> {
        let mut settings = Settings::default();
        change(&mut settings);
        Config::from_settings(&settings)
    }

    fn error_of(change: impl FnOnce(&mut Settings)) -> String {
        check(change).unwrap_err().to_string()
    }

    #[test]
    fn the_defaults_are_valid() {
        let config = check(|_| {}).unwrap();
        assert_eq!(
            config.database,
            DatabaseUrl::Sqlite(PathBuf::from("./data/paperboy.db"))
        );
        assert!(config.summary.is_none() && config.embedder.is_none());
        assert_eq!(config.harvest_interval, Duration::from_secs(6 * 3600));
    }

    #[test]
    fn each_bad_value_names_its_setting() {
        type Change = Box<dyn FnOnce(&mut Settings)>;
        let cases: [(&str, Change); 10] = [
            (
                "database_url",
                Box::new(|s| s.database_url = "mysql://x/y".into()),
            ),
            ("database_pool_size", Box::new(|s| s.database_pool_size = 0)),
            (
                "database_statement_timeout_secs",
                Box::new(|s| s.database_statement_timeout_secs = f64::NAN),
            ),
            ("addr", Box::new(|s| s.addr = "localhost".into())),
            (
                "public_url",
                Box::new(|s| s.public_url = "papers.example.org".into()),
            ),
            (
                "arxiv_oai_url",
                Box::new(|s| s.arxiv_oai_url = "ftp://x".into()),
            ),
            (
                "arxiv_request_interval_secs",
                Box::new(|s| s.arxiv_request_interval_secs = -1.0),
            ),
            (
                "harvest_interval_hours",
                Box::new(|s| s.harvest_interval_hours = 0.0),
            ),
            ("embedder", Box::new(|s| s.embedder = "gpu:please".into())),
            (
                "summary_llm_url",
                Box::new(|s| s.summary_llm_url = "not a url".into()),
            ),
        ];
        for (setting, change) in cases {
            let err = error_of(change);
            assert!(err.starts_with(&format!("setting {setting}:")), "{err}");
        }
    }

    #[test]
    fn a_postgres_url_and_a_summary_endpoint_are_typed() {
        let config = check(|s| {
            s.database_url = "postgres://pb:pw@db:5432/papers".into();
            s.summary_llm_url = "http://127.0.0.1:8000/v1/chat/completions".into();
            s.summary_llm_interval_secs = 0.5;
        })
        .unwrap();
        assert_eq!(config.database.backend(), paperboy_store::Backend::Postgres);
        let summary = config.summary.unwrap();
        assert_eq!(summary.interval, Duration::from_millis(500));
        assert_eq!(summary.url.port(), Some(8000));
    }
}
