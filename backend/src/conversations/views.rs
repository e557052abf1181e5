//! Conversation, message and contact JSON for the API: who may see which, the list with its tab counts, the
//! thread, and the few changes an agent makes by hand (status, assignee, read marker).

use crate::accounts;
use crate::db::{now, Cells, RowCells, Sql, StatementTypes};
use crate::entities::{
    account_user, attachment, contact, contact_inbox, conversation, inbox, inbox_member, message,
};
use crate::error::ApiError;
use crate::inboxes;
use crate::read_cache::{
    counts_of, KeptAtVersion, KeptPages, KeptRows, PageKey, PagePayload, PageStamps, RowStamp,
    ScopeTallies, TalliesKey, Wanted,
};
use crate::sqlite_reads::SqliteReads;
use sea_orm::sea_query::JoinType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::Value;
use shared::conversation::{
    AssigneeType, Attachment, Contact, ContactInbox, ContactSummary, Conversation,
    ConversationCounts, ConversationFilters, ConversationMeta, ConversationSender,
    ConversationStatus, Message, MessageList, MessageListMeta, MessageSender,
    CONVERSATIONS_PER_PAGE, MESSAGES_PER_PAGE, MESSAGE_INCOMING,
};
use shared::dto::{Agent, Role};
use shared::ChannelType;
use std::collections::HashMap;
use std::sync::Arc;

/// Instagram lets a business answer for 24 hours after the customer last wrote…
pub const INSTAGRAM_WINDOW_SECS: i64 = 24 * 3600;
/// …or for 7 days with the `HUMAN_AGENT` tag, when the app has that permission.
pub const INSTAGRAM_HUMAN_AGENT_WINDOW_SECS: i64 = 7 * 24 * 3600;

/// What the reply window depends on besides the conversation: the clock and the installation's settings.
#[derive(Debug, Clone, Copy)]
pub struct ReplyPolicy {
    pub now: i64,
    pub instagram_human_agent: bool,
}

/// Whether an agent may still write, and until when: `(can_reply, reply_window_ends_at)`. Only Instagram has a
/// window; it opens when the customer writes.
pub fn reply_window(
    channel: &ChannelType,
    last_incoming_at: Option<i64>,
    policy: ReplyPolicy,
) -> (bool, Option<i64>) {
    if *channel != ChannelType::Instagram {
        return (true, None);
    }
    let Some(last) = last_incoming_at else {
        return (false, None);
    };
    let length = if policy.instagram_human_agent {
        INSTAGRAM_HUMAN_AGENT_WINDOW_SECS
    } else {
        INSTAGRAM_WINDOW_SECS
    };
    let ends = last + length;
    (policy.now < ends, Some(ends))
}

/// The caller and what they may see in one account.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub account_id: i64,
    pub user_id: i64,
    pub role: Role,
}

/// One conversation by its per-account number, if the caller may see its inbox; 404 otherwise. One statement.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    viewer: Viewer,
    display_id: i64,
) -> Result<(conversation::Model, inbox::Model), ApiError> {
    let mut q = conversation::Entity::find()
        .filter(conversation::Column::AccountId.eq(viewer.account_id))
        .filter(conversation::Column::DisplayId.eq(display_id))
        .join(JoinType::InnerJoin, conversation_inbox())
        .filter(inbox::Column::AccountId.eq(viewer.account_id));
    if viewer.role == Role::Agent {
        q = q.filter(inbox::Column::Id.in_subquery(member_inboxes(viewer.user_id)));
    }
    match q.select_also(inbox::Entity).one(db).await? {
        Some((conv, Some(inbox))) => Ok((conv, inbox)),
        _ => Err(ApiError::NotFound),
    }
}

fn conversation_inbox() -> sea_orm::RelationDef {
    conversation::Entity::belongs_to(inbox::Entity)
        .from(conversation::Column::InboxId)
        .to(inbox::Column::Id)
        .into()
}

/// The ids of the inboxes an agent is a member of.
fn member_inboxes(user_id: i64) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(inbox_member::Column::InboxId)
        .from(inbox_member::Entity)
        .and_where(inbox_member::Column::UserId.eq(user_id))
        .to_owned()
}

/// Where a read's main statement runs: through the pool, or on SQLite on this thread through its own connections
/// (see `sqlite_reads`). Anything else the read needs (attachments) goes through the pool.
pub struct Source<'a, C> {
    pub db: &'a C,
    pub sqlite: Option<&'a SqliteReads>,
}

// By hand: derived, both would ask the same of `C`, which is only ever borrowed.
impl<C> Clone for Source<'_, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C> Copy for Source<'_, C> {}

/// A statement's rows gathered into one value, a row at a time, from either driver.
trait Gather: Sized {
    fn add(&mut self, r: &impl Cells) -> Result<(), DbErr>;
}

impl<C: ConnectionTrait> Source<'_, C> {
    /// `q`'s rows, gathered from `start(column names)` by `Gather::add`; `None` when sea-orm gives no row to
    /// name the columns.
    async fn gather<S: Gather>(
        &self,
        q: Sql,
        start: impl FnOnce(&[&str]) -> Result<S, DbErr>,
    ) -> Result<Option<S>, DbErr> {
        match self.sqlite {
            Some(reads) => Ok(Some(
                reads.read(|conn| q.read_rows(conn, start, |s, r| s.add(r)))?,
            )),
            None => gather(&q.query_all(self.db).await?, start),
        }
    }
}

/// What a list may take from earlier ones (`read_cache`): rows by conversation, and pages' stamps and JSON at the
/// account's data version read with the caller, when there is one.
#[derive(Clone, Copy)]
pub struct Kept<'a> {
    pub rows: &'a KeptRows<KeptRow>,
    pub pages: Option<(&'a KeptPages, i64)>,
    /// The caller's inboxes in the account as read with them (`auth::AuthUser::member_inboxes`): an agent's page
    /// is shared by the agents of the same inboxes.
    pub inboxes: Option<&'a [i64]>,
}

/// `GET …/conversations` as sent: the caller's tab counts and the page's rows as JSON, made for this list or
/// shared with the other callers who see the same page at the same data version (`read_cache::KeptPages`).
#[derive(Debug)]
pub struct ListPage {
    pub meta: ConversationCounts,
    pub payload: Arc<Box<serde_json::value::RawValue>>,
    /// When the page stops being true without any write: the first open reply window on it closing.
    pub good_until: Option<i64>,
}

/// The shape of `ConversationList`, which the API documents.
impl serde::Serialize for ListPage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Page<'a> {
            meta: &'a ConversationCounts,
            payload: &'a serde_json::value::RawValue,
        }
        #[derive(serde::Serialize)]
        struct List<'a> {
            data: Page<'a>,
        }
        List {
            data: Page {
                meta: &self.meta,
                payload: &self.payload,
            },
        }
        .serialize(s)
    }
}

/// `GET …/conversations`: one page plus the open-conversation counts of the three tabs, with each row's last
/// message, as a list is the dashboard's most frequent read. With rows kept (`read_cache::KeptRows`): one
/// statement for the counts and each row's stamp (none when the counts are kept and another caller who sees the
/// same page has read its stamps at this data version), then one for the rows not kept at their stamp, if any (a
/// list made again after a message reads one row, not 25), and the rows' JSON shared in the same way. Without:
/// one statement for all. Either way one more when a last message read has attachments.
pub async fn list(
    source: Source<'_, impl ConnectionTrait>,
    frontend_url: &str,
    policy: ReplyPolicy,
    viewer: Viewer,
    filters: &ConversationFilters,
    kept_counts: Option<ConversationCounts>,
    kept: Option<Kept<'_>>,
) -> Result<ListPage, ApiError> {
    let counted = kept_counts.is_none();
    let (counts, (payload, good_until)) = match kept.filter(|kept| kept.rows.enabled()) {
        None => {
            let q = page_statement(viewer, filters, counted, PageShape::Whole, None);
            match source
                .gather(q, |names| PageRows::new(names, counted))
                .await?
            {
                Some(page) => {
                    let counts = page.counts;
                    let rows = page.finish(source.db, frontend_url, policy).await?;
                    (counts, payload_of(&rows, policy)?)
                }
                // Without counts, an empty page is no row at all.
                None if !counted => (None, payload_of(&[], policy)?),
                None => return Err(no_counts_row()),
            }
        }
        Some(kept) => {
            let key = page_key(viewer, filters, kept.inboxes);
            let (counts, stamps) =
                page_stamps(source, viewer, filters, counted, kept.pages, &key).await?;
            let make = || async {
                let rows =
                    rows_at(source, kept.rows, frontend_url, policy, viewer, &stamps).await?;
                payload_of(&rows, policy)
            };
            let payload = match kept.pages {
                Some((pages, version)) => {
                    let key = (key, policy.instagram_human_agent);
                    let usable = |(_, until): &PagePayload| until.is_none_or(|u| policy.now < u);
                    pages
                        .payloads
                        .kept_or_made(key, version, usable, make)
                        .await?
                }
                None => make().await?,
            };
            (counts, payload)
        }
    };
    Ok(ListPage {
        meta: kept_counts.or(counts).ok_or_else(no_counts_row)?,
        payload,
        good_until,
    })
}

