//! Retention of the audit and queue tables, and backup / restore as the README documents them.

use crate::helpers::{reply, spawn_app, spawn_app_with, TestApp, TestDb, PG_ADMIN_URL};
use backend::config::Retention;
use backend::db::now;
use backend::upkeep::{prune, Pruned};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::json;
use std::process::Command;
use std::time::Duration;

const DAY: i64 = 86_400;

async fn exec(app: &TestApp, sql: &str) {
    app.state
        .db
        .execute_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn ids(app: &TestApp, sql: &str) -> Vec<i64> {
    app.state
        .db
        .query_all_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<i64>("", "id").unwrap())
        .collect()
}

async fn event_received(app: &TestApp, id: i64, at: i64) {
    exec(
        app,
        &format!(
            "INSERT INTO webhook_events (id, provider, payload, status, received_at) \
             VALUES ({id}, 'instagram', '{{}}', 'received', {at})"
        ),
    )
    .await;
}

async fn job_in(app: &TestApp, id: i64, state: &str, updated_at: i64) {
    exec(
        app,
        &format!(
            "INSERT INTO jobs (id, kind, payload, state, run_at, attempts, max_attempts, created_at, updated_at) \
             VALUES ({id}, 'test.kind', '{{}}', '{state}', {far}, 0, 8, {updated_at}, {updated_at})",
            far = now() + 365 * DAY
        ),
    )
    .await;
}

