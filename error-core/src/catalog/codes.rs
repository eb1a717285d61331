//! Codes that more than one entry uses: [`duplicate_codes`] in a test, [`unique_codes`] and
//! [`consistent_codes`] at compile time.

use core::fmt;

use super::{Entries, Entry, EntryIter, EntryName};
use crate::{Class, Level, Status};

/// Every entry whose code an earlier entry already has, in a list of types' catalogs: a
/// check to run in a test, whose failure says where each duplicate is.
///
/// Entries are taken in order (the types as listed, each type's entries in declaration
/// order), and each later use of a code is paired with its first use: a code used three
/// times gives two [`Duplicate`]s. It allocates nothing, and compares every entry with
/// every earlier one, which is quick for the few hundred entries of a service.
///
/// A code names a kind of error in metrics and telemetry, so two entries may share one on
/// purpose: "not the leader" from a write and from a read is one condition, counted once.
/// [`Duplicate::agrees`] tells that case (the entries say the same thing) from a code
/// reused by mistake.
///
/// ```
/// use error_core::Catalog;
/// use error_core::catalog::duplicate_codes;
///
/// mod write {
///     #[derive(Debug, error_core::ClassifiedError)]
///     #[non_exhaustive]
///     pub enum WriteError {
///         #[error("not the leader")]
///         #[class(redirect, code = "raft.not_leader")]
///         NotLeader,
///         #[error("disk full")]
///         #[class(fatal, code = "storage.full")]
///         DiskFull,
///     }
/// }
///
/// mod read {
///     #[derive(Debug, error_core::ClassifiedError)]
///     #[non_exhaustive]
///     pub enum ReadError {
///         #[error("not the leader")]
///         #[class(redirect, code = "raft.not_leader")]
///         NotLeader,
///         #[error("quota exceeded")]
///         #[class(denied, code = "storage.full")]
///         Quota,
///     }
/// }
///
/// let catalogs = [write::WriteError::ENTRIES, read::ReadError::ENTRIES];
/// let duplicates: Vec<String> = duplicate_codes(&catalogs).map(|d| d.to_string()).collect();
/// let here = module_path!();
/// assert_eq!(duplicates, [
///     format!("`raft.not_leader`: {here}::read::ReadError::NotLeader, and {here}::write::WriteError::NotLeader before it"),
///     format!("`storage.full`: {here}::read::ReadError::Quota, and {here}::write::WriteError::DiskFull before it"),
/// ]);
/// // The first is shared on purpose; the second is a mistake.
/// let agree: Vec<bool> = duplicate_codes(&catalogs).map(|d| d.agrees()).collect();
/// assert_eq!(agree, [true, false]);
/// ```
#[must_use]
pub fn duplicate_codes(catalogs: &[Entries]) -> DuplicateCodes<'_> {
    DuplicateCodes {
        catalogs,
        index: 0,
        entries: None,
        seen: 0,
    }
}

/// The duplicate codes of a list of catalogs, in order: made by [`duplicate_codes`].
#[derive(Clone, Debug)]
pub struct DuplicateCodes<'a> {
    catalogs: &'a [Entries],
    /// The catalog that `entries` walks.
    index: usize,
    entries: Option<EntryIter>,
    /// How many entries come before the next one.
    seen: usize,
}

impl Iterator for DuplicateCodes<'_> {
    type Item = Duplicate;

    fn next(&mut self) -> Option<Duplicate> {
        loop {
            let Some(entry) = self.entries.as_mut().and_then(Iterator::next) else {
                let entries = self.catalogs.get(self.index)?;
                self.index += 1;
                self.entries = Some(entries.iter());
                continue;
            };
            let earlier = self
                .catalogs
                .iter()
                .flat_map(Entries::iter)
                .take(self.seen)
                .find(|first| first.code() == entry.code());
            self.seen += 1;
            if let Some(first) = earlier {
                return Some(Duplicate {
                    first,
                    second: entry,
                });
            }
        }
    }
}

/// Two entries with the same code: an item of [`duplicate_codes`].
///
/// Its `Display` says where they are, by the types' whole paths:
/// ``"`raft.not_leader`: my_service::read::ReadError::NotLeader, and
/// my_service::write::WriteError::NotLeader before it"``.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Duplicate {
    first: Entry,
    second: Entry,
}

impl Duplicate {
    /// The code both entries have.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.first.code()
    }

    /// The entry that uses the code first, in the order of the list.
    #[must_use]
    pub fn first(&self) -> Entry {
        self.first
    }

    /// The entry that uses it again.
    #[must_use]
    pub fn second(&self) -> Entry {
        self.second
    }

    /// Whether the two entries say the same thing, so that sharing the code looks
    /// deliberate: the same [class rule](Entry::class),
    /// [status](Entry::fixed_status), [level](Entry::fixed_level) and
    /// [retry hint](Entry::retry_after), and the same [message](Entry::message). Their
    /// names and fields may differ: one condition reported by two operations, each with
    /// its own context.
    #[must_use]
    pub fn agrees(&self) -> bool {
        let (a, b) = (self.first, self.second);
        a.class() == b.class()
            && a.fixed_status() == b.fixed_status()
            && a.fixed_level() == b.fixed_level()
            && a.retry_after() == b.retry_after()
            && a.message() == b.message()
    }
}

