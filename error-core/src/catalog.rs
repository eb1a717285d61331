//! The catalog: every error a type can be, known at compile time.
//!
//! A derived error's facts do not depend on the instance: a variant's code, class, status,
//! level, constant retry hint, message template and field names are written in its
//! attributes. The derive writes them once per type, as [`Catalog::ENTRIES`], and
//! implements [`ClassifiedError::entry`](crate::ClassifiedError::entry) as one `match` that
//! says which entry an instance is. The trait's other methods read the entry, so a derived
//! type compiles to one small function instead of one `match` per question, and the same
//! list is what documentation and client generators need: SlateDB's error RFC asks that
//! "all public APIs document the complete set of errors that may be returned", and here
//! that list cannot drift from the code.
//!
//! # A table for the docs
//!
//! [`markdown`] renders one or more types' catalogs as a Markdown table, one row per
//! variant, with its code, class, status, level, retry hint, message and fields:
//!
//! ```
//! # use error_core::{Catalog, ClassifiedError};
//! # #[derive(Debug, ClassifiedError)]
//! # #[class(transient)]
//! # enum ReadError {
//! #     #[error("no leader")]
//! #     NoLeader,
//! #     #[error("key not found")]
//! #     #[class(invalid, status = not_found, code = "read.not_found")]
//! #     NotFound { key: String, #[kv(redact)] tenant: error_core::Secret<String> },
//! # }
//! assert_eq!(
//!     error_core::catalog::markdown(&[ReadError::ENTRIES]).to_string(),
//!     "\
//! | error | code | class | status | level | retry | message | fields |
//! |---|---|---|---|---|---|---|---|
//! | `ReadError::NoLeader` | `ReadError::NoLeader` | transient | unavailable | warn |  | `no leader` |  |
//! | `ReadError::NotFound` | `read.not_found` | invalid | not_found | info |  | `key not found` | `key`, `tenant` (redacted) |
//! "
//! );
//! ```
//!
//! Why render it, when a table is easy to write by hand: everything in it is already
//! written once, in the attributes, where the compiler checks it. A table written by hand
//! is a second copy, and it is wrong from the first variant someone adds, or the first
//! class someone changes, without remembering the docs. A rendered table cannot drift, and
//! a test that compares it with the copy committed in a README or a doc page turns drift
//! into a failing test; the examples crate's README keeps its raft table that way:
//!
//! ```ignore
//! let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
//! let table = error_core::catalog::markdown(&[ProposeError::ENTRIES, ReadError::ENTRIES]).to_string();
//! assert!(readme.contains(&table), "the README's table is out of date; it is now:\n{table}");
//! ```
//!
//! Why Markdown: READMEs, rustdoc pages, mdBook and code review all show it with no tool
//! in between; a table has one line per variant, so a change to an error is a one-line diff
//! in review; and it is plain text, which a test compares byte for byte. The format is
//! fixed and documented on [`markdown`]. What needs structure rather than a page has the
//! JSON.
//!
//! # Unique codes
//!
//! A code is what metrics, dashboards, alerts and clients key on, so two errors that
//! mean different things must not share one, and across enums nothing stops them: each
//! `code = ".."` is checked only against its own type. [`duplicate_codes`] lists every
//! entry whose code an earlier one has, across a list of types, and says where both are;
//! [`unique_codes`] and [`consistent_codes`] are `const fn`s that say whether there is any,
//! for a `const _: () = assert!(..)` that fails the build next to the types. Both, because
//! a `const` assertion cannot name the duplicate (a `const` panic takes no formatted
//! message), while a test can.
//!
//! The derive does not check on its own: a derive sees one type, never the list, and a
//! check in every derive would cost every type compile time, where only the crate that
//! lists its public errors needs it, once. A code may be shared on purpose, the same
//! condition met by two operations (the raft example's `raft.not_leader`):
//! [`Duplicate::agrees`] and [`consistent_codes`] accept a shared code whose entries say
//! the same thing.
//!
//! # JSON
//!
//! With the `serde` feature, [`Entries`], [`Entry`] and [`Field`] implement
//! `serde::Serialize` (with neither `std` nor `alloc`), so a build step or a test can write
//! the catalog as JSON for the tools that do not read Rust: an API reference with a page
//! per error code, a client generator that turns each code into a typed error with its
//! caller action (retry it or not) and its status, and a check in CI that a release
//! removes or renames no code a client depends on (a diff of two versions' JSON). A slice
//! of [`Entries`] is an array of them.
//!
//! ```json
//! {
//!   "type_name": "my_service::read::ReadError",
//!   "entries": [
//!     {
//!       "name": "NotFound",
//!       "code": "read.not_found",
//!       "class": "invalid",
//!       "class_rule": "fixed",
//!       "fallback_class": null,
//!       "status": "not_found",
//!       "level": "info",
//!       "retry_after_ms": null,
//!       "message": "key not found",
//!       "fields": [{ "name": "key", "redacted": false }, { "name": "tenant", "redacted": true }]
//!     }
//!   ]
//! }
//! ```
//!
//! Every key is always there, `null` when there is no value, so that a generator reads one
//! shape. The values are the table's, resolved for a reader who does not know this crate's
//! defaults:
//!
//! | key | value |
//! |---|---|
//! | `name`, `code`, `message` | [`Entry::name`], [`Entry::code`], [`Entry::message`] (the template, placeholders as written; `""` when there is none) |
//! | `class` | the class every instance has ([`ClassRule::fixed`]), else `null` |
//! | `class_rule` | `"fixed"`, `"source"` (`#[class(source)]`), `"transparent"` (`#[error(transparent)]`) or `"function"` (`#[class(with = ..)]`) |
//! | `fallback_class` | for a transparent variant, the class it has when the inner error is not classified (the enum's default), else `null` |
//! | `status`, `level` | [`Entry::fixed_status`], [`Entry::fixed_level`]: the variant's own, else the fixed class's default, else `null` (it follows the class of the instance) |
//! | `retry_after_ms` | the constant hint in milliseconds, else `null` (a `#[retry_after]` field's hint is per instance) |
//! | `fields` | each structured field, `{"name", "redacted"}` |
//!
//! # Why one string per type
//!
//! [`Entries`] is one `&'static str` in which the derive encodes every entry, and [`Entry`]
//! is a view into it, read on demand. A table of structs would be the obvious shape, and it
//! was measured: rustc type-checks, borrow-checks and const-evaluates such a table for every
//! derived type, and on a crate of 200 error enums it cost more than a third of thiserror's
//! whole build of the same crate. A string literal costs nothing to check. Reading an entry
//! is a few byte comparisons, with no allocation, and only error paths do it.
//!
//! What varies per instance stays in code the derive generates only where it is used: a
//! class read from the source (`#[class(source)]`, `#[error(transparent)]`) or decided by a
//! function (`#[class(with = path)]`), a `#[retry_after]` field, the fields' values.
//!
//! ```
//! use error_core::{Catalog, Class, ClassRule, ClassifiedError, Status};
//!
//! #[derive(Debug, ClassifiedError)]
//! #[class(transient)]
//! enum ReadError {
//!     #[error("no leader")]
//!     NoLeader,
//!     #[error("key not found")]
//!     #[class(invalid, status = not_found, code = "read.not_found")]
//!     NotFound {
//!         key: String,
//!         #[kv(redact)]
//!         tenant: error_core::Secret<String>,
//!     },
//! }
//!
//! let entries: Vec<_> = ReadError::ENTRIES.iter().collect();
//! assert_eq!(entries.len(), 2);
//! assert_eq!(entries[0].name(), "NoLeader");
//! assert_eq!(entries[0].code(), "ReadError::NoLeader");
//! assert_eq!(entries[0].class(), ClassRule::Fixed(Class::Transient));
//! assert_eq!(entries[1].status(), Some(Status::NotFound));
//! assert_eq!(entries[1].message(), "key not found");
//! let fields: Vec<_> = entries[1].fields().map(|f| (f.name(), f.is_redacted())).collect();
//! assert_eq!(fields, [("key", false), ("tenant", true)]);
//!
//! let e = ReadError::NotFound { key: "k".into(), tenant: "t".into() };
//! assert_eq!(e.entry().map(|entry| entry.code()), Some("read.not_found"));
//! ```
//!
//! # The encoding
//!
//! The derive writes it; nothing else needs to. Entries follow each other, each ended by
//! `\u{1e}`, and the type's path comes last. An entry is: one byte for the class rule
//! (`a`..=`j` a fixed class, `k`..=`t` a transparent case that falls back to that class,
//! `T` a transparent case without one, `S` `#[class(source)]`, `F` `#[class(with = ..)]`),
//! one for the status (`-` none, `a`..=`p`) and one for the level (`-`, `a`..=`e`), in the
//! order of [`Class::ALL`], [`Status::ALL`] and [`Level::ALL`]; the retry hint's
//! milliseconds in decimal, if any, and `;`; then the name, the code, the message and each
//! field's key (`!` before a redacted one), each ended by `\u{1f}`.

