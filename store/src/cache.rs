//! Hot cases in memory. A case is kept at the version it was last loaded or
//! written at, up to a bound (the least recently used go first). A command
//! on a kept case is decided without loading it; its append still names the
//! sequence it expects, so when another instance or request moved the case
//! on meanwhile, the append fails on the log's primary key, the case is
//! dropped here, loaded, and the command decided again (once: `CaseStore`).
//! The cache only ever saves a load: it never decides anything the log has
//! not confirmed.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use casus_domain::{CaseId, YouthCase};
use lru::LruCache;

/// A case as a command found it: its state, the sequence of its last
/// event, and the version of its last snapshot (cqrs-es's counter).
#[derive(Clone, Debug)]
pub struct Cached {
    pub aggregate: YouthCase,
    pub sequence: usize,
    pub snapshot: Option<usize>,
}

pub struct CaseCache {
    cases: Mutex<LruCache<CaseId, Cached>>,
}

impl CaseCache {
    /// A cache of at most `capacity` cases; `None` for 0 (off).
    pub fn new(capacity: usize) -> Option<Self> {
        NonZeroUsize::new(capacity).map(|capacity| Self {
            cases: Mutex::new(LruCache::new(capacity)),
        })
    }

    fn cases(&self) -> std::sync::MutexGuard<'_, LruCache<CaseId, Cached>> {
        self.cases.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, case: CaseId) -> Option<Cached> {
        self.cases().get(&case).cloned()
    }

    pub fn put(&self, case: CaseId, cached: Cached) {
        self.cases().put(case, cached);
    }

    pub fn forget(&self, case: CaseId) {
        self.cases().pop(&case);
    }

    /// How many cases are kept, and how many may be.
    pub fn size(&self) -> (usize, usize) {
        let cases = self.cases();
        (cases.len(), cases.cap().get())
    }
}
