//! Two server instances on one PostgreSQL database share webhook deliveries and agents' replies: every job
//! runs once, on one instance, and every reply reaches Instagram exactly once. What one instance revokes, the
//! other refuses at once, though it keeps its callers.

use crate::helpers::{session_cookie, spawn_app_with};
use crate::support::{
    connect_inbox, on_postgres, post_reply, profiles_answer, scalar, sends_answer, sent_texts,
    soak, stored_mids, wait_for_count, wait_for_idle_queue, Load, LoadPlan, INSTAGRAM_ENV,
};
use backend::startup::Application;
use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

#[tokio::test]
async fn two_instances_on_one_database_share_the_work_and_never_run_a_job_twice() {
    if !on_postgres() {
        println!("two instances: skipped on SQLite (one process owns a SQLite database)");
        return;
    }
    // Arrange
    let (contacts, per_contact, replies_each) = if soak() { (8, 100, 40) } else { (6, 20, 8) };
    let env: Vec<(&str, &str)> = [("WORKERS", "3")]
        .into_iter()
        .chain(INSTAGRAM_ENV)
        .collect();
    let a = spawn_app_with(&env).await;
    let second = Application::build(backend::config::Settings {
        listen_addr: "127.0.0.1:0".into(),
        ..(*a.state.settings).clone()
    })
    .await
    .expect("second instance");
    let b_address = format!("http://127.0.0.1:{}", second.port());
    tokio::spawn(second.run_until_stopped());
    let admin = connect_inbox(&a.state).await;
    let account = admin.account_id.expect("account");
    profiles_answer(&a.instagram).await;
    sends_answer(&a.instagram).await;
    let targets = vec![a.address.clone(), b_address.clone()];
    let first_wave = Load::start(
        targets.clone(),
        LoadPlan {
            contacts,
            per_contact,
            pace: Duration::from_millis(10),
            retry_for: Duration::from_secs(60),
            tag: "first",
        },
    )
    .finish()
    .await;
    let incoming = "SELECT COUNT(*) AS n FROM messages WHERE message_type = 0";
    wait_for_count(
        &a.state.db,
        incoming,
        first_wave.acked.len() as i64,
        Duration::from_secs(60),
    )
    .await;

    // Act: more deliveries while agents answer every conversation through both instances at once.
    let second_wave = Load::start(
        targets.clone(),
        LoadPlan {
            contacts,
            per_contact,
            pace: Duration::from_millis(10),
            retry_for: Duration::from_secs(60),
            tag: "second",
        },
    );
    let client = reqwest::Client::new();
    let agents: Vec<_> = (1..=contacts as i64)
        .map(|display_id| {
            let (client, targets, token) =
                (client.clone(), targets.clone(), admin.access_token.clone());
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                for i in 0..replies_each {
                    let text = format!("reply {display_id}.{i}");
                    let base = &targets[i % targets.len()];
                    let (status, _) =
                        post_reply(&client, base, &token, account, display_id, &text).await;
                    statuses.push(status);
                }
                statuses
            })
        })
        .collect();
    let mut reply_statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for agent in agents {
        for s in agent.await.expect("agent") {
            *reply_statuses.entry(s).or_default() += 1;
        }
    }
    let second_wave = second_wave.finish().await;
    let acked: HashSet<String> = first_wave
        .acked
        .union(&second_wave.acked)
        .cloned()
        .collect();
    let messages = wait_for_count(
        &a.state.db,
        incoming,
        acked.len() as i64,
        Duration::from_secs(60),
    )
    .await;
    let busy = wait_for_idle_queue(&a.state.db, Duration::from_secs(60)).await;

    // Assert
    let replies = contacts * replies_each;
    let sent = sent_texts(&a.instagram).await;
    let distinct_sent: HashSet<&String> = sent.iter().collect();
    let reclaimed = scalar(
        &a.state.db,
        "SELECT COUNT(*) AS n FROM jobs WHERE attempts <> 1",
    )
    .await;
    let jobs = scalar(&a.state.db, "SELECT COUNT(*) AS n FROM jobs").await;
    let mids: HashSet<String> = stored_mids(&a.state.db).await.into_iter().collect();
    println!(
        "two instances: events posted {}, acknowledged {}, messages {messages}, replies made {replies} (statuses {reply_statuses:?}), sends at the fake Graph API {}, jobs {jobs} (claimed more than once {reclaimed}), lost {}",
        first_wave.posted + second_wave.posted,
        acked.len(),
        sent.len(),
        acked.difference(&mids).count(),
    );
    assert_eq!(
        reply_statuses.get(&200),
        Some(&replies),
        "{reply_statuses:?}"
    );
    assert_eq!(busy, 0, "every job finished");
    assert_eq!(reclaimed, 0, "no job was claimed twice");
    assert_eq!(sent.len(), replies, "one send per reply");
    assert_eq!(distinct_sent.len(), replies, "no reply was sent twice");
    assert_eq!(
        scalar(
            &a.state.db,
            "SELECT COUNT(*) AS n FROM messages WHERE message_type = 1 AND status = 'sent'"
        )
        .await,
        replies as i64
    );
    assert_eq!(acked.len(), first_wave.posted + second_wave.posted);
    assert_eq!(messages, acked.len() as i64);
    assert_eq!(mids, acked);
}