/// The rows' JSON, and when it stops being true without any write.
fn payload_of(rows: &[Conversation], policy: ReplyPolicy) -> Result<PagePayload, ApiError> {
    let good_until = rows
        .iter()
        .filter_map(|c| c.reply_window_ends_at)
        .filter(|ends| *ends > policy.now)
        .min();
    let json = serde_json::value::to_raw_value(rows).map_err(|e| ApiError::Internal(e.into()))?;
    Ok((Arc::new(json), good_until))
}

fn no_counts_row() -> ApiError {
    ApiError::Internal(anyhow::anyhow!("the counts row is missing"))
}

/// The stamps of the page's rows, and the tab counts when `counted`. With `pages` at a data version, the stamps
/// are kept there under `key` for other callers who see the same page, and taken from there when the counts are
/// kept.
async fn page_stamps(
    source: Source<'_, impl ConnectionTrait>,
    viewer: Viewer,
    filters: &ConversationFilters,
    counted: bool,
    pages: Option<(&KeptPages, i64)>,
    key: &PageKey,
) -> Result<(Option<ConversationCounts>, PageStamps), ApiError> {
    // A page shared by the agents of a set of inboxes reads those inboxes, not the caller's memberships: the
    // set was read with the caller, and what the statement reads must be the page of that set.
    let inboxes = key.inboxes.as_deref();
    let read = |counted| async move {
        let q = page_statement(viewer, filters, counted, PageShape::Stamps, inboxes);
        source
            .gather(q, |names| StampRows::new(names, counted))
            .await?
            .ok_or_else(no_counts_row)
    };
    let Some((pages, version)) = pages else {
        let page = read(counted).await?;
        return Ok((page.counts, page.rows.into()));
    };
    if counted {
        let page = read(true).await?;
        let stamps = PageStamps::from(page.rows);
        pages.stamps.keep(key.clone(), version, stamps.clone());
        return Ok((page.counts, stamps));
    }
    let stamps = pages
        .stamps
        .kept_or_made(
            key.clone(),
            version,
            |_| true,
            || async { Ok::<_, ApiError>(read(false).await?.rows.into()) },
        )
        .await?;
    Ok((None, stamps))
}

/// Whose page: an agent's is shared by the agents of the same inboxes (`inboxes`, as read with the caller), the
/// caller's own where the page statement reads who they are ("mine", or an agent whose inboxes were not read),
/// else the account's, shared by its administrators.
fn page_key(viewer: Viewer, filters: &ConversationFilters, inboxes: Option<&[i64]>) -> PageKey {
    let mine = filters.assignee_type == Some(AssigneeType::Me);
    let inboxes = agents_inboxes(viewer, inboxes).filter(|_| !mine);
    let own = mine || (viewer.role == Role::Agent && inboxes.is_none());
    PageKey {
        account_id: viewer.account_id,
        user_id: own.then_some(viewer.user_id),
        inboxes: inboxes.map(Arc::from),
        filters: filters.clone(),
    }
}

/// The inboxes read with an agent, which then stand for them (others who see the same share what is read of
/// them); `None` for an administrator, who sees the account, or an agent whose inboxes were not read.
fn agents_inboxes(viewer: Viewer, inboxes: Option<&[i64]>) -> Option<&[i64]> {
    inboxes.filter(|set| viewer.role == Role::Agent && !set.is_empty())
}

/// What the list's statement reads for each row of the page: all it shows, or only its stamp.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PageShape {
    Whole,
    Stamps,
}

/// The statement of a page of the list: its rows (in `shape`), and the three tab counts unless they are kept.
fn page_statement(
    viewer: Viewer,
    filters: &ConversationFilters,
    counted: bool,
    shape: PageShape,
    inboxes: Option<&[i64]>,
) -> Sql {
    let scope = |q: &mut Sql| push_scope(q, viewer, inboxes, filters.inbox_id);
    // The three tab counts in one pass over the tallies of the caller's inboxes, so that the page and its counts
    // are one statement; the outer join keeps the counts when the page is empty.
    // Counts taken from the kept tallies (`tab_counts`) are not counted again. The stamps then
    // join the page to a row of one constant, so that an empty page still reads the account's version; the
    // whole rows are the page alone: joined to that row, PostgreSQL sorted them again, as a nested loop keeps
    // the order of its outer side only (`pgbench -M prepared` of the uncached list statement, one client, six
    // alternating runs: 0.29–0.41 → 0.24–0.47 ms, best 0.291 → 0.240 ms).
    let anchored = counted || shape == PageShape::Stamps;
    let mut q = Sql::new(if counted {
        "SELECT k.mine, k.unassigned, k.all_open, "
    } else {
        "SELECT "
    });
    match shape {
        PageShape::Whole => q.push("p.*, ").push(&LAST_MESSAGE_COLUMNS),
        PageShape::Stamps => q
            .push(RELATED_VERSION)
            .bind(viewer.account_id)
            .push(") AS related_version, p.*"),
    };
    q.push(" FROM (");
    if anchored {
        if counted {
            // Summed from the tallies of open conversations by inbox and assignee (migration 35), where an
            // unassigned conversation's assignee is 0; named `c`, as `scope` writes its conditions.
            q.push("SELECT CAST(COALESCE(SUM(CASE WHEN c.assignee_id = ")
                .bind(viewer.user_id)
                .push(
                    " THEN c.open_count ELSE 0 END), 0) AS BIGINT) AS mine, \
                     CAST(COALESCE(SUM(CASE WHEN c.assignee_id = 0 THEN c.open_count ELSE 0 END), 0) AS BIGINT) \
                     AS unassigned, CAST(COALESCE(SUM(c.open_count), 0) AS BIGINT) AS all_open \
                     FROM conversation_tallies c",
                );
            scope(&mut q);
        } else {
            q.push("SELECT 1 AS anchor");
        }
        q.push(") k LEFT JOIN (");
    }
    // The page is picked from `conversations` alone, then joined: stale statistics (a table that just grew)
    // can otherwise lead PostgreSQL to join every conversation of the account before sorting.
    q.push(match shape {
        PageShape::Whole => CONVERSATION_COLUMNS,
        PageShape::Stamps => STAMP_COLUMNS,
    })
    .push(" FROM (SELECT * FROM conversations c");
    scope(&mut q);
    if let Some(status) = filters.status.unwrap_or_default().status() {
        q.push(" AND c.status = ").bind(status.as_str());
    }
    match filters.assignee_type.unwrap_or_default() {
        AssigneeType::Me => {
            q.push(" AND c.assignee_id = ").bind(viewer.user_id);
        }
        AssigneeType::Unassigned => {
            q.push(" AND c.assignee_id IS NULL");
        }
        AssigneeType::All => {}
    }
    let page = filters.page.unwrap_or(1).max(1);
    // The page size is written into the text, not bound (see `page_limit`). So is the first page's want of an
    // offset: PostgreSQL's generic plan prices an unknown `OFFSET $n` as skipping rows, and when that made it
    // dearer than the plans made for `OFFSET 0` by more than planning costs, it planned the statement again on
    // every run (0.5–0.9 ms in `bind`; README, "What changed", stop 33). Later pages, rarer, keep it bound.
    q.push(" ORDER BY c.last_activity_at DESC, c.id DESC")
        .push(&page_limit(CONVERSATIONS_PER_PAGE));
    let offset = (page - 1).saturating_mul(CONVERSATIONS_PER_PAGE);
    if offset > 0 {
        q.push(" OFFSET ").bind(offset.min(i64::MAX as u64) as i64);
    }
    q.push(") c");
    if shape == PageShape::Whole {
        q.push(CONVERSATION_JOINS);
    }
    q.push(if anchored { ") p ON 1 = 1" } else { ") p" });
    match shape {
        // The whole rows come in any order and are put in the list's order here (`in_list_order`): ordered by
        // the statement, SQLite wrote the page's 25 joined rows into a temporary b-tree to sort them again
        // (`EXPLAIN QUERY PLAN`; the statement on a bench database through Python, best of five runs in each of
        // three rounds: 132–135 → 119–125 µs), and PostgreSQL added a sort of its own whenever it hashed the
        // joins.
        PageShape::Whole => q.push(LAST_MESSAGE_JOIN),
        PageShape::Stamps => q.push(" ORDER BY p.last_activity_at DESC, p.id DESC"),
    };
    q
}

/// ` WHERE` the conversations (or tallies) `c` of the account in the inboxes the caller sees, and in `inbox_id`
/// when one is asked for: an agent's inboxes as given, else as read from their memberships.
fn push_scope(q: &mut Sql, viewer: Viewer, inboxes: Option<&[i64]>, inbox_id: Option<i64>) {
    q.push(" WHERE c.account_id = ").bind(viewer.account_id);
    if let (Role::Agent, Some(set)) = (viewer.role, inboxes.filter(|set| !set.is_empty())) {
        q.push(" AND c.inbox_id IN ").bind_list(padded(set));
    } else if viewer.role == Role::Agent {
        q.push(" AND c.inbox_id IN (SELECT inbox_id FROM inbox_members WHERE user_id = ")
            .bind(viewer.user_id)
            .push(")");
    }
    if let Some(inbox_id) = inbox_id {
        q.push(" AND c.inbox_id = ").bind(inbox_id);
    }
}

