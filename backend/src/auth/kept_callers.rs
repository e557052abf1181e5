//! Callers kept between lookups: who a credential is (their user id and super-admin flag, a session's expiry)
//! and their role in the account of the path, at the database's **credentials version** (migration 33), which
//! every write that could change any of it bumps in the writing transaction. A batch of lookups whose callers
//! are all kept reads only that number and its accounts' data versions, one row per account instead of a token,
//! session, user and membership per request; when the number has moved, everything kept is dropped and the
//! batch is looked up in full. Nothing is kept for a credential that was not found.

use super::Caller;
use std::collections::HashMap;
use std::sync::Mutex;

/// Most callers kept; when full, what is kept is dropped and kept again as lookups come.
const MOST: usize = 10_000;

/// What a lookup asks: a credential's digest, whether it is a session's, and the account of the path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub digest: String,
    pub session: bool,
    pub account_id: Option<i64>,
}

/// What was read for a key, apart from the account's data versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Kept {
    pub caller: Caller,
    /// The caller's role in the key's account; `None` when they are not part of it (or no account was asked).
    pub role: Option<String>,
    /// The inboxes they are a member of in that account, sorted; `None` when they are of none.
    pub inboxes: Option<std::sync::Arc<[i64]>>,
    /// A session's end: past it the session is not served from here.
    pub expires_at: Option<i64>,
}

#[derive(Default)]
pub(super) struct KeptCallers {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The credentials version everything in `callers` was read at.
    version: i64,
    callers: HashMap<Key, Kept>,
}

impl KeptCallers {
    /// Each key's kept caller and the version they were read at, when every one is kept and no session of them
    /// has ended by `now`.
    pub fn all<'k>(
        &self,
        keys: impl IntoIterator<Item = &'k Key>,
        now: i64,
    ) -> Option<(i64, Vec<Kept>)> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let kept = keys
            .into_iter()
            .map(|key| {
                inner
                    .callers
                    .get(key)
                    .filter(|k| k.expires_at.is_none_or(|end| end > now))
                    .cloned()
            })
            .collect::<Option<Vec<_>>>()?;
        Some((inner.version, kept))
    }

    /// Keeps what one statement read at `version`: each key's caller, or nothing where none was found. A newer
    /// version than the one held drops everything kept before; an older one (a statement that began before the
    /// last change another has seen) keeps nothing.
    pub fn keep(&self, version: i64, read: impl IntoIterator<Item = (Key, Option<Kept>)>) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if !inner.move_to(version) {
            return;
        }
        for (key, kept) in read {
            match kept {
                Some(kept) => {
                    if inner.callers.len() >= MOST && !inner.callers.contains_key(&key) {
                        inner.callers.clear();
                    }
                    inner.callers.insert(key, kept);
                }
                None => {
                    inner.callers.remove(&key);
                }
            }
        }
    }

    /// Drops everything read before `version`.
    pub fn forget_before(&self, version: i64) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .move_to(version);
    }
}

impl Inner {
    /// Drops everything when `version` is newer than the one held and holds it; false when it is older.
    fn move_to(&mut self, version: i64) -> bool {
        if version > self.version {
            self.callers.clear();
            self.version = version;
        }
        version == self.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(digest: &str, session: bool) -> Key {
        Key {
            digest: digest.into(),
            session,
            account_id: Some(1),
        }
    }

    fn kept(id: i64, expires_at: Option<i64>) -> Kept {
        Kept {
            caller: Caller {
                id,
                super_admin: false,
            },
            role: Some("agent".into()),
            inboxes: None,
            expires_at,
        }
    }

    #[test]
    fn a_batch_is_served_only_when_every_caller_in_it_is_kept() {
        let callers = KeptCallers::default();
        callers.keep(3, [(key("a", false), Some(kept(1, None)))]);

        assert_eq!(
            callers.all([&key("a", false)], 0),
            Some((3, vec![kept(1, None)]))
        );
        assert_eq!(callers.all([&key("a", false), &key("b", false)], 0), None);
        // The same digest as a session, or in another account, is another lookup.
        assert_eq!(callers.all([&key("a", true)], 0), None);
        let elsewhere = Key {
            account_id: Some(2),
            ..key("a", false)
        };
        assert_eq!(callers.all([&elsewhere], 0), None);
    }

    #[test]
    fn a_session_past_its_end_is_not_served() {
        let callers = KeptCallers::default();
        callers.keep(1, [(key("s", true), Some(kept(1, Some(100))))]);

        assert!(callers.all([&key("s", true)], 99).is_some());
        assert_eq!(callers.all([&key("s", true)], 100), None);
    }

    #[test]
    fn a_newer_version_drops_what_was_kept_and_an_older_one_keeps_nothing() {
        let callers = KeptCallers::default();
        callers.keep(5, [(key("a", false), Some(kept(1, None)))]);

        // A statement that began before the change seen at 5 read older rows.
        callers.keep(4, [(key("b", false), Some(kept(2, None)))]);
        assert_eq!(callers.all([&key("b", false)], 0), None);

        callers.keep(6, [(key("b", false), Some(kept(2, None)))]);
        assert_eq!(callers.all([&key("a", false)], 0), None);
        assert_eq!(
            callers.all([&key("b", false)], 0),
            Some((6, vec![kept(2, None)]))
        );

        callers.forget_before(7);
        assert_eq!(callers.all([&key("b", false)], 0), None);
        callers.keep(6, [(key("b", false), Some(kept(2, None)))]);
        assert_eq!(callers.all([&key("b", false)], 0), None);
    }

    #[test]
    fn a_credential_no_longer_found_is_forgotten() {
        let callers = KeptCallers::default();
        callers.keep(1, [(key("a", false), Some(kept(1, None)))]);
        callers.keep(1, [(key("a", false), None)]);

        assert_eq!(callers.all([&key("a", false)], 0), None);
    }

    #[test]
    fn no_more_than_the_most_are_kept() {
        let callers = KeptCallers::default();
        callers.keep(
            1,
            (0..MOST + 1).map(|i| (key(&i.to_string(), false), Some(kept(1, None)))),
        );

        let inner = callers.inner.lock().unwrap();
        assert!(inner.callers.len() <= MOST);
        assert!(inner.callers.contains_key(&key(&MOST.to_string(), false)));
    }
}
