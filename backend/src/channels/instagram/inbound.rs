//! Applying one stored Instagram messaging event: contacts, conversations and messages. Idempotent on the
//! message id (`mid`): a repeated delivery changes nothing.

use super::errors::IgError;
use super::inbox_of;
use super::refresh::{usable_token, TokenError};
use crate::conversations::store::{self, NewContact, NewMessage, INCOMING, OUTGOING};
use crate::entities::{attachment, channel_instagram, contact_inbox, conversation, job, message};
use crate::error::ApiError;
use crate::files::download_job;
use crate::global_config;
use crate::jobs::queue;
use crate::jobs::worker::{JobError, Outcome};
use crate::state::AppState;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

pub const JOB_KIND: &str = "instagram_event";
pub const DELETED_TEXT: &str = "This message was deleted";

/// PostgreSQL text cannot hold U+0000, and no real message needs it: it is dropped from every string (keys
/// included) before anything is stored, so such an event is applied instead of failing until its job is dead.
fn without_nul(v: &mut Value) {
    match v {
        Value::String(s) if s.contains('\0') => s.retain(|c| c != '\0'),
        Value::Array(items) => items.iter_mut().for_each(without_nul),
        Value::Object(map) if map.keys().any(|k| k.contains('\0')) => {
            let cleaned = std::mem::take(map)
                .into_iter()
                .map(|(k, mut v)| {
                    without_nul(&mut v);
                    (k.replace('\0', ""), v)
                })
                .collect();
            *map = cleaned;
        }
        Value::Object(map) => map.values_mut().for_each(without_nul),
        _ => {}
    }
}

fn db(e: impl Into<ApiError>) -> JobError {
    JobError::Db(e.into())
}

/// The payload's parts: business id, contact id, the messaging item, and whether it is Meta's test event.
fn parts(payload: &Value) -> (&str, &str, &Value, bool) {
    (
        payload["business_id"].as_str().unwrap_or_default(),
        payload["contact_id"].as_str().unwrap_or_default(),
        &payload["messaging"],
        payload["test"].as_bool() == Some(true),
    )
}

fn cleaned(payload: &Value) -> Value {
    let mut payload = payload.clone();
    without_nul(&mut payload);
    payload
}

/// The channel and inbox an event is for.
struct Target {
    channel: channel_instagram::Model,
    inbox_id: i64,
    account_id: i64,
}

/// Finds where an event goes, or the outcome when it goes nowhere (no inbox for that account, or one that
/// must be reauthorized first).
async fn resolve(
    state: &AppState,
    business: &str,
    test: bool,
) -> Result<Result<Target, Outcome>, JobError> {
    // A dashboard test lands in the most recently connected Instagram inbox, to show the webhook works.
    let channel = if test {
        channel_instagram::Entity::find()
            .order_by_desc(channel_instagram::Column::Id)
            .one(&state.db)
            .await
    } else {
        channel_instagram::Entity::find()
            .filter(channel_instagram::Column::InstagramId.eq(business))
            .one(&state.db)
            .await
    };
    let Some(channel) = channel.map_err(db)? else {
        tracing::info!("event for an Instagram account with no inbox; ignored");
        return Ok(Err(Outcome::Done));
    };
    if channel.reauthorization_required {
        return Ok(Err(Outcome::Hold("inbox needs reauthorization".into())));
    }
    let Some(inbox) = inbox_of(&state.db, &channel).await.map_err(db)? else {
        return Ok(Err(Outcome::Done));
    };
    Ok(Ok(Target {
        inbox_id: inbox.id,
        account_id: inbox.account_id,
        channel,
    }))
}

pub async fn run(state: &AppState, payload: &Value) -> Result<Outcome, JobError> {
    let payload = cleaned(payload);
    let (business, contact_id, item, test) = parts(&payload);
    let target = match resolve(state, business, test).await? {
        Ok(t) => t,
        Err(outcome) => return Ok(outcome),
    };
    let ctx = Ctx::new(state, &target, contact_id, test);
    let msg = &item["message"];
    if msg.is_object() {
        if msg["is_deleted"].as_bool() == Some(true) {
            return ctx.deleted(msg).await;
        }
        let is_echo = msg["is_echo"].as_bool() == Some(true);
        return ctx.message(item, msg, is_echo).await;
    }
    if item["read"].is_object() {
        return ctx.read(&item["read"]).await;
    }
    if item["reaction"].is_object() {
        return ctx.reaction(&item["reaction"]).await;
    }
    tracing::info!("Instagram event of a kind we do not handle; ignored");
    Ok(Outcome::Done)
}