/// The caller's tab counts at `tabs_version`, from the tallies of open conversations by assignee in the inboxes
/// they see (`inboxes`, as read with them), kept in `kept` for every caller who sees the same inboxes; summed by
/// one statement when not kept, while the others who see them wait for it.
pub async fn tab_counts(
    source: Source<'_, impl ConnectionTrait>,
    viewer: Viewer,
    inbox_id: Option<i64>,
    inboxes: Option<&[i64]>,
    kept: &KeptAtVersion<TalliesKey, ScopeTallies>,
    tabs_version: i64,
) -> Result<ConversationCounts, ApiError> {
    let inboxes = agents_inboxes(viewer, inboxes);
    let key = TalliesKey {
        account_id: viewer.account_id,
        user_id: (viewer.role == Role::Agent && inboxes.is_none()).then_some(viewer.user_id),
        inboxes: inboxes.map(Arc::from),
        inbox_id,
    };
    let read = || async {
        let mut q = Sql::new(
            "SELECT c.assignee_id, CAST(SUM(c.open_count) AS BIGINT) AS open_count \
             FROM conversation_tallies c",
        );
        push_scope(&mut q, viewer, inboxes, inbox_id);
        q.push(" GROUP BY c.assignee_id");
        let tallies = source.gather(q, TallyRows::new).await?;
        Ok::<_, ApiError>(ScopeTallies::from(
            tallies.map(|t| t.rows).unwrap_or_default(),
        ))
    };
    let tallies = kept.kept_or_made(key, tabs_version, |_| true, read).await?;
    Ok(counts_of(&tallies, viewer.user_id))
}

/// The rows of `tab_counts`' statement: open conversations by assignee.
struct TallyRows {
    columns: [usize; 2],
    rows: Vec<(i64, i64)>,
}

impl TallyRows {
    fn new(names: &[&str]) -> Result<Self, DbErr> {
        let at = ColumnPositions::of(names, "");
        Ok(Self {
            columns: [at.find("assignee_id")?, at.find("open_count")?],
            rows: Vec::new(),
        })
    }
}

impl Gather for TallyRows {
    fn add(&mut self, r: &impl Cells) -> Result<(), DbErr> {
        let [assignee, count] = self.columns;
        self.rows.push((r.cell(assignee)?, r.cell(count)?));
        Ok(())
    }
}

/// The list's order, newest activity first (`page_statement`'s page), for rows read in any order.
fn in_list_order(rows: &mut [ConversationRow]) {
    rows.sort_unstable_by_key(|r| std::cmp::Reverse((r.last_activity_at, r.id)));
}

/// The account's `related_version` (migration 29), followed by the account's id and `)`. An account no write
/// has bumped yet has no row: 0.
const RELATED_VERSION: &str =
    "(SELECT COALESCE(MAX(av.related_version), 0) FROM account_versions av WHERE av.account_id = ";

/// A row's stamp (`read_cache::RowStamp`) without what it shows: the page's index and the rows it points to.
/// The last message's id is not needed: a new message bumps its conversation's number.
const STAMP_COLUMNS: &str = "SELECT c.id, c.row_version, c.last_activity_at";

/// A conversation row of the list as kept between lists: its JSON's fields, and what its reply window is
/// reckoned from, as the window moves with the clock and the settings, not with the data.
#[derive(Debug)]
pub struct KeptRow {
    conversation: Conversation,
    channel: ChannelType,
    last_incoming_at: Option<i64>,
}

impl KeptRow {
    /// The row as shown under `policy`.
    fn at(&self, policy: ReplyPolicy) -> Conversation {
        let (can_reply, reply_window_ends_at) =
            reply_window(&self.channel, self.last_incoming_at, policy);
        Conversation {
            can_reply,
            reply_window_ends_at,
            ..self.conversation.clone()
        }
    }
}

/// The page's rows in the order of `stamps`: each kept at its stamp as it is, the rest read by one statement
/// (two when a last message has attachments) and kept, except those another list is reading meanwhile, which are
/// waited for (read here after all if that list fails). A row gone meanwhile is left out.
async fn rows_at(
    source: Source<'_, impl ConnectionTrait>,
    kept: &KeptRows<KeptRow>,
    frontend_url: &str,
    policy: ReplyPolicy,
    viewer: Viewer,
    stamps: &[(i64, RowStamp)],
) -> Result<Vec<Conversation>, ApiError> {
    let (wanted, reading) = kept.claim(stamps);
    let mine: Vec<i64> = stamps
        .iter()
        .zip(&wanted)
        .filter(|(_, how)| matches!(how, Wanted::Read))
        .map(|((id, _), _)| *id)
        .collect();
    let mut made = read_rows(
        source,
        frontend_url,
        policy,
        viewer,
        &mine,
        |id, stamp, row| reading.keep(id, stamp, row),
    )
    .await?;
    drop(reading);
    let mut failed = Vec::new();
    for ((id, _), how) in stamps.iter().zip(&wanted) {
        if let Wanted::Wait(rx) = how {
            match rx.clone().wait_for(Option::is_some).await {
                Ok(row) => {
                    made.insert(*id, row.clone().expect("waited for a row"));
                }
                Err(_) => failed.push(*id),
            }
        }
    }
    made.extend(
        read_rows(
            source,
            frontend_url,
            policy,
            viewer,
            &failed,
            |id, stamp, row| kept.keep(id, stamp, row),
        )
        .await?,
    );
    Ok(stamps
        .iter()
        .zip(wanted)
        .filter_map(|((id, _), how)| match how {
            Wanted::Kept(row) => Some(row),
            _ => made.remove(id),
        })
        .map(|row| row.at(policy))
        .collect())
}

/// The list's rows `ids` made from the database, each handed to `keep` with the stamp it was made at.
async fn read_rows(
    source: Source<'_, impl ConnectionTrait>,
    frontend_url: &str,
    policy: ReplyPolicy,
    viewer: Viewer,
    ids: &[i64],
    keep: impl Fn(i64, RowStamp, Arc<KeptRow>),
) -> Result<HashMap<i64, Arc<KeptRow>>, ApiError> {
    let mut made = HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(made);
    }
    let rows = source
        .gather(rows_statement(viewer, ids), |names| {
            PageRows::new(names, false)
        })
        .await?;
    let Some(rows) = rows else {
        return Ok(made);
    };
    let related_version = rows.related_version.unwrap_or(0);
    for (made_at, conversation) in rows.finish_rows(source.db, frontend_url, policy).await? {
        let row = Arc::new(KeptRow {
            conversation,
            channel: made_at.channel,
            last_incoming_at: made_at.last_incoming_at,
        });
        let stamp = RowStamp {
            row_version: made_at.row_version,
            related_version,
        };
        keep(made_at.id, stamp, row.clone());
        made.insert(made_at.id, row);
    }
    Ok(made)
}

/// The statement of the list's rows `ids`, with the account's `related_version` beside them. The ids are padded
/// to a power of two by repeating the last, so that a few texts serve every count and stay prepared.
fn rows_statement(viewer: Viewer, ids: &[i64]) -> Sql {
    let mut q = Sql::new("SELECT p.*, ");
    q.push(&LAST_MESSAGE_COLUMNS)
        .push(", ")
        .push(RELATED_VERSION)
        .bind(viewer.account_id)
        .push(") AS related_version FROM (")
        .push(CONVERSATION_COLUMNS)
        .push(" FROM (SELECT * FROM conversations c WHERE c.account_id = ")
        .bind(viewer.account_id)
        .push(" AND c.id IN ")
        .bind_list(padded(ids))
        .push(") c")
        .push(CONVERSATION_JOINS)
        .push(") p")
        .push(LAST_MESSAGE_JOIN);
    q
}

/// `ids` padded to a power of two by repeating the last, for a list bound in a statement's text (`IN (…)`): a few
/// texts then serve every count and stay prepared.
fn padded(ids: &[i64]) -> impl Iterator<Item = i64> + '_ {
    let last = ids.last().copied().unwrap_or_default();
    ids.iter()
        .copied()
        .chain(std::iter::repeat(last))
        .take(ids.len().next_power_of_two())
}

/// The rows of the list's stamps statement (`PageShape::Stamps`) and the tab counts where it counted them.
struct StampRows {
    columns: [usize; 3],
    counted: Option<[usize; 3]>,
    counts: Option<ConversationCounts>,
    rows: Vec<(i64, RowStamp)>,
}

impl StampRows {
    fn new(names: &[&str], counted: bool) -> Result<Self, DbErr> {
        static LAYOUTS: Layouts<bool, ([usize; 3], Option<[usize; 3]>)> = Layouts::new();
        let (columns, counted) = LAYOUTS.get(counted, names, |names| {
            let at = ColumnPositions::of(names, "");
            Ok((
                [
                    at.find("id")?,
                    at.find("row_version")?,
                    at.find("related_version")?,
                ],
                count_columns(names, counted)?,
            ))
        })?;
        Ok(Self {
            columns,
            counted,
            counts: None,
            rows: Vec::with_capacity(CONVERSATIONS_PER_PAGE as usize),
        })
    }
}