use core::fmt;
use core::time::Duration;

use crate::{Class, Level, Status};

mod codes;
mod markdown;
#[cfg(feature = "serde")]
mod serialize;

pub use self::codes::{Duplicate, DuplicateCodes, consistent_codes, duplicate_codes, unique_codes};
pub use self::markdown::{Markdown, markdown};

/// A type whose errors are listed at compile time: implemented by
/// `#[derive(ClassifiedError)]`, with one [`Entry`] per variant (or one for a struct), in
/// declaration order.
///
/// It is a trait of its own, apart from [`ClassifiedError`](crate::ClassifiedError), because
/// an associated constant would make that trait unusable as `dyn ClassifiedError`.
pub trait Catalog {
    /// The entries, encoded as this module describes: what the derive writes, a string
    /// constant (cheaper for rustc than a constant that calls a function). Not part of the
    /// API: read [`ENTRIES`](Catalog::ENTRIES).
    #[doc(hidden)]
    const __ENCODED: &'static str;

    /// Every entry of the type, and its path.
    const ENTRIES: Entries = Entries::__new(Self::__ENCODED);
}

const ENTRY_END: char = '\u{1e}';
const PART_END: char = '\u{1f}';
const ENTRY_END_BYTE: u8 = 0x1e;
const PART_END_BYTE: u8 = 0x1f;