impl fmt::Display for Duplicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}`: {}, and {} before it",
            self.code(),
            EntryName {
                entry: self.second,
                full_path: true
            },
            EntryName {
                entry: self.first,
                full_path: true
            },
        )
    }
}

/// Whether no two entries of `catalogs` have the same code: [`duplicate_codes`] finds
/// none. A `const fn`, for a compile-time check next to the types:
///
/// ```
/// use error_core::{Catalog, ClassifiedError};
/// use error_core::catalog::unique_codes;
///
/// #[derive(Debug, ClassifiedError)]
/// #[class(transient, code = "store.no_leader")]
/// #[error("no leader")]
/// struct NoLeader;
///
/// #[derive(Debug, ClassifiedError)]
/// #[class(busy, code = "store.busy")]
/// #[error("busy")]
/// struct Busy;
///
/// const _: () = assert!(
///     unique_codes(&[NoLeader::ENTRIES, Busy::ENTRIES]),
///     "duplicate error codes: run `duplicate_codes` in a test to see which",
/// );
/// ```
///
/// A duplicate fails the build at the assertion. A `const` assertion cannot say which code
/// it is (a `const` panic takes no formatted message), so keep a test with
/// [`duplicate_codes`] beside it: its failure names them.
///
/// ```compile_fail,E0080
/// # use error_core::{Catalog, ClassifiedError};
/// # use error_core::catalog::unique_codes;
/// #[derive(Debug, ClassifiedError)]
/// #[class(transient, code = "store.unavailable")]
/// #[error("no leader")]
/// struct NoLeader;
///
/// #[derive(Debug, ClassifiedError)]
/// #[class(busy, code = "store.unavailable")]
/// #[error("busy")]
/// struct Busy;
///
/// const _: () = assert!(unique_codes(&[NoLeader::ENTRIES, Busy::ENTRIES]));
/// ```
///
/// The derive adds no check of its own: only the crates that ask for one pay for it, and
/// only with the types they list.
#[must_use]
pub const fn unique_codes(catalogs: &[Entries]) -> bool {
    find_duplicate(catalogs, false).is_none()
}

/// Whether every code that more than one entry of `catalogs` has is shared on purpose:
/// each [`Duplicate`] [`agrees`](Duplicate::agrees). A `const fn`, like [`unique_codes`],
/// for types that share codes by design:
///
/// ```
/// use error_core::Catalog;
/// use error_core::catalog::{consistent_codes, unique_codes};
///
/// mod write {
///     #[derive(Debug, error_core::ClassifiedError)]
///     #[class(redirect, code = "raft.not_leader")]
///     #[error("not the leader")]
///     pub struct NotLeader { pub leader: u64 }
/// }
///
/// mod read {
///     #[derive(Debug, error_core::ClassifiedError)]
///     #[class(redirect, code = "raft.not_leader")]
///     #[error("not the leader")]
///     pub struct NotLeader { pub leader: u64, pub read_index: u64 }
/// }
///
/// const CATALOGS: &[error_core::Entries] = &[write::NotLeader::ENTRIES, read::NotLeader::ENTRIES];
/// const _: () = assert!(consistent_codes(CATALOGS));
/// assert!(!unique_codes(CATALOGS));
/// ```
#[must_use]
pub const fn consistent_codes(catalogs: &[Entries]) -> bool {
    find_duplicate(catalogs, true).is_none()
}

// What follows reads the encoding (see the module docs) with `const fn`s: the methods of
// `Entry` use `str`'s searches, which are not `const`. The tests check that both agree.

/// `ENTRY_END` and `PART_END`, as bytes: both are ASCII.
const END: u8 = 0x1e;
const PART: u8 = 0x1f;
const _: () =
    assert!(super::ENTRY_END as u32 == END as u32 && super::PART_END as u32 == PART as u32);

/// One entry's record: where it starts and where its end mark is.
#[derive(Clone, Copy)]
struct Record {
    start: usize,
    end: usize,
}

/// A part of a record: `start..end` in the encoded string.
#[derive(Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

/// The first place, at or after `from` and before `to`, where `byte` is; `to` if none.
const fn find(bytes: &[u8], from: usize, to: usize, byte: u8) -> usize {
    let mut i = from;
    while i < to && bytes[i] != byte {
        i += 1;
    }
    i
}

/// The record that starts at `start`, if one does (the type's path is not one).
const fn record_at(bytes: &[u8], start: usize) -> Option<Record> {
    let end = find(bytes, start, bytes.len(), END);
    if end < bytes.len() {
        Some(Record { start, end })
    } else {
        None
    }
}

