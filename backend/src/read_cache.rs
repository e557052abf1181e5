//! The finished JSON of the busiest reads (the conversation list and threads), kept in this process and served
//! again only while its account's data version is unchanged. The version lives in the database
//! (`account_versions`), bumped by triggers in the same transaction as every write those reads show, and is read
//! in the caller's authentication statement; so a hit costs no extra round trip, every instance sees every other
//! instance's writes, and a restart only empties the cache. Nothing here is ever a source of truth.

use actix_web::web::Bytes;
use shared::conversation::{ConversationCounts, ConversationFilters};
use shared::dto::Role;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// Which read, for whom: everything its JSON depends on besides the account's data and the clock.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReadKey {
    pub account_id: i64,
    pub user_id: i64,
    pub role: Role,
    /// The super-admin "human agent" switch, which moves Instagram reply windows.
    pub human_agent: bool,
    /// The request's path and query, as sent.
    pub request: String,
}

#[derive(Debug)]
struct Entry {
    version: i64,
    /// Unix seconds at which the JSON stops being true without any write (an Instagram reply window closing).
    good_until: Option<i64>,
    body: Bytes,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<ReadKey, Entry>,
    bytes: usize,
}

#[derive(Debug)]
pub struct ReadCache {
    budget: usize,
    entries: Mutex<Entries>,
    /// Bodies being made, by read and version.
    flights: Flights<(ReadKey, i64), (Bytes, Option<i64>)>,
    /// The tab counts' tallies by whose inboxes, at the tabs version (see `TalliesKey`).
    pub tallies: KeptAtVersion<TalliesKey, ScopeTallies>,
    /// Rows of the conversation list, by conversation (see `KeptRows`).
    pub rows: KeptRows<crate::conversations::views::KeptRow>,
    /// The stamps and JSON of the list's pages, by who sees them and data version (see `KeptPages`).
    pub pages: KeptPages,
}

/// Whose conversation-list tab counts: they depend on the inboxes the caller sees and on the inbox asked for;
/// not on the page, the status or the assignee filter, nor on who "mine" is, as the tallies are kept by assignee
/// and each caller takes their own from them. So an account's administrators share them, and the agents of the
/// same inboxes (`inboxes`, as read with them); an agent whose inboxes were not read has their own (`user_id`).
/// Kept at the account's tabs version (migration 27), which a new message does not change, so a list made again
/// after a message does not count again, and after a write that moves the counts (an assignment, a conversation
/// resolved) one list per scope sums the tallies while the others wait for it, instead of each caller summing
/// them in its own statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TalliesKey {
    pub account_id: i64,
    pub user_id: Option<i64>,
    pub inboxes: Option<Arc<[i64]>>,
    pub inbox_id: Option<i64>,
}

/// Open conversations by assignee (0 for none) in one `TalliesKey`'s inboxes.
pub type ScopeTallies = Arc<[(i64, i64)]>;

/// The tab counts of `user_id` from their scope's tallies.
pub fn counts_of(tallies: &[(i64, i64)], user_id: i64) -> ConversationCounts {
    let sum = |of: &dyn Fn(i64) -> bool| {
        let n: i64 = tallies.iter().filter(|(a, _)| of(*a)).map(|(_, n)| n).sum();
        u64::try_from(n).unwrap_or(0)
    };
    ConversationCounts {
        mine_count: sum(&|a| a == user_id),
        unassigned_count: sum(&|a| a == 0),
        all_count: sum(&|_| true),
    }
}

/// Scopes' tallies kept at most; past it all are dropped and kept again as they are asked for. A few assignees
/// each, so kept whatever `READ_CACHE_MIB` says.
const MAX_TALLIES: usize = 10_000;

/// Values being made, by what they are made from: a caller asking for one already being made waits for it
/// instead of making it again (after a write, every open dashboard asks at once); if its maker fails or is
/// dropped, each waiter makes its own.
#[derive(Debug)]
struct Flights<K, V> {
    map: Mutex<HashMap<K, watch::Receiver<Option<V>>>>,
}

/// Whether this caller makes the value or waits for the one making it.
enum Turn<V> {
    Make(watch::Sender<Option<V>>),
    Wait(watch::Receiver<Option<V>>),
}