/// The index of the first separator (`ENTRY_END` or `PART_END`) in `bytes` at or after
/// `from`, else `bytes.len()`. Eight bytes at a time: a code is read on every `code()`.
#[inline]
fn separator(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The two separators differ only in their lowest bit.
    const _: () = assert!(ENTRY_END_BYTE | 1 == PART_END_BYTE);
    let mut i = from;
    while let Some(chunk) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        // A zero byte where `byte | 1` is `PART_END`; the lowest byte flagged is always one.
        let word = (u64::from_le_bytes(*chunk) | ONES) ^ (ONES * u64::from(PART_END_BYTE));
        let found = word.wrapping_sub(ONES) & !word & HIGHS;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&byte) = bytes.get(i) {
        if byte | 1 == PART_END_BYTE {
            return i;
        }
        i += 1;
    }
    bytes.len()
}

/// The index of the first `byte` in `bytes` at or after `from`.
fn find_byte(bytes: &[u8], from: usize, byte: u8) -> Option<usize> {
    bytes
        .get(from..)?
        .iter()
        .position(|&b| b == byte)
        .map(|i| from + i)
}

/// The entries of one type: see [`Catalog`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Entries {
    encoded: &'static str,
}

impl Entries {
    /// Entries as the derive encodes them (see the [module docs](self)).
    #[doc(hidden)]
    #[must_use]
    pub const fn __new(encoded: &'static str) -> Entries {
        Entries { encoded }
    }

