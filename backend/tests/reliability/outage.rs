//! The database goes away under webhook load and comes back: deliveries are answered 503 (Meta retries them)
//! within seconds, the server recovers without a restart, and nothing acknowledged is lost. PostgreSQL only:
//! the test runs a private cluster it can stop, never the shared one on 5432.

use crate::helpers::spawn_app_with;
use crate::support::{
    connect_inbox, on_postgres, profiles_answer, soak, stored_mids, wait_for_acked, wait_for_count,
    Load, LoadPlan, INSTAGRAM_ENV,
};
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// A PostgreSQL cluster of the test's own (`initdb` + `pg_ctl` as the `postgres` OS user), on a free port.
struct PrivateCluster {
    dir: tempfile::TempDir,
    port: u16,
}

impl PrivateCluster {
    fn start() -> PrivateCluster {
        let dir = tempfile::tempdir().expect("temp dir");
        run("chown", &["postgres:", &dir.path().display().to_string()]);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let cluster = PrivateCluster { dir, port };
        let data = cluster.data().display().to_string();
        as_postgres(&[
            "initdb",
            "-D",
            &data,
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ]);
        cluster.pg_ctl_start();
        run(
            "psql",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-qc",
                "CREATE DATABASE switchboard",
            ],
        );
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/switchboard", self.port)
    }

    fn pg_ctl_start(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.dir.path().display()
        );
        as_postgres(&[
            "pg_ctl",
            "-D",
            &self.data().display().to_string(),
            "-l",
            &self.dir.path().join("log").display().to_string(),
            "-o",
            &options,
            "-w",
            "start",
        ]);
    }

    /// Like a crash of the database server: no checkpoint, every connection cut.
    fn stop(&self) {
        as_postgres(&[
            "pg_ctl",
            "-D",
            &self.data().display().to_string(),
            "-m",
            "immediate",
            "-w",
            "stop",
        ]);
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--", "pg_ctl", "-D"])
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

fn as_postgres(args: &[&str]) {
    let mut all = vec!["-u", "postgres", "--"];
    all.extend_from_slice(args);
    run("runuser", &all);
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_database_outage_answers_503_recovers_without_a_restart_and_loses_no_acknowledged_event()
{
    if !on_postgres() {
        println!("outage: skipped on SQLite (stopping the database needs a PostgreSQL cluster of the test's own)");
        return;
    }
    // Arrange
    let (outages, down_for) = if soak() { (3, 20) } else { (1, 10) };
    let cluster = PrivateCluster::start();
    let url = cluster.url();
    let env: Vec<(&str, &str)> = [("DATABASE_URL", url.as_str())]
        .into_iter()
        .chain(INSTAGRAM_ENV)
        .collect();
    let app = spawn_app_with(&env).await;
    connect_inbox(&app.state).await;
    profiles_answer(&app.instagram).await;
    let (contacts, per_contact) = (4, if soak() { 400 } else { 60 });
    let load = Load::start(
        vec![app.address.clone()],
        LoadPlan {
            contacts,
            per_contact,
            pace: Duration::from_millis(50),
            retry_for: Duration::from_secs(120),
            tag: "outage",
        },
    );

    // Act
    let mut down_total = Duration::ZERO;
    for k in 1..=outages {
        wait_for_acked(&load, k * contacts * per_contact / (outages + 1)).await;
        let down_at = Instant::now();
        cluster.stop();
        tokio::time::sleep(Duration::from_secs(down_for)).await;
        cluster.pg_ctl_start();
        down_total += down_at.elapsed();
    }
    let figures = load.finish().await;
    let messages = wait_for_count(
        &app.state.db,
        "SELECT COUNT(*) AS n FROM messages WHERE message_type = 0",
        figures.acked.len() as i64,
        Duration::from_secs(90),
    )
    .await;

    // Assert
    let mids: HashSet<String> = stored_mids(&app.state.db).await.into_iter().collect();
    println!(
        "outage: events posted {}, deliveries {}, acknowledged {}, outages {outages} ({:.1} s down), 503s seen {} (slowest {:.1} s), other statuses {:?}, refused/reset {}, messages {messages}, lost {}",
        figures.posted,
        figures.deliveries,
        figures.acked.len(),
        down_total.as_secs_f64(),
        figures.count(503),
        figures.slowest_503.as_secs_f64(),
        figures.statuses,
        figures.transport_errors,
        figures.acked.difference(&mids).count(),
    );
    assert!(figures.count(503) > 0, "{figures:?}");
    assert_eq!(figures.bad_503_bodies, 0, "503s carry the JSON error body");
    // The pool gives up on a connection after 5 s (db::connect); the rest is a busy 2-core test machine.
    assert!(
        figures.slowest_503 < Duration::from_secs(15),
        "a delivery during the outage fails in seconds, not minutes: {:?}",
        figures.slowest_503
    );
    assert_eq!(
        figures.statuses.keys().copied().collect::<Vec<_>>(),
        [200, 503],
        "only 200 and 503"
    );
    assert_eq!(figures.given_up, 0, "the server recovered by itself");
    assert_eq!(figures.acked.len(), figures.posted);
    assert_eq!(messages, figures.acked.len() as i64);
    assert_eq!(mids, figures.acked);
}
