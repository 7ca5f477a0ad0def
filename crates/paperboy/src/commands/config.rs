//! `paperboy config`.

use std::process::ExitCode;

use clap::Subcommand;

use paperboy_app::default_config_text;

/// Settings commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print every setting with its default and a comment (a valid paperboy.toml).
    Default,
}

/// Runs `config`.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Default => print!("{}", default_config_text()),
    }
    Ok(ExitCode::SUCCESS)
}
