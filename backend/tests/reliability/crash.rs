//! `kill -9` of the real `switchboard` binary under webhook load: an acknowledged event is never lost, and a
//! delivery retried after the crash never becomes a second message.

use crate::helpers::fresh_database;
use crate::support::{
    connect_inbox, profiles_answer, soak, stored_mids, wait_for_acked, wait_for_count, Load,
    LoadPlan, INSTAGRAM_ENV,
};
use backend::config::Settings;
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server as a child process on a fixed port, so it can be killed and started again at the same address.
struct Server {
    env: HashMap<String, String>,
    base: String,
    log: std::path::PathBuf,
    child: Option<Child>,
}

impl Server {
    fn new(env: HashMap<String, String>, log: std::path::PathBuf) -> Server {
        let base = format!("http://{}", env["LISTEN_ADDR"]);
        Server {
            env,
            base,
            log,
            child: None,
        }
    }

    async fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("server log");
        let child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .env_clear()
            .envs(&self.env)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start switchboard");
        self.child = Some(child);
        let client = reqwest::Client::new();
        let until = Instant::now() + Duration::from_secs(60);
        while Instant::now() < until {
            if let Ok(r) = client.get(format!("{}/health", self.base)).send().await {
                if r.status() == 200 {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "switchboard did not come up: {}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    /// SIGKILL: no shutdown hook, no flush, no goodbye.
    fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("kill -9");
            child.wait().expect("reap");
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

#[tokio::test]
async fn killing_the_server_with_sigkill_under_webhook_load_loses_and_duplicates_no_acknowledged_event(
) {
    // Arrange
    let (kills, contacts, per_contact) = if soak() { (10, 8, 250) } else { (3, 6, 50) };
    let (url, _db, dir) = fresh_database().await;
    let graph = wiremock::MockServer::start().await;
    profiles_answer(&graph).await;
    let env: HashMap<String, String> = [
        ("DATABASE_URL", url.as_str()),
        ("LISTEN_ADDR", &format!("127.0.0.1:{}", free_port())),
        ("SECRET_KEY_BASE", &"0123456789abcdef".repeat(8)),
        ("STATIC_DIR", &dir.path().display().to_string()),
        (
            "FILE_STORE_DIR",
            &dir.path().join("files").display().to_string(),
        ),
        ("INSTAGRAM_OAUTH_URL", &graph.uri()),
        ("INSTAGRAM_API_URL", &graph.uri()),
        ("INSTAGRAM_GRAPH_URL", &graph.uri()),
        ("TWILIO_API_URL", &graph.uri()),
    ]
    .into_iter()
    .chain(INSTAGRAM_ENV)
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let settings = Settings::from_lookup(|k| env.get(k).cloned());
    let state = backend::startup::prepare(&settings).await.expect("state");
    connect_inbox(&state).await;
    let mut server = Server::new(env, dir.path().join("server.log"));
    server.start().await;
    let total = contacts * per_contact;
    let load = Load::start(
        vec![server.base.clone()],
        LoadPlan {
            contacts,
            per_contact,
            pace: Duration::from_millis(20),
            retry_for: Duration::from_secs(120),
            tag: "crash",
        },
    );

    // Act
    for k in 1..=kills {
        wait_for_acked(&load, k * total / (kills + 1)).await;
        server.kill9();
        server.start().await;
    }
    let figures = load.finish().await;
    // Jobs claimed by a killed process come back once their lease (30 s) runs out.
    let messages = wait_for_count(
        &state.db,
        "SELECT COUNT(*) AS n FROM messages WHERE message_type = 0",
        figures.acked.len() as i64,
        Duration::from_secs(90),
    )
    .await;

    // Assert
    let mids = stored_mids(&state.db).await;
    let distinct: HashSet<String> = mids.iter().cloned().collect();
    println!(
        "crash: events posted {}, deliveries {}, acknowledged {}, kills {kills}, refused/reset {}, messages {messages}, lost {}",
        figures.posted,
        figures.deliveries,
        figures.acked.len(),
        figures.transport_errors,
        figures.acked.difference(&distinct).count(),
    );
    assert_eq!(
        figures.given_up, 0,
        "every event is acknowledged in the end"
    );
    assert_eq!(figures.acked.len(), total);
    assert_eq!(mids.len(), distinct.len(), "a message was stored twice");
    assert_eq!(messages, figures.acked.len() as i64);
    assert_eq!(
        distinct, figures.acked,
        "the stored mids are the acknowledged ones"
    );
}