#[tokio::test]
async fn retention_prunes_old_events_finished_jobs_and_expired_sessions_and_keeps_the_rest() {
    let app = spawn_app().await;
    let admin = app.admin("ops@example.com", "Acme").await;
    let t = now();
    event_received(&app, 1, t - 31 * DAY).await;
    event_received(&app, 2, t - 29 * DAY).await;
    job_in(&app, 101, "done", t - 15 * DAY).await;
    job_in(&app, 102, "dead", t - 15 * DAY).await;
    job_in(&app, 103, "done", t - 13 * DAY).await;
    job_in(&app, 104, "held", t - 40 * DAY).await;
    job_in(&app, 105, "pending", t - 40 * DAY).await;
    exec(
        &app,
        &format!(
            "INSERT INTO sessions (user_id, token_digest, created_at, expires_at) VALUES \
             ({u}, 'expired', {old}, {gone}), ({u}, 'valid', {t}, {later})",
            u = admin.user_id,
            old = t - 40 * DAY,
            gone = t - 10 * DAY,
            later = t + DAY
        ),
    )
    .await;
    exec(
        &app,
        &format!(
            "INSERT INTO oauth_states (nonce, expires_at, used_at) VALUES ('a', {}, {})",
            t - 60,
            t - 900
        ),
    )
    .await;

    let first = prune(&app.state.db, &Retention::default(), t)
        .await
        .unwrap();
    let second = prune(&app.state.db, &Retention::default(), t)
        .await
        .unwrap();

    assert_eq!(
        first,
        Pruned {
            webhook_events: 1,
            jobs: 2,
            sessions: 1,
            oauth_states: 1,
            sign_in_failures: 0,
            empty_tallies: 0,
        }
    );
    assert_eq!(second, Pruned::default(), "a second pass finds nothing");
    assert_eq!(ids(&app, "SELECT id FROM webhook_events").await, vec![2]);
    assert_eq!(
        ids(&app, "SELECT id FROM jobs ORDER BY id").await,
        vec![103, 104, 105]
    );
    assert_eq!(app.count("sessions").await, 1);
    // The admin still reads with their token: pruning touched nothing live.
    let r = app.inboxes(&admin).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn zero_days_keeps_events_and_jobs_forever() {
    let app = spawn_app().await;
    let t = now();
    event_received(&app, 1, t - 3650 * DAY).await;
    job_in(&app, 101, "done", t - 3650 * DAY).await;

    let pruned = prune(
        &app.state.db,
        &Retention {
            webhook_events_days: 0,
            jobs_days: 0,
        },
        t,
    )
    .await
    .unwrap();

    assert_eq!(pruned, Pruned::default());
    assert_eq!(app.count("webhook_events").await, 1);
    assert_eq!(app.count("jobs").await, 1);
}

#[tokio::test]
async fn the_queued_retention_pass_runs_on_a_worker() {
    let app = spawn_app_with(&[("RETENTION_WEBHOOK_EVENTS_DAYS", "7")]).await;
    event_received(&app, 1, now() - 8 * DAY).await;
    event_received(&app, 2, now() - 6 * DAY).await;

    let queued = backend::upkeep::schedule_prune(&app.state.db)
        .await
        .unwrap();
    let (mut left, mut states) = (vec![], vec![]);
    for _ in 0..100 {
        left = ids(&app, "SELECT id FROM webhook_events").await;
        states = app
            .state
            .db
            .query_all_raw(Statement::from_string(
                app.state.db.get_database_backend(),
                "SELECT state FROM jobs WHERE kind = 'upkeep.prune'".to_owned(),
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String>("", "state").unwrap())
            .collect::<Vec<_>>();
        if states == ["done"] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    assert!(queued);
    assert_eq!(states, ["done"], "one pass, finished");
    assert_eq!(left, vec![2], "the worker pruned the 8-day-old event only");
}

fn switchboard(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("SECRET_KEY_BASE", "0123456789abcdef".repeat(8))
        .env("RUST_LOG", "warn")
        .output()
        .expect("run switchboard")
}

/// Follows the README: `switchboard backup --to FILE` while the server runs, then restore (SQLite: the file
/// is the database; PostgreSQL: `createdb` + `pg_restore --no-owner`), and a server started on the restored
/// database serves the same data to the same credentials.
#[tokio::test]
async fn a_backup_taken_while_serving_restores_into_a_working_server() {
    let app = spawn_app().await;
    let admin = app.admin("ops@example.com", "Acme").await;
    let inbox = app
        .create_api_inbox(&admin, "Support '; DROP TABLE inboxes; --")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("switchboard.backup");
    let url = app.state.settings.database_url.clone();

    let out = switchboard(&url, &["backup", "--to", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(printed["bytes"].as_u64().unwrap() > 0);
    let again = switchboard(&url, &["backup", "--to", file.to_str().unwrap()]);
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    // Restore.
    let (restored_url, _restored_db) = if app.db_file.is_some() {
        let restored = dir.path().join("restored.db");
        std::fs::copy(&file, &restored).unwrap();
        (format!("sqlite://{}?mode=rwc", restored.display()), None)
    } else {
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let admin_db = Database::connect(PG_ADMIN_URL).await.unwrap();
        admin_db
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        admin_db.close().await.ok();
        let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
        let out = Command::new("pg_restore")
            .args(["--no-owner", "--exit-on-error", "--dbname", &url])
            .arg(&file)
            .output()
            .expect("pg_restore");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (url, Some(TestDb::Postgres(name)))
    };
    let restored = spawn_app_with(&[("DATABASE_URL", &restored_url)]).await;

    let r = restored.inboxes(&admin).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["payload"][0]["id"], inbox);
    assert_eq!(
        r.body["payload"][0]["name"],
        "Support '; DROP TABLE inboxes; --"
    );
    let signed_in = reply(
        restored
            .browser
            .post(format!("{}/auth/sign_in", restored.address))
            .json(&json!({"email": "ops@example.com", "password": "password123"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    // New rows continue after the restored ones (sequences came along on PostgreSQL).
    let next = restored.create_api_inbox(&admin, "After restore").await;
    assert!(next > inbox);
}

#[tokio::test]
async fn a_retention_pass_is_not_queued_while_one_is_waiting() {
    let app = spawn_app_with(&[("WORKERS", "0")]).await;

    let first = backend::upkeep::schedule_prune(&app.state.db)
        .await
        .unwrap();
    let second = backend::upkeep::schedule_prune(&app.state.db)
        .await
        .unwrap();

    assert!(first && !second);
    assert_eq!(app.count("jobs").await, 1);
}