impl Gather for StampRows {
    fn add(&mut self, r: &impl Cells) -> Result<(), DbErr> {
        if let (Some(at), None) = (self.counted, self.counts) {
            self.counts = Some(read_counts(r, at)?);
        }
        let [id, row_version, related_version] = self.columns;
        // The outer join gives one row without a conversation when the page is empty.
        if let Some(id) = r.cell::<Option<i64>>(id)? {
            self.rows.push((
                id,
                RowStamp {
                    row_version: r.cell(row_version)?,
                    related_version: r.cell(related_version)?,
                },
            ));
        }
        Ok(())
    }
}

/// Where `mine`, `unassigned` and `all_open` are, when the statement counted.
fn count_columns(names: &[&str], counted: bool) -> Result<Option<[usize; 3]>, DbErr> {
    if !counted {
        return Ok(None);
    }
    let at = ColumnPositions::of(names, "");
    Ok(Some([
        at.find("mine")?,
        at.find("unassigned")?,
        at.find("all_open")?,
    ]))
}

fn read_counts(
    r: &impl Cells,
    [mine, unassigned, all]: [usize; 3],
) -> Result<ConversationCounts, DbErr> {
    let count =
        |at: usize| -> Result<u64, DbErr> { Ok(u64::try_from(r.cell::<i64>(at)?).unwrap_or(0)) };
    Ok(ConversationCounts {
        mine_count: count(mine)?,
        unassigned_count: count(unassigned)?,
        all_count: count(all)?,
    })
}

/// ` LIMIT n` for a page of a fixed size, written into the statement's text. Bound as a parameter, PostgreSQL
/// prices the prepared statement's generic plan for an unknown limit (a tenth of the rows), finds it dearer than
/// the plans made for the actual 25, and so plans the list statement again on every run: `pgbench -M prepared`
/// on a bench database, 0.97 ms a list with the limit bound against 0.46 ms with it in the text, where the
/// generic plan is kept after the fifth run (the bench's statement log: bind 0.87 ms, execute 0.50 ms a list).
fn page_limit(rows: u64) -> String {
    format!(" LIMIT {rows}")
}

/// What a conversation's JSON needs besides its last message, in one row: its inbox's channel, its contact's
/// name and picture, its assignee (while still an agent of the account), its unread count and the id of its last
/// message (all but the inbox and the assignee kept on the row by triggers, migrations 28, 30 and 31). Followed
/// by `FROM (<conversations>) c` and `CONVERSATION_JOINS`.
const CONVERSATION_COLUMNS: &str =
    "SELECT c.id, c.display_id, c.account_id, c.inbox_id, c.contact_id, \
    c.status, c.assignee_id, c.last_activity_at, c.last_incoming_at, c.agent_last_seen_at, \
    c.additional_attributes, c.created_at, i.channel_type, c.contact_name, c.contact_thumbnail, \
    u.name AS assignee_name, u.email AS assignee_email, au.role AS assignee_role, \
    c.unread_count, c.row_version, c.last_message_id";

/// What follows `FROM (…) c`, the conversations of `CONVERSATION_COLUMNS`. The contact is on the row since
/// migration 31: before, each of a page's 25 rows looked it up in `contacts` (on PostgreSQL a lateral subquery,
/// as a plain join was hashed whole for 25 rows), about a fifth of the list statement (README, "What changed",
/// stop 33).
const CONVERSATION_JOINS: &str = " JOIN inboxes i ON i.id = c.inbox_id \
    LEFT JOIN account_users au ON au.account_id = c.account_id AND au.user_id = c.assignee_id \
    LEFT JOIN users u ON u.id = au.user_id";

/// The prefix of the last message's columns (`message_columns`) in a conversation row.
const LAST: &str = "lm_";

/// What follows `(…) p`, rows of `CONVERSATION_COLUMNS`: each one's last message as `m`, for
/// `message_columns(LAST)`. One statement for the page and its last messages; the row's `last_message_id` is
/// already there, so a plain outer join on the primary key does it on both databases.
const LAST_MESSAGE_JOIN: &str = " LEFT JOIN messages m ON m.id = p.last_message_id";

// `message_type = 0` in the unread count (migration 28) is an incoming message.
const _: () = assert!(MESSAGE_INCOMING == 0);

#[derive(Debug, Default)]
struct ConversationRow {
    id: i64,
    display_id: i64,
    account_id: i64,
    inbox_id: i64,
    contact_id: i64,
    status: String,
    assignee_id: Option<i64>,
    last_activity_at: i64,
    last_incoming_at: Option<i64>,
    agent_last_seen_at: Option<i64>,
    additional_attributes: String,
    created_at: i64,
    channel_type: String,
    contact_name: Option<String>,
    contact_thumbnail: Option<String>,
    assignee_name: Option<String>,
    assignee_email: Option<String>,
    assignee_role: Option<String>,
    unread_count: i64,
    row_version: i64,
    last_message_id: Option<i64>,
}

/// Where each column of a statement's rows is, by name (the first of each name): those named `{pre}…`, under
/// the rest of their name. Read once per statement from the row's own column list, without copying a name:
/// `QueryResult::column_names` makes a `String` of every name, and a search of that list per column wanted was
/// a tenth of the server's CPU in an uncached list on SQLite (`perf`: `memcmp` 4%, the names' allocations).
struct ColumnPositions<'r> {
    pre: &'r str,
    at: HashMap<&'r str, usize>,
}

