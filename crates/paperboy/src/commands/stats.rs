//! `paperboy stats`.

use std::process::ExitCode;

use paperboy_app::Config;

/// Arguments of `stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `stats`.
pub async fn run(args: Args, config: &Config) -> anyhow::Result<ExitCode> {
    let store = super::open_existing_store(config).await?;
    let stats = store.stats().await?;
    if args.json {
        println!("{}", serde_json::to_string(&stats)?);
    } else {
        let value = serde_json::to_value(&stats)?;
        for (key, value) in value.as_object().into_iter().flatten() {
            let shown = match value {
                serde_json::Value::Null => "-".to_owned(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            println!("{key:<24} {shown}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
