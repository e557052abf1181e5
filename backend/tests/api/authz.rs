//! The authorization matrix: every `/api/v1` route × {no credentials → 401, an agent on administrator routes →
//! 403, another account's ids → 404, a non-super-admin on super-admin routes → 403}.
//!
//! The routes are discovered twice — from the `#[get("…")]`-style attributes in `src/routes/*.rs` and from the
//! served `/api/openapi.json` — and each one must have a row in `RULES`, so a new route cannot be forgotten.

use crate::helpers::{spawn_app, TestApp};
use backend::db::now;
use backend::entities::{attachment, contact, contact_inbox, conversation, job, message};
use reqwest::{Method, StatusCode};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    /// No credentials needed (webhooks, sign-in, signed links): outside the matrix, listed so none is forgotten.
    Public,
    /// Any signed-in user; the route names no account.
    SignedIn,
    /// Any user of the account in the path.
    Member,
    /// Administrators of the account in the path.
    Admin,
    /// Users with the super-admin flag.
    SuperAdmin,
}

/// What fills a path parameter.
#[derive(Debug, Clone, Copy)]
enum Id {
    Account,
    Inbox,
    /// The conversation's per-account number.
    Conversation,
    Contact,
    Agent,
    Attachment,
    Message,
    Job,
}

/// What a request carries: the assertion is about the auth status, so a minimal valid body is enough.
#[derive(Debug, Clone, Copy)]
enum Body {
    None,
    NewAgent,
    NewInbox,
    RenameInbox,
    InboxMembers,
    Status,
    Assignee,
    Reply,
    Empty,
}

struct Rule {
    method: &'static str,
    path: &'static str,
    access: Access,
    params: &'static [(&'static str, Id)],
    query: &'static str,
    body: Body,
    /// A never-ending response (server-sent events): only the status is read.
    stream: bool,
}

const fn rule(
    method: &'static str,
    path: &'static str,
    access: Access,
    params: &'static [(&'static str, Id)],
    body: Body,
) -> Rule {
    Rule {
        method,
        path,
        access,
        params,
        query: "",
        body,
        stream: false,
    }
}

use Access::*;

const ACC: (&str, Id) = ("account_id", Id::Account);
const CONV: (&str, Id) = ("id", Id::Conversation);

