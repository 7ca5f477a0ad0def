//! `paperboy config`.

use std::process::ExitCode;

use clap::Subcommand;

use paperboy_app::{Config, LoadedSettings, default_config_text};

/// Settings commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the settings in effect, each with where it came from (default, settings
    /// file, PAPERBOY_* variable, flag); passwords and tokens are hidden.
    Show,
    /// Print every setting with its default and a comment (a valid paperboy.toml).
    Default,
}

/// Runs `config`. `show` exits non-zero, after printing, when a setting is unusable.
pub fn run(command: Command, loaded: &LoadedSettings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Show => {
            print!("{}", loaded.show());
            Config::from_settings(&loaded.settings)?;
        }
        Command::Default => print!("{}", default_config_text()),
    }
    Ok(ExitCode::SUCCESS)
}
