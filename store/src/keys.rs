//! Young people's data keys kept with their cases, so a command that seals
//! personal data does not read and unwrap the key again.
//!
//! A key is kept with the case's sequence at which it was last read live or
//! sealed with, and used only by an append that goes on from exactly that
//! sequence. An erasure destroys the key in the transaction that appends
//! `SubjectErased` to every case about the young person, so every case's
//! sequence moves on: an append sealed with a kept key of an erased young
//! person names a sequence that is taken, fails on the log's primary key and
//! rolls back; the next attempt reads the key row and finds it destroyed.
//! No message between instances is needed for that. A kept key is zeroed
//! when it is dropped (the cipher does that itself).

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;
use uuid::Uuid;

use crate::privacy::DataKey;

/// A young person's key, as sealing uses it.
#[derive(Clone)]
pub(crate) struct SubjectKey {
    pub subject: Uuid,
    pub key: Arc<DataKey>,
}

struct Kept {
    /// The case's last sequence when the key was known live.
    sequence: i64,
    key: SubjectKey,
}

/// Keys by case; off (nothing kept) until given a capacity.
#[derive(Default)]
pub(crate) struct KeyCache {
    keys: Mutex<Option<LruCache<String, Kept>>>,
}

impl KeyCache {
    fn keys(&self) -> std::sync::MutexGuard<'_, Option<LruCache<String, Kept>>> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps keys of at most `cases` cases (0: none).
    pub fn resize(&self, cases: usize) {
        *self.keys() = NonZeroUsize::new(cases).map(LruCache::new);
    }

    /// The key of `case` if it was known live at `sequence`, the case's
    /// last event before the append that asks.
    pub fn at(&self, case: &str, sequence: i64) -> Option<SubjectKey> {
        let mut keys = self.keys();
        let keys = keys.as_mut()?;
        match keys.get(case) {
            Some(kept) if kept.sequence == sequence => Some(kept.key.clone()),
            Some(_) => {
                keys.pop(case);
                None
            }
            None => None,
        }
    }

    /// `key` is live at `sequence` of `case`: the append that sealed with
    /// it committed.
    pub fn put(&self, case: &str, sequence: i64, key: SubjectKey) {
        if let Some(keys) = self.keys().as_mut() {
            keys.put(case.to_owned(), Kept { sequence, key });
        }
    }

    pub fn len(&self) -> usize {
        self.keys().as_ref().map_or(0, LruCache::len)
    }

    pub fn forget(&self, case: &str) {
        if let Some(keys) = self.keys().as_mut() {
            keys.pop(case);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::Keyring;

    fn key() -> SubjectKey {
        let subject = Uuid::now_v7();
        let (key, _) = Keyring::ephemeral().new_key(subject);
        SubjectKey {
            subject,
            key: Arc::new(key),
        }
    }

    #[test]
    fn a_key_is_used_only_by_the_append_that_goes_on_from_its_sequence() {
        let keys = KeyCache::default();
        keys.resize(10);
        keys.put("case", 4, key());
        assert!(keys.at("case", 4).is_some());
        assert!(keys.at("case", 5).is_none(), "the case moved on");
        assert!(keys.at("case", 4).is_none(), "and the key was dropped");
    }

    #[test]
    fn nothing_is_kept_while_off() {
        let keys = KeyCache::default();
        keys.put("case", 1, key());
        assert_eq!(keys.len(), 0);
        assert!(keys.at("case", 1).is_none());
    }
}