impl<'r> ColumnPositions<'r> {
    fn of(names: &[&'r str], pre: &'r str) -> Self {
        let mut at = HashMap::new();
        for (i, name) in names.iter().enumerate() {
            if let Some(rest) = name.strip_prefix(pre) {
                at.entry(rest).or_insert(i);
            }
        }
        Self { pre, at }
    }

    /// Where the column `{pre}{name}` is.
    fn find(&self, name: &str) -> Result<usize, DbErr> {
        self.at
            .get(name)
            .copied()
            .ok_or_else(|| DbErr::Type(format!("no column {}{name} in the statement", self.pre)))
    }
}

/// Column positions found once for each list of column names (and `K`, what else they depend on) and kept: a
/// statement's names are the same on every run, and finding them by name again for every request was 4% of the
/// server's CPU in an uncached list on SQLite (`perf`, stop 27: `ColumnPositions::of`, three maps a list).
/// Comparing the names with a kept list costs a few short string comparisons.
struct Layouts<K, L> {
    kept: std::sync::Mutex<Vec<(K, Vec<String>, L)>>,
}

/// Distinct layouts kept at most: the statements read this way have one or two each.
const LAYOUTS_KEPT: usize = 8;

impl<K: PartialEq + Copy, L: Copy> Layouts<K, L> {
    const fn new() -> Self {
        Self {
            kept: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn get(
        &self,
        key: K,
        names: &[&str],
        find: impl FnOnce(&[&str]) -> Result<L, DbErr>,
    ) -> Result<L, DbErr> {
        let same = |kept: &[String]| {
            kept.len() == names.len() && kept.iter().zip(names).all(|(k, n)| k == n)
        };
        let lock = || {
            self.kept
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some((_, _, layout)) = lock().iter().find(|(k, n, _)| *k == key && same(n)) {
            return Ok(*layout);
        }
        let layout = find(names)?;
        let mut kept = lock();
        // Another request may have kept the same one meanwhile.
        if kept.len() < LAYOUTS_KEPT && !kept.iter().any(|(k, n, _)| *k == key && same(n)) {
            kept.push((key, names.iter().map(|n| n.to_string()).collect(), layout));
        }
        Ok(layout)
    }
}

/// The column names of a result, from one of its rows, without copying them.
fn column_names(r: &sea_orm::QueryResult) -> Vec<&str> {
    use sea_orm::sqlx::{Column, Row};
    if let Some(row) = r.try_as_pg_row() {
        row.columns().iter().map(|c| c.name()).collect()
    } else if let Some(row) = r.try_as_sqlite_row() {
        row.columns().iter().map(|c| c.name()).collect()
    } else {
        Vec::new()
    }
}

/// A statement's rows from sea-orm, gathered as `Sql::read_rows` gathers rusqlite's: `start` gets the column
/// names, then `Gather::add` every row (through `RowCells`: on PostgreSQL each column's type is checked once for
/// the statement); `None` when there is no row to name them.
fn gather<S: Gather>(
    results: &[sea_orm::QueryResult],
    start: impl FnOnce(&[&str]) -> Result<S, DbErr>,
) -> Result<Option<S>, DbErr> {
    let Some(first) = results.first() else {
        return Ok(None);
    };
    let mut state = start(&column_names(first))?;
    let types = StatementTypes::default();
    for r in results {
        state.add(&RowCells::of(r, &types))?;
    }
    Ok(Some(state))
}

/// Where each column of `CONVERSATION_COLUMNS` is in the rows of one statement: found by name once, then read by
/// position in every row, as `MessageColumns` does for messages (sqlx finds a name through a hash map per column
/// and row).
#[derive(Clone, Copy)]
struct ConversationColumns {
    id: usize,
    display_id: usize,
    account_id: usize,
    inbox_id: usize,
    contact_id: usize,
    status: usize,
    assignee_id: usize,
    last_activity_at: usize,
    last_incoming_at: usize,
    agent_last_seen_at: usize,
    additional_attributes: usize,
    created_at: usize,
    channel_type: usize,
    contact_name: usize,
    contact_thumbnail: usize,
    assignee_name: usize,
    assignee_email: usize,
    assignee_role: usize,
    unread_count: usize,
    row_version: usize,
    last_message_id: usize,
}

impl ConversationColumns {
    fn find(names: &[&str]) -> Result<Self, DbErr> {
        let columns = ColumnPositions::of(names, "");
        let find = |name: &str| columns.find(name);
        Ok(Self {
            id: find("id")?,
            display_id: find("display_id")?,
            account_id: find("account_id")?,
            inbox_id: find("inbox_id")?,
            contact_id: find("contact_id")?,
            status: find("status")?,
            assignee_id: find("assignee_id")?,
            last_activity_at: find("last_activity_at")?,
            last_incoming_at: find("last_incoming_at")?,
            agent_last_seen_at: find("agent_last_seen_at")?,
            additional_attributes: find("additional_attributes")?,
            created_at: find("created_at")?,
            channel_type: find("channel_type")?,
            contact_name: find("contact_name")?,
            contact_thumbnail: find("contact_thumbnail")?,
            assignee_name: find("assignee_name")?,
            assignee_email: find("assignee_email")?,
            assignee_role: find("assignee_role")?,
            unread_count: find("unread_count")?,
            row_version: find("row_version")?,
            last_message_id: find("last_message_id")?,
        })
    }

    fn row(&self, r: &impl Cells) -> Result<ConversationRow, DbErr> {
        Ok(ConversationRow {
            id: r.cell(self.id)?,
            display_id: r.cell(self.display_id)?,
            account_id: r.cell(self.account_id)?,
            inbox_id: r.cell(self.inbox_id)?,
            contact_id: r.cell(self.contact_id)?,
            status: r.cell(self.status)?,
            assignee_id: r.cell(self.assignee_id)?,
            last_activity_at: r.cell(self.last_activity_at)?,
            last_incoming_at: r.cell(self.last_incoming_at)?,
            agent_last_seen_at: r.cell(self.agent_last_seen_at)?,
            additional_attributes: r.cell(self.additional_attributes)?,
            created_at: r.cell(self.created_at)?,
            channel_type: r.cell(self.channel_type)?,
            contact_name: r.cell(self.contact_name)?,
            contact_thumbnail: r.cell(self.contact_thumbnail)?,
            assignee_name: r.cell(self.assignee_name)?,
            assignee_email: r.cell(self.assignee_email)?,
            assignee_role: r.cell(self.assignee_role)?,
            unread_count: r.cell(self.unread_count)?,
            row_version: r.cell(self.row_version)?,
            last_message_id: r.cell(self.last_message_id)?,
        })
    }
}

/// Conversation JSON for rows of `CONVERSATION_COLUMNS` with their last message (`LAST_MESSAGE_JOIN`).
async fn rows_to_dtos(
    db: &impl ConnectionTrait,
    frontend_url: &str,
    policy: ReplyPolicy,
    results: &[sea_orm::QueryResult],
) -> Result<Vec<Conversation>, ApiError> {
    match gather(results, |names| PageRows::new(names, false))? {
        Some(page) => page.finish(db, frontend_url, policy).await,
        None => Ok(Vec::new()),
    }
}

/// The rows of a statement of `CONVERSATION_COLUMNS` with their last messages (`LAST_MESSAGE_JOIN`), and the
/// tab counts where it counted them, gathered a row at a time from either driver (see `db::Cells`). A row
/// without a conversation (an empty page's) is skipped.
struct PageRows {
    conversation: ConversationColumns,
    last: MessageRows,
    /// Where `mine`, `unassigned` and `all_open` are, when the statement counted.
    counted: Option<[usize; 3]>,
    counts: Option<ConversationCounts>,
    /// Where the account's `related_version` is, when the statement read it (`rows_statement`), and its value.
    related: Option<usize>,
    related_version: Option<i64>,
    rows: Vec<ConversationRow>,
}

impl PageRows {
    fn new(names: &[&str], counted: bool) -> Result<Self, DbErr> {
        type Layout = (
            ConversationColumns,
            MessageColumns,
            Option<[usize; 3]>,
            Option<usize>,
        );
        static LAYOUTS: Layouts<bool, Layout> = Layouts::new();
        let (conversation, last, counted, related) = LAYOUTS.get(counted, names, |names| {
            Ok((
                ConversationColumns::find(names)?,
                MessageColumns::find(names, LAST)?,
                count_columns(names, counted)?,
                ColumnPositions::of(names, "").find("related_version").ok(),
            ))
        })?;
        Ok(Self {
            conversation,
            last: MessageRows::with(last),
            counted,
            counts: None,
            related,
            related_version: None,
            rows: Vec::with_capacity(CONVERSATIONS_PER_PAGE as usize),
        })
    }
}

impl Gather for PageRows {
    fn add(&mut self, r: &impl Cells) -> Result<(), DbErr> {
        if let (Some(at), None) = (self.counted, self.counts) {
            self.counts = Some(read_counts(r, at)?);
        }
        if let (Some(at), None) = (self.related, self.related_version) {
            self.related_version = Some(r.cell(at)?);
        }
        // The list's outer join gives one row without a conversation when the page is empty.
        if r.cell::<Option<i64>>(self.conversation.id)?.is_some() {
            self.rows.push(self.conversation.row(r)?);
        }
        self.last.add(r)
    }
}

impl PageRows {
    /// The conversations' JSON in the list's order; one more statement only when a last message has
    /// attachments.
    async fn finish(
        mut self,
        db: &impl ConnectionTrait,
        frontend_url: &str,
        policy: ReplyPolicy,
    ) -> Result<Vec<Conversation>, ApiError> {
        in_list_order(&mut self.rows);
        Ok(self
            .finish_rows(db, frontend_url, policy)
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect())
    }

    /// `finish`, each conversation with what its row was made from.
    async fn finish_rows(
        self,
        db: &impl ConnectionTrait,
        frontend_url: &str,
        policy: ReplyPolicy,
    ) -> Result<Vec<(MadeFrom, Conversation)>, ApiError> {
        let mut last_messages: HashMap<i64, Message> = self
            .last
            .finish(db, frontend_url)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        self.rows
            .into_iter()
            .map(|c| {
                let made_from = MadeFrom {
                    id: c.id,
                    row_version: c.row_version,
                    channel: ChannelType::parse(&c.channel_type),
                    last_incoming_at: c.last_incoming_at,
                };
                let (can_reply, reply_window_ends_at) =
                    reply_window(&made_from.channel, c.last_incoming_at, policy);
                let status = parse_status(c.id, &c.status)?;
                let assignee = match (c.assignee_id, c.assignee_name, c.assignee_email) {
                    (Some(id), Some(name), Some(email)) => c
                        .assignee_role
                        .as_deref()
                        .and_then(Role::parse)
                        .map(|role| Agent {
                            id,
                            account_id: c.account_id,
                            name,
                            email,
                            role,
                            availability_status: "offline".to_owned(),
                        }),
                    _ => None,
                };
                let conversation = Conversation {
                    id: c.display_id,
                    account_id: c.account_id,
                    inbox_id: c.inbox_id,
                    status,
                    assignee_id: c.assignee_id,
                    unread_count: u64::try_from(c.unread_count).unwrap_or(0),
                    agent_last_seen_at: c.agent_last_seen_at,
                    timestamp: c.last_activity_at,
                    can_reply,
                    reply_window_ends_at,
                    additional_attributes: object(&c.additional_attributes),
                    meta: ConversationMeta {
                        sender: ConversationSender {
                            id: c.contact_id,
                            name: c.contact_name.unwrap_or_default(),
                            thumbnail: c.contact_thumbnail.unwrap_or_default(),
                            channel: c.channel_type,
                        },
                        assignee,
                    },
                    messages: c
                        .last_message_id
                        .and_then(|id| last_messages.remove(&id))
                        .into_iter()
                        .collect(),
                    created_at: c.created_at,
                };
                Ok((made_from, conversation))
            })
            .collect()
    }
}

/// What a conversation row was made from, besides its account's `related_version`: its stamp's numbers and its
/// reply window's inputs.
struct MadeFrom {
    id: i64,
    row_version: i64,
    channel: ChannelType,
    last_incoming_at: Option<i64>,
}

/// One conversation's JSON (its visibility already checked by the caller).
pub async fn to_dto(
    db: &impl ConnectionTrait,
    frontend_url: &str,
    policy: ReplyPolicy,
    conv: &conversation::Model,
) -> Result<Conversation, ApiError> {
    let mut q = Sql::new("SELECT p.*, ");
    q.push(&LAST_MESSAGE_COLUMNS)
        .push(" FROM (")
        .push(CONVERSATION_COLUMNS)
        .push(" FROM (SELECT * FROM conversations c WHERE c.id = ")
        .bind(conv.id)
        .push(") c")
        .push(CONVERSATION_JOINS)
        .push(") p")
        .push(LAST_MESSAGE_JOIN);
    let results = q.query_all(db).await?;
    rows_to_dtos(db, frontend_url, policy, &results)
        .await?
        .pop()
        .ok_or(ApiError::NotFound)
}

pub fn status_of(c: &conversation::Model) -> Result<ConversationStatus, ApiError> {
    parse_status(c.id, &c.status)
}

fn parse_status(id: i64, status: &str) -> Result<ConversationStatus, ApiError> {
    ConversationStatus::parse(status).ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "conversation {id} has unknown status {status:?}"
        ))
    })
}