/// Whether `run_batch` takes this payload: a customer's new message (not an echo of ours, a deletion, a
/// read receipt, a reaction or Meta's test event), by far the most common event and the one a burst is made of.
pub fn batchable(payload: &Value) -> bool {
    let (_, _, item, test) = parts(payload);
    let msg = &item["message"];
    !test
        && msg.is_object()
        && msg["is_echo"].as_bool() != Some(true)
        && msg["is_deleted"].as_bool() != Some(true)
}

/// What became of a batch.
#[derive(Default)]
pub struct Batch {
    /// Applied and recorded as done by the batch's own transaction.
    pub applied: usize,
    /// Jobs that ended before writing anything (a duplicate, an unknown account, a failed profile fetch): their
    /// outcomes, for the worker to record.
    pub outcomes: Vec<(job::Model, Result<Outcome, JobError>)>,
    /// Jobs to run again one at a time (the batch's transaction failed, so none of it was written).
    pub alone: Vec<job::Model>,
}

/// Customers' new messages of distinct contacts (a claimed batch never holds two jobs of one ordering key),
/// written by ONE transaction that also records their jobs as done: one commit for the lot instead of two per
/// event. Lookups and profile fetches happen before it, concurrently, so the transaction never waits on the
/// network.
pub async fn run_batch(state: &AppState, jobs: Vec<(job::Model, Value)>) -> Batch {
    let mut batch = Batch::default();
    let jobs: Vec<(job::Model, Value)> = jobs.into_iter().map(|(j, p)| (j, cleaned(&p))).collect();
    // Each account's channel and inbox, looked up once for the batch.
    let mut targets: HashMap<&str, Result<Result<Target, Outcome>, String>> = HashMap::new();
    for (_, payload) in &jobs {
        let (business, ..) = parts(payload);
        if !targets.contains_key(business) {
            let target = resolve(state, business, false)
                .await
                .map_err(|e| e.to_string());
            targets.insert(business, target);
        }
    }
    let mut ready = Vec::new();
    for (job, payload) in &jobs {
        match &targets[parts(payload).0] {
            Ok(Ok(target)) => ready.push((job, payload, target)),
            Ok(Err(outcome)) => batch.outcomes.push((job.clone(), Ok(outcome.clone()))),
            Err(e) => batch
                .outcomes
                .push((job.clone(), Err(JobError::Retry(e.clone())))),
        }
    }
    // What each inbox already has of these messages and senders: two queries per inbox, not per event.
    let mut known: HashMap<i64, Result<Known, String>> = HashMap::new();
    for inbox_id in ready.iter().map(|(_, _, t)| t.inbox_id) {
        if known.contains_key(&inbox_id) {
            continue;
        }
        let of_inbox = ready.iter().filter(|(_, _, t)| t.inbox_id == inbox_id);
        let mids: Vec<&str> = of_inbox
            .clone()
            .filter_map(|(_, p, _)| parts(p).2["message"]["mid"].as_str())
            .collect();
        let contacts: Vec<&str> = of_inbox.map(|(_, p, _)| parts(p).1).collect();
        let found = Known::of(&state.db, inbox_id, &mids, &contacts)
            .await
            .map_err(|e| e.to_string());
        known.insert(inbox_id, found);
    }
    let prepared =
        futures_util::future::join_all(ready.into_iter().map(|(job, payload, target)| {
            let known = &known[&target.inbox_id];
            async move {
                let (_, contact_id, item, _) = parts(payload);
                let ctx = Ctx::new(state, target, contact_id, false);
                let arrival = match known {
                    Ok(known) => ctx.arrival(item, &item["message"], false, known).await,
                    Err(e) => Err(JobError::Retry(e.clone())),
                };
                (job, arrival)
            }
        }))
        .await;
    let mut arrivals = Vec::new();
    for (job, prepared) in prepared {
        match prepared {
            Ok(Ok(arrival)) => arrivals.push((job.clone(), arrival)),
            Ok(Err(outcome)) => batch.outcomes.push((job.clone(), Ok(outcome))),
            Err(e) => batch.outcomes.push((job.clone(), Err(e))),
        }
    }
    if arrivals.is_empty() {
        return batch;
    }
    let claimed: Vec<job::Model> = arrivals.iter().map(|(j, _)| j.clone()).collect();
    match write_arrivals(state, arrivals).await {
        Ok(conversations) => {
            batch.applied = claimed.len();
            let events = conversations
                .values()
                .map(|c| crate::events::Event::of(c, "message.created"))
                .collect();
            crate::events::publish_all(state, events).await;
        }
        Err(e) => {
            tracing::warn!(error = %e, jobs = claimed.len(), "batch not written; running its jobs one by one");
            batch.alone = claimed;
        }
    }
    batch
}