/// Takes a value off its `Flights` however its maker ends, so that a failed or dropped one leaves no one waiting.
struct Landing<'a, K: Eq + Hash, V> {
    flights: &'a Flights<K, V>,
    flight: Option<K>,
}

impl<K: Eq + Hash, V> Drop for Landing<'_, K, V> {
    fn drop(&mut self) {
        if let Some(flight) = self.flight.take() {
            lock(&self.flights.map).remove(&flight);
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Flights<K, V> {
    fn new() -> Self {
        Self {
            map: Mutex::default(),
        }
    }

    /// `make`'s value for `key`, or the one another caller is making for it. The maker hands its value to
    /// `keep` before its waiters get it.
    async fn once<E, Fut>(
        &self,
        key: K,
        make: impl FnOnce() -> Fut,
        keep: impl FnOnce(K, &V),
    ) -> Result<V, E>
    where
        Fut: Future<Output = Result<V, E>>,
    {
        let turn = {
            let mut flights = lock(&self.map);
            match flights.get(&key) {
                Some(made) => Turn::Wait(made.clone()),
                None => {
                    let (tx, rx) = watch::channel(None);
                    flights.insert(key.clone(), rx);
                    Turn::Make(tx)
                }
            }
        };
        match turn {
            Turn::Wait(mut made) => {
                if let Ok(value) = made.wait_for(Option::is_some).await {
                    if let Some(value) = value.clone() {
                        return Ok(value);
                    }
                }
                make().await
            }
            Turn::Make(tx) => {
                let _landing = Landing {
                    flights: self,
                    flight: Some(key.clone()),
                };
                let value = make().await?;
                keep(key, &value);
                tx.send_replace(Some(value.clone()));
                Ok(value)
            }
        }
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        lock(&self.map).is_empty()
    }
}

/// A poisoned lock only means a panic elsewhere while it was held; the maps stay usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ReadCache {
    /// A cache holding at most `budget` bytes of bodies, and about as much of list rows; 0 keeps nothing.
    pub fn new(budget: usize) -> Self {
        Self {
            budget,
            entries: Mutex::default(),
            flights: Flights::new(),
            tallies: KeptAtVersion::new(MAX_TALLIES),
            rows: KeptRows::new(budget / KEPT_ROW_BYTES),
            pages: KeptPages::new(budget),
        }
    }

    /// The body kept for `key` at `version`, else `make`'s `(body, time it stops being true)`, kept for later
    /// callers. While one caller makes it, others asking for the same read at the same version wait for that body
    /// (after a write, every open tab of an agent asks at once); if the maker fails, each makes its own.
    pub async fn kept_or_made<E, Fut>(
        &self,
        key: ReadKey,
        version: i64,
        now: i64,
        make: impl FnOnce() -> Fut,
    ) -> Result<Bytes, E>
    where
        Fut: Future<Output = Result<(Bytes, Option<i64>), E>>,
    {
        if let Some(body) = self.get(&key, version, now) {
            return Ok(body);
        }
        if self.budget == 0 {
            return Ok(make().await?.0);
        }
        let (body, _) = self
            .flights
            .once(
                (key, version),
                make,
                |(key, version), (body, good_until)| {
                    self.put(key, version, *good_until, body.clone())
                },
            )
            .await?;
        Ok(body)
    }

    /// The body kept for `key` if it was made at `version` and is still true at `now`.
    pub fn get(&self, key: &ReadKey, version: i64, now: i64) -> Option<Bytes> {
        if self.budget == 0 {
            return None;
        }
        let entries = lock(&self.entries);
        entries
            .map
            .get(key)
            .filter(|e| e.version == version && e.good_until.is_none_or(|until| now < until))
            .map(|e| e.body.clone())
    }

    /// Keeps `body`, made from the data at `version` (read before the data).
    pub fn put(&self, key: ReadKey, version: i64, good_until: Option<i64>, body: Bytes) {
        let size = body.len() + key.request.len();
        if size > self.budget {
            return;
        }
        let mut entries = lock(&self.entries);
        if let Some(old) = entries.map.get(&key) {
            // A slower request that read an older version must not replace a newer body.
            if old.version > version {
                return;
            }
        }
        if entries.bytes + size > self.budget {
            // The simplest bound: start over. A full cache mostly holds bodies of versions that can never be
            // served again, and a miss costs only the read it would have saved.
            let before = entries.map.len();
            entries.map.clear();
            entries.bytes = 0;
            tracing::debug!(dropped = before, "read cache full, emptied");
        }
        let old = entries.map.insert(
            key.clone(),
            Entry {
                version,
                good_until,
                body,
            },
        );
        entries.bytes += size;
        if let Some(old) = old {
            entries.bytes -= old.body.len() + key.request.len();
        }
    }

    pub fn bytes(&self) -> usize {
        lock(&self.entries).bytes
    }
}

/// What one row of the conversation list was made from (migration 29): its conversation's `row_version` and its
/// account's `related_version`. Read in the same statement as the data it stands for, so a row is never kept
/// under a number newer than what it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowStamp {
    pub row_version: i64,
    pub related_version: i64,
}

