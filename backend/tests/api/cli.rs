use crate::helpers::fresh_database;
use std::process::Command;

fn switchboard(db_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(args)
        .env("DATABASE_URL", db_url)
        .env("SECRET_KEY_BASE", "f".repeat(64))
        .env("RUST_LOG", "warn")
        .output()
        .expect("run switchboard")
}

#[tokio::test]
async fn create_admin_prints_one_json_line_and_reuses_the_user() {
    let (url, _db, _dir) = fresh_database().await;

    let first = switchboard(
        &url,
        &[
            "create-admin",
            "--email",
            "ops@example.com",
            "--password",
            "s3cret-pass",
            "--name",
            "Ops",
            "--account-name",
            "Acme",
            "--super-admin",
        ],
    );
    let second = switchboard(
        &url,
        &[
            "create-admin",
            "--email",
            "ops@example.com",
            "--password",
            "s3cret-pass",
        ],
    );

    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8(first.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    let a: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(a["user_id"].is_i64());
    assert!(a["account_id"].is_i64());
    assert!(a["access_token"].as_str().is_some_and(|t| t.len() >= 24));
    let b: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(b["user_id"], a["user_id"]);
    assert_eq!(b["account_id"], serde_json::Value::Null);
    assert_eq!(b["access_token"], a["access_token"]);
}

#[tokio::test]
async fn create_admin_rejects_a_bad_email_or_short_password() {
    let (url, _db, _dir) = fresh_database().await;

    let out = switchboard(
        &url,
        &["create-admin", "--email", "nope", "--password", "short"],
    );

    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("email") && err.contains("password"), "{err}");
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn migrate_runs_and_exits() {
    let (url, _db, _dir) = fresh_database().await;

    let out = switchboard(&url, &["migrate"]);

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