/// One transaction: every arrival, then the jobs' outcome. The conversations written to, by id.
async fn write_arrivals(
    state: &AppState,
    arrivals: Vec<(job::Model, Arrival)>,
) -> Result<BTreeMap<i64, conversation::Model>, ApiError> {
    let txn = crate::db::begin(&state.db).await?;
    let (jobs, arrivals): (Vec<job::Model>, Vec<Arrival>) = arrivals.into_iter().unzip();
    let conversations: BTreeMap<i64, conversation::Model> = match write_all(&txn, arrivals).await? {
        Ok(written) => written.into_iter().map(|c| (c.id, c)).collect(),
        // Not for a customer's message, but should it happen, the jobs run alone.
        Err(_) => return Err(ApiError::Internal(anyhow::anyhow!("postponed in a batch"))),
    };
    if !queue::complete_all(&txn, &jobs).await? {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "a claim of the batch was taken over"
        )));
    }
    txn.commit().await?;
    Ok(conversations)
}

/// What is already stored of some events of one inbox, looked up before writing.
#[derive(Default)]
struct Known {
    mids: HashSet<String>,
    contacts: HashMap<String, contact_inbox::Model>,
}

impl Known {
    async fn of(
        db: &sea_orm::DatabaseConnection,
        inbox_id: i64,
        mids: &[&str],
        contacts: &[&str],
    ) -> Result<Known, ApiError> {
        Ok(Known {
            mids: store::stored_source_ids(db, inbox_id, mids).await?,
            contacts: store::contact_inboxes(db, inbox_id, contacts).await?,
        })
    }
}

/// The sender: met before, or new with what their profile said.
enum Contact {
    Known(contact_inbox::Model),
    New(NewContact),
}

/// A message about to be written, with all it needs that takes no write (the sender's profile for a new contact).
struct Arrival {
    account_id: i64,
    inbox_id: i64,
    contact_source_id: String,
    contact: Contact,
    is_echo: bool,
    message: NewMessage,
    /// (file type, URL) of each attachment.
    attachments: Vec<(&'static str, Option<String>)>,
}

/// The arrivals' contacts (the first time), current conversations, messages and attachments, in a few statements
/// for any number of them; or the outcome when one must wait (an echo while our own send of it may not have its
/// Instagram id yet). Their conversations, in order.
async fn write_all(
    txn: &impl sea_orm::ConnectionTrait,
    arrivals: Vec<Arrival>,
) -> Result<Result<Vec<conversation::Model>, Outcome>, ApiError> {
    let mut cis = Vec::with_capacity(arrivals.len());
    let mut rest = Vec::with_capacity(arrivals.len());
    for a in arrivals {
        let ci = match a.contact {
            Contact::Known(ci) => ci,
            Contact::New(new) => {
                store::ensure_contact(txn, a.account_id, a.inbox_id, &a.contact_source_id, || new)
                    .await?
            }
        };
        cis.push((a.account_id, ci));
        rest.push((a.is_echo, a.message, a.attachments));
    }
    let conversations = store::current_conversations(txn, &cis).await?;
    let mut messages = Vec::with_capacity(rest.len());
    let mut attachments = Vec::with_capacity(rest.len());
    for ((conv, (_, ci)), (is_echo, mut message, files)) in conversations.iter().zip(&cis).zip(rest)
    {
        if is_echo && send_in_flight(txn, conv).await? {
            return Ok(Err(Outcome::Postpone(2)));
        }
        if !is_echo {
            message.sender_id = Some(ci.contact_id);
        }
        messages.push((conv, message));
        attachments.push(files);
    }
    let created = store::add_messages(txn, messages).await?;
    for (msg, files) in created.iter().zip(attachments) {
        for (kind, url) in files {
            let att = store::add_attachment(txn, msg, kind, url.clone()).await?;
            if url.is_some() {
                queue::enqueue(txn, download_job(att.id)).await?;
            }
        }
    }
    Ok(Ok(conversations))
}

struct Ctx<'a> {
    test: bool,
    state: &'a AppState,
    channel: &'a channel_instagram::Model,
    inbox_id: i64,
    account_id: i64,
    contact_id: &'a str,
}