impl RowStamp {
    /// Whether a row made at `self` is at least as new as one made at `other`: both numbers only grow.
    fn not_older_than(&self, other: &RowStamp) -> bool {
        self.row_version >= other.row_version && self.related_version >= other.related_version
    }
}

/// Rows of the conversation list kept by conversation id, each served again only at the stamp it was made at.
/// A list made again after a write reads every row's stamp (cheap: the page's index and its rows) and then only
/// the rows whose stamp moved; a new message changes one row of the page, not 25. A row shows
/// nothing of the caller, so every agent's list shares them, and a row being read for one caller is waited for
/// by the others that want it (after a write every agent's list goes stale at once).
#[derive(Debug)]
pub struct KeptRows<V> {
    max: usize,
    rows: Mutex<HashMap<i64, (RowStamp, Arc<V>)>>,
    reading: Mutex<HashMap<i64, (RowStamp, RowOnItsWay<V>)>>,
}

/// A row being read, as its waiters see it: `None` until it is kept; closed if its reader gave up.
pub type RowOnItsWay<V> = watch::Receiver<Option<Arc<V>>>;

/// Its reader's side.
type RowHandOver<V> = watch::Sender<Option<Arc<V>>>;

/// How a caller gets one row it wants (`KeptRows::claim`).
pub enum Wanted<V> {
    Kept(Arc<V>),
    /// Nobody has it: this caller reads it, and keeps it through its `Reading`.
    Read,
    /// Another caller is reading it: the row it keeps, or nothing if that caller fails.
    Wait(RowOnItsWay<V>),
}

/// The rows one caller reads for others to wait for. Dropped, it takes them off the rows being read, and whoever
/// still waits for one it did not keep reads it themselves.
pub struct Reading<'a, V> {
    rows: &'a KeptRows<V>,
    mine: HashMap<i64, (RowStamp, RowHandOver<V>)>,
}

impl<V> Reading<'_, V> {
    /// Keeps `row` of conversation `id`, made at `stamp`, and hands it to whoever waits for it.
    pub fn keep(&self, id: i64, stamp: RowStamp, row: Arc<V>) {
        self.rows.keep(id, stamp, row.clone());
        if let Some((_, tx)) = self.mine.get(&id) {
            tx.send_replace(Some(row));
        }
    }
}

impl<V> Drop for Reading<'_, V> {
    fn drop(&mut self) {
        if self.mine.is_empty() {
            return;
        }
        let mut reading = lock(&self.rows.reading);
        for (id, (stamp, _)) in &self.mine {
            // Only its own: a caller wanting a newer stamp may have taken the row over.
            if reading.get(id).is_some_and(|(s, _)| s == stamp) {
                reading.remove(id);
            }
        }
    }
}

/// What one kept row is reckoned to cost, to turn `READ_CACHE_MIB` into a number of rows: a conversation's JSON
/// with its last message is about one kilobyte, its structures in memory twice that.
pub const KEPT_ROW_BYTES: usize = 2048;

impl<V> KeptRows<V> {
    /// At most `max` rows; 0 keeps none.
    pub fn new(max: usize) -> Self {
        Self {
            max,
            rows: Mutex::default(),
            reading: Mutex::default(),
        }
    }