/// A JSON object column; anything unreadable shows as `{}` rather than failing the whole page.
fn object(text: &str) -> Value {
    serde_json::from_str::<Value>(text)
        .ok()
        .filter(Value::is_object)
        .unwrap_or_else(|| Value::Object(Default::default()))
}

/// `GET …/conversations/{id}/messages`: the conversation's contact and up to 20 messages older than `before`,
/// oldest first; 404 unless the caller may see the conversation's inbox. One statement (two when a message
/// has attachments), as the list: the visible conversation with its contact is a row of its own, outer-joined
/// to the page, so an empty page still names the contact and an invisible conversation yields no row at all.
/// The page finds its conversation by number by itself; its rows are only kept when that row exists.
pub async fn thread(
    source: Source<'_, impl ConnectionTrait>,
    frontend_url: &str,
    viewer: Viewer,
    display_id: i64,
    before: Option<i64>,
) -> Result<MessageList, ApiError> {
    let mut q = Sql::new("SELECT v.*, ");
    q.push(&THREAD_MESSAGE_COLUMNS).push(
        " FROM (SELECT c.contact_id AS th_contact_id, c.contact_name AS th_contact_name, \
         c.contact_thumbnail AS th_contact_thumbnail, c.display_id AS conversation_display_id \
         FROM conversations c JOIN inboxes i ON i.id = c.inbox_id WHERE c.account_id = ",
    );
    q.bind(viewer.account_id)
        .push(" AND c.display_id = ")
        .bind(display_id)
        .push(" AND i.account_id = ")
        .bind(viewer.account_id);
    if viewer.role == Role::Agent {
        q.push(" AND i.id IN (SELECT inbox_id FROM inbox_members WHERE user_id = ")
            .bind(viewer.user_id)
            .push(")");
    }
    // The page of messages is picked alone, then its columns (`THREAD_MESSAGE_COLUMNS`) are read beside the
    // conversation's, which they take its number and contact from.
    q.push(
        ") v LEFT JOIN (SELECT m.* FROM messages m WHERE m.conversation_id = \
         (SELECT c.id FROM conversations c WHERE c.account_id = ",
    )
    .bind(viewer.account_id)
    .push(" AND c.display_id = ")
    .bind(display_id)
    .push(")");
    if let Some(before) = before {
        q.push(" AND m.id < ").bind(before);
    }
    // Newest first to take the page (its size in the text, see `page_limit`), then oldest first to show it,
    // sorted here: sorted by the statement, PostgreSQL copied the page's rows into a sort of their own once more
    // (`pgbench -M prepared` of the uncached thread statement, one client, six alternating runs: best 0.201 →
    // 0.182 ms, median 0.212 → 0.200 ms).
    q.push(" ORDER BY m.id DESC")
        .push(&page_limit(MESSAGES_PER_PAGE))
        .push(") m ON 1 = 1");
    let page = source.gather(q, ThreadRows::new).await?;
    // No row at all, or none naming the contact: the conversation is not one the caller may see.
    let page = page.ok_or(ApiError::NotFound)?;
    let contact = page.contact.ok_or(ApiError::NotFound)?;
    let mut payload = page.messages.finish(source.db, frontend_url).await?;
    // The page comes newest first as picked, and a short slice is sorted by insertion, which moved every message
    // (hundreds of bytes each) across the others when it was reversed: turned first, it is sorted already.
    payload.reverse();
    payload.sort_unstable_by_key(|m| m.id);
    Ok(MessageList {
        meta: MessageListMeta { contact },
        payload,
    })
}

/// The rows of `thread`'s statement: the conversation's contact, in every row, and a page of messages.
struct ThreadRows {
    /// Where the contact's id, name and thumbnail are.
    contact_at: [usize; 3],
    contact: Option<ContactSummary>,
    messages: MessageRows,
}

impl ThreadRows {
    fn new(names: &[&str]) -> Result<Self, DbErr> {
        static LAYOUTS: Layouts<(), ([usize; 3], MessageColumns)> = Layouts::new();
        let (contact_at, messages) = LAYOUTS.get((), names, |names| {
            let columns = ColumnPositions::of(names, "th_contact_");
            Ok((
                [
                    columns.find("id")?,
                    columns.find("name")?,
                    columns.find("thumbnail")?,
                ],
                MessageColumns::find(names, "")?,
            ))
        })?;
        Ok(Self {
            contact_at,
            contact: None,
            messages: MessageRows::with(messages),
        })
    }
}

impl Gather for ThreadRows {
    fn add(&mut self, r: &impl Cells) -> Result<(), DbErr> {
        if self.contact.is_none() {
            let [id, name, thumbnail] = self.contact_at;
            self.contact = Some(ContactSummary {
                id: r.cell(id)?,
                name: r.cell(name)?,
                thumbnail: r.cell::<Option<String>>(thumbnail)?.unwrap_or_default(),
            });
        }
        self.messages.add(r)
    }
}

/// Messages by id with their senders, oldest first, in one statement, plus one for attachments when any
/// message has some.
pub async fn load_messages(
    db: &impl ConnectionTrait,
    frontend_url: &str,
    ids: &[i64],
) -> Result<Vec<Message>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new("SELECT ");
    q.push(&MESSAGE_COLUMNS)
        .push(" FROM messages m WHERE m.id IN ")
        .bind_list(ids.iter().copied())
        .push(" ORDER BY m.id");
    let results = q.query_all(db).await?;
    messages_in(db, frontend_url, &results, "").await
}

/// The messages of `message_columns(pre)` in `results` (rows without one are skipped), with their attachments:
/// one more statement only when any has some.
async fn messages_in(
    db: &impl ConnectionTrait,
    frontend_url: &str,
    results: &[sea_orm::QueryResult],
    pre: &str,
) -> Result<Vec<Message>, ApiError> {
    match gather(results, |names| MessageRows::new(names, pre))? {
        Some(messages) => messages.finish(db, frontend_url).await,
        None => Ok(Vec::new()),
    }
}

/// The messages of `message_columns(pre)` in a statement's rows, gathered a row at a time from either driver
/// (rows without one are skipped).
struct MessageRows {
    cols: MessageColumns,
    messages: Vec<Message>,
    with_files: Vec<i64>,
}

impl MessageRows {
    fn new(names: &[&str], pre: &str) -> Result<Self, DbErr> {
        Ok(Self::with(MessageColumns::find(names, pre)?))
    }

    fn with(cols: MessageColumns) -> Self {
        Self {
            cols,
            messages: Vec::new(),
            with_files: Vec::new(),
        }
    }
}

impl Gather for MessageRows {
    fn add(&mut self, r: &impl Cells) -> Result<(), DbErr> {
        if let Some((message, has_files)) = message_in_row(r, &self.cols)? {
            if has_files {
                self.with_files.push(message.id);
            }
            self.messages.push(message);
        }
        Ok(())
    }
}

impl MessageRows {
    /// The messages with their attachments: one more statement only when any has some.
    async fn finish(
        mut self,
        db: &impl ConnectionTrait,
        frontend_url: &str,
    ) -> Result<Vec<Message>, ApiError> {
        add_attachments(db, frontend_url, &mut self.messages, self.with_files).await?;
        Ok(self.messages)
    }
}

/// The columns of messages `m`, each named `{pre}<column>`, with each one's conversation number, its sender and
/// whether it has attachments. What the statement already holds (`known`) is taken from there; the rest comes by
/// primary-key subqueries: joined, PostgreSQL hashed every conversation and contact of the database to find those
/// of 20–25 messages (`pgbench` of the list's last messages: 1.06 → 0.53 ms; a thread page 0.56 → 0.46 ms). Each
/// subquery is an index lookup per message: under the bench's 32 concurrent threads, the number's alone cost
/// PostgreSQL a fifth of a thread's CPU.
fn message_columns(pre: &str, known: Known) -> String {
    use sea_orm::IdenStatic;
    let mut columns: Vec<String> = MESSAGE_OWN
        .iter()
        .map(|c| format!("m.{0} AS {pre}{0}", c.as_str()))
        .collect();
    if let Some(number) = known.number {
        columns.push(format!("{number} AS {pre}{MESSAGE_NUMBER}"));
    }
    // Names are NOT NULL columns, so a sender's is NULL here only where the sender is not found: no id needed.
    for (field, name) in [(1, "name"), (2, "thumbnail")] {
        let looked_up = format!(
            "(SELECT sc.{name} FROM contacts sc WHERE m.sender_type = '{SENDER_CONTACT}' \
             AND sc.id = m.sender_id)"
        );
        let sql = match known.contact {
            Some(contact) => format!(
                "CASE WHEN m.sender_type = '{SENDER_CONTACT}' AND m.sender_id = {} THEN {} \
                 ELSE {looked_up} END",
                contact[0], contact[field]
            ),
            None => looked_up,
        };
        columns.push(format!("{sql} AS {pre}contact_sender_{name}"));
    }
    columns.extend(
        MESSAGE_EXTRAS
            .iter()
            .map(|(sql, name)| format!("{sql} AS {pre}{name}")),
    );
    columns.join(", ")
}

