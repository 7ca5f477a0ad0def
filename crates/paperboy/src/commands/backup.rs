//! `paperboy backup`.

use std::path::PathBuf;
use std::process::ExitCode;

use paperboy_app::Config;

/// Arguments of `backup`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The copy to write; must not exist yet.
    file: PathBuf,
}

/// Runs `backup`: a consistent copy, safe while `serve` and imports run.
pub async fn run(args: Args, config: &Config) -> anyhow::Result<ExitCode> {
    let store = super::open_existing_store(config).await?;
    store.backup(&args.file).await?;
    let bytes = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    println!("backup written to {} ({bytes} bytes)", args.file.display());
    Ok(ExitCode::SUCCESS)
}