    /// How to get each of `wanted` (a row at its stamp), in order: kept, being read by another caller at that
    /// stamp or a newer one, or to be read by this one (`Reading`).
    pub fn claim(&self, wanted: &[(i64, RowStamp)]) -> (Vec<Wanted<V>>, Reading<'_, V>) {
        let found = self.get(wanted);
        let mut mine = HashMap::new();
        let mut reading = lock(&self.reading);
        let how = wanted
            .iter()
            .zip(found)
            .map(|((id, stamp), kept)| {
                if let Some(row) = kept {
                    return Wanted::Kept(row);
                }
                match reading.get(id) {
                    // Read after this caller's stamp was, so at least as new.
                    Some((at, rx)) if at.not_older_than(stamp) => Wanted::Wait(rx.clone()),
                    _ => {
                        let (tx, rx) = watch::channel(None);
                        reading.insert(*id, (*stamp, rx));
                        mine.insert(*id, (*stamp, tx));
                        Wanted::Read
                    }
                }
            })
            .collect();
        drop(reading);
        (how, Reading { rows: self, mine })
    }

    pub fn enabled(&self) -> bool {
        self.max > 0
    }

    /// The rows kept for each of `wanted` at its stamp, in order; `None` where there is none.
    pub fn get(&self, wanted: &[(i64, RowStamp)]) -> Vec<Option<Arc<V>>> {
        let rows = lock(&self.rows);
        wanted
            .iter()
            .map(|(id, stamp)| {
                rows.get(id)
                    .filter(|(kept, _)| kept == stamp)
                    .map(|(_, row)| row.clone())
            })
            .collect()
    }

    /// Keeps `row` of conversation `id`, made at `stamp`, unless a newer one is kept.
    pub fn keep(&self, id: i64, stamp: RowStamp, row: Arc<V>) {
        if self.max == 0 {
            return;
        }
        let mut rows = lock(&self.rows);
        if let Some((kept, _)) = rows.get(&id) {
            if !stamp.not_older_than(kept) {
                return;
            }
        } else if rows.len() >= self.max {
            // Any one goes: rows of conversations gone quiet are most of a full map.
            if let Some(gone) = rows.keys().next().copied() {
                rows.remove(&gone);
            }
        }
        rows.insert(id, (stamp, row));
    }

    pub fn len(&self) -> usize {
        lock(&self.rows).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Which page of the conversation list, seen by whom. Its rows' stamps are the same for every caller who sees
/// the same conversations, so an account's administrators share them, and the agents of the same inboxes
/// (`inboxes`); a "mine" page, and an agent's whose inboxes were not read with them, are their own (`user_id`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub account_id: i64,
    pub user_id: Option<i64>,
    /// The inboxes of the agents who share the page.
    pub inboxes: Option<Arc<[i64]>>,
    pub filters: ConversationFilters,
}

/// A page's conversations in order, each with its stamp.
pub type PageStamps = Arc<[(i64, RowStamp)]>;

/// The JSON of a page's rows as the list sends it, and the Unix second it stops being true without any write (an
/// Instagram reply window on it closing).
pub type PagePayload = (Arc<Box<serde_json::value::RawValue>>, Option<i64>);

/// Pages whose stamps are kept at most; past it all are dropped. A page's stamps are under a kilobyte.
const MAX_PAGES: usize = 4096;

/// What one page's JSON is reckoned to cost, to turn `READ_CACHE_MIB` into a number of pages: 25 rows of about
/// a kilobyte each, with room to spare.
pub const KEPT_PAGE_BYTES: usize = 32 * 1024;

/// What the list keeps by page (`PageKey`), each at the account's data version read with the caller before the
/// page was read (so never older than that version). A write moves every dashboard of its account to a new
/// version at once: the first list to ask reads the page's stamps and makes its rows' JSON, and the other callers
/// who see the same page wait for them or take them, instead of each running the statement and writing the JSON
/// again. Only the tab counts are each caller's own, taken from tallies shared by scope (`TalliesKey`).
#[derive(Debug)]
pub struct KeptPages {
    /// Each page's rows and their stamps.
    pub stamps: KeptAtVersion<PageKey, PageStamps>,
    /// Each page's JSON, by page and the "human agent" switch (which moves reply windows).
    pub payloads: KeptAtVersion<(PageKey, bool), PagePayload>,
}

impl KeptPages {
    /// Room for `budget` bytes of pages' JSON, and for their stamps unless it is 0.
    pub fn new(budget: usize) -> Self {
        Self {
            stamps: KeptAtVersion::new(if budget > 0 { MAX_PAGES } else { 0 }),
            payloads: KeptAtVersion::new(budget / KEPT_PAGE_BYTES),
        }
    }
}

/// Values kept by key at the data version they were made at (read before their data), made once by one caller
/// while the others at that version wait.
#[derive(Debug)]
pub struct KeptAtVersion<K, V> {
    /// Values kept at most; past it all are dropped (most are of versions no caller will ask for again).
    max: usize,
    kept: Mutex<HashMap<K, (i64, V)>>,
    flights: Flights<(K, i64), V>,
}

impl<K: Eq + Hash + Clone, V: Clone> KeptAtVersion<K, V> {
    fn new(max: usize) -> Self {
        Self {
            max,
            kept: Mutex::default(),
            flights: Flights::new(),
        }
    }