/// Each instance keeps the callers it has looked up (`auth::kept_callers`): an agent removed or a session signed
/// out through one instance is refused at once by the other, which had them kept.
#[tokio::test]
async fn a_removal_or_a_sign_out_through_one_instance_holds_at_once_on_the_other() {
    if !on_postgres() {
        println!("two instances: skipped on SQLite (one process owns a SQLite database)");
        return;
    }
    let a = spawn_app_with(&[]).await;
    let second = Application::build(backend::config::Settings {
        listen_addr: "127.0.0.1:0".into(),
        ..(*a.state.settings).clone()
    })
    .await
    .expect("second instance");
    let b = format!("http://127.0.0.1:{}", second.port());
    tokio::spawn(second.run_until_stopped());
    let ada = a.admin("ada@example.com", "Acme").await;
    let acme = ada.account_id.expect("account");
    let (bob, bob_token) = a.agent(&ada, "bob@example.com").await;
    let client = reqwest::Client::new();
    let inboxes = format!("{b}/api/v1/accounts/{acme}/inboxes");
    // Several at once, so that every HTTP worker of the second instance has bob kept.
    let asks = (0..4).map(|_| {
        client
            .get(&inboxes)
            .header("api_access_token", &bob_token)
            .send()
    });
    for r in futures_util::future::join_all(asks).await {
        assert_eq!(r.expect("list").status(), 200);
    }

    let removed = client
        .delete(format!("{}/api/v1/accounts/{acme}/agents/{bob}", a.address))
        .header("api_access_token", &ada.access_token)
        .send()
        .await
        .expect("remove");
    let after = client
        .get(&inboxes)
        .header("api_access_token", &bob_token)
        .send()
        .await
        .expect("list");

    assert_eq!(removed.status(), 200);
    assert_eq!(
        after.status(),
        404,
        "removed from the account through the first instance"
    );

    // A session opened on the second instance, signed out through the first. The cookie is sent by hand: a
    // browser would drop it when told to by the sign-out's answer, and the test is whether the server refuses it.
    let signed_in = client
        .post(format!("{b}/auth/sign_in"))
        .json(&serde_json::json!({"email": "ada@example.com", "password": "password123"}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), 200);
    let cookie = session_cookie(&signed_in);
    let profile = format!("{b}/api/v1/profile");
    let asks = (0..4).map(|_| client.get(&profile).header("cookie", &cookie).send());
    for r in futures_util::future::join_all(asks).await {
        assert_eq!(r.expect("profile").status(), 200);
    }
    let out = client
        .delete(format!("{}/auth/sign_out", a.address))
        .header("cookie", &cookie)
        .header("X-Requested-With", "x")
        .send()
        .await
        .expect("sign out");
    let after = client
        .get(&profile)
        .header("cookie", &cookie)
        .send()
        .await
        .expect("profile");

    assert_eq!(out.status(), 200);
    assert_eq!(after.status(), 401, "signed out through the first instance");
}