    /// The type's path where it is defined, `module_path!()` and its name
    /// (`"my_crate::storage::StorageError"`), without generic arguments. Unlike
    /// [`core::any::type_name`], it is fixed by the source, not by the compiler's version.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self.encoded.rfind(ENTRY_END) {
            Some(end) => &self.encoded[end + ENTRY_END.len_utf8()..],
            None => self.encoded,
        }
    }

    /// The entries, in declaration order.
    #[must_use]
    pub fn iter(&self) -> EntryIter {
        EntryIter {
            encoded: self.encoded,
            offset: 0,
        }
    }

    /// How many entries there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.encoded.matches(ENTRY_END).count()
    }

    /// Whether there are none (an enum without variants).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        !self.encoded.contains(ENTRY_END)
    }

    /// The entry whose encoding starts at `offset`: what the derive's `entry()` returns.
    #[doc(hidden)]
    #[inline]
    #[must_use]
    pub const fn __at(&self, offset: usize) -> Option<Entry> {
        Some(Entry {
            encoded: self.encoded,
            offset,
        })
    }
}

impl fmt::Debug for Entries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl IntoIterator for Entries {
    type Item = Entry;
    type IntoIter = EntryIter;

    fn into_iter(self) -> EntryIter {
        self.iter()
    }
}

impl IntoIterator for &Entries {
    type Item = Entry;
    type IntoIter = EntryIter;

    fn into_iter(self) -> EntryIter {
        self.iter()
    }
}

/// The entries of a type, in declaration order: [`Entries::iter`].
#[derive(Clone, Debug)]
pub struct EntryIter {
    encoded: &'static str,
    offset: usize,
}

impl Iterator for EntryIter {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        let rest = self.encoded.get(self.offset..)?;
        let end = rest.find(ENTRY_END)?;
        let entry = Entry {
            encoded: self.encoded,
            offset: self.offset,
        };
        self.offset += end + ENTRY_END.len_utf8();
        Some(entry)
    }
}

/// What a variant (or a struct) of an error type is, as its attributes say: a view into its
/// type's [`Entries`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Entry {
    encoded: &'static str,
    offset: usize,
}

impl Entry {
    // Reading an entry is on the path of every `class()` and `code()` of a derived error, so
    // these read bytes from the entry's offset and stop at the first separator they look
    // for: they never scan the rest of the record (its message and fields) or search for a
    // `char` (`str::find` compares the `char`'s UTF-8 encoding at each candidate).