/// Every route of the application and who may call it.
const RULES: &[Rule] = &[
    rule("GET", "/health", Public, &[], Body::None),
    rule("POST", "/auth/sign_in", Public, &[], Body::None),
    rule("DELETE", "/auth/sign_out", Public, &[], Body::None),
    rule("GET", "/instagram/callback", Public, &[], Body::None),
    rule("POST", "/instagram/deauthorize", Public, &[], Body::None),
    rule("POST", "/instagram/data_deletion", Public, &[], Body::None),
    rule("GET", "/instagram/deletion/{code}", Public, &[], Body::None),
    rule("GET", "/files/{token}", Public, &[], Body::None),
    rule("GET", "/webhooks/instagram", Public, &[], Body::None),
    rule("POST", "/webhooks/instagram", Public, &[], Body::None),
    rule(
        "POST",
        "/twilio/voice/call/{digits}",
        Public,
        &[],
        Body::None,
    ),
    rule(
        "POST",
        "/twilio/voice/status/{digits}",
        Public,
        &[],
        Body::None,
    ),
    rule(
        "POST",
        "/twilio/voice/recording/{digits}",
        Public,
        &[],
        Body::None,
    ),
    rule("GET", "/api/v1/profile", SignedIn, &[], Body::None),
    rule(
        "GET",
        "/api/v1/accounts/{account_id}/agents",
        Member,
        &[ACC],
        Body::None,
    ),
    rule(
        "POST",
        "/api/v1/accounts/{account_id}/agents",
        Admin,
        &[ACC],
        Body::NewAgent,
    ),
    rule(
        "DELETE",
        "/api/v1/accounts/{account_id}/agents/{user_id}",
        Admin,
        &[ACC, ("user_id", Id::Agent)],
        Body::None,
    ),
    rule(
        "GET",
        "/api/v1/accounts/{account_id}/inboxes",
        Member,
        &[ACC],
        Body::None,
    ),
    rule(
        "POST",
        "/api/v1/accounts/{account_id}/inboxes",
        Admin,
        &[ACC],
        Body::NewInbox,
    ),
    rule(
        "GET",
        "/api/v1/accounts/{account_id}/inboxes/{inbox_id}",
        Member,
        &[ACC, ("inbox_id", Id::Inbox)],
        Body::None,
    ),
    rule(
        "PATCH",
        "/api/v1/accounts/{account_id}/inboxes/{inbox_id}",
        Admin,
        &[ACC, ("inbox_id", Id::Inbox)],
        Body::RenameInbox,
    ),
    rule(
        "DELETE",
        "/api/v1/accounts/{account_id}/inboxes/{inbox_id}",
        Admin,
        &[ACC, ("inbox_id", Id::Inbox)],
        Body::None,
    ),
    rule(
        "GET",
        "/api/v1/accounts/{account_id}/inbox_members/{inbox_id}",
        Member,
        &[ACC, ("inbox_id", Id::Inbox)],
        Body::None,
    ),
    rule(
        "POST",
        "/api/v1/accounts/{account_id}/inbox_members",
        Admin,
        &[ACC],
        Body::InboxMembers,
    ),
    rule(
        "PATCH",
        "/api/v1/accounts/{account_id}/inbox_members",
        Admin,
        &[ACC],
        Body::InboxMembers,
    ),
    rule(
        "DELETE",
        "/api/v1/accounts/{account_id}/inbox_members",
        Admin,
        &[ACC],
        Body::InboxMembers,
    ),
    rule(
        "GET",
        "/api/v1/accounts/{account_id}/instagram/status",
        Member,
        &[ACC],
        Body::None,
    ),
    rule(
        "POST",
        "/api/v1/accounts/{account_id}/instagram/authorization",
        Admin,
        &[ACC],
        Body::Empty,
    ),
    Rule {
        query: "?config=instagram",
        ..rule(
            "GET",
            "/api/v1/super_admin/app_config",
            SuperAdmin,
            &[],
            Body::None,
        )
    },
    Rule {
        query: "?config=instagram",
        ..rule(
            "POST",
            "/api/v1/super_admin/app_config",
            SuperAdmin,
            &[],
            Body::Empty,
        )
    },
    rule(
        "GET",
        "/api/v1/super_admin/jobs",
        SuperAdmin,
        &[],
        Body::None,
    ),
    rule(
        "POST",
        "/api/v1/super_admin/jobs/{id}/retry",
        SuperAdmin,
        &[("id", Id::Job)],
        Body::None,
    ),
    rule(
        "GET",
        "/api/v1/accounts/{account_id}/conversations",
        Member,
        &[ACC],
        Body::None,
    ),
    rule(
        "GET",
        "/api/v1/accounts/{account_id}/conversations/{id}",
        Member,
        &[ACC, CONV],
        Body::None,
    ),
    rule(
        "GET",
        "/api/v1/accounts/{account_id}/conversations/{id}/messages",
        Member,
        &[ACC, CONV],
        Body::None,
    ),
    rule(
        "POST",
        "/api/v1/accounts/{account_id}/conversations/{id}/toggle_status",
        Member,
        &[ACC, CONV],
        Body::Status,
    ),
    rule(
        "POST",
        "/api/v1/accounts/{account_id}/conversations/{id}/assignments",
        Member,
        &[ACC, CONV],
        Body::Assignee,
    ),
    rule(
        "POST",
        "/api/v1/accounts/{account_id}/conversations/{id}/update_last_seen",
        Member,
        &[ACC, CONV],
        Body::None,
    ),
    rule(
        "GET",
        "/api/v1/accounts/{account_id}/contacts/{id}",
        Member,
        &[ACC, ("id", Id::Contact)],
        Body::None,
    ),
    rule(
        "POST",
        "/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages",
        Member,
        &[ACC, ("conversation_id", Id::Conversation)],
        Body::Reply,
    ),
    rule(
        "POST",
        "/api/v1/accounts/{account_id}/conversations/{conversation_id}/messages/{message_id}/retry",
        Member,
        &[
            ACC,
            ("conversation_id", Id::Conversation),
            ("message_id", Id::Message),
        ],
        Body::None,
    ),
    rule(
        "GET",
        "/api/v1/accounts/{account_id}/attachments/{attachment_id}/file",
        Member,
        &[ACC, ("attachment_id", Id::Attachment)],
        Body::None,
    ),
    Rule {
        stream: true,
        ..rule(
            "GET",
            "/api/v1/accounts/{account_id}/events",
            Member,
            &[ACC],
            Body::None,
        )
    },
];

/// One account's worth of real rows, so a 404 means "not yours" rather than "does not exist".
#[derive(Debug, Clone)]
struct Ids {
    account: i64,
    inbox: i64,
    conversation: i64,
    contact: i64,
    agent: i64,
    attachment: i64,
    message: i64,
    job: i64,
    admin_token: String,
    agent_token: String,
}

