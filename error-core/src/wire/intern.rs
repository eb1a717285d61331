//! The process-wide, bounded tables of decoded codes and field keys.
//!
//! [`ClassifiedError::code`](crate::ClassifiedError::code) and
//! [`Visit::visit`](crate::Visit::visit)'s key are `&'static str`. A string that came over
//! the network becomes one here: validated, looked up, and the first time it is seen,
//! leaked once and kept. Each table holds at most [`MAX_INTERNED`] strings, so the memory
//! a process can leave here is bounded whatever its peers send. See the [module
//! documentation](super#codes-stay-static-str-and-low-cardinality) for the trade-off.

use alloc::boxed::Box;
use core::hash::{BuildHasherDefault, Hasher};
use std::collections::HashSet;
use std::sync::{PoisonError, RwLock};

use super::{MAX_INTERNED, Rejection, is_code, is_key};

/// FNV-1a: the table's strings are short and few, and a lookup is on every decode. Its
/// weakness, collisions chosen by a peer, is bounded here: the table holds at most
/// [`MAX_INTERNED`] strings, so a flood of colliding codes costs at most that many
/// comparisons per lookup, and is as bounded as a flood of distinct codes.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type Set = HashSet<&'static str, BuildHasherDefault<Fnv>>;

struct Table {
    strings: RwLock<Option<Set>>,
}

impl Table {
    const fn new() -> Table {
        Table {
            strings: RwLock::new(None),
        }
    }

    /// `s` as a `&'static str`: the one already kept, else a new one while there is room.
    fn intern(&self, s: &str) -> Option<&'static str> {
        // The set holds whole values at every step, so a poisoned lock is still sound.
        if let Some(found) = self
            .strings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(|set| set.get(s).copied())
        {
            return Some(found);
        }
        let mut guard = self.strings.write().unwrap_or_else(PoisonError::into_inner);
        let set = guard.get_or_insert_with(Set::default);
        if let Some(found) = set.get(s).copied() {
            return Some(found);
        }
        if set.len() >= MAX_INTERNED {
            return None;
        }
        let kept: &'static str = Box::leak(Box::from(s));
        set.insert(kept);
        Some(kept)
    }

    fn len(&self) -> usize {
        self.strings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map_or(0, Set::len)
    }
}

static CODES: Table = Table::new();
static KEYS: Table = Table::new();

/// A decoded code, interned; or why not.
pub(super) fn code(code: &str) -> Result<&'static str, Rejection> {
    if !is_code(code) {
        return Err(Rejection::CodePattern);
    }
    CODES.intern(code).ok_or(Rejection::CodeTableFull)
}

/// A decoded field key (already checked with [`is_key`]), interned; `None` when the table
/// is full.
pub(super) fn key(key: &str) -> Result<&'static str, Rejection> {
    if !is_key(key) {
        return Err(Rejection::FieldsDropped(1));
    }
    KEYS.intern(key).ok_or(Rejection::FieldsDropped(1))
}

/// How many codes and field keys the process has interned: what the tables' bound
/// ([`MAX_INTERNED`] each) is measured against.
///
/// ```
/// let (codes, keys) = error_core::wire::interned();
/// assert!(codes <= error_core::wire::MAX_INTERNED && keys <= error_core::wire::MAX_INTERNED);
/// ```
#[must_use]
pub fn interned() -> (usize, usize) {
    (CODES.len(), KEYS.len())
}