    /// The entry's own encoding, from its offset to the end of the whole string.
    #[inline]
    fn rest(&self) -> &'static [u8] {
        self.encoded.as_bytes().get(self.offset..).unwrap_or(&[])
    }

    /// The entry's own encoding, without its end.
    fn record(&self) -> &'static str {
        let rest = self.encoded.get(self.offset..).unwrap_or("");
        match find_byte(rest.as_bytes(), 0, ENTRY_END_BYTE) {
            Some(end) => &rest[..end],
            None => rest,
        }
    }

    /// One of the three flag bytes; `-` past the end of the record.
    #[inline]
    fn byte(&self, index: usize) -> u8 {
        let rest = self.rest();
        let mut i = 0;
        while i <= index {
            match rest.get(i) {
                Some(&ENTRY_END_BYTE) | None => return b'-',
                Some(_) => i += 1,
            }
        }
        rest[index]
    }

    /// Where the name starts in [`rest`](Entry::rest): after the three flag bytes, the
    /// retry hint's digits and `;`.
    #[inline]
    fn parts_start(&self) -> usize {
        let rest = self.rest();
        let mut i = 3;
        while let Some(&byte) = rest.get(i) {
            match byte {
                b';' => return i + 1,
                b'0'..=b'9' => i += 1,
                _ => break,
            }
        }
        // Not reached for what the derive encodes: the slow path's answer.
        let record = self.record();
        record.find(';').map_or(record.len(), |i| i + 1)
    }

    /// The `n`th part (0: the name, 1: the code, 2: the message), read without looking past
    /// its end.
    #[inline]
    fn part(&self, n: usize) -> &'static str {
        let rest = self.rest();
        let mut start = self.parts_start();
        for _ in 0..n {
            let end = separator(rest, start);
            if rest.get(end) != Some(&PART_END_BYTE) {
                return "";
            }
            start = end + 1;
        }
        let end = separator(rest, start);
        // Both ends are at ASCII separators (or the string's end), so they are character
        // boundaries and `get` always succeeds.
        self.encoded
            .get(self.offset + start..self.offset + end)
            .unwrap_or("")
    }

    /// The name, code, message and fields, after the three flag bytes and the retry hint.
    fn parts(&self) -> core::str::Split<'static, char> {
        let record = self.record();
        let start = self.parts_start().min(record.len());
        record[start..].split(PART_END)
    }

    /// [`Entries::type_name`] of the type the entry belongs to.
    #[inline]
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        Entries {
            encoded: self.encoded,
        }
        .type_name()
    }

    /// The variant's name, or the struct's.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.part(0)
    }

    /// The [`code`](crate::ClassifiedError::code). A transparent variant that forwards to a
    /// classified error reports the inner error's code at run time; this is its own.
    #[inline]
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.part(1)
    }

    /// The message as written in `#[error("...")]`, placeholders included, before the
    /// ``key=`value` `` pairs; empty for `#[error(transparent)]`, `#[error(fmt = ..)]` and a
    /// hand-written `Display`.
    #[must_use]
    pub fn message(&self) -> &'static str {
        self.part(2)
    }

    /// The structured fields, those [`visit_fields`](crate::ClassifiedError::visit_fields)
    /// yields, in declaration order.
    #[must_use]
    pub fn fields(&self) -> Fields {
        let mut parts = self.parts();
        for _ in 0..3 {
            parts.next();
        }
        Fields { parts }
    }

    /// How the class is decided.
    #[inline]
    #[must_use]
    pub fn class(&self) -> ClassRule {
        let byte = self.byte(0);
        match byte {
            b'a'..=b'j' => ClassRule::Fixed(Class::ALL[usize::from(byte - b'a')]),
            b'k'..=b't' => ClassRule::Transparent(Some(Class::ALL[usize::from(byte - b'k')])),
            b'T' => ClassRule::Transparent(None),
            b'S' => ClassRule::Source,
            _ => ClassRule::Function,
        }
    }

    /// A `status = ..` written on the variant. `None`: the class's (or the source's).
    #[inline]
    #[must_use]
    pub fn status(&self) -> Option<Status> {
        match self.byte(1) {
            byte @ b'a'..=b'p' => Some(Status::ALL[usize::from(byte - b'a')]),
            _ => None,
        }
    }

    /// A `level = ..` written on the variant. `None`: the class's (or the source's).
    #[inline]
    #[must_use]
    pub fn level(&self) -> Option<Level> {
        match self.byte(2) {
            byte @ b'a'..=b'e' => Some(Level::ALL[usize::from(byte - b'a')]),
            _ => None,
        }
    }

    /// The status every instance of the entry has: its own `status = ..`, else its
    /// [fixed](ClassRule::fixed) class's default ([`Status::from_class`]). `None` when it
    /// depends on the instance: a class read from the source or decided by a function, and
    /// no `status = ..`.
    ///
    /// ```
    /// use error_core::{Catalog, ClassifiedError, Status};
    ///
    /// #[derive(Debug, ClassifiedError)]
    /// enum PutError {
    ///     #[error("quota exceeded")]
    ///     #[class(denied, status = resource_exhausted)]
    ///     Quota,
    ///     #[error("no leader")]
    ///     #[class(transient)]
    ///     NoLeader,
    ///     #[error("storage failed")]
    ///     #[class(source)]
    ///     Storage(#[source] error_core::Error),
    /// }
    ///
    /// let statuses: Vec<_> = PutError::ENTRIES.iter().map(|e| e.fixed_status()).collect();
    /// assert_eq!(statuses, [Some(Status::ResourceExhausted), Some(Status::Unavailable), None]);
    /// ```
    #[must_use]
    pub fn fixed_status(&self) -> Option<Status> {
        self.status()
            .or_else(|| self.class().fixed().map(Status::from_class))
    }

    /// The level every instance of the entry has: its own `level = ..`, else its
    /// [fixed](ClassRule::fixed) class's default ([`Level::from_class`]). `None` when it
    /// depends on the instance, as for [`fixed_status`](Entry::fixed_status).
    #[must_use]
    pub fn fixed_level(&self) -> Option<Level> {
        self.level()
            .or_else(|| self.class().fixed().map(Level::from_class))
    }

    /// A constant retry hint (`retry_after_ms = ..`). A `#[retry_after]` field's hint is
    /// per instance, and is not here.
    #[inline]
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        let rest = self.rest();
        let mut ms: u64 = 0;
        let mut i = 3;
        loop {
            match rest.get(i) {
                Some(&b';') if i > 3 => return Some(Duration::from_millis(ms)),
                Some(&digit @ b'0'..=b'9') => {
                    ms = ms.checked_mul(10)?.checked_add(u64::from(digit - b'0'))?;
                    i += 1;
                }
                _ => return None,
            }
        }
    }
}

