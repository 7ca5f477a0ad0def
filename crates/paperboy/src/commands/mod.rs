//! One module per subcommand.

use std::process::ExitCode;

use anyhow::Context;
use paperboy_store::Store;

use crate::Command;
use crate::config::Settings;

pub mod backup;
pub mod config;
pub mod export;
pub mod import;
pub mod model;
pub mod stats;

/// Runs a command.
pub async fn run(command: Command, settings: Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Import(args) => import::run(args, &settings).await,
        Command::Export(args) => export::run(args, &settings).await,
        Command::Backup(args) => backup::run(args, &settings).await,
        Command::Stats(args) => stats::run(args, &settings).await,
        Command::Config(command) => config::run(command),
        Command::Model(command) => model::run(command, &settings).await,
    }
}

/// Opens the store in the configured data directory.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    Store::open_dir(&settings.data_dir)
        .await
        .with_context(|| format!("opening the database in {}", settings.data_dir.display()))
}