/// Part `n` of a record: 0 the name, 1 the code, 2 the message.
const fn part(bytes: &[u8], record: Record, n: usize) -> Span {
    let mut start = find(bytes, record.start, record.end, b';');
    if start < record.end {
        start += 1;
    }
    let mut i = 0;
    while i < n {
        start = find(bytes, start, record.end, PART);
        if start < record.end {
            start += 1;
        }
        i += 1;
    }
    Span {
        start,
        end: find(bytes, start, record.end, PART),
    }
}

const fn same(a: &[u8], a_span: Span, b: &[u8], b_span: Span) -> bool {
    let len = a_span.end - a_span.start;
    if len != b_span.end - b_span.start {
        return false;
    }
    let mut i = 0;
    while i < len {
        if a[a_span.start + i] != b[b_span.start + i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The flag byte `index` (0 the class rule, 1 the status, 2 the level), `-` if absent.
const fn flag(bytes: &[u8], record: Record, index: usize) -> u8 {
    if record.start + index < record.end {
        bytes[record.start + index]
    } else {
        b'-'
    }
}

/// The fixed class, as [`ClassRule::fixed`](super::ClassRule::fixed) reads it.
const fn fixed_class(bytes: &[u8], record: Record) -> Option<Class> {
    match flag(bytes, record, 0) {
        byte @ b'a'..=b'j' => Some(Class::ALL[(byte - b'a') as usize]),
        _ => None,
    }
}

/// [`Entry::fixed_status`], as a number to compare: 0 for none.
const fn fixed_status(bytes: &[u8], record: Record) -> usize {
    match flag(bytes, record, 1) {
        byte @ b'a'..=b'p' => (byte - b'a') as usize + 1,
        _ => match fixed_class(bytes, record) {
            Some(class) => status_index(Status::from_class(class)) + 1,
            None => 0,
        },
    }
}

/// [`Entry::fixed_level`], as a number to compare: 0 for none.
const fn fixed_level(bytes: &[u8], record: Record) -> usize {
    match flag(bytes, record, 2) {
        byte @ b'a'..=b'e' => (byte - b'a') as usize + 1,
        _ => match fixed_class(bytes, record) {
            Some(class) => level_index(Level::from_class(class)) + 1,
            None => 0,
        },
    }
}

const fn status_index(status: Status) -> usize {
    let mut i = 0;
    while i < Status::ALL.len() {
        if Status::ALL[i] as usize == status as usize {
            return i;
        }
        i += 1;
    }
    Status::ALL.len()
}

const fn level_index(level: Level) -> usize {
    let mut i = 0;
    while i < Level::ALL.len() {
        if Level::ALL[i] as usize == level as usize {
            return i;
        }
        i += 1;
    }
    Level::ALL.len()
}

/// Whether two records agree, as [`Duplicate::agrees`] says.
const fn agree(a: &[u8], a_record: Record, b: &[u8], b_record: Record) -> bool {
    let a_hint = Span {
        start: a_record.start + 3,
        end: find(a, a_record.start, a_record.end, b';'),
    };
    let b_hint = Span {
        start: b_record.start + 3,
        end: find(b, b_record.start, b_record.end, b';'),
    };
    flag(a, a_record, 0) == flag(b, b_record, 0)
        && fixed_status(a, a_record) == fixed_status(b, b_record)
        && fixed_level(a, a_record) == fixed_level(b, b_record)
        && a_hint.end >= a_hint.start
        && b_hint.end >= b_hint.start
        && same(a, a_hint, b, b_hint)
        && same(a, part(a, a_record, 2), b, part(b, b_record, 2))
}

/// Whether an entry before `(catalog, record)` has the same code, and (when `agreeing`
/// is allowed) says something else.
const fn clashes_before(
    catalogs: &[Entries],
    catalog: usize,
    record: Record,
    agreeing: bool,
) -> bool {
    let bytes = catalogs[catalog].encoded.as_bytes();
    let code = part(bytes, record, 1);
    let mut c = 0;
    while c <= catalog {
        let other = catalogs[c].encoded.as_bytes();
        let mut start = 0;
        while let Some(earlier) = record_at(other, start) {
            if c == catalog && earlier.start == record.start {
                return false;
            }
            if same(other, part(other, earlier, 1), bytes, code)
                && !(agreeing && agree(other, earlier, bytes, record))
            {
                return true;
            }
            start = earlier.end + 1;
        }
        c += 1;
    }
    false
}

/// The first entry (catalog, record start) whose code an earlier entry has, not counting
/// agreeing ones when `agreeing` is allowed.
const fn find_duplicate(catalogs: &[Entries], agreeing: bool) -> Option<(usize, usize)> {
    let mut c = 0;
    while c < catalogs.len() {
        let bytes = catalogs[c].encoded.as_bytes();
        let mut start = 0;
        while let Some(record) = record_at(bytes, start) {
            if clashes_before(catalogs, c, record, agreeing) {
                return Some((c, record.start));
            }
            start = record.end + 1;
        }
        c += 1;
    }
    None
}