impl Ids {
    fn get(&self, id: Id) -> i64 {
        match id {
            Id::Account => self.account,
            Id::Inbox => self.inbox,
            Id::Conversation => self.conversation,
            Id::Contact => self.contact,
            Id::Agent => self.agent,
            Id::Attachment => self.attachment,
            Id::Message => self.message,
            Id::Job => self.job,
        }
    }
}

/// An account with an administrator, an agent who is a member of its API inbox, a conversation numbered
/// `display_id` with a failed reply carrying a stored attachment, and a dead job.
async fn account_fixture(app: &TestApp, tag: &str, display_id: i64) -> Ids {
    let admin = app
        .admin(
            &format!("admin-{tag}@example.com"),
            &format!("Account {tag}"),
        )
        .await;
    let account = admin.account_id.unwrap();
    let inbox = app.create_api_inbox(&admin, &format!("Inbox {tag}")).await;
    let (agent, agent_token) = app.agent(&admin, &format!("agent-{tag}@example.com")).await;
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/accounts/{account}/inbox_members"),
            &admin.access_token,
            Some(json!({"inbox_id": inbox, "user_ids": [agent]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let db = &app.state.db;
    let at = now();
    let person = contact::ActiveModel {
        account_id: Set(account),
        name: Set(format!("Customer {tag}")),
        email: Set(None),
        phone_number: Set(None),
        identifier: Set(None),
        thumbnail: Set(None),
        additional_attributes: Set("{}".to_owned()),
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
        inbox_id: Set(inbox),
        source_id: Set(format!("source-{tag}")),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let conv = conversation::ActiveModel {
        account_id: Set(account),
        inbox_id: Set(inbox),
        contact_id: Set(person.id),
        contact_inbox_id: Set(link.id),
        display_id: Set(display_id),
        status: Set("open".to_owned()),
        assignee_id: Set(None),
        last_activity_at: Set(at),
        last_incoming_at: Set(None),
        agent_last_seen_at: Set(None),
        assignee_last_seen_at: Set(None),
        additional_attributes: Set("{}".to_owned()),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let msg = message::ActiveModel {
        account_id: Set(account),
        inbox_id: Set(inbox),
        conversation_id: Set(conv.id),
        message_type: Set(1),
        content: Set(Some("a reply".to_owned())),
        content_type: Set("text".to_owned()),
        content_attributes: Set("{}".to_owned()),
        private: Set(false),
        status: Set("failed".to_owned()),
        source_id: Set(None),
        sender_type: Set(Some("User".to_owned())),
        sender_id: Set(Some(admin.user_id)),
        external_created_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let key = format!("attachments/authz-{tag}");
    app.state.files.put(&key, b"hello").await.unwrap();
    let file = attachment::ActiveModel {
        account_id: Set(account),
        message_id: Set(msg.id),
        file_type: Set("file".to_owned()),
        external_url: Set(None),
        file_key: Set(Some(key)),
        content_type: Set(Some("text/plain".to_owned())),
        byte_size: Set(Some(5)),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let dead = job::ActiveModel {
        kind: Set("authz_fixture".to_owned()),
        payload: Set("{}".to_owned()),
        ordering_key: Set(None),
        state: Set("dead".to_owned()),
        run_at: Set(at),
        attempts: Set(8),
        max_attempts: Set(8),
        last_error: Set(Some("fixture".to_owned())),
        locked_until: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    Ids {
        account,
        inbox,
        conversation: display_id,
        contact: person.id,
        agent,
        attachment: file.id,
        message: msg.id,
        job: dead.id,
        admin_token: admin.access_token,
        agent_token,
    }
}

/// The path with its parameters taken from `account` (the account id) and `objects` (everything else).
fn fill(rule: &Rule, account: &Ids, objects: &Ids) -> String {
    let mut path = rule.path.to_owned();
    for (name, id) in rule.params {
        let value = match id {
            Id::Account => account.account,
            other => objects.get(*other),
        };
        path = path.replace(&format!("{{{name}}}"), &value.to_string());
    }
    assert!(!path.contains('{'), "unfilled parameter in {path}");
    format!("{path}{}", rule.query)
}

fn body(rule: &Rule, objects: &Ids) -> Option<Value> {
    match rule.body {
        Body::None => None,
        Body::Empty => Some(json!({})),
        Body::NewAgent => Some(json!({
            "name": "New", "email": format!("new-{}@example.com", objects.account),
            "role": "agent", "password": "password123"
        })),
        Body::NewInbox => Some(json!({"name": "Another", "channel": {"type": "api"}})),
        Body::RenameInbox => Some(json!({"name": "Renamed"})),
        Body::InboxMembers => Some(json!({"inbox_id": objects.inbox, "user_ids": [objects.agent]})),
        Body::Status => Some(json!({"status": "resolved"})),
        Body::Assignee => Some(json!({"assignee_id": objects.agent})),
        Body::Reply => Some(json!({"content": "hello"})),
    }
}

/// The status of one request; the body is read only to explain a failure, and never for a stream.
async fn status_of(
    app: &TestApp,
    rule: &Rule,
    token: Option<&str>,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, String) {
    let method = Method::from_bytes(rule.method.as_bytes()).unwrap();
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.address))
        .timeout(Duration::from_secs(20));
    if let Some(t) = token {
        req = req.header("api_access_token", t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    if rule.stream && status.is_success() {
        return (status, "(stream)".into());
    }
    let text = tokio::time::timeout(Duration::from_secs(5), resp.text())
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    (status, text.chars().take(200).collect())
}

/// `(METHOD, /path/{param})` of every `#[get("…")]`, `#[post("…")]`, … in `src/routes/*.rs`.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
    let attr = regex::Regex::new(r#"#\[(get|post|put|patch|delete|head)\(\s*"([^"]+)""#).unwrap();
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("src/routes") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for c in attr.captures_iter(&text) {
            found.insert((c[1].to_ascii_uppercase(), c[2].to_owned()));
        }
    }
    found
}

/// `(METHOD, /path/{param})` of every operation in the served OpenAPI document.
async fn routes_in_openapi(app: &TestApp) -> BTreeSet<(String, String)> {
    let doc: Value = app
        .client
        .get(format!("{}/api/openapi.json", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut found = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete", "head"] {
            if item.get(method).is_some() {
                found.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    found
}

#[tokio::test]
async fn every_route_has_a_row_in_the_authorization_matrix() {
    let app = spawn_app().await;
    let source = routes_in_source();
    let openapi = routes_in_openapi(&app).await;
    let table: BTreeSet<(String, String)> = RULES
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    assert_eq!(table.len(), RULES.len(), "a route is listed twice in RULES");
    assert!(
        source.len() >= 40,
        "found only {} route attributes",
        source.len()
    );

    let unclassified: Vec<_> = source
        .union(&openapi)
        .filter(|r| !table.contains(*r))
        .collect();
    assert!(
        unclassified.is_empty(),
        "routes with no row in authz::RULES (say who may call them): {unclassified:?}"
    );
    let stale: Vec<_> = table.difference(&source).collect();
    assert!(
        stale.is_empty(),
        "rows in authz::RULES for routes that no longer exist: {stale:?}"
    );
    let registered = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes/mod.rs"),
    )
    .unwrap();
    let services = registered.matches(".service(").count();
    assert_eq!(
        services,
        source.len(),
        "routes/mod.rs registers {services} services but src/routes has {} route attributes",
        source.len()
    );
    println!(
        "authz: {} routes in source, {} in OpenAPI, {} classified",
        source.len(),
        openapi.len(),
        RULES.len()
    );
}

#[tokio::test]
async fn every_api_route_refuses_strangers_agents_and_other_accounts() {
    // Arrange: two accounts with the same shape; distinct conversation numbers, so a 404 for B's number in
    // A's account is about ownership.
    let app = spawn_app().await;
    let a = account_fixture(&app, "a", 1).await;
    let b = account_fixture(&app, "b", 901).await;
    let root = backend::cli::create_admin(
        &app.state,
        "root@example.com",
        "password123",
        None,
        None,
        true,
    )
    .await
    .unwrap()
    .access_token;
    let api: Vec<&Rule> = RULES
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/"))
        .collect();
    assert!(
        api.iter().all(|r| r.access != Public),
        "no /api/v1 route is public"
    );
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut check = |what: &str, rule: &Rule, path: &str, got: (StatusCode, String), ok: &[u16]| {
        cases += 1;
        if !ok.contains(&got.0.as_u16()) {
            failures.push(format!(
                "{what}: {} {path} answered {} (expected {ok:?}): {}",
                rule.method, got.0, got.1
            ));
        }
    };

    // No credentials, or a token nobody holds → 401.
    for rule in &api {
        let path = fill(rule, &a, &a);
        let got = status_of(&app, rule, None, &path, body(rule, &a)).await;
        check("no credentials", rule, &path, got, &[401]);
        let got = status_of(&app, rule, Some("not-a-token"), &path, body(rule, &a)).await;
        check("unknown token", rule, &path, got, &[401]);
    }

    // An agent of the account on administrator routes → 403.
    for rule in api.iter().filter(|r| r.access == Admin) {
        let path = fill(rule, &a, &a);
        let got = status_of(&app, rule, Some(&a.agent_token), &path, body(rule, &a)).await;
        check("agent on an administrator route", rule, &path, got, &[403]);
    }

    // Administrators and agents without the flag on super-admin routes → 403.
    for rule in api.iter().filter(|r| r.access == SuperAdmin) {
        let path = fill(rule, &a, &a);
        for (who, token) in [("administrator", &a.admin_token), ("agent", &a.agent_token)] {
            let got = status_of(&app, rule, Some(token), &path, body(rule, &a)).await;
            check(
                &format!("{who} on a super-admin route"),
                rule,
                &path,
                got,
                &[403],
            );
        }
    }

    // Another account's ids → 404, whether the account in the path is theirs or ours.
    for rule in api.iter().filter(|r| matches!(r.access, Member | Admin)) {
        let path = fill(rule, &b, &b);
        let got = status_of(&app, rule, Some(&a.admin_token), &path, body(rule, &b)).await;
        check("administrator in another account", rule, &path, got, &[404]);
        let got = status_of(&app, rule, Some(&a.agent_token), &path, body(rule, &b)).await;
        check("agent in another account", rule, &path, got, &[404]);
        let names_objects = rule.params.len() > 1 || matches!(rule.body, Body::InboxMembers);
        if names_objects {
            let path = fill(rule, &a, &b);
            let got = status_of(&app, rule, Some(&a.admin_token), &path, body(rule, &b)).await;
            check(
                "another account's objects in our account",
                rule,
                &path,
                got,
                &[404],
            );
        }
    }

    // Ids in bodies: our conversation assigned to their agent, their agent added to our inbox.
    let mixed = [
        (
            "POST",
            format!(
                "/api/v1/accounts/{}/conversations/{}/assignments",
                a.account, a.conversation
            ),
            json!({"assignee_id": b.agent}),
        ),
        (
            "POST",
            format!("/api/v1/accounts/{}/inbox_members", a.account),
            json!({"inbox_id": a.inbox, "user_ids": [b.agent]}),
        ),
        (
            "PATCH",
            format!("/api/v1/accounts/{}/inbox_members", a.account),
            json!({"inbox_id": a.inbox, "user_ids": [b.agent]}),
        ),
    ];
    for (method, path, payload) in mixed {
        let rule = RULES
            .iter()
            .find(|r| r.method == method && path_matches(r.path, &path))
            .unwrap();
        let got = status_of(&app, rule, Some(&a.admin_token), &path, Some(payload)).await;
        check(
            "another account's user in a body",
            rule,
            &path,
            got,
            &[404, 422],
        );
    }

    // Controls: the same requests with the right caller get past authorization, so the refusals above are
    // about who asks, not about ids that do not exist. Deletions run last, the inbox's very last.
    let mut ordered: Vec<&&Rule> = api.iter().collect();
    ordered.sort_by_key(|r| match (r.method, r.path.ends_with("{inbox_id}")) {
        ("DELETE", true) => 2,
        ("DELETE", false) => 1,
        _ => 0,
    });
    let refused = [401, 403, 404];
    let allowed: Vec<u16> = (200..600).filter(|s| !refused.contains(s)).collect();
    for rule in ordered.iter().filter(|r| r.access == Member) {
        let path = fill(rule, &a, &a);
        let got = status_of(&app, rule, Some(&a.agent_token), &path, body(rule, &a)).await;
        check(
            "control: agent on a member route",
            rule,
            &path,
            got,
            &allowed,
        );
    }
    for rule in &ordered {
        for ids in [&a, &b] {
            let token = if rule.access == SuperAdmin {
                &root
            } else {
                &ids.admin_token
            };
            let path = fill(rule, ids, ids);
            let got = status_of(&app, rule, Some(token), &path, body(rule, ids)).await;
            check("control: the right caller", rule, &path, got, &allowed);
        }
    }

    println!("authz: {cases} cases over {} /api/v1 routes", api.len());
    assert!(
        failures.is_empty(),
        "{} of {cases} authorization cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Whether a concrete path is an instance of a template with `{param}` segments.
fn path_matches(template: &str, path: &str) -> bool {
    let t: Vec<_> = template.split('/').collect();
    let p: Vec<_> = path
        .split('?')
        .next()
        .unwrap_or_default()
        .split('/')
        .collect();
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t.starts_with('{') || t == p)
}
