//! The one place that builds paperboy.
//!
//! [`Settings`] (file and environment) are checked into a typed [`Config`];
//! [`App::build`] opens the store, the keyword index and the search engine, starts
//! the job runner with the background jobs the config asks for, binds the listener
//! and builds the web router. `paperboy serve` and every test that needs a running
//! paperboy use it.

mod app;
mod config;
mod error;
mod fetcher;
mod metrics;
pub mod semantic;
mod settings;

pub use app::App;
pub use config::{Config, ConfigError, MailConfig, SummaryConfig};
pub use error::AppError;
pub use settings::{
    DEFAULT_CONFIG_FILE, DOCS, LoadedSettings, Origin, SettingDoc, Settings, default_config_text,
};