/// What a statement holds about the messages `message_columns` reads, as SQL expressions.
#[derive(Clone, Copy)]
struct Known {
    /// Their conversation's number; `None` where the statement selects it beside them (named `MESSAGE_NUMBER`).
    number: Option<&'static str>,
    /// Their conversation's contact, `[id, name, thumbnail]`: the sender of most of them.
    contact: Option<[&'static str; 3]>,
}

/// The name of a message's conversation number among `message_columns`.
const MESSAGE_NUMBER: &str = "conversation_display_id";

/// The columns of `messages` a message's JSON shows: not its conversation's id (its number comes as `Known`
/// says), nor `external_created_at`, `updated_at` or `parts_sent`. Each column a row holds is one more value
/// that sqlx copies out of the statement.
const MESSAGE_OWN: [message::Column; 13] = [
    message::Column::Id,
    message::Column::AccountId,
    message::Column::InboxId,
    message::Column::MessageType,
    message::Column::Content,
    message::Column::ContentType,
    message::Column::ContentAttributes,
    message::Column::Private,
    message::Column::Status,
    message::Column::SourceId,
    message::Column::SenderType,
    message::Column::SenderId,
    message::Column::CreatedAt,
];

/// `message_columns` for the messages a statement reads (any conversation's), for a thread's (one
/// conversation's, whose number and contact are selected once beside them) and for a conversation row's last
/// message (the row has both), made once: their text is the same for every request.
static MESSAGE_COLUMNS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let number = "(SELECT c.display_id FROM conversations c WHERE c.id = m.conversation_id)";
    message_columns(
        "",
        Known {
            number: Some(number),
            contact: None,
        },
    )
});
static THREAD_MESSAGE_COLUMNS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    message_columns(
        "",
        Known {
            number: None,
            contact: Some([
                "v.th_contact_id",
                "v.th_contact_name",
                "v.th_contact_thumbnail",
            ]),
        },
    )
});
static LAST_MESSAGE_COLUMNS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    message_columns(
        LAST,
        Known {
            number: Some("p.display_id"),
            contact: Some(["p.contact_id", "p.contact_name", "p.contact_thumbnail"]),
        },
    )
});

/// What `message_columns` adds to a message's own columns, by name.
const MESSAGE_EXTRAS: [(&str, &str); 2] = [
    (
        "(SELECT su.name FROM users su WHERE m.sender_type = 'User' AND su.id = m.sender_id)",
        "user_sender_name",
    ),
    // Kept on the message by triggers (migration 36): an `EXISTS` on `attachments` for each message was the
    // largest of these lookups.
    (
        "CASE WHEN m.attachments_count > 0 THEN 1 ELSE 0 END",
        "has_attachments",
    ),
];

/// Where each column of `message_columns(pre)` is in the rows of one statement, found by name once and then
/// read by position in every row. sea-orm reads a column by name, and for a prefixed one (`lm_…`, the list's
/// last messages) it formats the name first; per column and row that was a sixth of the server's CPU in an
/// uncached list (`perf`: `format!` 10%, sqlx's lookup of the name 7%).
#[derive(Clone, Copy)]
struct MessageColumns {
    id: usize,
    account_id: usize,
    inbox_id: usize,
    message_type: usize,
    content: usize,
    content_type: usize,
    content_attributes: usize,
    private: usize,
    status: usize,
    source_id: usize,
    sender_type: usize,
    sender_id: usize,
    created_at: usize,
    display_id: usize,
    contact_sender_name: usize,
    contact_sender_thumbnail: usize,
    user_sender_name: usize,
    has_attachments: usize,
}

impl MessageColumns {
    fn find(names: &[&str], pre: &str) -> Result<Self, DbErr> {
        use message::Column as C;
        use sea_orm::IdenStatic;
        let columns = ColumnPositions::of(names, pre);
        let find = |name: &str| columns.find(name);
        let own = |c: C| find(c.as_str());
        Ok(Self {
            id: own(C::Id)?,
            account_id: own(C::AccountId)?,
            inbox_id: own(C::InboxId)?,
            message_type: own(C::MessageType)?,
            content: own(C::Content)?,
            content_type: own(C::ContentType)?,
            content_attributes: own(C::ContentAttributes)?,
            private: own(C::Private)?,
            status: own(C::Status)?,
            source_id: own(C::SourceId)?,
            sender_type: own(C::SenderType)?,
            sender_id: own(C::SenderId)?,
            created_at: own(C::CreatedAt)?,
            display_id: find(MESSAGE_NUMBER)?,
            contact_sender_name: find("contact_sender_name")?,
            contact_sender_thumbnail: find("contact_sender_thumbnail")?,
            user_sender_name: find("user_sender_name")?,
            has_attachments: find("has_attachments")?,
        })
    }
}

/// The message of `message_columns` in a row (without its attachments) and whether it has any; `None` for an
/// outer join's empty side.
fn message_in_row(r: &impl Cells, cols: &MessageColumns) -> Result<Option<(Message, bool)>, DbErr> {
    let Some(id) = r.cell::<Option<i64>>(cols.id)? else {
        return Ok(None);
    };
    let has_files = r.cell::<i32>(cols.has_attachments)? != 0;
    let sender_type: Option<String> = r.cell(cols.sender_type)?;
    let sender_id: Option<i64> = r.cell(cols.sender_id)?;
    // The sender's name is NULL only where the sender is not found (see `message_columns`).
    let sender = match (sender_type.as_deref(), sender_id) {
        (Some(SENDER_CONTACT), Some(id)) => r
            .cell::<Option<String>>(cols.contact_sender_name)?
            .map(|name| -> Result<MessageSender, DbErr> {
                Ok(MessageSender {
                    id,
                    name,
                    thumbnail: r
                        .cell::<Option<String>>(cols.contact_sender_thumbnail)?
                        .unwrap_or_default(),
                    kind: "contact".to_owned(),
                })
            })
            .transpose()?,
        (Some(SENDER_USER), Some(id)) => {
            r.cell::<Option<String>>(cols.user_sender_name)?
                .map(|name| MessageSender {
                    id,
                    name,
                    thumbnail: String::new(),
                    kind: "user".to_owned(),
                })
        }
        _ => None,
    };
    let content_attributes: String = r.cell(cols.content_attributes)?;
    let message = Message {
        id,
        content: r.cell(cols.content)?,
        account_id: r.cell(cols.account_id)?,
        inbox_id: r.cell(cols.inbox_id)?,
        conversation_id: r.cell(cols.display_id)?,
        message_type: r.cell(cols.message_type)?,
        created_at: r.cell(cols.created_at)?,
        private: r.cell(cols.private)?,
        status: r.cell(cols.status)?,
        source_id: r.cell(cols.source_id)?,
        content_type: r.cell(cols.content_type)?,
        content_attributes: object(&content_attributes),
        sender_type,
        sender_id,
        sender,
        attachments: Vec::new(),
    };
    Ok(Some((message, has_files)))
}

/// Fills in the attachments of the messages whose ids are in `with_files`: one statement, none when empty.
async fn add_attachments(
    db: &impl ConnectionTrait,
    frontend_url: &str,
    messages: &mut [Message],
    with_files: Vec<i64>,
) -> Result<(), ApiError> {
    if with_files.is_empty() {
        return Ok(());
    }
    let attachments = attachment::Entity::find()
        .filter(attachment::Column::MessageId.is_in(with_files))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?;
    for m in messages {
        m.attachments = attachments
            .iter()
            .filter(|a| a.message_id == m.id)
            .map(|a| attachment_dto(frontend_url, a))
            .collect();
    }
    Ok(())
}

const SENDER_CONTACT: &str = "Contact";
const SENDER_USER: &str = "User";

/// Our own copy once it is downloaded (served by the attachment endpoint), the provider's URL until then.
fn attachment_dto(frontend_url: &str, a: &attachment::Model) -> Attachment {
    let data_url = match (&a.file_key, &a.external_url) {
        (Some(_), _) => format!(
            "{frontend_url}/api/v1/accounts/{}/attachments/{}/file",
            a.account_id, a.id
        ),
        (None, Some(url)) => url.clone(),
        (None, None) => String::new(),
    };
    let thumb_url = if a.file_type == "image" {
        data_url.clone()
    } else {
        String::new()
    };
    Attachment {
        id: a.id,
        file_type: a.file_type.clone(),
        data_url,
        thumb_url,
    }
}

pub async fn set_status(
    db: &impl ConnectionTrait,
    conv: conversation::Model,
    requested: Option<ConversationStatus>,
) -> Result<conversation::Model, ApiError> {
    let status = match requested {
        Some(s) => s,
        None => status_of(&conv)?.toggled(),
    };
    let mut active: conversation::ActiveModel = conv.into();
    active.status = Set(status.as_str().to_owned());
    active.updated_at = Set(now());
    Ok(active.update(db).await?)
}

/// Sets or clears the assignee, who must belong to the account; the new assignee has read nothing yet.
pub async fn assign(
    db: &impl ConnectionTrait,
    conv: conversation::Model,
    assignee_id: Option<i64>,
) -> Result<Option<Agent>, ApiError> {
    let agent = match assignee_id {
        None => None,
        Some(id) => {
            let member = account_user::Entity::find()
                .filter(account_user::Column::AccountId.eq(conv.account_id))
                .filter(account_user::Column::UserId.eq(id))
                .one(db)
                .await?;
            if member.is_none() {
                return Err(ApiError::field(
                    "assignee_id",
                    "is not an agent of this account",
                ));
            }
            accounts::agents(db, conv.account_id, Some(vec![id]))
                .await?
                .pop()
        }
    };
    if conv.assignee_id != assignee_id {
        let mut active: conversation::ActiveModel = conv.into();
        active.assignee_id = Set(assignee_id);
        active.assignee_last_seen_at = Set(None);
        active.updated_at = Set(now());
        active.update(db).await?;
    }
    Ok(agent)
}

