//! Logs as structured lines on stderr; `RUST_LOG` filters them.

use std::io::IsTerminal;
use tracing_subscriber::{fmt, EnvFilter};

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let _ = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a terminal: in a log file or a collector they are noise to read and to write.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
