use crate::helpers::{spawn_app, spawn_app_with, Reply, TestApp, FRONTEND_URL};
use backend::conversations::store::NewMessage;
use backend::db::now;
use backend::entities::{
    attachment, channel_instagram, contact, contact_inbox, conversation, inbox, message, user,
};
use reqwest::Method;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set, Statement};
use serde_json::{json, Value};
use shared::dto::CreatedAdmin;

const HOUR: i64 = 3600;

/// A contact who wrote to `inbox_id`, and their conversation numbered `display_id`, active `age` seconds ago.
async fn seed_conversation(
    app: &TestApp,
    account_id: i64,
    inbox_id: i64,
    display_id: i64,
    age: i64,
) -> conversation::Model {
    let db = &app.state.db;
    let at = now() - age;
    let person = contact::ActiveModel {
        account_id: Set(account_id),
        name: Set(format!("Customer {display_id}")),
        email: Set(Some(format!("c{display_id}@example.com"))),
        phone_number: Set(None),
        identifier: Set(None),
        thumbnail: Set(Some(format!("https://cdn.example/{display_id}.jpg"))),
        additional_attributes: Set(r#"{"city":"Lyon"}"#.to_owned()),
        custom_attributes: Set("{}".to_owned()),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let link = contact_inbox::ActiveModel {
        contact_id: Set(person.id),
        inbox_id: Set(inbox_id),
        source_id: Set(format!("igsid-{display_id}")),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    conversation::ActiveModel {
        account_id: Set(account_id),
        inbox_id: Set(inbox_id),
        contact_id: Set(person.id),
        contact_inbox_id: Set(link.id),
        display_id: Set(display_id),
        status: Set("open".to_owned()),
        assignee_id: Set(None),
        last_activity_at: Set(at),
        last_incoming_at: Set(None),
        agent_last_seen_at: Set(None),
        assignee_last_seen_at: Set(None),
        additional_attributes: Set(r#"{"source":"test"}"#.to_owned()),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
}

async fn update_conversation(
    app: &TestApp,
    conv: &conversation::Model,
    change: impl FnOnce(&mut conversation::ActiveModel),
) -> conversation::Model {
    let mut active: conversation::ActiveModel = conv.clone().into();
    change(&mut active);
    active.update(&app.state.db).await.unwrap()
}

/// A message from the contact (type 0) or from an agent (1), created at `at`.
async fn seed_message(
    app: &TestApp,
    conv: &conversation::Model,
    message_type: i16,
    content: &str,
    at: i64,
    sender_user: Option<i64>,
) -> message::Model {
    let (sender_type, sender_id) = match (message_type, sender_user) {
        (0, _) => (Some("Contact".to_owned()), Some(conv.contact_id)),
        (_, Some(user)) => (Some("User".to_owned()), Some(user)),
        _ => (None, None),
    };
    message::ActiveModel {
        account_id: Set(conv.account_id),
        inbox_id: Set(conv.inbox_id),
        conversation_id: Set(conv.id),
        message_type: Set(message_type),
        content: Set(Some(content.to_owned())),
        content_type: Set("text".to_owned()),
        content_attributes: Set(r#"{"in_reply_to":null}"#.to_owned()),
        private: Set(false),
        status: Set("sent".to_owned()),
        source_id: Set(None),
        sender_type: Set(sender_type),
        sender_id: Set(sender_id),
        external_created_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap()
}

/// A text message for `store::add_messages` from the contact (type 0) or an agent (1), sent by the provider at
/// `at_secs`.
fn new_message(kind: i16, text: &str, at_secs: i64) -> NewMessage {
    NewMessage {
        message_type: kind,
        content: Some(text.to_owned()),
        content_type: "text".to_owned(),
        content_attributes: json!({}),
        private: false,
        status: "sent".to_owned(),
        source_id: None,
        sender_type: None,
        sender_id: None,
        external_created_at: Some(at_secs * 1000),
    }
}

/// An Instagram inbox, written straight to the tables (connecting one needs Meta's OAuth dance).
async fn instagram_inbox(app: &TestApp, account_id: i64) -> i64 {
    let db = &app.state.db;
    let channel = channel_instagram::ActiveModel {
        account_id: Set(account_id),
        instagram_id: Set("17841400000000000".to_owned()),
        username: Set("acme".to_owned()),
        access_token: Set(app.state.keys.seal("tok")),
        expires_at: Set(now() + 50 * 24 * HOUR),
        reauthorization_required: Set(false),
        created_at: Set(now()),
        updated_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    inbox::ActiveModel {
        account_id: Set(account_id),
        name: Set("Instagram".to_owned()),
        channel_type: Set("Channel::Instagram".to_owned()),
        channel_id: Set(channel.id),
        created_at: Set(now()),
        updated_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

async fn add_member(app: &TestApp, admin: &CreatedAdmin, inbox_id: i64, user_id: i64) {
    let r = app
        .api(
            Method::POST,
            &format!(
                "/api/v1/accounts/{}/inbox_members",
                admin.account_id.unwrap()
            ),
            &admin.access_token,
            Some(json!({"inbox_id": inbox_id, "user_ids": [user_id]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

fn base(admin: &CreatedAdmin) -> String {
    format!(
        "/api/v1/accounts/{}/conversations",
        admin.account_id.unwrap()
    )
}

fn ids(list: &Reply) -> Vec<i64> {
    list.body["data"]["payload"]
        .as_array()
        .unwrap_or_else(|| panic!("no payload: {}", list.body))
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

fn counts(list: &Reply) -> (i64, i64, i64) {
    let meta = &list.body["data"]["meta"];
    (
        meta["mine_count"].as_i64().unwrap(),
        meta["unassigned_count"].as_i64().unwrap(),
        meta["all_count"].as_i64().unwrap(),
    )
}

fn conversation_in(list: &Reply, id: i64) -> &Value {
    list.body["data"]["payload"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("conversation {id} not in {}", list.body))
}

#[tokio::test]
async fn the_list_shows_open_conversations_newest_first_with_the_tab_counts() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let (bob, _) = app.agent(&admin, "bob@example.com").await;
    let web = app.create_api_inbox(&admin, "Web").await;
    let other = app.create_api_inbox(&admin, "Other").await;
    let mine = seed_conversation(&app, account, web, 1, 300).await;
    let unassigned = seed_conversation(&app, account, web, 2, 100).await;
    let resolved = seed_conversation(&app, account, web, 3, 50).await;
    let bobs = seed_conversation(&app, account, web, 4, 200).await;
    update_conversation(&app, &mine, |c| c.assignee_id = Set(Some(admin.user_id))).await;
    update_conversation(&app, &resolved, |c| c.status = Set("resolved".to_owned())).await;
    update_conversation(&app, &bobs, |c| {
        c.assignee_id = Set(Some(bob));
        c.status = Set("pending".to_owned());
    })
    .await;
    seed_message(&app, &unassigned, 0, "hello", now() - 120, None).await;
    seed_message(
        &app,
        &unassigned,
        1,
        "hi, how can we help?",
        now() - 100,
        Some(admin.user_id),
    )
    .await;
    let get = |query: &str| {
        let path = format!("{}{query}", base(&admin));
        let token = admin.access_token.clone();
        let app = &app;
        async move { app.api(Method::GET, &path, &token, None).await }
    };

    let open = get("").await;
    let resolved_only = get("?status=resolved").await;
    let all = get("?status=all").await;
    let assigned_to_me = get("?assignee_type=me").await;
    let without_assignee = get("?assignee_type=unassigned").await;
    let other_inbox = get(&format!("?inbox_id={other}")).await;
    let bad_status = get("?status=closed").await;

    assert_eq!(open.status, 200, "{}", open.body);
    assert_eq!(ids(&open), [2, 1]);
    assert_eq!(counts(&open), (1, 1, 2));
    let c = conversation_in(&open, 2);
    assert_eq!(c["account_id"], account);
    assert_eq!(c["inbox_id"], web);
    assert_eq!(c["status"], "open");
    assert_eq!(c["assignee_id"], Value::Null);
    assert_eq!(c["unread_count"], 1);
    assert_eq!(c["agent_last_seen_at"], Value::Null);
    assert_eq!(c["timestamp"], unassigned.last_activity_at);
    assert!(c["created_at"].is_i64());
    assert_eq!(c["can_reply"], true);
    assert_eq!(c["reply_window_ends_at"], Value::Null);
    assert_eq!(c["additional_attributes"], json!({"source": "test"}));
    assert_eq!(c["meta"]["sender"]["id"], unassigned.contact_id);
    assert_eq!(c["meta"]["sender"]["name"], "Customer 2");
    assert_eq!(
        c["meta"]["sender"]["thumbnail"],
        "https://cdn.example/2.jpg"
    );
    assert_eq!(c["meta"]["sender"]["channel"], "Channel::Api");
    assert_eq!(c["meta"]["assignee"], Value::Null);
    assert_eq!(c["messages"].as_array().unwrap().len(), 1);
    assert_eq!(c["messages"][0]["content"], "hi, how can we help?");
    assert_eq!(c["messages"][0]["message_type"], 1);
    assert_eq!(c["messages"][0]["conversation_id"], 2);
    assert_eq!(c["messages"][0]["sender"]["id"], admin.user_id);
    assert_eq!(c["messages"][0]["sender"]["type"], "user");
    let c = conversation_in(&open, 1);
    assert_eq!(c["assignee_id"], admin.user_id);
    assert_eq!(c["meta"]["assignee"]["email"], "ada@example.com");
    assert_eq!(c["messages"], json!([]));
    assert_eq!(ids(&resolved_only), [3]);
    assert_eq!(ids(&all), [3, 2, 4, 1]);
    assert_eq!(ids(&assigned_to_me), [1]);
    assert_eq!(ids(&without_assignee), [2]);
    assert_eq!(ids(&other_inbox), Vec::<i64>::new());
    assert_eq!(counts(&other_inbox), (0, 0, 0));
    assert_eq!(bad_status.status, 422, "{}", bad_status.body);
}

/// The list and the thread take a message's conversation number and its contact sender from the conversation
/// they read it with, look up a sender who is not that conversation's contact, and show none for a sender who
/// is no longer there.
#[tokio::test]
async fn messages_show_their_conversation_number_and_sender_in_the_list_and_the_thread() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let web = app.create_api_inbox(&admin, "Web").await;
    let five = seed_conversation(&app, account, web, 5, 300).await;
    let eight = seed_conversation(&app, account, web, 8, 200).await;
    let eleven = seed_conversation(&app, account, web, 11, 100).await;
    let fourteen = seed_conversation(&app, account, web, 14, 80).await;
    // Numbers that are not the rows' ids, so that one cannot pass for the other.
    assert!([&five, &eight, &eleven, &fourteen]
        .iter()
        .all(|c| c.id != c.display_id));
    seed_message(&app, &five, 0, "from five", now() - 290, None).await;
    seed_message(
        &app,
        &eight,
        1,
        "to eight",
        now() - 190,
        Some(admin.user_id),
    )
    .await;
    let mut odd: message::ActiveModel =
        seed_message(&app, &eleven, 0, "forwarded", now() - 90, None)
            .await
            .into();
    odd.sender_id = Set(Some(five.contact_id));
    odd.update(&app.state.db).await.unwrap();
    // Senders who are no longer there: an agent, then a contact.
    seed_message(&app, &fourteen, 1, "gone", now() - 75, Some(999_999)).await;
    let mut gone: message::ActiveModel = seed_message(&app, &fourteen, 0, "left", now() - 70, None)
        .await
        .into();
    gone.sender_id = Set(Some(999_998));
    gone.update(&app.state.db).await.unwrap();

    let list = app
        .api(Method::GET, &base(&admin), &admin.access_token, None)
        .await;
    let thread = |n: i64| {
        let path = format!("{}/{n}/messages", base(&admin));
        let token = admin.access_token.clone();
        let app = &app;
        async move { app.api(Method::GET, &path, &token, None).await }
    };
    let threads = [
        thread(5).await,
        thread(8).await,
        thread(11).await,
        thread(14).await,
    ];

    assert_eq!(list.status, 200, "{}", list.body);
    let last = |n: i64| conversation_in(&list, n)["messages"][0].clone();
    // A thread's newest message is its conversation's last.
    let in_thread = |i: usize| {
        let payload = threads[i].body["payload"].as_array().unwrap();
        payload[payload.len() - 1].clone()
    };
    let customer_five = json!({
        "id": five.contact_id,
        "name": "Customer 5",
        "thumbnail": "https://cdn.example/5.jpg",
        "type": "contact",
    });
    for (i, (n, shown)) in [(5, last(5)), (8, last(8)), (11, last(11)), (14, last(14))]
        .into_iter()
        .enumerate()
    {
        for m in [&shown, &in_thread(i)] {
            assert_eq!(m["conversation_id"], n, "{m}");
        }
        assert_eq!(shown, in_thread(i), "conversation {n}");
    }
    assert_eq!(last(5)["sender"], customer_five);
    assert_eq!(last(11)["sender"], customer_five);
    assert_eq!(last(8)["sender"]["type"], "user");
    assert_eq!(last(8)["sender"]["id"], admin.user_id);
    assert_eq!(threads[2].body["meta"]["contact"]["name"], "Customer 11");
    let gone = &threads[3].body["payload"];
    assert_eq!(gone[0]["sender_type"], "User");
    assert_eq!(gone[0]["sender_id"], 999_999);
    assert_eq!(gone[0]["sender"], Value::Null, "{gone}");
    assert_eq!(gone[1]["sender_id"], 999_998);
    assert_eq!(gone[1]["sender"], Value::Null, "{gone}");
    assert_eq!(last(14)["sender"], Value::Null);
}

#[tokio::test]
async fn the_list_pages_25_at_a_time() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let web = app.create_api_inbox(&admin, "Web").await;
    for n in 1..=30 {
        seed_conversation(&app, account, web, n, 1000 - n).await;
    }

    let first = app
        .api(Method::GET, &base(&admin), &admin.access_token, None)
        .await;
    let second = app
        .api(
            Method::GET,
            &format!("{}?page=2", base(&admin)),
            &admin.access_token,
            None,
        )
        .await;
    let third = app
        .api(
            Method::GET,
            &format!("{}?page=3", base(&admin)),
            &admin.access_token,
            None,
        )
        .await;

    assert_eq!(ids(&first), (6..=30).rev().collect::<Vec<_>>());
    assert_eq!(ids(&second), (1..=5).rev().collect::<Vec<_>>());
    assert_eq!(ids(&third), Vec::<i64>::new());
    assert_eq!(counts(&second), (0, 30, 30));
    // A page past the end still carries the tab counts.
    assert_eq!(counts(&third), (0, 30, 30));
}

#[tokio::test]
async fn agents_see_only_the_conversations_of_their_inboxes() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let (bob, bob_token) = app.agent(&admin, "bob@example.com").await;
    let shared_inbox = app.create_api_inbox(&admin, "Shared").await;
    let private_inbox = app.create_api_inbox(&admin, "Private").await;
    add_member(&app, &admin, shared_inbox, bob).await;
    let visible = seed_conversation(&app, account, shared_inbox, 1, 100).await;
    let hidden = seed_conversation(&app, account, private_inbox, 2, 50).await;
    let url = |rest: &str| format!("{}{rest}", base(&admin));

    let bobs_list = app.api(Method::GET, &url(""), &bob_token, None).await;
    let admins_list = app
        .api(Method::GET, &url(""), &admin.access_token, None)
        .await;
    let shown = app.api(Method::GET, &url("/1"), &bob_token, None).await;
    let hidden_show = app.api(Method::GET, &url("/2"), &bob_token, None).await;
    let hidden_messages = app
        .api(Method::GET, &url("/2/messages"), &bob_token, None)
        .await;
    let visible_messages = app
        .api(Method::GET, &url("/1/messages"), &bob_token, None)
        .await;
    let no_such_messages = app
        .api(Method::GET, &url("/99/messages"), &admin.access_token, None)
        .await;
    let hidden_toggle = app
        .api(
            Method::POST,
            &url("/2/toggle_status"),
            &bob_token,
            Some(json!({})),
        )
        .await;
    let hidden_seen = app
        .api(Method::POST, &url("/2/update_last_seen"), &bob_token, None)
        .await;
    let hidden_assign = app
        .api(
            Method::POST,
            &url("/2/assignments"),
            &bob_token,
            Some(json!({"assignee_id": bob})),
        )
        .await;
    let contact = |id: i64| format!("/api/v1/accounts/{account}/contacts/{id}");
    let visible_contact = app
        .api(Method::GET, &contact(visible.contact_id), &bob_token, None)
        .await;
    let hidden_contact = app
        .api(Method::GET, &contact(hidden.contact_id), &bob_token, None)
        .await;
    let admin_contact = app
        .api(
            Method::GET,
            &contact(hidden.contact_id),
            &admin.access_token,
            None,
        )
        .await;

    assert_eq!(ids(&bobs_list), [1]);
    assert_eq!(counts(&bobs_list), (0, 1, 1));
    assert_eq!(ids(&admins_list), [2, 1]);
    assert_eq!(counts(&admins_list), (0, 2, 2));
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert_eq!(shown.body["id"], 1);
    for r in [
        &hidden_show,
        &hidden_messages,
        &hidden_toggle,
        &hidden_seen,
        &hidden_assign,
    ] {
        assert_eq!(r.status, 404, "{}", r.body);
    }
    // A thread without messages still names its contact.
    assert_eq!(visible_messages.status, 200, "{}", visible_messages.body);
    assert_eq!(visible_messages.body["payload"], json!([]));
    assert_eq!(
        visible_messages.body["meta"]["contact"]["id"],
        visible.contact_id
    );
    assert_eq!(no_such_messages.status, 404, "{}", no_such_messages.body);
    assert_eq!(visible_contact.status, 200, "{}", visible_contact.body);
    assert_eq!(hidden_contact.status, 404);
    assert_eq!(admin_contact.status, 200);
    let stored = conversation_row(&app, hidden.id).await;
    assert_eq!((stored.status.as_str(), stored.assignee_id), ("open", None));
}

/// Agents of the same inboxes share their list's page (`read_cache::PageKey::inboxes`, the inboxes read with each
/// caller and kept at the credentials version; `views::tests::agents_of_the_same_inboxes_have_one_page_key`).
/// Taken off an inbox, or given one, an agent's list follows at once, and the other agent's stays as it was.
#[tokio::test]
async fn agents_of_the_same_inboxes_share_a_page_until_their_inboxes_differ() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let (bob, bob_token) = app.agent(&admin, "bob@example.com").await;
    let (cy, cy_token) = app.agent(&admin, "cy@example.com").await;
    let first = app.create_api_inbox(&admin, "First").await;
    let second = app.create_api_inbox(&admin, "Second").await;
    for inbox in [first, second] {
        add_member(&app, &admin, inbox, bob).await;
        add_member(&app, &admin, inbox, cy).await;
    }
    seed_conversation(&app, account, first, 1, 100).await;
    seed_conversation(&app, account, second, 2, 50).await;
    let url = base(&admin);
    let list = |token: String| {
        let (app, url) = (&app, url.clone());
        async move {
            let r = app.api(Method::GET, &url, &token, None).await;
            assert_eq!(r.status, 200, "{}", r.body);
            r
        }
    };

    let bobs = list(bob_token.clone()).await;
    let cys = list(cy_token.clone()).await;
    assert_eq!(ids(&bobs), [2, 1]);
    assert_eq!(ids(&cys), [2, 1]);

    let r = app
        .api(
            Method::DELETE,
            &format!("/api/v1/accounts/{account}/inbox_members"),
            &admin.access_token,
            Some(json!({"inbox_id": second, "user_ids": [cy]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let cys = list(cy_token.clone()).await;
    let bobs = list(bob_token.clone()).await;
    assert_eq!(ids(&cys), [1], "taken off the second inbox");
    assert_eq!(counts(&cys), (0, 1, 1));
    assert_eq!(ids(&bobs), [2, 1]);

    add_member(&app, &admin, second, cy).await;
    let cys = list(cy_token.clone()).await;
    assert_eq!(ids(&cys), [2, 1], "given the second inbox again");
}

async fn conversation_row(app: &TestApp, id: i64) -> conversation::Model {
    use sea_orm::EntityTrait;
    conversation::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn conversations_of_other_accounts_are_not_found() {
    let app = spawn_app().await;
    let acme = app.admin("ada@example.com", "Acme").await;
    let globex = app.admin("gus@example.com", "Globex").await;
    let web = app.create_api_inbox(&acme, "Web").await;
    let conv = seed_conversation(&app, acme.account_id.unwrap(), web, 1, 10).await;

    let foreign_account = app
        .api(
            Method::GET,
            &format!("{}/1", base(&acme)),
            &globex.access_token,
            None,
        )
        .await;
    let own_account = app
        .api(
            Method::GET,
            &format!("{}/1", base(&globex)),
            &globex.access_token,
            None,
        )
        .await;
    let own_list = app
        .api(Method::GET, &base(&globex), &globex.access_token, None)
        .await;
    let contact = app
        .api(
            Method::GET,
            &format!(
                "/api/v1/accounts/{}/contacts/{}",
                globex.account_id.unwrap(),
                conv.contact_id
            ),
            &globex.access_token,
            None,
        )
        .await;

    assert_eq!(foreign_account.status, 404);
    assert_eq!(own_account.status, 404);
    assert_eq!(ids(&own_list), Vec::<i64>::new());
    assert_eq!(contact.status, 404);
}

#[tokio::test]
async fn messages_come_oldest_first_with_senders_and_attachments_and_page_back() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let web = app.create_api_inbox(&admin, "Web").await;
    let conv = seed_conversation(&app, account, web, 7, 10).await;
    let start = now() - 1000;
    let mut sent = Vec::new();
    for n in 0..22 {
        sent.push(seed_message(&app, &conv, 0, &format!("m{n}"), start + n, None).await);
    }
    let with_photo = seed_message(&app, &conv, 0, "look", start + 30, None).await;
    let photo = attachment::ActiveModel {
        account_id: Set(account),
        message_id: Set(with_photo.id),
        file_type: Set("image".to_owned()),
        external_url: Set(Some("https://lookaside.example/photo.jpg".to_owned())),
        file_key: Set(None),
        content_type: Set(None),
        byte_size: Set(None),
        created_at: Set(start + 30),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    let stored_file = attachment::ActiveModel {
        account_id: Set(account),
        message_id: Set(with_photo.id),
        file_type: Set("file".to_owned()),
        external_url: Set(Some("https://lookaside.example/doc.pdf".to_owned())),
        file_key: Set(Some("attachments/doc.pdf".to_owned())),
        content_type: Set(Some("application/pdf".to_owned())),
        byte_size: Set(Some(10)),
        created_at: Set(start + 30),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    let reply = seed_message(&app, &conv, 1, "thanks", start + 40, Some(admin.user_id)).await;
    let mut note: message::ActiveModel =
        seed_message(&app, &conv, 1, "VIP", start + 50, Some(admin.user_id))
            .await
            .into();
    note.private = Set(true);
    let note = note.update(&app.state.db).await.unwrap();
    let path = format!("{}/7/messages", base(&admin));

    let newest = app.api(Method::GET, &path, &admin.access_token, None).await;
    let oldest_id = newest.body["payload"][0]["id"].as_i64().unwrap();
    let older = app
        .api(
            Method::GET,
            &format!("{path}?before={oldest_id}"),
            &admin.access_token,
            None,
        )
        .await;

    assert_eq!(newest.status, 200, "{}", newest.body);
    assert_eq!(newest.body["meta"]["contact"]["id"], conv.contact_id);
    assert_eq!(newest.body["meta"]["contact"]["name"], "Customer 7");
    let page: Vec<i64> = newest.body["payload"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    let mut expected: Vec<i64> = sent[5..].iter().map(|m| m.id).collect();
    expected.extend([with_photo.id, reply.id, note.id]);
    assert_eq!(page, expected);
    let older_ids: Vec<i64> = older.body["payload"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        older_ids,
        sent[..5].iter().map(|m| m.id).collect::<Vec<_>>()
    );

    let incoming = &newest.body["payload"][17];
    assert_eq!(incoming["id"], with_photo.id);
    assert_eq!(incoming["message_type"], 0);
    assert_eq!(incoming["conversation_id"], 7);
    assert_eq!(incoming["account_id"], account);
    assert_eq!(incoming["inbox_id"], web);
    assert_eq!(incoming["created_at"], start + 30);
    assert_eq!(incoming["private"], false);
    assert_eq!(incoming["status"], "sent");
    assert_eq!(incoming["content_type"], "text");
    assert_eq!(incoming["content_attributes"], json!({"in_reply_to": null}));
    assert_eq!(incoming["sender_type"], "Contact");
    assert_eq!(incoming["sender_id"], conv.contact_id);
    assert_eq!(incoming["sender"]["type"], "contact");
    assert_eq!(incoming["sender"]["name"], "Customer 7");
    assert_eq!(
        incoming["attachments"],
        json!([
            {"id": photo.id, "file_type": "image", "data_url": "https://lookaside.example/photo.jpg", "thumb_url": "https://lookaside.example/photo.jpg"},
            {"id": stored_file.id, "file_type": "file", "data_url": format!("{FRONTEND_URL}/api/v1/accounts/{account}/attachments/{}/file", stored_file.id), "thumb_url": ""},
        ])
    );
    let outgoing = &newest.body["payload"][18];
    assert_eq!(outgoing["message_type"], 1);
    assert_eq!(outgoing["sender_type"], "User");
    assert_eq!(outgoing["sender"]["type"], "user");
    assert_eq!(outgoing["sender"]["id"], admin.user_id);
    assert_eq!(outgoing["attachments"], json!([]));
    assert_eq!(newest.body["payload"][19]["private"], true);
}

#[tokio::test]
async fn toggle_status_sets_toggles_and_rejects_unknown_statuses() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let web = app.create_api_inbox(&admin, "Web").await;
    let conv = seed_conversation(&app, admin.account_id.unwrap(), web, 3, 10).await;
    let path = format!("{}/3/toggle_status", base(&admin));
    let post = |body: Value| {
        let (app, path, token) = (&app, path.clone(), admin.access_token.clone());
        async move { app.api(Method::POST, &path, &token, Some(body)).await }
    };

    let pending = post(json!({"status": "pending"})).await;
    let toggled_open = post(json!({})).await;
    let toggled_resolved = post(json!({})).await;
    let invalid = post(json!({"status": "closed"})).await;

    assert_eq!(pending.status, 200, "{}", pending.body);
    assert_eq!(
        pending.body,
        json!({"meta": {}, "payload": {"success": true, "current_status": "pending", "conversation_id": 3}})
    );
    assert_eq!(toggled_open.body["payload"]["current_status"], "open");
    assert_eq!(
        toggled_resolved.body["payload"]["current_status"],
        "resolved"
    );
    assert_eq!(invalid.status, 422, "{}", invalid.body);
    assert_eq!(invalid.body["attributes"], json!(["status"]));
    assert_eq!(conversation_row(&app, conv.id).await.status, "resolved");
}

#[tokio::test]
async fn assignments_set_and_clear_the_assignee_who_must_belong_to_the_account() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let outsider = app.admin("gus@example.com", "Globex").await;
    let (bob, bob_token) = app.agent(&admin, "bob@example.com").await;
    let web = app.create_api_inbox(&admin, "Web").await;
    add_member(&app, &admin, web, bob).await;
    let conv = seed_conversation(&app, admin.account_id.unwrap(), web, 1, 10).await;
    let path = format!("{}/1/assignments", base(&admin));

    let to_bob = app
        .api(
            Method::POST,
            &path,
            &admin.access_token,
            Some(json!({"assignee_id": bob})),
        )
        .await;
    let shown = app
        .api(
            Method::GET,
            &format!("{}/1", base(&admin)),
            &admin.access_token,
            None,
        )
        .await;
    let to_outsider = app
        .api(
            Method::POST,
            &path,
            &admin.access_token,
            Some(json!({"assignee_id": outsider.user_id})),
        )
        .await;
    let to_nobody_known = app
        .api(
            Method::POST,
            &path,
            &bob_token,
            Some(json!({"assignee_id": 999_999})),
        )
        .await;
    let assigned_by_bob = conversation_row(&app, conv.id).await.assignee_id;
    let unassigned = app
        .api(
            Method::POST,
            &path,
            &bob_token,
            Some(json!({"assignee_id": null})),
        )
        .await;

    assert_eq!(to_bob.status, 200, "{}", to_bob.body);
    assert_eq!(to_bob.body["id"], bob);
    assert_eq!(to_bob.body["email"], "bob@example.com");
    assert_eq!(to_bob.body["name"], "Agent");
    assert_eq!(shown.body["assignee_id"], bob);
    assert_eq!(shown.body["meta"]["assignee"]["id"], bob);
    assert_eq!(to_outsider.status, 422, "{}", to_outsider.body);
    assert_eq!(to_outsider.body["attributes"], json!(["assignee_id"]));
    assert_eq!(to_nobody_known.status, 422);
    assert_eq!(assigned_by_bob, Some(bob));
    assert_eq!(unassigned.status, 200, "{}", unassigned.body);
    assert_eq!(unassigned.body, Value::Null);
    assert_eq!(conversation_row(&app, conv.id).await.assignee_id, None);
}

#[tokio::test]
async fn unread_counts_follow_what_the_assignee_or_any_agent_last_saw() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let (bob, bob_token) = app.agent(&admin, "bob@example.com").await;
    let web = app.create_api_inbox(&admin, "Web").await;
    add_member(&app, &admin, web, bob).await;
    let conv = seed_conversation(&app, admin.account_id.unwrap(), web, 1, 10).await;
    seed_message(&app, &conv, 0, "one", now() - 60, None).await;
    seed_message(&app, &conv, 0, "two", now() - 50, None).await;
    seed_message(&app, &conv, 1, "reply", now() - 40, Some(admin.user_id)).await;
    let show = format!("{}/1", base(&admin));
    let seen = format!("{}/1/update_last_seen", base(&admin));
    let unread = |token: String| {
        let (app, show) = (&app, show.clone());
        async move {
            let r = app.api(Method::GET, &show, &token, None).await;
            assert_eq!(r.status, 200, "{}", r.body);
            r.body["unread_count"].as_i64().unwrap()
        }
    };

    let before_anyone_looked = unread(admin.access_token.clone()).await;
    let marked = app
        .api(Method::POST, &seen, &admin.access_token, None)
        .await;
    let after_admin_looked = unread(admin.access_token.clone()).await;
    // Seconds are the clock's grain: move the marker back so the next message is unambiguously newer.
    let row = conversation_row(&app, conv.id).await;
    update_conversation(&app, &row, |c| c.agent_last_seen_at = Set(Some(now() - 30))).await;
    seed_message(&app, &conv, 0, "three", now() - 20, None).await;
    let after_a_new_message = unread(admin.access_token.clone()).await;
    app.api(
        Method::POST,
        &format!("{}/1/assignments", base(&admin)),
        &admin.access_token,
        Some(json!({"assignee_id": bob})),
    )
    .await;
    let once_bob_is_assignee = unread(bob_token.clone()).await;
    app.api(Method::POST, &seen, &admin.access_token, None)
        .await;
    let after_admin_looked_again = unread(bob_token.clone()).await;
    app.api(Method::POST, &seen, &bob_token, None).await;
    let after_bob_looked = unread(bob_token.clone()).await;

    assert_eq!(marked.status, 200, "{}", marked.body);
    assert_eq!(marked.body, json!({}));
    assert_eq!(before_anyone_looked, 2);
    assert_eq!(after_admin_looked, 0);
    assert_eq!(after_a_new_message, 1);
    assert_eq!(once_bob_is_assignee, 3);
    assert_eq!(after_admin_looked_again, 3);
    assert_eq!(after_bob_looked, 0);
    let row = conversation_row(&app, conv.id).await;
    assert!(row.agent_last_seen_at.is_some());
    assert!(row.assignee_last_seen_at.is_some());
}

/// Each conversation's kept `unread_count` beside a count made now from its messages.
async fn unread_kept_and_counted(app: &TestApp) -> Vec<(i64, i64, i64)> {
    let rows = app
        .state
        .db
        .query_all_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT c.id, c.unread_count, (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id \
             AND m.message_type = 0 AND m.created_at > COALESCE(CASE WHEN c.assignee_id IS NULL \
             THEN c.agent_last_seen_at ELSE c.assignee_last_seen_at END, -1)) AS counted \
             FROM conversations c ORDER BY c.id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get::<i64>("", "id").unwrap(),
                r.try_get::<i64>("", "unread_count").unwrap(),
                r.try_get::<i64>("", "counted").unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn kept_unread_counts_match_a_count_after_every_kind_of_write() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let (bob, _) = app.agent(&admin, "bob@example.com").await;
    let account = admin.account_id.unwrap();
    let web = app.create_api_inbox(&admin, "Web").await;
    let convs = [
        seed_conversation(&app, account, web, 1, 10).await,
        seed_conversation(&app, account, web, 2, 20).await,
    ];
    let db = &app.state.db;
    let t0 = now() - 1000;
    // A fixed pseudo-random walk over every write that moves a count, so a failure replays.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let mut seen_counts = std::collections::BTreeSet::new();
    for step in 0..120 {
        let conv = &convs[next(2) as usize];
        let at = t0 + next(100) as i64 * 10;
        let what = match next(9) {
            0 | 1 => {
                seed_message(
                    &app,
                    conv,
                    (next(3) == 0) as i16,
                    "one",
                    at,
                    Some(admin.user_id),
                )
                .await;
                "one message inserted"
            }
            2 => {
                // Several conversations' messages in one statement, as a processing batch writes them.
                let values: Vec<String> = (0..4)
                    .map(|i| {
                        let c = &convs[(i % 2) as usize];
                        format!(
                            "({}, {}, {}, {}, 'batch', 'text', '{{}}', false, 'sent', 'Contact', {}, {}, {})",
                            c.account_id, c.inbox_id, c.id, next(2), c.contact_id, at + i, at + i
                        )
                    })
                    .collect();
                db.execute_unprepared(&format!(
                    "INSERT INTO messages (account_id, inbox_id, conversation_id, message_type, content, \
                     content_type, content_attributes, private, status, sender_type, sender_id, created_at, \
                     updated_at) VALUES {}",
                    values.join(", ")
                ))
                .await
                .unwrap();
                "a batch inserted"
            }
            3 => {
                db.execute_unprepared(&format!(
                    "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE conversation_id = {} \
                     ORDER BY id LIMIT {})",
                    conv.id,
                    1 + next(3)
                ))
                .await
                .unwrap();
                "messages deleted"
            }
            4 => {
                let other = convs.iter().find(|c| c.id != conv.id).unwrap();
                let change = match next(3) {
                    0 => "message_type = 1 - message_type".to_owned(),
                    1 => format!("created_at = {at}"),
                    _ => format!("conversation_id = {}", other.id),
                };
                db.execute_unprepared(&format!(
                    "UPDATE messages SET {change} WHERE id = (SELECT MAX(id) FROM messages \
                     WHERE conversation_id = {})",
                    conv.id
                ))
                .await
                .unwrap();
                "a message changed"
            }
            5 => {
                let row = conversation_row(&app, conv.id).await;
                let marker = (next(4) > 0).then_some(at);
                update_conversation(&app, &row, |c| c.agent_last_seen_at = Set(marker)).await;
                "any agent's marker moved"
            }
            6 => {
                let row = conversation_row(&app, conv.id).await;
                let marker = (next(4) > 0).then_some(at);
                update_conversation(&app, &row, |c| c.assignee_last_seen_at = Set(marker)).await;
                "the assignee's marker moved"
            }
            7 => {
                let row = conversation_row(&app, conv.id).await;
                let assignee = [None, Some(bob), Some(admin.user_id)][next(3) as usize];
                update_conversation(&app, &row, |c| c.assignee_id = Set(assignee)).await;
                "the assignee changed"
            }
            _ => {
                // The markers written again unchanged beside another column.
                db.execute_unprepared(&format!(
                    "UPDATE conversations SET agent_last_seen_at = agent_last_seen_at, \
                     assignee_last_seen_at = assignee_last_seen_at, assignee_id = assignee_id, \
                     last_activity_at = {at} WHERE id = {}",
                    conv.id
                ))
                .await
                .unwrap();
                "other columns changed"
            }
        };
        for (id, kept, counted) in unread_kept_and_counted(&app).await {
            assert_eq!(kept, counted, "step {step}: {what}: conversation {id}");
            seen_counts.insert(counted);
        }
    }
    // The walk went through more than one count, up and down.
    assert!(seen_counts.len() > 3, "{seen_counts:?}");
}

#[tokio::test]
async fn instagram_conversations_can_reply_only_inside_the_messaging_window() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let ig = instagram_inbox(&app, account).await;
    let recent = seed_conversation(&app, account, ig, 1, 10).await;
    let stale = seed_conversation(&app, account, ig, 2, 20).await;
    seed_conversation(&app, account, ig, 3, 30).await;
    let recent_at = now() - 23 * HOUR;
    let stale_at = now() - 25 * HOUR;
    update_conversation(&app, &recent, |c| c.last_incoming_at = Set(Some(recent_at))).await;
    update_conversation(&app, &stale, |c| c.last_incoming_at = Set(Some(stale_at))).await;

    let standard = app
        .api(Method::GET, &base(&admin), &admin.access_token, None)
        .await;
    backend::global_config::set(
        &app.state.db,
        &app.state.keys,
        "ENABLE_INSTAGRAM_CHANNEL_HUMAN_AGENT",
        Some("true"),
    )
    .await
    .unwrap();
    let human_agent = app
        .api(Method::GET, &base(&admin), &admin.access_token, None)
        .await;

    assert_eq!(standard.status, 200, "{}", standard.body);
    let window = |list: &Reply, id: i64| {
        let c = conversation_in(list, id);
        (c["can_reply"].clone(), c["reply_window_ends_at"].clone())
    };
    assert_eq!(
        conversation_in(&standard, 1)["meta"]["sender"]["channel"],
        "Channel::Instagram"
    );
    assert_eq!(
        window(&standard, 1),
        (json!(true), json!(recent_at + 24 * HOUR))
    );
    assert_eq!(
        window(&standard, 2),
        (json!(false), json!(stale_at + 24 * HOUR))
    );
    assert_eq!(window(&standard, 3), (json!(false), Value::Null));
    assert_eq!(
        window(&human_agent, 2),
        (json!(true), json!(stale_at + 7 * 24 * HOUR))
    );
    assert_eq!(window(&human_agent, 3), (json!(false), Value::Null));
}

#[tokio::test]
async fn the_contact_endpoint_shows_the_contact_with_its_inboxes() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let (_, bob_token) = app.agent(&admin, "bob@example.com").await;
    let web = app.create_api_inbox(&admin, "Web").await;
    let conv = seed_conversation(&app, account, web, 4, 10).await;
    let path = format!("/api/v1/accounts/{account}/contacts/{}", conv.contact_id);

    let shown = app.api(Method::GET, &path, &admin.access_token, None).await;
    let not_a_member = app.api(Method::GET, &path, &bob_token, None).await;
    let unknown = app
        .api(
            Method::GET,
            &format!("/api/v1/accounts/{account}/contacts/999999"),
            &admin.access_token,
            None,
        )
        .await;

    assert_eq!(shown.status, 200, "{}", shown.body);
    let c = &shown.body["payload"];
    assert_eq!(c["id"], conv.contact_id);
    assert_eq!(c["name"], "Customer 4");
    assert_eq!(c["email"], "c4@example.com");
    assert_eq!(c["phone_number"], Value::Null);
    assert_eq!(c["identifier"], Value::Null);
    assert_eq!(c["thumbnail"], "https://cdn.example/4.jpg");
    assert_eq!(c["additional_attributes"], json!({"city": "Lyon"}));
    assert_eq!(c["custom_attributes"], json!({}));
    assert!(c["created_at"].is_i64());
    assert_eq!(c["contact_inboxes"].as_array().unwrap().len(), 1);
    assert_eq!(c["contact_inboxes"][0]["source_id"], "igsid-4");
    assert_eq!(c["contact_inboxes"][0]["inbox"]["id"], web);
    assert_eq!(c["contact_inboxes"][0]["inbox"]["name"], "Web");
    assert_eq!(
        c["contact_inboxes"][0]["inbox"]["channel_type"],
        "Channel::Api"
    );
    assert_eq!(not_a_member.status, 404);
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn the_openapi_document_lists_the_conversation_and_contact_routes() {
    let app = spawn_app().await;

    let r = crate::helpers::reply(
        app.client
            .get(format!("{}/api/openapi.json", app.address))
            .send()
            .await
            .unwrap(),
    )
    .await;

    let paths = r.body["paths"].as_object().unwrap();
    for p in [
        "/api/v1/accounts/{account_id}/conversations",
        "/api/v1/accounts/{account_id}/conversations/{id}",
        "/api/v1/accounts/{account_id}/conversations/{id}/messages",
        "/api/v1/accounts/{account_id}/conversations/{id}/toggle_status",
        "/api/v1/accounts/{account_id}/conversations/{id}/assignments",
        "/api/v1/accounts/{account_id}/conversations/{id}/update_last_seen",
        "/api/v1/accounts/{account_id}/contacts/{id}",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    let list_params = &paths["/api/v1/accounts/{account_id}/conversations"]["get"]["parameters"];
    let names: Vec<&str> = list_params
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["account_id", "status", "inbox_id", "assignee_type", "page"]
    );
}

#[tokio::test]
async fn messages_added_together_come_back_in_order_and_move_each_conversation_once() {
    use backend::conversations::store;
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let web = app.create_api_inbox(&admin, "Web").await;
    let a = seed_conversation(&app, account, web, 1, 500).await;
    let b = seed_conversation(&app, account, web, 2, 500).await;
    let resolved = seed_conversation(&app, account, web, 3, 500).await;
    update_conversation(&app, &resolved, |c| c.status = Set("resolved".to_owned())).await;
    // The seeds took numbers 1 to 3 without the account's counter.
    {
        use sea_orm::ConnectionTrait;
        app.state
            .db
            .execute_unprepared(&format!(
                "UPDATE accounts SET last_display_id = 3 WHERE id = {account}"
            ))
            .await
            .unwrap();
    }
    let links: Vec<(i64, contact_inbox::Model)> = {
        use sea_orm::EntityTrait;
        let mut links = Vec::new();
        for c in [&a, &resolved] {
            let link = contact_inbox::Entity::find_by_id(c.contact_inbox_id)
                .one(&app.state.db)
                .await
                .unwrap()
                .unwrap();
            links.push((account, link));
        }
        links
    };

    let current = store::current_conversations(&app.state.db, &links)
        .await
        .unwrap();
    let added = store::add_messages(
        &app.state.db,
        vec![
            (&a, new_message(0, "first", 1_000)),
            (&b, new_message(1, "reply", 1_500)),
            (&a, new_message(0, "second", 2_000)),
        ],
    )
    .await
    .unwrap();
    let after_a = conversation_row(&app, a.id).await;
    let after_b = conversation_row(&app, b.id).await;

    assert_eq!(current[0].id, a.id, "an open conversation stays current");
    assert_ne!(
        current[1].id, resolved.id,
        "a resolved one gives way to a new one"
    );
    assert_eq!(current[1].status, "open");
    assert_eq!(current[1].contact_inbox_id, resolved.contact_inbox_id);
    let contents: Vec<_> = added.iter().map(|m| m.content.clone().unwrap()).collect();
    assert_eq!(contents, ["first", "reply", "second"]);
    assert_eq!(added[1].conversation_id, b.id);
    assert_eq!(after_a.last_incoming_at, Some(2_000));
    assert!(after_a.last_activity_at > a.last_activity_at);
    assert_eq!(
        after_b.last_incoming_at, None,
        "an outgoing message is no customer's"
    );
    assert!(after_b.last_activity_at > b.last_activity_at);
}

/// Each conversation's `last_message_id` (kept by triggers, migration 30) is its newest message's after every
/// kind of write to messages: added in a batch, inserted straight, deleted (the newest, then the last one),
/// moved to another conversation; and the list shows that message.
#[tokio::test]
async fn the_last_message_follows_every_write_to_messages() {
    use backend::conversations::store;
    use sea_orm::{EntityTrait, ModelTrait};
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let web = app.create_api_inbox(&admin, "Web").await;
    let a = seed_conversation(&app, account, web, 1, 500).await;
    let b = seed_conversation(&app, account, web, 2, 400).await;
    // Conversations whose `last_message_id` is not their newest message's, and each one's last message shown.
    let check = |step: &'static str| {
        let app = &app;
        let admin = &admin;
        async move {
            let wrong: i64 = app
                .one(
                    "SELECT COUNT(*) AS v FROM conversations c WHERE c.last_message_id IS DISTINCT FROM \
                     (SELECT MAX(m.id) FROM messages m WHERE m.conversation_id = c.id)",
                )
                .await;
            assert_eq!(wrong, 0, "after {step}");
            let list = app
                .api(Method::GET, &base(admin), &admin.access_token, None)
                .await;
            assert_eq!(list.status, 200, "{}", list.body);
            [1, 2].map(|n| conversation_in(&list, n)["messages"][0]["content"].clone())
        }
    };

    assert_eq!(check("no messages").await, [Value::Null, Value::Null]);
    let added = store::add_messages(
        &app.state.db,
        vec![
            (&a, new_message(0, "a1", 1_000)),
            (&b, new_message(0, "b1", 1_000)),
            (&a, new_message(0, "a2", 1_001)),
        ],
    )
    .await
    .unwrap();
    assert_eq!(check("a batch").await, [json!("a2"), json!("b1")]);
    let straight = seed_message(&app, &b, 1, "b2", now(), None).await;
    assert_eq!(check("an insert").await, [json!("a2"), json!("b2")]);
    straight.delete(&app.state.db).await.unwrap();
    assert_eq!(
        check("the newest deleted").await,
        [json!("a2"), json!("b1")]
    );
    let mut moved: message::ActiveModel = added[2].clone().into();
    moved.conversation_id = Set(b.id);
    moved.update(&app.state.db).await.unwrap();
    assert_eq!(check("a move").await, [json!("a1"), json!("a2")]);
    message::Entity::delete_by_id(added[0].id)
        .exec(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        check("the last one deleted").await,
        [Value::Null, json!("a2")]
    );
}

/// The list and threads are kept between requests (`read_cache`); every write they show, made by this server or
/// straight to the database (as another instance would), must show on the next read.
#[tokio::test]
async fn kept_reads_show_every_write_made_since_by_any_server() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let (bob, bob_token) = app.agent(&admin, "bob@example.com").await;
    let inbox_id = app.create_api_inbox(&admin, "Support").await;
    add_member(&app, &admin, inbox_id, bob).await;
    let conv = seed_conversation(&app, account, inbox_id, 1, 100).await;
    seed_message(&app, &conv, 0, "hello", now() - 100, None).await;
    let list_url = base(&admin);
    let thread_url = format!("{}/1/messages", base(&admin));
    let get = |url: String, token: String| {
        let app = &app;
        async move {
            let r = app.api(Method::GET, &url, &token, None).await;
            assert_eq!(r.status, 200, "{}", r.body);
            r
        }
    };
    let admin_token = admin.access_token.clone();
    let version = || async {
        app.state
            .db
            .query_one_raw(Statement::from_string(
                app.state.db.get_database_backend(),
                format!("SELECT version FROM account_versions WHERE account_id = {account}"),
            ))
            .await
            .unwrap()
            .map(|r| r.try_get::<i64>("", "version").unwrap())
    };

    // The same read twice: the same body, and reading wrote nothing.
    let first = get(list_url.clone(), admin_token.clone()).await;
    let before = version().await;
    let again = get(list_url.clone(), admin_token.clone()).await;
    assert_eq!(first.body, again.body);
    assert_eq!(version().await, before);
    let thread = get(thread_url.clone(), admin_token.clone()).await;
    assert_eq!(thread.body["payload"].as_array().unwrap().len(), 1);
    assert_eq!(
        get(list_url.clone(), bob_token.clone()).await.body["data"]["payload"][0]["id"],
        1
    );

    // A contact renamed in the database.
    let mut person: contact::ActiveModel = contact::Entity::find_by_id(conv.contact_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    person.name = Set("Renamed".to_owned());
    person.update(&app.state.db).await.unwrap();
    let list = get(list_url.clone(), admin_token.clone()).await;
    assert_eq!(
        conversation_in(&list, 1)["meta"]["sender"]["name"],
        "Renamed"
    );
    let thread = get(thread_url.clone(), admin_token.clone()).await;
    assert_eq!(thread.body["meta"]["contact"]["name"], "Renamed");

    // A message and its attachment, each written on its own.
    let reply = seed_message(&app, &conv, 1, "on it", now(), Some(bob)).await;
    let thread = get(thread_url.clone(), admin_token.clone()).await;
    assert_eq!(thread.body["payload"][1]["content"], "on it");
    assert_eq!(thread.body["payload"][1]["attachments"], json!([]));
    attachment::ActiveModel {
        account_id: Set(account),
        message_id: Set(reply.id),
        file_type: Set("image".to_owned()),
        external_url: Set(Some("https://cdn.example/x.jpg".to_owned())),
        file_key: Set(None),
        content_type: Set(Some("image/jpeg".to_owned())),
        byte_size: Set(None),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    let thread = get(thread_url.clone(), admin_token.clone()).await;
    assert_eq!(
        thread.body["payload"][1]["attachments"][0]["data_url"],
        "https://cdn.example/x.jpg"
    );
    let list = get(list_url.clone(), admin_token.clone()).await;
    let last = &conversation_in(&list, 1)["messages"][0];
    assert_eq!(last["content"], "on it");
    assert_eq!(last["sender"]["id"], bob);
    assert_eq!(last["sender"]["type"], "user");
    assert_eq!(
        last["attachments"][0]["data_url"],
        "https://cdn.example/x.jpg"
    );

    // Assigned through the API, then the assignee renames themselves in the database.
    let r = app
        .api(
            Method::POST,
            &format!("{}/1/assignments", base(&admin)),
            &admin_token,
            Some(json!({"assignee_id": bob})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let list = get(list_url.clone(), admin_token.clone()).await;
    assert_eq!(counts(&list), (0, 0, 1));
    let mut agent: user::ActiveModel = user::Entity::find_by_id(bob)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    agent.name = Set("Robert".to_owned());
    agent.update(&app.state.db).await.unwrap();
    let list = get(list_url.clone(), admin_token.clone()).await;
    assert_eq!(
        conversation_in(&list, 1)["meta"]["assignee"]["name"],
        "Robert"
    );

    // Bob taken off the inbox: his kept list must not outlive his access.
    let bobs = get(list_url.clone(), bob_token.clone()).await;
    assert_eq!(counts(&bobs), (1, 0, 1));
    let r = app
        .api(
            Method::DELETE,
            &format!("/api/v1/accounts/{account}/inbox_members"),
            &admin_token,
            Some(json!({"inbox_id": inbox_id, "user_ids": [bob]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let bobs = get(list_url.clone(), bob_token.clone()).await;
    assert_eq!(ids(&bobs), Vec::<i64>::new());
    let r = app.api(Method::GET, &thread_url, &bob_token, None).await;
    assert_eq!(r.status, 404, "{}", r.body);
}

/// A kept list says "can reply" only until the Instagram window it shows closes, with no write in between.
#[tokio::test]
async fn a_kept_list_stops_at_the_first_reply_window_it_shows_closing() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let ig = instagram_inbox(&app, account).await;
    let conv = seed_conversation(&app, account, ig, 1, 10).await;
    let closes_at = now() + 2;
    update_conversation(&app, &conv, |c| {
        c.last_incoming_at = Set(Some(closes_at - 24 * HOUR))
    })
    .await;

    let open = app
        .api(Method::GET, &base(&admin), &admin.access_token, None)
        .await;
    assert_eq!(conversation_in(&open, 1)["can_reply"], true);
    while now() < closes_at {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let closed = app
        .api(Method::GET, &base(&admin), &admin.access_token, None)
        .await;
    assert_eq!(conversation_in(&closed, 1)["can_reply"], false);
}

/// The list's tab counts are kept across writes that cannot change them (a message) and counted again after
/// every write that can, made by any server: a conversation assigned, resolved, reopened, opened or deleted
/// straight in the database, an agent given an inbox.
#[tokio::test]
async fn kept_tab_counts_follow_every_write_they_depend_on() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let (bob, bob_token) = app.agent(&admin, "bob@example.com").await;
    let seen = app.create_api_inbox(&admin, "Seen by Bob").await;
    let unseen = app.create_api_inbox(&admin, "Not yet").await;
    add_member(&app, &admin, seen, bob).await;
    let first = seed_conversation(&app, account, seen, 1, 300).await;
    let second = seed_conversation(&app, account, unseen, 2, 200).await;
    let db = &app.state.db;
    let tabs_version = || async {
        db.query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT tabs_version FROM account_versions WHERE account_id = {account}"),
        ))
        .await
        .unwrap()
        .map_or(0, |r| r.try_get::<i64>("", "tabs_version").unwrap())
    };
    let tabs = |token: String| {
        let app = &app;
        let url = base(&admin);
        async move {
            let r = app.api(Method::GET, &url, &token, None).await;
            assert_eq!(r.status, 200, "{}", r.body);
            counts(&r)
        }
    };
    let (ada, bobs) = (admin.access_token.clone(), bob_token);
    assert_eq!(tabs(ada.clone()).await, (0, 2, 2));
    assert_eq!(tabs(bobs.clone()).await, (0, 1, 1));

    // A message changes the list but not its counts, nor the number they are kept at.
    let before = tabs_version().await;
    seed_message(&app, &first, 0, "hello", now(), None).await;
    assert_eq!(tabs_version().await, before);
    assert_eq!(tabs(ada.clone()).await, (0, 2, 2));

    app.exec(&format!(
        "UPDATE conversations SET assignee_id = {} WHERE id = {}",
        admin.user_id, first.id
    ))
    .await;
    assert_ne!(tabs_version().await, before);
    assert_eq!(tabs(ada.clone()).await, (1, 1, 2));
    assert_eq!(tabs(bobs.clone()).await, (0, 0, 1));

    app.exec(&format!(
        "UPDATE conversations SET status = 'resolved' WHERE id = {}",
        second.id
    ))
    .await;
    assert_eq!(tabs(ada.clone()).await, (1, 0, 1));
    app.exec(&format!(
        "UPDATE conversations SET status = 'open' WHERE id = {}",
        second.id
    ))
    .await;
    assert_eq!(tabs(ada.clone()).await, (1, 1, 2));

    add_member(&app, &admin, unseen, bob).await;
    assert_eq!(tabs(bobs.clone()).await, (0, 1, 2));

    let third = seed_conversation(&app, account, unseen, 3, 100).await;
    assert_eq!(tabs(ada.clone()).await, (1, 2, 3));
    assert_eq!(tabs(bobs.clone()).await, (0, 2, 3));
    app.exec(&format!(
        "DELETE FROM conversations WHERE id = {}",
        third.id
    ))
    .await;
    assert_eq!(tabs(ada.clone()).await, (1, 1, 2));
    assert_eq!(tabs(bobs).await, (0, 1, 2));
}

/// The tallies the tab counts come from are shared by callers who see the same inboxes, and each takes their own
/// "mine" from them: two agents of one inbox, an agent of two and an administrator, through assignments made
/// with the API.
#[tokio::test]
async fn callers_sharing_tallies_each_count_their_own() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let (bob, bob_token) = app.agent(&admin, "bob@example.com").await;
    let (cy, cy_token) = app.agent(&admin, "cy@example.com").await;
    let (dee, dee_token) = app.agent(&admin, "dee@example.com").await;
    let web = app.create_api_inbox(&admin, "Web").await;
    let mail = app.create_api_inbox(&admin, "Mail").await;
    for user in [bob, cy, dee] {
        add_member(&app, &admin, web, user).await;
    }
    add_member(&app, &admin, mail, dee).await;
    let first = seed_conversation(&app, account, web, 1, 300).await;
    seed_conversation(&app, account, web, 2, 200).await;
    seed_conversation(&app, account, mail, 3, 100).await;
    let tabs = |token: String| {
        let app = &app;
        let url = base(&admin);
        async move {
            let r = app.api(Method::GET, &url, &token, None).await;
            assert_eq!(r.status, 200, "{}", r.body);
            counts(&r)
        }
    };
    let everyone = || {
        [
            admin.access_token.clone(),
            bob_token.clone(),
            cy_token.clone(),
            dee_token.clone(),
        ]
    };
    let all = |want: [(i64, i64, i64); 4]| {
        let tabs = &tabs;
        async move {
            for (token, want) in everyone().into_iter().zip(want) {
                assert_eq!(tabs(token).await, want);
            }
        }
    };
    all([(0, 3, 3), (0, 2, 2), (0, 2, 2), (0, 3, 3)]).await;

    let assign = |to: Option<i64>| {
        let app = &app;
        let url = format!("{}/{}/assignments", base(&admin), first.display_id);
        let token = admin.access_token.clone();
        async move {
            let r = app
                .api(
                    Method::POST,
                    &url,
                    &token,
                    Some(json!({ "assignee_id": to })),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
    };
    assign(Some(bob)).await;
    all([(0, 2, 3), (1, 1, 2), (0, 1, 2), (0, 2, 3)]).await;
    assign(Some(cy)).await;
    all([(0, 2, 3), (0, 1, 2), (1, 1, 2), (0, 2, 3)]).await;
    assign(Some(admin.user_id)).await;
    all([(1, 2, 3), (0, 1, 2), (0, 1, 2), (0, 2, 3)]).await;
    assign(None).await;
    all([(0, 3, 3), (0, 2, 2), (0, 2, 2), (0, 3, 3)]).await;
}

/// Each account's open conversations by inbox and assignee as the tallies keep them (rows of 0 left out) beside
/// a count made now from `conversations`, as `account inbox assignee n` lines.
async fn tallies_kept_and_counted(app: &TestApp) -> (Vec<String>, Vec<String>) {
    let lines = |sql: &str| {
        let sql = sql.to_owned();
        async move {
            let db = &app.state.db;
            db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .unwrap()
                .iter()
                .map(|r| {
                    let v = |c: &str| r.try_get::<i64>("", c).unwrap();
                    format!("{} {} {} {}", v("a"), v("i"), v("u"), v("n"))
                })
                .collect::<Vec<_>>()
        }
    };
    (
        lines(
            "SELECT account_id AS a, inbox_id AS i, assignee_id AS u, open_count AS n \
             FROM conversation_tallies WHERE open_count <> 0 ORDER BY 1, 2, 3",
        )
        .await,
        lines(
            "SELECT account_id AS a, inbox_id AS i, COALESCE(assignee_id, 0) AS u, COUNT(*) AS n \
             FROM conversations WHERE status = 'open' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        )
        .await,
    )
}

/// The tab counts are sums of tallies kept by triggers (migration 35). After every kind of write to
/// conversations, one row or many in a statement, the tallies equal a count, and the lists' counts with nothing
/// kept equal counts made from the conversations for an administrator and for an agent of one inbox.
#[tokio::test]
async fn tallies_match_a_count_after_every_kind_of_write() {
    let app = spawn_app_with(&[("READ_CACHE_MIB", "0")]).await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let other = app.admin("oz@example.com", "Other").await;
    let account = admin.account_id.unwrap();
    let (bob, bob_token) = app.agent(&admin, "bob@example.com").await;
    let inboxes = [
        app.create_api_inbox(&admin, "Web").await,
        app.create_api_inbox(&admin, "Mail").await,
        app.create_api_inbox(&admin, "Spare").await,
    ];
    add_member(&app, &admin, inboxes[0], bob).await;
    let elsewhere = app.create_api_inbox(&other, "Theirs").await;
    seed_conversation(&app, other.account_id.unwrap(), elsewhere, 1, 10).await;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let statuses = ["open", "resolved", "pending"];
    let assignees = [
        "NULL".to_owned(),
        bob.to_string(),
        admin.user_id.to_string(),
    ];
    let mut display_id = 0;
    let mut seen = std::collections::BTreeSet::new();
    for step in 0..90 {
        let some = format!(
            "(SELECT id FROM conversations WHERE account_id = {account} ORDER BY id LIMIT 1 OFFSET {})",
            next(6)
        );
        let what = match next(8) {
            0 | 1 => {
                display_id += 1;
                let inbox = inboxes[next(2) as usize];
                let conv = seed_conversation(&app, account, inbox, display_id, 5).await;
                let status = statuses[next(3) as usize];
                let assignee = &assignees[next(3) as usize];
                app.exec(&format!(
                    "UPDATE conversations SET status = '{status}', assignee_id = {assignee} WHERE id = {}",
                    conv.id
                ))
                .await;
                "a conversation opened (and changed)"
            }
            2 => {
                let status = statuses[next(3) as usize];
                app.exec(&format!(
                    "UPDATE conversations SET status = '{status}' WHERE id = {some}"
                ))
                .await;
                "a status changed"
            }
            3 => {
                let assignee = &assignees[next(3) as usize];
                app.exec(&format!(
                    "UPDATE conversations SET assignee_id = {assignee} WHERE id = {some}"
                ))
                .await;
                "an assignee changed"
            }
            4 => {
                let inbox = inboxes[next(3) as usize];
                app.exec(&format!(
                    "UPDATE conversations SET inbox_id = {inbox} WHERE id = {some}"
                ))
                .await;
                "moved to another inbox"
            }
            5 => {
                // Many rows in one statement, each moved differently: assignees swapped, statuses turned.
                app.exec(&format!(
                    "UPDATE conversations SET assignee_id = CASE WHEN assignee_id IS NULL THEN {bob} \
                     WHEN assignee_id = {bob} THEN {ada} ELSE NULL END, \
                     status = CASE WHEN id % 3 = 0 THEN 'open' ELSE status END \
                     WHERE account_id = {account}",
                    ada = admin.user_id
                ))
                .await;
                "many changed in one statement"
            }
            6 => {
                app.exec(&format!(
                    "UPDATE conversations SET last_activity_at = last_activity_at + 1, \
                     status = status, assignee_id = assignee_id WHERE id = {some}"
                ))
                .await;
                "other columns changed"
            }
            _ => {
                app.exec(&format!("DELETE FROM conversations WHERE id = {some}"))
                    .await;
                "a conversation deleted"
            }
        };
        let (kept, counted) = tallies_kept_and_counted(&app).await;
        assert_eq!(kept, counted, "step {step}: {what}");
        seen.insert(counted.len());
    }
    assert!(seen.len() > 3, "the walk went through few shapes: {seen:?}");

    let count = |sql: String| {
        let app = &app;
        async move {
            app.one::<i64>(&format!(
                "SELECT COUNT(*) AS v FROM conversations WHERE {sql}"
            ))
            .await
        }
    };
    let open = format!("account_id = {account} AND status = 'open'");
    let ada_counts = (
        count(format!("{open} AND assignee_id = {}", admin.user_id)).await,
        count(format!("{open} AND assignee_id IS NULL")).await,
        count(open.clone()).await,
    );
    let bobs = format!("{open} AND inbox_id = {}", inboxes[0]);
    let bob_counts = (
        count(format!("{bobs} AND assignee_id = {bob}")).await,
        count(format!("{bobs} AND assignee_id IS NULL")).await,
        count(bobs.clone()).await,
    );
    let tabs = |token: String| {
        let app = &app;
        let url = base(&admin);
        async move {
            let r = app.api(Method::GET, &url, &token, None).await;
            assert_eq!(r.status, 200, "{}", r.body);
            counts(&r)
        }
    };
    assert_eq!(tabs(admin.access_token.clone()).await, ada_counts);
    assert_eq!(tabs(bob_token).await, bob_counts);
    assert!(
        ada_counts.2 > bob_counts.2 && bob_counts.2 > 0,
        "{ada_counts:?} {bob_counts:?}"
    );

    // An inbox deleted with its conversations takes their tallies to nothing.
    app.exec(&format!("DELETE FROM inboxes WHERE id = {}", inboxes[1]))
        .await;
    let (kept, counted) = tallies_kept_and_counted(&app).await;
    assert_eq!(kept, counted, "after the inbox was deleted");

    // The retention pass takes the tallies of 0 the walk and the deleted inbox left, and nothing else; a
    // conversation opened where a tally went is counted again.
    let empty = "SELECT COUNT(*) AS v FROM conversation_tallies WHERE open_count = 0";
    let left = app.one::<i64>(empty).await;
    assert!(left > 0, "the walk left no tally of 0");
    let pruned = backend::upkeep::prune(&app.state.db, &Default::default(), now())
        .await
        .unwrap();
    assert_eq!(pruned.empty_tallies, left as u64);
    assert_eq!(app.one::<i64>(empty).await, 0);
    let (after, _) = tallies_kept_and_counted(&app).await;
    assert_eq!(after, kept, "the retention pass kept every tally above 0");
    let again = seed_conversation(&app, account, inboxes[2], 1000, 1).await;
    app.exec(&format!(
        "UPDATE conversations SET assignee_id = {bob} WHERE id = {}",
        again.id
    ))
    .await;
    let (kept, counted) = tallies_kept_and_counted(&app).await;
    assert_eq!(
        kept, counted,
        "a conversation opened after the retention pass"
    );
}

/// Each message's kept `attachments_count` (migration 36) beside a count made now from `attachments`.
async fn attachments_kept_and_counted(app: &TestApp) -> Vec<(i64, i64, i64)> {
    let db = &app.state.db;
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT m.id, m.attachments_count AS kept, \
         (SELECT COUNT(*) FROM attachments a WHERE a.message_id = m.id) AS counted FROM messages m ORDER BY m.id",
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| {
        let v = |c: &str| r.try_get::<i64>("", c).unwrap();
        (v("id"), v("kept"), v("counted"))
    })
    .collect()
}

/// Which messages have attachments comes from their kept count. After every kind of write to attachments (one or
/// many in a statement, deleted, moved to another message, gone with their message), the counts equal a count,
/// and the list's last message and the thread show a message's attachments exactly while it has some.
#[tokio::test]
async fn attachment_counts_match_a_count_after_every_kind_of_write() {
    let app = spawn_app_with(&[("READ_CACHE_MIB", "0")]).await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let web = app.create_api_inbox(&admin, "Web").await;
    let conv = seed_conversation(&app, account, web, 1, 100).await;
    let mut messages = Vec::new();
    for n in 0..4 {
        messages.push(
            seed_message(&app, &conv, 0, "hi", now() - 50 + n, None)
                .await
                .id,
        );
    }
    let mut seed: u64 = 0x1234_5678_9abc_def1;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let attach = |ids: Vec<i64>| {
        let values: Vec<String> = ids
            .iter()
            .map(|id| format!("({account}, {id}, 'image', 'https://x.example/a.jpg', 1)"))
            .collect();
        format!(
            "INSERT INTO attachments (account_id, message_id, file_type, external_url, created_at) VALUES {}",
            values.join(", ")
        )
    };
    let mut shown = std::collections::BTreeSet::new();
    for step in 0..60 {
        let message = messages[next(messages.len() as u64) as usize];
        let what = match next(6) {
            0 | 1 => {
                app.exec(&attach(vec![message])).await;
                "one attached"
            }
            2 => {
                let ids = (0..3)
                    .map(|_| messages[next(messages.len() as u64) as usize])
                    .collect();
                app.exec(&attach(ids)).await;
                "several attached in one statement"
            }
            3 => {
                app.exec(&format!(
                    "DELETE FROM attachments WHERE id IN (SELECT id FROM attachments WHERE message_id = {message} \
                     ORDER BY id LIMIT {})",
                    1 + next(2)
                ))
                .await;
                "attachments deleted"
            }
            4 => {
                let to = messages[next(messages.len() as u64) as usize];
                app.exec(&format!(
                    "UPDATE attachments SET message_id = {to} WHERE id = (SELECT MIN(id) FROM attachments \
                     WHERE message_id = {message})"
                ))
                .await;
                "an attachment moved to another message"
            }
            _ if step > 40 && messages.len() > 2 => {
                let gone = messages.remove(0);
                app.exec(&format!("DELETE FROM messages WHERE id = {gone}"))
                    .await;
                "a message deleted with its attachments"
            }
            _ => {
                app.exec(&format!(
                    "UPDATE attachments SET file_type = 'file' WHERE message_id = {message}"
                ))
                .await;
                "other columns changed"
            }
        };
        for (id, kept, counted) in attachments_kept_and_counted(&app).await {
            assert_eq!(kept, counted, "step {step}: {what}: message {id}");
        }
        // The list's last message and the thread's show the attachments while there are some.
        let last = *messages.last().unwrap();
        let counted = attachments_kept_and_counted(&app)
            .await
            .into_iter()
            .find(|(id, ..)| *id == last)
            .map_or(0, |(_, _, n)| n);
        let list = app
            .api(Method::GET, &base(&admin), &admin.access_token, None)
            .await;
        let in_list = conversation_in(&list, conv.display_id)["messages"][0]["attachments"]
            .as_array()
            .unwrap()
            .len() as i64;
        let thread = app
            .api(
                Method::GET,
                &format!("{}/{}/messages", base(&admin), conv.display_id),
                &admin.access_token,
                None,
            )
            .await;
        assert_eq!(thread.status, 200, "{}", thread.body);
        let in_thread = thread.body["payload"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == last)
            .unwrap_or_else(|| panic!("message {last} not in {}", thread.body))["attachments"]
            .as_array()
            .unwrap()
            .len() as i64;
        assert_eq!(
            (in_list, in_thread),
            (counted, counted),
            "step {step}: {what}"
        );
        shown.insert(counted);
    }
    assert!(
        shown.len() > 2,
        "the last message's attachments took few counts: {shown:?}"
    );

    // Migration 36 counts the attachments already there when it runs.
    use migrations::{Migrator, MigratorTrait};
    Migrator::down(&app.state.db, Some(1)).await.expect("down");
    Migrator::up(&app.state.db, None).await.expect("up");
    let after = attachments_kept_and_counted(&app).await;
    assert!(after.iter().any(|(_, _, n)| *n > 0), "{after:?}");
    for (id, kept, counted) in after {
        assert_eq!(kept, counted, "after migration 36 ran again: message {id}");
    }
}

/// Migration 35 tallies the conversations already there when it runs.
#[tokio::test]
async fn the_tallies_start_from_the_conversations_already_there() {
    use migrations::{Migrator, MigratorTrait};
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let (bob, _) = app.agent(&admin, "bob@example.com").await;
    let web = app.create_api_inbox(&admin, "Web").await;
    let mail = app.create_api_inbox(&admin, "Mail").await;
    for (n, (inbox, status, assignee)) in [
        (web, "open", None),
        (web, "open", None),
        (web, "open", Some(bob)),
        (web, "resolved", None),
        (mail, "open", Some(admin.user_id)),
        (mail, "pending", Some(bob)),
    ]
    .into_iter()
    .enumerate()
    {
        let conv = seed_conversation(&app, account, inbox, n as i64 + 1, 5).await;
        update_conversation(&app, &conv, |c| {
            c.status = Set(status.to_owned());
            c.assignee_id = Set(assignee);
        })
        .await;
    }
    // Back to before migration 35 (36 is the last), then up again.
    let db = &app.state.db;
    Migrator::down(db, Some(2)).await.expect("down");
    Migrator::up(db, None).await.expect("up");
    let (kept, counted) = tallies_kept_and_counted(&app).await;
    assert_eq!(kept, counted);
    assert_eq!(
        kept,
        [
            format!("{account} {web} 0 2"),
            format!("{account} {web} {bob} 1"),
            format!("{account} {mail} {} 1", admin.user_id),
        ]
    );
}

/// The list's rows are kept by conversation and made again only when their stamp moves (`read_cache::KeptRows`,
/// migration 29), and a page's stamps are shared by the callers who see that page at the data version they read
/// (`read_cache::KeptPages`). After every kind of write a row shows, made straight to the database as another
/// instance would, each caller's list equals one made with nothing kept.
#[tokio::test]
async fn kept_list_rows_follow_every_write_they_show() {
    use backend::conversations::views::{self, ReplyPolicy, Source, Viewer};
    use backend::read_cache::{KeptPages, KeptRows};
    use shared::conversation::{AssigneeType, ConversationFilters};
    use shared::dto::Role;
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let (bob, bob_token) = app.agent(&admin, "bob@example.com").await;
    let web = app.create_api_inbox(&admin, "Support").await;
    let ig = instagram_inbox(&app, account).await;
    add_member(&app, &admin, web, bob).await;
    // A second administrator, who sees the same pages as the first.
    let (cy, cy_token) = app.agent(&admin, "cy@example.com").await;
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE account_users SET role = 'administrator' WHERE user_id = {cy}"
        ))
        .await
        .unwrap();
    let first = seed_conversation(&app, account, web, 1, 300).await;
    let second = seed_conversation(&app, account, ig, 2, 200).await;
    let third = seed_conversation(&app, account, web, 3, 100).await;
    update_conversation(&app, &second, |c| {
        c.last_incoming_at = Set(Some(now() - 60))
    })
    .await;
    seed_message(&app, &first, 0, "hello", now() - 90, None).await;
    let reply = seed_message(&app, &first, 1, "on it", now() - 80, Some(bob)).await;
    seed_message(&app, &second, 0, "hi there", now() - 70, None).await;
    let callers = [
        (admin.access_token.clone(), admin.user_id),
        (cy_token, cy),
        (bob_token, bob),
    ];
    // Each caller's list through the API (the server keeps its rows and pages), and made here: with nothing kept,
    // and with this test's own kept rows and pages at the account's data version, first counting (which keeps
    // the page's stamps), then with those counts kept (which takes them).
    let kept = KeptRows::new(100);
    let pages = KeptPages::new(1 << 20);
    let everything = ConversationFilters::default();
    let mine = ConversationFilters {
        assignee_type: Some(AssigneeType::Me),
        ..Default::default()
    };
    // An empty page.
    let beyond = ConversationFilters {
        page: Some(9),
        ..Default::default()
    };
    let compare = |what: &'static str| {
        let app = &app;
        let callers = &callers;
        let kept = &kept;
        let pages = &pages;
        let (everything, mine, beyond) = (&everything, &mine, &beyond);
        let url = base(&admin);
        async move {
            for (token, user_id) in callers {
                // As the server sees them: the writes below change a role.
                let role = Role::parse(
                    &app.one::<String>(&format!(
                        "SELECT role AS v FROM account_users WHERE user_id = {user_id} AND account_id = {account}"
                    ))
                    .await,
                )
                .unwrap();
                let version = app
                    .one::<i64>(&format!(
                        "SELECT COALESCE(MAX(version), 0) AS v FROM account_versions WHERE account_id = {account}"
                    ))
                    .await;
                // The caller's inboxes in the account, as their lookup reads them.
                let inboxes: Vec<i64> = app
                    .state
                    .db
                    .query_all_raw(sea_orm::Statement::from_string(
                        app.state.db.get_database_backend(),
                        format!(
                            "SELECT im.inbox_id AS v FROM inbox_members im JOIN inboxes i ON i.id = im.inbox_id \
                             WHERE im.user_id = {user_id} AND i.account_id = {account} ORDER BY im.inbox_id"
                        ),
                    ))
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.try_get::<i64>("", "v").unwrap())
                    .collect();
                let inboxes = &inboxes;
                // "Mine" reads who the caller is: its page is theirs alone, even among administrators.
                for (query, filters) in [
                    ("", everything),
                    ("?assignee_type=me", mine),
                    ("?page=9", beyond),
                ] {
                    let r = app
                        .api(Method::GET, &format!("{url}{query}"), token, None)
                        .await;
                    assert_eq!(r.status, 200, "{what}: {}", r.body);
                    let list = |kept, counts| async move {
                        views::list(
                            Source {
                                db: &app.state.db,
                                sqlite: app.state.sqlite_reads.as_deref(),
                            },
                            FRONTEND_URL,
                            ReplyPolicy {
                                now: now(),
                                instagram_human_agent: false,
                            },
                            Viewer {
                                account_id: account,
                                user_id: *user_id,
                                role,
                            },
                            filters,
                            counts,
                            kept,
                        )
                        .await
                        .unwrap()
                    };
                    let fresh = list(None, None).await;
                    let here = Some(views::Kept {
                        rows: kept,
                        pages: Some((pages, version)),
                        inboxes: (!inboxes.is_empty()).then_some(inboxes.as_slice()),
                    });
                    let counted = Some(fresh.meta);
                    let fresh = serde_json::to_value(&fresh).unwrap();
                    for counts in [None, counted] {
                        assert_eq!(
                            serde_json::to_value(list(here, counts).await).unwrap(),
                            fresh,
                            "{what}, as {role:?}, {query:?}, kept rows, counts kept: {}",
                            counts.is_some()
                        );
                    }
                    // Nothing kept but the counts: the page's statement without them.
                    assert_eq!(
                        serde_json::to_value(list(None, counted).await).unwrap(),
                        fresh,
                        "{what}, as {role:?}, {query:?}, nothing kept but the counts"
                    );
                    assert_eq!(
                        r.body, fresh,
                        "{what}, as {role:?}, {query:?}, through the API"
                    );
                }
            }
        }
    };

    compare("at first").await;
    assert_eq!(
        kept.len(),
        3,
        "the rows were kept, each once for both callers"
    );
    let (c1, c2, c3) = (first.id, second.id, third.id);
    let contact = first.contact_id;
    let writes = [
        ("a contact renamed", format!("UPDATE contacts SET name = 'Renamed' WHERE id = {contact}")),
        ("a contact's picture", format!("UPDATE contacts SET thumbnail = 'https://cdn.example/new.jpg' WHERE id = {contact}")),
        ("the last message edited", format!("UPDATE messages SET content = 'edited' WHERE id = {}", reply.id)),
        ("the last message read", format!("UPDATE messages SET status = 'read' WHERE id = {}", reply.id)),
        (
            "an attachment added to the last message",
            format!(
                "INSERT INTO attachments (account_id, message_id, file_type, external_url, created_at) \
                 VALUES ({account}, {}, 'image', 'https://cdn.example/a.jpg', 1)",
                reply.id
            ),
        ),
        ("the attachment changed", format!("UPDATE attachments SET external_url = 'https://cdn.example/b.jpg' WHERE message_id = {}", reply.id)),
        ("the attachment deleted", format!("DELETE FROM attachments WHERE message_id = {}", reply.id)),
        ("the sender of the last message renamed", format!("UPDATE users SET name = 'Robert' WHERE id = {bob}")),
        ("an assignee", format!("UPDATE conversations SET assignee_id = {bob} WHERE id = {c1}")),
        ("the assignee renamed", format!("UPDATE users SET name = 'Bobby' WHERE id = {bob}")),
        ("the assignee's role", format!("UPDATE account_users SET role = 'administrator' WHERE user_id = {bob} AND account_id = {account}")),
        ("the assignee's role back", format!("UPDATE account_users SET role = 'agent' WHERE user_id = {bob} AND account_id = {account}")),
        ("seen by an agent", format!("UPDATE conversations SET agent_last_seen_at = {} WHERE id = {c2}", now())),
        ("an incoming message", format!(
            "INSERT INTO messages (account_id, inbox_id, conversation_id, message_type, content, content_type, \
             content_attributes, private, status, sender_type, sender_id, created_at, updated_at) \
             VALUES ({account}, {ig}, {c2}, 0, 'more', 'text', '{{}}', false, 'sent', 'Contact', {}, {t}, {t})",
            second.contact_id,
            t = now()
        )),
        ("an agent's reply", format!(
            "INSERT INTO messages (account_id, inbox_id, conversation_id, message_type, content, content_type, \
             content_attributes, private, status, sender_type, sender_id, created_at, updated_at) \
             VALUES ({account}, {web}, {c1}, 1, 'done', 'text', '{{}}', false, 'sent', 'User', {bob}, {t}, {t})",
            t = now()
        )),
        ("the last message deleted", format!("DELETE FROM messages WHERE id = (SELECT MAX(id) FROM messages WHERE conversation_id = {c2})")),
        ("a message moved to another conversation", format!("UPDATE messages SET conversation_id = {c3} WHERE id = {}", reply.id)),
        ("attributes", format!("UPDATE conversations SET additional_attributes = '{{\"mail_subject\":\"x\"}}' WHERE id = {c3}")),
        ("an inbox's channel", format!("UPDATE inboxes SET channel_type = 'Channel::Voice' WHERE id = {ig}")),
        ("the conversation resolved", format!("UPDATE conversations SET status = 'resolved' WHERE id = {c1}")),
        ("the conversation reopened", format!("UPDATE conversations SET status = 'open' WHERE id = {c1}")),
        ("a conversation moved out of the agent's inbox", format!("UPDATE conversations SET inbox_id = {ig} WHERE id = {c3}")),
        ("a conversation deleted", format!("DELETE FROM conversations WHERE id = {c2}")),
    ];
    for (what, write) in writes {
        app.exec(&write).await;
        compare(what).await;
    }
}

/// The list and the thread show each conversation's contact as `contacts` has it now, whatever wrote it: the
/// copy on the conversation row (migration 31) follows a conversation inserted by any statement, a contact's
/// name and picture changed (in every inbox the contact wrote to), its picture removed, and a conversation
/// given to another contact.
#[tokio::test]
async fn the_list_and_the_thread_show_each_conversations_contact_as_it_is_now() {
    let app = spawn_app().await;
    let admin = app.admin("ada@example.com", "Acme").await;
    let account = admin.account_id.unwrap();
    let web = app.create_api_inbox(&admin, "Support").await;
    let sales = app.create_api_inbox(&admin, "Sales").await;
    let first = seed_conversation(&app, account, web, 1, 300).await;
    let second = seed_conversation(&app, account, web, 2, 200).await;
    let (a, b) = (first.contact_id, second.contact_id);
    // The first contact writes to a second inbox too: a conversation inserted by a plain statement, as another
    // instance or the processing batch would.
    let t = now();
    app.exec(&format!(
        "INSERT INTO contact_inboxes (contact_id, inbox_id, source_id, created_at) \
         VALUES ({a}, {sales}, 'a-sales', {t})"
    ))
    .await;
    let link: i64 = app
        .one(&format!(
            "SELECT id AS v FROM contact_inboxes WHERE contact_id = {a} AND inbox_id = {sales}"
        ))
        .await;
    app.exec(&format!(
        "INSERT INTO conversations (account_id, inbox_id, contact_id, contact_inbox_id, display_id, status, \
         last_activity_at, additional_attributes, created_at, updated_at) \
         VALUES ({account}, {sales}, {a}, {link}, 3, 'open', {}, '{{}}', {t}, {t})",
        t - 100
    ))
    .await;
    let check = |what: &'static str| {
        let app = &app;
        let admin = &admin;
        async move {
            let truth: Vec<(i64, i64, Value)> = app
                .state
                .db
                .query_all_raw(Statement::from_string(
                    app.state.db.get_database_backend(),
                    format!(
                        "SELECT c.id, c.display_id, ct.id AS contact_id, ct.name, ct.thumbnail \
                         FROM conversations c JOIN contacts ct ON ct.id = c.contact_id \
                         WHERE c.account_id = {account} ORDER BY c.id"
                    ),
                ))
                .await
                .unwrap()
                .iter()
                .map(|r| {
                    let contact_id: i64 = r.try_get("", "contact_id").unwrap();
                    let name: String = r.try_get("", "name").unwrap();
                    let thumbnail: Option<String> = r.try_get("", "thumbnail").unwrap();
                    (
                        r.try_get("", "id").unwrap(),
                        r.try_get("", "display_id").unwrap(),
                        json!({"id": contact_id, "name": name, "thumbnail": thumbnail.unwrap_or_default()}),
                    )
                })
                .collect();
            assert_eq!(truth.len(), 3, "{what}");
            let list = app
                .api(Method::GET, &base(admin), &admin.access_token, None)
                .await;
            assert_eq!(list.status, 200, "{what}: {}", list.body);
            let rows = list.body["data"]["payload"].as_array().unwrap().clone();
            assert_eq!(rows.len(), 3, "{what}: {}", list.body);
            for (id, display_id, contact) in &truth {
                let row = rows
                    .iter()
                    .find(|r| r["id"] == json!(display_id))
                    .unwrap_or_else(|| panic!("{what}: conversation {id} not listed"));
                let sender = &row["meta"]["sender"];
                let shown = json!({"id": sender["id"], "name": sender["name"], "thumbnail": sender["thumbnail"]});
                assert_eq!(&shown, contact, "{what}: the list's row {id}");
                let thread = app
                    .api(
                        Method::GET,
                        &format!("{}/{display_id}/messages", base(admin)),
                        &admin.access_token,
                        None,
                    )
                    .await;
                assert_eq!(thread.status, 200, "{what}: {}", thread.body);
                assert_eq!(
                    &thread.body["meta"]["contact"], contact,
                    "{what}: the thread of {display_id}"
                );
            }
        }
    };

    check("at first").await;
    let writes = [
        ("the first contact renamed", format!("UPDATE contacts SET name = 'Renamed' WHERE id = {a}")),
        ("its picture changed", format!("UPDATE contacts SET thumbnail = 'https://cdn.example/new.jpg' WHERE id = {a}")),
        ("its picture removed", format!("UPDATE contacts SET thumbnail = NULL WHERE id = {a}")),
        ("both at once", format!("UPDATE contacts SET name = 'Both', thumbnail = 'https://cdn.example/b.jpg' WHERE id = {a}")),
        ("written unchanged", format!("UPDATE contacts SET name = 'Both', updated_at = updated_at + 1 WHERE id = {a}")),
        (
            "the second conversation given to the first contact",
            format!(
                "UPDATE conversations SET contact_id = {a}, contact_inbox_id = {} WHERE id = {}",
                first.contact_inbox_id, second.id
            ),
        ),
        ("the first contact renamed again", format!("UPDATE contacts SET name = 'Again' WHERE id = {a}")),
        ("the second contact, now without conversations, renamed", format!("UPDATE contacts SET name = 'Nobody' WHERE id = {b}")),
    ];
    for (what, text) in writes {
        app.exec(&text).await;
        check(what).await;
    }
}

/// The list and the thread read their rows' cells by position, on PostgreSQL checking each column's type once
/// per statement (`db::RowCells`) rather than once per cell: a column read as the wrong type is still an error,
/// in every row, not bytes taken for another type; NULL is still `None` where a value may be missing, and an
/// error where it may not.
#[tokio::test]
async fn a_rows_cells_are_read_as_their_columns_types_or_refused() {
    use backend::db::{Cells, RowCells, StatementTypes};
    use sea_orm::{ConnectionTrait, DbErr, QueryResult, Statement};

    let app = spawn_app().await;
    let rows = app
        .state
        .db
        .query_all_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT 'x' AS a, CAST(7 AS BIGINT) AS b, CAST(NULL AS BIGINT) AS c \
             UNION ALL SELECT 'y', 8, 9",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);

    /// Each row as the views read it (`db::RowCells`).
    fn read<T: backend::db::Cell>(
        rows: &[QueryResult],
        at: usize,
        types: &StatementTypes,
    ) -> Vec<Result<T, DbErr>> {
        rows.iter()
            .map(|r| RowCells::of(r, types).cell::<T>(at))
            .collect()
    }
    let types = StatementTypes::default();
    let text: Vec<String> = read::<String>(&rows, 0, &types)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(text, ["x", "y"]);
    let numbers: Vec<i64> = read::<i64>(&rows, 1, &types)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(numbers, [7, 8]);
    let maybe: Vec<Option<i64>> = read::<Option<i64>>(&rows, 2, &types)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(maybe, [None, Some(9)]);
    // NULL where a value must be is an error, not a default.
    let missing = read::<i64>(&rows, 2, &types);
    assert!(missing[0].is_err(), "{missing:?}");
    assert_eq!(*missing[1].as_ref().unwrap(), 9);
    // Text read as a number is refused in every row, also after the column was read as text.
    for wrong in read::<i64>(&rows, 0, &types) {
        assert!(wrong.is_err(), "{wrong:?}");
    }
    // And a number column already read as a number is still refused as text.
    for wrong in read::<String>(&rows, 1, &types) {
        assert!(wrong.is_err(), "{wrong:?}");
    }
}