impl<'a> Ctx<'a> {
    fn new(state: &'a AppState, target: &'a Target, contact_id: &'a str, test: bool) -> Self {
        Ctx {
            test,
            state,
            channel: &target.channel,
            inbox_id: target.inbox_id,
            account_id: target.account_id,
            contact_id,
        }
    }
}

enum Profile {
    Known(Value),
    Unknown,
}

impl Ctx<'_> {
    /// The profile of a contact we have not met (it is kept on the contact, so it is fetched once).
    async fn profile(&self) -> Result<Result<Option<Profile>, Outcome>, JobError> {
        if self.test {
            return Ok(Ok(Some(Profile::Known(
                json!({ "name": "Instagram test user" }),
            ))));
        }
        let token = match usable_token(self.state, self.channel).await {
            Ok(t) => t,
            Err(TokenError::NeedsReauthorization) => {
                return Ok(Err(Outcome::Hold("inbox needs reauthorization".into())))
            }
            Err(TokenError::Db(e)) => return Err(JobError::Db(e)),
        };
        let version = global_config::instagram(self.state)
            .await
            .map_err(db)?
            .api_version
            .clone();
        match self
            .state
            .graph
            .profile(&version, self.contact_id, &token)
            .await
        {
            Ok(p) => Ok(Ok(Some(Profile::Known(p)))),
            Err(IgError::Api {
                code: 9010 | 100, ..
            }) => Ok(Ok(Some(Profile::Unknown))),
            Err(e) if e.is_invalid_token() => {
                channel_instagram::Entity::update_many()
                    .col_expr(
                        channel_instagram::Column::ReauthorizationRequired,
                        Expr::value(true),
                    )
                    .filter(channel_instagram::Column::Id.eq(self.channel.id))
                    .exec(&self.state.db)
                    .await
                    .map_err(db)?;
                Ok(Err(Outcome::Hold("inbox needs reauthorization".into())))
            }
            Err(e) => Err(JobError::Retry(format!("profile: {e}"))),
        }
    }

    fn new_contact(&self, profile: Option<Profile>) -> NewContact {
        let unknown = || format!("Unknown (IG: {})", self.contact_id);
        match profile {
            Some(Profile::Known(p)) => {
                let username = p["username"].as_str().map(str::to_owned);
                let name = p["name"]
                    .as_str()
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .or(username.clone())
                    .unwrap_or_else(unknown);
                NewContact {
                    name,
                    thumbnail: p["profile_pic"].as_str().map(str::to_owned),
                    phone_number: None,
                    additional_attributes: json!({
                        "social_profiles": { "instagram": username },
                        "social_instagram_follower_count": p["follower_count"],
                        "social_instagram_user_follow_business": p["is_user_follow_business"],
                        "social_instagram_business_follow_user": p["is_business_follow_user"],
                        "social_instagram_is_verified_user": p["is_verified_user"],
                    }),
                }
            }
            _ => NewContact {
                name: unknown(),
                thumbnail: None,
                phone_number: None,
                additional_attributes: json!({}),
            },
        }
    }

    async fn message(&self, item: &Value, msg: &Value, is_echo: bool) -> Result<Outcome, JobError> {
        let known = Known::of(
            &self.state.db,
            self.inbox_id,
            &[msg["mid"].as_str().unwrap_or_default()],
            &[self.contact_id],
        )
        .await
        .map_err(db)?;
        let arrival = match self.arrival(item, msg, is_echo, &known).await? {
            Ok(a) => a,
            Err(outcome) => return Ok(outcome),
        };
        let txn = crate::db::begin(&self.state.db).await.map_err(db)?;
        let conv = match write_all(&txn, vec![arrival]).await.map_err(db)? {
            Ok(mut written) => written.pop().ok_or_else(|| {
                db(ApiError::Internal(anyhow::anyhow!(
                    "no conversation written"
                )))
            })?,
            Err(outcome) => return Ok(outcome),
        };
        txn.commit().await.map_err(db)?;
        crate::events::publish(
            self.state,
            crate::events::Event::of(&conv, "message.created"),
        )
        .await;
        Ok(Outcome::Done)
    }

    /// The message to write, or the outcome when there is none (no id, already stored, the inbox needs
    /// reauthorization before the sender's profile can be fetched).
    async fn arrival(
        &self,
        item: &Value,
        msg: &Value,
        is_echo: bool,
        known: &Known,
    ) -> Result<Result<Arrival, Outcome>, JobError> {
        let Some(mid) = msg["mid"].as_str() else {
            return Ok(Err(Outcome::Done));
        };
        if known.mids.contains(mid) {
            return Ok(Err(Outcome::Done));
        }
        let contact = match known.contacts.get(self.contact_id) {
            Some(ci) => Contact::Known(ci.clone()),
            None => match self.profile().await? {
                Ok(profile) => Contact::New(self.new_contact(profile)),
                Err(outcome) => return Ok(Err(outcome)),
            },
        };
        let mut attrs = serde_json::Map::new();
        if let Some(reply) = msg["reply_to"]["mid"].as_str() {
            attrs.insert("in_reply_to_external_id".into(), json!(reply));
        }
        if msg["reply_to"]["story"].is_object() {
            attrs.insert("story_reply".into(), msg["reply_to"]["story"].clone());
        }
        if msg["is_unsupported"].as_bool() == Some(true) {
            attrs.insert("is_unsupported".into(), json!(true));
        }
        let attachments = msg["attachments"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                (
                    file_type(a["type"].as_str().unwrap_or("file")),
                    a["payload"]["url"].as_str().map(str::to_owned),
                )
            })
            .collect();
        Ok(Ok(Arrival {
            account_id: self.account_id,
            inbox_id: self.inbox_id,
            contact_source_id: self.contact_id.to_owned(),
            contact,
            is_echo,
            message: NewMessage {
                message_type: if is_echo { OUTGOING } else { INCOMING },
                content: msg["text"].as_str().map(str::to_owned),
                content_type: "text".into(),
                content_attributes: Value::Object(attrs),
                private: false,
                status: "sent".into(),
                source_id: Some(mid.to_owned()),
                sender_type: (!is_echo).then(|| "Contact".to_owned()),
                sender_id: None,
                external_created_at: item["timestamp"].as_i64(),
            },
            attachments,
        }))
    }

    async fn deleted(&self, msg: &Value) -> Result<Outcome, JobError> {
        let Some(mid) = msg["mid"].as_str() else {
            return Ok(Outcome::Done);
        };
        let Some(found) = store::message_by_source_id(&self.state.db, self.inbox_id, mid)
            .await
            .map_err(db)?
        else {
            return Ok(Outcome::Done);
        };
        let txn = crate::db::begin(&self.state.db).await.map_err(db)?;
        let mut attrs = store::attributes(&found);
        attrs["deleted"] = json!(true);
        message::Entity::update_many()
            .col_expr(message::Column::Content, Expr::value(DELETED_TEXT))
            .col_expr(
                message::Column::ContentAttributes,
                Expr::value(attrs.to_string()),
            )
            .filter(message::Column::Id.eq(found.id))
            .exec(&txn)
            .await
            .map_err(db)?;
        let files = attachment::Entity::find()
            .filter(attachment::Column::MessageId.eq(found.id))
            .all(&txn)
            .await
            .map_err(db)?;
        attachment::Entity::delete_many()
            .filter(attachment::Column::MessageId.eq(found.id))
            .exec(&txn)
            .await
            .map_err(db)?;
        txn.commit().await.map_err(db)?;
        for f in files.iter().filter_map(|f| f.file_key.as_deref()) {
            self.state.files.delete(f).await;
        }
        crate::events::conversation_changed(self.state, found.conversation_id, "message.updated")
            .await;
        Ok(Outcome::Done)
    }

    /// `messaging_seen`: our outgoing messages up to the one read are read.
    async fn read(&self, read: &Value) -> Result<Outcome, JobError> {
        let Some(mid) = read["mid"].as_str() else {
            return Ok(Outcome::Done);
        };
        let Some(seen) = store::message_by_source_id(&self.state.db, self.inbox_id, mid)
            .await
            .map_err(db)?
        else {
            return Ok(Outcome::Done);
        };
        message::Entity::update_many()
            .col_expr(message::Column::Status, Expr::value("read"))
            .filter(message::Column::ConversationId.eq(seen.conversation_id))
            .filter(message::Column::MessageType.eq(OUTGOING))
            .filter(message::Column::Id.lte(seen.id))
            .filter(message::Column::Status.is_in(["sent", "delivered"]))
            .exec(&self.state.db)
            .await
            .map_err(db)?;
        crate::events::conversation_changed(self.state, seen.conversation_id, "message.updated")
            .await;
        Ok(Outcome::Done)
    }

    async fn reaction(&self, r: &Value) -> Result<Outcome, JobError> {
        let Some(mid) = r["mid"].as_str() else {
            return Ok(Outcome::Done);
        };
        let Some(found) = store::message_by_source_id(&self.state.db, self.inbox_id, mid)
            .await
            .map_err(db)?
        else {
            return Ok(Outcome::Done);
        };
        let mut attrs = store::attributes(&found);
        let mut reactions: Vec<Value> = attrs["reactions"].as_array().cloned().unwrap_or_default();
        reactions.retain(|x| x["sender"].as_str() != Some(self.contact_id));
        if r["action"].as_str() != Some("unreact") {
            reactions.push(json!({ "emoji": r["emoji"], "reaction": r["reaction"], "sender": self.contact_id }));
        }
        attrs["reactions"] = Value::Array(reactions);
        store::set_content_attributes(&self.state.db, &found, &attrs)
            .await
            .map_err(db)?;
        crate::events::conversation_changed(self.state, found.conversation_id, "message.updated")
            .await;
        Ok(Outcome::Done)
    }
}

