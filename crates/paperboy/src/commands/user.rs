//! `paperboy user add` and `paperboy token create`: accounts for operators.

use std::process::ExitCode;

use anyhow::Context;
use paperboy_app::Config;
use paperboy_core::{Email, Role, Username};
use paperboy_store::secret::{hash_secret, new_secret};

/// `paperboy user …`.
#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Create an account that can sign in (and use the API) at once.
    Add(AddArgs),
}

/// Arguments of `user add`.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The account's email address.
    email: String,
    /// Its username [default: the address's local part].
    #[arg(long)]
    username: Option<String>,
    /// Make it an administrator.
    #[arg(long)]
    admin: bool,
}

/// `paperboy token …`.
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create a personal API token for an account and print it (only the token, on
    /// standard output).
    Create(TokenArgs),
}

/// Arguments of `token create`.
#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// The account's email address.
    email: String,
    /// A name for the token, shown on the account's settings page.
    #[arg(long, default_value = "command line")]
    name: String,
}

/// Runs `user add`.
pub async fn run_user(command: UserCommand, config: &Config) -> anyhow::Result<ExitCode> {
    let UserCommand::Add(args) = command;
    let email = Email::parse(&args.email)?;
    let username = match &args.username {
        Some(name) => Username::parse(name)?,
        None => Username::suggest(&email).with_context(|| {
            format!("cannot make a username from {email}; pass --username NAME")
        })?,
    };
    let role = if args.admin {
        Role::Admin
    } else {
        Role::Reader
    };
    let store = super::open_store(config).await?;
    let user = store.create_user(&email, Some(&username), role).await?;
    eprintln!(
        "created {} <{}> ({}); they sign in at /login with this address",
        username,
        user.email,
        role.as_str()
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `token create`.
pub async fn run_token(command: TokenCommand, config: &Config) -> anyhow::Result<ExitCode> {
    let TokenCommand::Create(args) = command;
    let email = Email::parse(&args.email)?;
    let store = super::open_store(config).await?;
    let user = store.user_by_email(&email).await?.with_context(|| {
        format!("no account has the address {email}; create one with `paperboy user add {email}`")
    })?;
    let token = new_secret("pb_")?;
    store
        .create_api_token(&user.id, &args.name, &hash_secret(&token))
        .await?;
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}
