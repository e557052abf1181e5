use backend::cli::{run, Cli};
use backend::config::Settings;
use clap::Parser;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    backend::telemetry::init();
    let cli = Cli::parse();
    run(cli, Settings::from_env()).await
}