/// How the [`markdown`] table and a [`Duplicate`] name an entry: `Type::Variant`, or a
/// struct's name alone; with the type's whole path or only its last segment.
#[derive(Clone, Copy)]
struct EntryName {
    entry: Entry,
    full_path: bool,
}

impl fmt::Display for EntryName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.entry.type_name();
        let short = path.rsplit("::").next().unwrap_or(path);
        let ty = if self.full_path { path } else { short };
        let entries = Entries {
            encoded: self.entry.encoded,
        };
        // A struct has one entry, named after the type. (An enum whose only variant has the
        // enum's name reads the same, and is shown the same.)
        if entries.len() == 1 && self.entry.name() == short {
            f.write_str(ty)
        } else {
            write!(f, "{ty}::{}", self.entry.name())
        }
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("name", &self.name())
            .field("code", &self.code())
            .field("class", &self.class())
            .field("status", &self.status())
            .field("level", &self.level())
            .field("retry_after", &self.retry_after())
            .field("message", &self.message())
            .field("fields", &self.fields())
            .finish()
    }
}

/// How an [`Entry`]'s class is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClassRule {
    /// Always this class: `#[class(KIND)]`, the variant's or the enum's default.
    Fixed(Class),
    /// The source's class: `#[class(source)]`.
    Source,
    /// `#[error(transparent)]`: the inner error's class when it is a classified error, else
    /// the enum's default class, if it has one.
    Transparent(Option<Class>),
    /// Decided per instance by a function: `#[class(with = path)]`.
    Function,
}

impl ClassRule {
    /// The class when it does not depend on the instance.
    #[must_use]
    pub const fn fixed(self) -> Option<Class> {
        match self {
            ClassRule::Fixed(class) => Some(class),
            _ => None,
        }
    }
}

/// The fields of an [`Entry`], in declaration order: [`Entry::fields`].
#[derive(Clone, Debug)]
pub struct Fields {
    parts: core::str::Split<'static, char>,
}

impl Iterator for Fields {
    type Item = Field;

    fn next(&mut self) -> Option<Field> {
        let part = self.parts.next().filter(|part| !part.is_empty())?;
        Some(match part.strip_prefix('!') {
            Some(name) => Field {
                name,
                redacted: true,
            },
            None => Field {
                name: part,
                redacted: false,
            },
        })
    }
}

/// One structured field of an [`Entry`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    name: &'static str,
    redacted: bool,
}

impl Field {
    /// The key: the field's name without `r#`, or its index for a tuple field.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether the field is redacted (a [`Secret`](crate::Secret), or `#[kv(redact)]`, which
    /// asks for one): its value is never shown.
    #[must_use]
    pub fn is_redacted(&self) -> bool {
        self.redacted
    }
}
