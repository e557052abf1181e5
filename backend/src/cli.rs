//! The `switchboard` command line: `serve` (default), `migrate`, `create-admin`, `refresh-instagram-tokens`,
//! `rotate-secret-key`, `prune`, `backup`.

use crate::accounts::{self, check_email, check_password, NewUser};
use crate::config::Settings;
use crate::startup::{prepare, Application};
use anyhow::anyhow;
use clap::{Parser, Subcommand};
use shared::dto::{CreatedAdmin, Role};
use shared::error::FieldErrors;

#[derive(Debug, Parser)]
#[command(name = "switchboard", version, about = "Omnichannel inbox server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve the API, webhooks and dashboard.
    Serve,
    /// Run pending migrations and exit.
    Migrate,
    /// Create (or reuse) a user, optionally with a new account they administer; prints one JSON line.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        account_name: Option<String>,
        #[arg(long)]
        super_admin: bool,
    },
    /// Refresh Instagram tokens that are due once (the server also does this daily); prints a JSON summary.
    RefreshInstagramTokens,
    /// Re-seal every stored secret under a new `SECRET_KEY_BASE` in one transaction; prints a JSON summary.
    RotateSecretKey {
        /// The new key: at least 64 hexadecimal characters (or `NEW_SECRET_KEY_BASE`, which stays out of `ps`).
        #[arg(long, env = "NEW_SECRET_KEY_BASE", hide_env_values = true)]
        new: String,
    },
    /// Apply the retention settings once (the server also does this hourly); prints a JSON summary.
    Prune,
    /// Write a consistent copy of the database while it is in use: SQLite with `VACUUM INTO`, PostgreSQL with
    /// `pg_dump --format=custom` (README, "Backup and restore").
    Backup {
        /// The file to write; must not exist yet.
        #[arg(long)]
        to: std::path::PathBuf,
    },
}

pub async fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(settings.clone()).await?;
            tracing::info!(port = app.port(), frontend_url = %settings.frontend_url, "serving");
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            prepare(&settings).await?;
            tracing::info!("migrations applied");
        }
        Command::CreateAdmin {
            email,
            password,
            name,
            account_name,
            super_admin,
        } => {
            let state = prepare(&settings).await?;
            let created = create_admin(
                &state,
                &email,
                &password,
                name.as_deref(),
                account_name.as_deref(),
                super_admin,
            )
            .await?;
            println!("{}", serde_json::to_string(&created)?);
        }
        Command::RefreshInstagramTokens => {
            let state = prepare(&settings).await?;
            let summary = crate::channels::instagram::refresh::refresh_all(&state).await?;
            println!("{}", serde_json::to_string(&summary)?);
        }
        Command::RotateSecretKey { new } => {
            let state = prepare(&settings).await?;
            let summary = crate::rotate::run(&state.db, &settings, &new).await?;
            println!("{}", serde_json::to_string(&summary)?);
        }
        Command::Prune => {
            let state = prepare(&settings).await?;
            let pruned =
                crate::upkeep::prune(&state.db, &settings.retention, crate::db::now()).await?;
            println!("{}", serde_json::to_string(&pruned)?);
        }
        Command::Backup { to } => {
            let state = prepare(&settings).await?;
            crate::upkeep::backup(&state.db, &settings.database_url, &to).await?;
            let bytes = std::fs::metadata(&to).map(|m| m.len()).unwrap_or(0);
            println!(
                "{}",
                serde_json::json!({ "backup": to.display().to_string(), "bytes": bytes })
            );
        }
    }
    Ok(())
}

pub async fn create_admin(
    state: &crate::state::AppState,
    email: &str,
    password: &str,
    name: Option<&str>,
    account_name: Option<&str>,
    super_admin: bool,
) -> anyhow::Result<CreatedAdmin> {
    let mut errors = FieldErrors::new();
    check_email(&mut errors, "email", email);
    check_password(&mut errors, "password", password);
    if !errors.is_empty() {
        let lines: Vec<String> = errors
            .0
            .iter()
            .map(|(f, m)| format!("{f} {}", m.join(", ")))
            .collect();
        return Err(anyhow!("invalid arguments: {}", lines.join("; ")));
    }
    let txn = crate::db::begin(&state.db).await?;
    let user = match accounts::find_user_by_email(&txn, email).await? {
        Some(u) => u,
        None => {
            let name = name
                .map(str::to_owned)
                .unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_owned());
            accounts::create_user(
                &txn,
                &state.keys,
                NewUser {
                    name: &name,
                    email,
                    password,
                    super_admin,
                },
            )
            .await?
        }
    };
    let user = if super_admin && !user.super_admin {
        use sea_orm::{ActiveModelTrait, Set};
        let mut active: crate::entities::user::ActiveModel = user.into();
        active.super_admin = Set(true);
        active.update(&txn).await?
    } else {
        user
    };
    let account_id = match account_name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(account_name) => {
            let account = accounts::create_account(&txn, account_name).await?;
            accounts::add_to_account(&txn, account.id, user.id, Role::Administrator).await?;
            Some(account.id)
        }
        None => None,
    };
    let access_token = accounts::access_token(&state.keys, &user)?;
    txn.commit().await?;
    Ok(CreatedAdmin {
        user_id: user.id,
        account_id,
        access_token,
    })
}