    /// The value kept for `key` at `version`.
    pub fn get(&self, key: &K, version: i64) -> Option<V> {
        lock(&self.kept)
            .get(key)
            .filter(|(kept, _)| *kept == version)
            .map(|(_, value)| value.clone())
    }

    /// Keeps `value` for `key`, made after the data version `version` was read, unless a newer one is kept.
    pub fn keep(&self, key: K, version: i64, value: V) {
        if self.max == 0 {
            return;
        }
        let mut kept = lock(&self.kept);
        match kept.get(&key) {
            Some((newer, _)) if *newer > version => return,
            Some(_) => {}
            None if kept.len() >= self.max => kept.clear(),
            None => {}
        }
        kept.insert(key, (version, value));
    }

    /// The value kept for `key` at `version` if `usable`, else `make`'s, kept; while one caller makes it, the
    /// others wait for that one.
    pub async fn kept_or_made<E, Fut>(
        &self,
        key: K,
        version: i64,
        usable: impl Fn(&V) -> bool,
        make: impl FnOnce() -> Fut,
    ) -> Result<V, E>
    where
        Fut: Future<Output = Result<V, E>>,
    {
        if let Some(value) = self.get(&key, version).filter(|v| usable(v)) {
            return Ok(value);
        }
        if self.max == 0 {
            return make().await;
        }
        self.flights
            .once((key, version), make, |(key, version), value| {
                self.keep(key, version, value.clone())
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(request: &str) -> ReadKey {
        ReadKey {
            account_id: 1,
            user_id: 2,
            role: Role::Agent,
            human_agent: false,
            request: request.to_owned(),
        }
    }

    #[test]
    fn a_body_is_served_only_at_its_version_and_before_it_expires() {
        let cache = ReadCache::new(1 << 20);
        cache.put(key("/a"), 7, Some(100), Bytes::from_static(b"[1]"));
        assert_eq!(cache.get(&key("/a"), 7, 99).as_deref(), Some(&b"[1]"[..]));
        assert_eq!(cache.get(&key("/a"), 8, 99), None, "a newer version");
        assert_eq!(cache.get(&key("/a"), 7, 100), None, "a reply window closed");
        assert_eq!(cache.get(&key("/b"), 7, 99), None, "another request");
        let other_user = ReadKey {
            user_id: 3,
            ..key("/a")
        };
        assert_eq!(cache.get(&other_user, 7, 99), None, "another caller");
    }

    #[test]
    fn an_older_body_does_not_replace_a_newer_one() {
        let cache = ReadCache::new(1 << 20);
        cache.put(key("/a"), 8, None, Bytes::from_static(b"new"));
        cache.put(key("/a"), 7, None, Bytes::from_static(b"old"));
        assert_eq!(cache.get(&key("/a"), 8, 0).as_deref(), Some(&b"new"[..]));
        cache.put(key("/a"), 9, None, Bytes::from_static(b"newer"));
        assert_eq!(cache.get(&key("/a"), 9, 0).as_deref(), Some(&b"newer"[..]));
        assert_eq!(cache.bytes(), "newer".len() + "/a".len());
    }

    #[test]
    fn it_stays_within_its_budget_and_keeps_nothing_when_it_has_none() {
        let cache = ReadCache::new(100);
        for i in 0..50 {
            cache.put(
                key(&format!("/{i:02}")),
                1,
                None,
                Bytes::from(vec![b'x'; 20]),
            );
            assert!(cache.bytes() <= 100, "{} bytes after {i}", cache.bytes());
        }
        assert!(cache.get(&key("/49"), 1, 0).is_some(), "the newest is kept");
        cache.put(key("/big"), 1, None, Bytes::from(vec![b'x'; 200]));
        assert_eq!(
            cache.get(&key("/big"), 1, 0),
            None,
            "larger than the budget"
        );

        let off = ReadCache::new(0);
        off.put(key("/a"), 1, None, Bytes::from_static(b"[]"));
        assert_eq!(off.get(&key("/a"), 1, 0), None);
    }

    /// `kept_or_made` for `n` callers at once whose maker waits for `go` and counts its calls.
    async fn at_once(
        cache: &ReadCache,
        n: usize,
        fail: bool,
    ) -> (usize, Vec<Result<Bytes, &'static str>>) {
        let made = std::sync::atomic::AtomicUsize::new(0);
        let go = tokio::sync::Notify::new();
        let callers = (0..n).map(|_| {
            cache.kept_or_made(key("/a"), 1, 0, || async {
                let first = made.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
                if first {
                    go.notified().await;
                    if fail {
                        return Err("maker failed");
                    }
                }
                Ok((Bytes::from_static(b"[1]"), None))
            })
        });
        let all = futures_util::future::join_all(callers);
        let release = async {
            tokio::task::yield_now().await;
            go.notify_one();
        };
        let (results, ()) = tokio::join!(all, release);
        (made.into_inner(), results)
    }

    #[tokio::test]
    async fn callers_at_once_wait_for_one_maker() {
        let cache = ReadCache::new(1 << 20);
        let (made, results) = at_once(&cache, 8, false).await;
        assert_eq!(made, 1);
        assert!(
            results.iter().all(|r| r.as_deref() == Ok(&b"[1]"[..])),
            "{results:?}"
        );
        assert!(cache.flights.is_empty());
        assert!(cache.get(&key("/a"), 1, 0).is_some());
    }

    #[tokio::test]
    async fn when_the_maker_fails_the_waiters_make_their_own() {
        let cache = ReadCache::new(1 << 20);
        let (made, results) = at_once(&cache, 4, true).await;
        assert_eq!(made, 4);
        assert_eq!(results[0], Err("maker failed"));
        assert!(
            results[1..].iter().all(|r| r.as_deref() == Ok(&b"[1]"[..])),
            "{results:?}"
        );
        assert!(cache.flights.is_empty());
    }

    fn stamp(row_version: i64, related_version: i64) -> RowStamp {
        RowStamp {
            row_version,
            related_version,
        }
    }

    fn page(user_id: Option<i64>) -> PageKey {
        PageKey {
            account_id: 1,
            user_id,
            inboxes: None,
            filters: ConversationFilters::default(),
        }
    }

    #[tokio::test]
    async fn a_page_is_served_at_its_version_while_usable_and_made_once_by_callers_at_once() {
        let pages = KeptPages::new(1 << 20).stamps;
        let stamps = |row_version| PageStamps::from(vec![(5, stamp(row_version, 1))]);
        pages.keep(page(None), 7, stamps(3));
        assert_eq!(pages.get(&page(None), 7), Some(stamps(3)));
        assert_eq!(pages.get(&page(None), 8), None, "a newer version");
        assert_eq!(pages.get(&page(Some(2)), 7), None, "an agent's own page");
        pages.keep(page(None), 6, stamps(2));
        assert_eq!(
            pages.get(&page(None), 7),
            Some(stamps(3)),
            "an older page is not kept"
        );

        let read = std::sync::atomic::AtomicUsize::new(0);
        let callers = (0..8).map(|_| {
            pages.kept_or_made(
                page(None),
                9,
                |_| true,
                || async {
                    read.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    Ok::<_, ()>(stamps(4))
                },
            )
        });
        let got = futures_util::future::join_all(callers).await;
        assert!(got.iter().all(|s| s.as_ref() == Ok(&stamps(4))), "{got:?}");
        assert_eq!(read.into_inner(), 1);
        assert!(pages.flights.is_empty());
        assert_eq!(pages.get(&page(None), 9), Some(stamps(4)));
        let again = pages
            .kept_or_made(
                page(None),
                9,
                |_| false,
                || async { Ok::<_, ()>(stamps(5)) },
            )
            .await;
        assert_eq!(again, Ok(stamps(5)), "one no longer usable is made again");
        assert_eq!(pages.get(&page(None), 9), Some(stamps(5)));

        let off = KeptPages::new(0).stamps;
        off.keep(page(None), 1, stamps(1));
        assert_eq!(off.get(&page(None), 1), None);

        // Pages' JSON within the budget's number of pages.
        let payloads = KeptPages::new(2 * KEPT_PAGE_BYTES).payloads;
        let json: PagePayload = (
            Arc::new(serde_json::value::to_raw_value(&[1]).unwrap()),
            None,
        );
        for user_id in 0..5 {
            payloads.keep((page(Some(user_id)), false), 1, json.clone());
            assert!(lock(&payloads.kept).len() <= 2);
        }
        assert!(
            payloads.get(&(page(Some(4)), false), 1).is_some(),
            "the newest is kept"
        );
    }

    #[test]
    fn a_row_is_served_only_at_the_stamp_it_was_made_at() {
        let rows = KeptRows::new(10);
        rows.keep(1, stamp(3, 1), Arc::new("one"));
        let at = |s: RowStamp| rows.get(&[(1, s)])[0].as_deref().copied();
        assert_eq!(at(stamp(3, 1)), Some("one"));
        assert_eq!(
            at(stamp(4, 1)),
            None,
            "the conversation or its messages changed"
        );
        assert_eq!(at(stamp(3, 2)), None, "a contact or user changed");
        assert_eq!(rows.get(&[(2, stamp(3, 1))]), vec![None], "another row");

        rows.keep(1, stamp(2, 1), Arc::new("older"));
        assert_eq!(at(stamp(3, 1)), Some("one"), "an older row is not kept");
        rows.keep(1, stamp(4, 1), Arc::new("newer"));
        assert_eq!(at(stamp(4, 1)), Some("newer"));
    }

    #[test]
    fn rows_stay_within_their_number_and_none_are_kept_without_one() {
        let rows = KeptRows::new(3);
        for id in 0..10 {
            rows.keep(id, stamp(1, 1), Arc::new(id));
            assert!(rows.len() <= 3, "{} rows after {id}", rows.len());
        }
        assert_eq!(
            rows.get(&[(9, stamp(1, 1))])[0].as_deref(),
            Some(&9),
            "the newest is kept"
        );
        let off = KeptRows::new(0);
        off.keep(1, stamp(1, 1), Arc::new(1));
        assert!(off.is_empty());
        assert!(!off.enabled());
    }

    #[tokio::test]
    async fn a_row_being_read_is_waited_for_and_read_again_if_its_reader_fails() {
        let rows = KeptRows::new(10);
        let (first, reading) = rows.claim(&[(1, stamp(3, 1)), (2, stamp(1, 1))]);
        assert!(matches!(first[..], [Wanted::Read, Wanted::Read]));
        let (second, _) = rows.claim(&[(1, stamp(3, 1))]);
        let [Wanted::Wait(mut waiting)] = <[_; 1]>::try_from(second).ok().unwrap() else {
            panic!("the second caller should wait");
        };
        let (newer, newer_reading) = rows.claim(&[(1, stamp(4, 1))]);
        assert!(
            matches!(newer[..], [Wanted::Read]),
            "a newer stamp than the one being read is read again"
        );
        drop(newer_reading);

        reading.keep(1, stamp(3, 1), Arc::new("one"));
        let got = waiting.wait_for(Option::is_some).await.unwrap().clone();
        assert_eq!(got.as_deref(), Some(&"one"));
        let (third, _) = rows.claim(&[(1, stamp(3, 1))]);
        assert!(matches!(&third[..], [Wanted::Kept(row)] if **row == "one"));

        // Row 2 was never kept: its waiter learns so when the reader is dropped, and nothing is left reading.
        let (fourth, _) = rows.claim(&[(2, stamp(1, 1))]);
        let [Wanted::Wait(mut two)] = <[_; 1]>::try_from(fourth).ok().unwrap() else {
            panic!("row 2 is being read");
        };
        drop(reading);
        assert!(two.wait_for(Option::is_some).await.is_err());
        assert!(lock(&rows.reading).is_empty());
    }
}