/// An outgoing message of ours still waiting for Instagram's id.
async fn send_in_flight(
    db: &impl sea_orm::ConnectionTrait,
    conv: &conversation::Model,
) -> Result<bool, ApiError> {
    Ok(message::Entity::find()
        .filter(message::Column::ConversationId.eq(conv.id))
        .filter(message::Column::MessageType.eq(OUTGOING))
        .filter(message::Column::Status.eq("progress"))
        .filter(message::Column::Private.eq(false))
        .one(db)
        .await?
        .is_some())
}

/// Instagram's attachment types, as Chatwoot names them.
pub fn file_type(kind: &str) -> &'static str {
    match kind {
        "image" => "image",
        "video" => "video",
        "audio" => "audio",
        "share" => "share",
        "story_mention" => "story_mention",
        "ig_reel" | "reel" => "ig_reel",
        "ig_post" => "ig_post",
        "ig_story" => "ig_story",
        _ => "file",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_characters_are_dropped_from_every_string_and_key() {
        let mut v = json!({"text": "a\u{0}b", "x\u{0}": ["\u{0}", {"n": "ok"}], "n": 1});
        without_nul(&mut v);
        assert_eq!(v, json!({"text": "ab", "x": ["", {"n": "ok"}], "n": 1}));
    }
}