/// Marks the conversation read for the caller: for every agent, and as the assignee when it is theirs.
pub async fn mark_seen(
    db: &impl ConnectionTrait,
    conv: conversation::Model,
    user_id: i64,
) -> Result<(), ApiError> {
    let at = now();
    let is_assignee = conv.assignee_id == Some(user_id);
    let mut active: conversation::ActiveModel = conv.into();
    active.agent_last_seen_at = Set(Some(at));
    if is_assignee {
        active.assignee_last_seen_at = Set(Some(at));
    }
    active.update(db).await?;
    Ok(())
}

/// A contact of the account the caller may see: administrators any, agents those who wrote to one of their
/// inboxes. Only the inboxes the caller can see are listed.
pub async fn contact(
    db: &impl ConnectionTrait,
    frontend_url: &str,
    viewer: Viewer,
    contact_id: i64,
) -> Result<Contact, ApiError> {
    let found = contact::Entity::find_by_id(contact_id)
        .filter(contact::Column::AccountId.eq(viewer.account_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let links = contact_inbox::Entity::find()
        .filter(contact_inbox::Column::ContactId.eq(found.id))
        .order_by_asc(contact_inbox::Column::Id)
        .all(db)
        .await?;
    let visible = inboxes::visible(db, viewer.account_id, viewer.user_id, viewer.role).await?;
    let links: Vec<_> = links
        .into_iter()
        .filter(|l| visible.iter().any(|i| i.id == l.inbox_id))
        .collect();
    if viewer.role == Role::Agent && links.is_empty() {
        return Err(ApiError::NotFound);
    }
    let linked: Vec<inbox::Model> = visible
        .into_iter()
        .filter(|i| links.iter().any(|l| l.inbox_id == i.id))
        .collect();
    let dtos = inboxes::to_dtos(db, frontend_url, linked).await?;
    let contact_inboxes = links
        .into_iter()
        .filter_map(|l| {
            dtos.iter()
                .find(|i| i.id == l.inbox_id)
                .map(|i| ContactInbox {
                    source_id: l.source_id,
                    inbox: i.clone(),
                })
        })
        .collect();
    Ok(Contact {
        id: found.id,
        name: found.name,
        email: found.email,
        phone_number: found.phone_number,
        identifier: found.identifier,
        thumbnail: found.thumbnail.unwrap_or_default(),
        additional_attributes: object(&found.additional_attributes),
        custom_attributes: object(&found.custom_attributes),
        created_at: found.created_at,
        contact_inboxes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const HOUR: i64 = 3600;

    #[test]
    fn agents_of_the_same_inboxes_have_one_page_key() {
        let viewer = |user_id, role| Viewer {
            account_id: 1,
            user_id,
            role,
        };
        let all = ConversationFilters::default();
        let mine = ConversationFilters {
            assignee_type: Some(AssigneeType::Me),
            ..Default::default()
        };
        let (bob, cy) = (viewer(2, Role::Agent), viewer(3, Role::Agent));
        let (ada, dee) = (
            viewer(4, Role::Administrator),
            viewer(5, Role::Administrator),
        );

        assert_eq!(
            page_key(bob, &all, Some(&[7, 8])),
            page_key(cy, &all, Some(&[7, 8]))
        );
        assert_ne!(
            page_key(bob, &all, Some(&[7, 8])),
            page_key(cy, &all, Some(&[7]))
        );
        // "Mine" is the caller's own; so is the page of an agent whose inboxes were not read, or who has none.
        assert_ne!(
            page_key(bob, &mine, Some(&[7, 8])),
            page_key(cy, &mine, Some(&[7, 8]))
        );
        assert_ne!(page_key(bob, &all, None), page_key(cy, &all, None));
        assert_ne!(
            page_key(bob, &all, Some(&[])),
            page_key(cy, &all, Some(&[]))
        );
        // Administrators see every inbox, whichever they are members of.
        assert_eq!(page_key(ada, &all, Some(&[7])), page_key(dee, &all, None));
        assert_ne!(
            page_key(ada, &all, Some(&[7, 8])),
            page_key(bob, &all, Some(&[7, 8]))
        );
    }

    #[test]
    fn whole_rows_are_put_newest_activity_first_then_highest_id() {
        let row = |id, last_activity_at| ConversationRow {
            id,
            last_activity_at,
            ..Default::default()
        };
        let mut rows = [row(1, 50), row(2, 70), row(4, 60), row(3, 70), row(5, 50)];
        in_list_order(&mut rows);
        let order: Vec<i64> = rows.iter().map(|r| r.id).collect();
        assert_eq!(order, [3, 2, 4, 5, 1]);
    }

    #[test]
    fn layouts_are_found_once_per_list_of_names_and_key() {
        let layouts: Layouts<bool, usize> = Layouts::new();
        let finds = std::cell::Cell::new(0);
        let get = |key: bool, names: &[&str]| {
            layouts
                .get(key, names, |names| {
                    finds.set(finds.get() + 1);
                    ColumnPositions::of(names, "").find("id")
                })
                .unwrap()
        };
        assert_eq!(get(false, &["a", "id"]), 1);
        assert_eq!(get(false, &["a", "id"]), 1);
        assert_eq!(finds.get(), 1, "kept the first time");
        assert_eq!(get(true, &["a", "id"]), 1);
        assert_eq!(get(false, &["id", "a"]), 0);
        assert_eq!(get(false, &["id"]), 0);
        assert_eq!(
            finds.get(),
            4,
            "another key, order or length is another layout"
        );
        // Past the kept number, layouts are still found right, only not kept.
        for i in 0..LAYOUTS_KEPT + 2 {
            let names: Vec<String> = (0..=i)
                .map(|n| format!("c{n}"))
                .chain(["id".into()])
                .collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            assert_eq!(get(false, &names), i + 1);
        }
        assert!(matches!(
            layouts.get(false, &["x"], |names| ColumnPositions::of(names, "")
                .find("id")),
            Err(DbErr::Type(_))
        ));
    }

    fn policy(human_agent: bool) -> ReplyPolicy {
        ReplyPolicy {
            now: NOW,
            instagram_human_agent: human_agent,
        }
    }

    #[test]
    fn channels_without_a_window_can_always_reply() {
        for channel in [ChannelType::Api, ChannelType::Voice, ChannelType::WebWidget] {
            assert_eq!(reply_window(&channel, None, policy(false)), (true, None));
            assert_eq!(
                reply_window(&channel, Some(NOW - 30 * 24 * HOUR), policy(false)),
                (true, None)
            );
        }
    }

    #[test]
    fn instagram_needs_the_customer_to_have_written() {
        assert_eq!(
            reply_window(&ChannelType::Instagram, None, policy(true)),
            (false, None)
        );
    }

    #[test]
    fn instagram_closes_24_hours_after_the_last_incoming_message() {
        let ig = ChannelType::Instagram;
        assert_eq!(
            reply_window(&ig, Some(NOW - 23 * HOUR), policy(false)),
            (true, Some(NOW + HOUR))
        );
        assert_eq!(
            reply_window(&ig, Some(NOW - 24 * HOUR), policy(false)),
            (false, Some(NOW))
        );
    }

    #[test]
    fn the_human_agent_tag_stretches_the_instagram_window_to_7_days() {
        let ig = ChannelType::Instagram;
        assert_eq!(
            reply_window(&ig, Some(NOW - 25 * HOUR), policy(true)),
            (true, Some(NOW - 25 * HOUR + 7 * 24 * HOUR))
        );
        assert!(!reply_window(&ig, Some(NOW - 7 * 24 * HOUR - 1), policy(true)).0);
    }

    #[test]
    fn attachments_point_at_our_copy_once_downloaded() {
        let mut a = attachment::Model {
            id: 9,
            account_id: 2,
            message_id: 1,
            file_type: "image".to_owned(),
            external_url: Some("https://cdn.example/x.jpg".to_owned()),
            file_key: None,
            content_type: None,
            byte_size: None,
            created_at: NOW,
        };
        let remote = attachment_dto("https://sb.test", &a);
        a.file_key = Some("k".to_owned());
        let local = attachment_dto("https://sb.test", &a);
        a.file_type = "audio".to_owned();
        let audio = attachment_dto("https://sb.test", &a);

        assert_eq!(remote.data_url, "https://cdn.example/x.jpg");
        assert_eq!(remote.thumb_url, remote.data_url);
        assert_eq!(
            local.data_url,
            "https://sb.test/api/v1/accounts/2/attachments/9/file"
        );
        assert_eq!(audio.thumb_url, "");
    }

    #[test]
    fn unreadable_attribute_columns_show_as_empty_objects() {
        assert_eq!(object(r#"{"a":1}"#), serde_json::json!({"a": 1}));
        assert_eq!(object("[1]"), serde_json::json!({}));
        assert_eq!(object("not json"), serde_json::json!({}));
    }
}
