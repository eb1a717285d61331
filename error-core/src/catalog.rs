//! The catalog: every error a type can be, known at compile time.
//!
//! A derived error's facts do not depend on the instance: a variant's code, class, status,
//! level, constant retry hint, message template and field names are written in its
//! attributes. The derive writes them once, as a `const` table ([`Catalog::ENTRIES`]), and
//! implements [`ClassifiedError::entry`](crate::ClassifiedError::entry) as one `match` that
//! says which row an instance is. The trait's other methods read the row, so a derived type
//! compiles to one small function and a table instead of one `match` per question, and the
//! same table is what documentation and client generators need: SlateDB's error RFC asks
//! that "all public APIs document the complete set of errors that may be returned", and
//! here that list cannot drift from the code.
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
//!     NotFound { key: String },
//! }
//!
//! let [no_leader, not_found] = ReadError::ENTRIES else { unreachable!() };
//! assert_eq!(no_leader.name, "NoLeader");
//! assert_eq!(no_leader.code, "ReadError::NoLeader");
//! assert_eq!(no_leader.class, ClassRule::Fixed(Class::Transient));
//! assert_eq!(not_found.status, Some(Status::NotFound));
//! assert_eq!(not_found.message, "key not found");
//! assert_eq!(not_found.fields, ["key"]);
//!
//! let e = ReadError::NotFound { key: "k".into() };
//! assert_eq!(e.entry().map(|entry| entry.code), Some("read.not_found"));
//! ```

use core::time::Duration;

use crate::{Class, Level, Status};

/// A type whose errors are listed at compile time: implemented by
/// `#[derive(ClassifiedError)]`, with one [`Entry`] per variant (or one for a struct), in
/// declaration order.
///
/// It is a trait of its own, apart from [`ClassifiedError`](crate::ClassifiedError), because
/// associated constants would make that trait unusable as `dyn ClassifiedError`.
pub trait Catalog {
    /// The type's path where it is defined, `module_path!()` and its name
    /// (`"my_crate::storage::StorageError"`), without generic arguments. Unlike
    /// [`core::any::type_name`], it is fixed by the source, not by the compiler version.
    const TYPE_NAME: &'static str;

    /// One entry per variant, in declaration order; a struct has one.
    const ENTRIES: &'static [Entry];
}

/// What a variant (or a struct) of an error type is, as its attributes say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// [`Catalog::TYPE_NAME`] of the type the entry belongs to.
    pub type_name: &'static str,
    /// The variant's name, or the struct's.
    pub name: &'static str,
    /// The [`code`](crate::ClassifiedError::code). A transparent variant that forwards to a
    /// classified error reports the inner error's code at run time; this is its own.
    pub code: &'static str,
    /// How the class is decided.
    pub class: ClassRule,
    /// A `status = ..` written on the variant. `None`: the class's (or the source's).
    pub status: Option<Status>,
    /// A `level = ..` written on the variant. `None`: the class's (or the source's).
    pub level: Option<Level>,
    /// A constant retry hint (`retry_after_ms = ..`). A `#[retry_after]` field's hint is
    /// per instance, and is not here.
    pub retry_after: Option<Duration>,
    /// The message as written in `#[error("...")]`, placeholders included, before the
    /// ``key=`value` `` pairs; empty for `#[error(transparent)]` and `#[error(fmt = ..)]`.
    pub message: &'static str,
    /// The keys of the structured fields, those
    /// [`visit_fields`](crate::ClassifiedError::visit_fields) yields, in declaration order.
    pub fields: &'static [&'static str],
    /// The keys of the fields among them that are `#[kv(redact)]`: their values are never
    /// shown.
    pub redacted: &'static [&'static str],
}

/// How an [`Entry`]'s class is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

impl Entry {
    /// An entry with a fixed class and nothing else: for a hand-written
    /// [`ClassifiedError`](crate::ClassifiedError) that wants a catalog entry too.
    ///
    /// ```
    /// use error_core::{Class, ClassRule, Entry};
    ///
    /// const THROTTLED: Entry = Entry::new("my_crate::Throttled", "Throttled", "throttled", Class::Busy);
    /// assert_eq!(THROTTLED.class, ClassRule::Fixed(Class::Busy));
    /// assert!(THROTTLED.fields.is_empty());
    /// ```
    #[must_use]
    pub const fn new(
        type_name: &'static str,
        name: &'static str,
        code: &'static str,
        class: Class,
    ) -> Entry {
        Entry {
            type_name,
            name,
            code,
            class: ClassRule::Fixed(class),
            status: None,
            level: None,
            retry_after: None,
            message: "",
            fields: &[],
            redacted: &[],
        }
    }

    /// Whether the field `key` is `#[kv(redact)]`.
    #[must_use]
    pub fn is_redacted(&self, key: &str) -> bool {
        self.redacted.contains(&key)
    }
}
