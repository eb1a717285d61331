//! Classified errors for distributed systems: every error says what its caller must do.
//!
//! A service's error enums are part of its API. Each variant should map to exactly one
//! caller action (retry, back off, go to the leader, fix the input, stop calling, restart),
//! its message should be consistent and machine-friendly, and a public enum should stay
//! forward-compatible. This crate is the vocabulary for that:
//!
//! - [`Class`]: the ten caller actions (transient, busy, redirect, conflict, invalid, denied,
//!   closed, data, fatal, internal);
//! - [`ClassifiedError`]: an [`Error`](core::error::Error) with a class, a stable `code`, a
//!   `retry_after` hint and structured fields ([`Visit`], [`Value`]);
//! - [`Retriable`]: `is_retriable()` and `is_fatal()` for anything with a class;
//! - [`#[derive(ClassifiedError)]`](derive@ClassifiedError): `Display` with ``key=`value` ``
//!   messages, `Error`, `From`, `ClassifiedError` and context selectors in one derive, with
//!   compile-time guards;
//! - [`ResultExt`] and [`OptionExt`]: `.context(Selector { .. })`, snafu style, so that each
//!   layer adds its context without repeating the cause;
//! - [`Secret`]: a field's value that no `Debug` or `Display` shows, so that a password
//!   stays out of messages, panics, logs and telemetry; the derive redacts it everywhere it
//!   shows fields;
//! - [`Report`]: the whole chain, on one line or one line per link with class and code;
//! - [`Status`] and [`Level`]: the RPC code and the log level, decided by the deepest error
//!   that knows them;
//! - [`Error`]: a pointer-sized, opaque boundary error that keeps everything a caller acts on;
//! - [`Catalog`]: every error a derived type can be, known at compile time, as a Markdown
//!   table for the docs, a check that codes are unique, and JSON ([`catalog`]);
//! - classification of foreign errors: `std::io::Error`, gRPC and HTTP statuses, and any
//!   `dyn Error` chain ([`find_classified`]).
//!
//! The crate has no dependencies beyond the derive, no `async`, and no telemetry: `error-tower`
//! and `error-otel` build on it, as `tower` and `tracing` build on their cores.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use error_core::{Class, ClassifiedError, Retriable};
//!
//! #[derive(Debug, ClassifiedError)]
//! #[non_exhaustive]
//! pub enum ProposeError {
//!     #[error("not the leader")]
//!     #[class(redirect)]
//!     NotLeader { leader_hint: u64 },
//!     #[error("too many pending proposals")]
//!     #[class(busy, retry_after_ms = 50)]
//!     Busy { pending: usize, max: usize },
//!     #[error("storage fault")]
//!     #[class(fatal, code = "raft.storage")]
//!     Fatal {
//!         #[source]
//!         source: std::io::Error,
//!         #[kv(redact)]
//!         path: error_core::Secret<String>,
//!     },
//! }
//!
//! let e = ProposeError::NotLeader { leader_hint: 3 };
//! assert_eq!(e.to_string(), "not the leader. leader_hint=`3`");
//! assert_eq!(e.class(), Class::Redirect);
//! assert!(e.is_retriable());
//! assert_eq!(e.code(), "ProposeError::NotLeader");
//!
//! let e = ProposeError::Busy { pending: 12, max: 12 };
//! assert_eq!(e.to_string(), "too many pending proposals. pending=`12`, max=`12`");
//! assert_eq!(e.retry_after(), Some(Duration::from_millis(50)));
//!
//! let e = ProposeError::Fatal { source: std::io::Error::other("disk gone"), path: "/var/lib/raft".into() };
//! assert_eq!(e.to_string(), "storage fault. path=`<redacted>`");
//! assert!(format!("{e:?}").ends_with(r#"path: <redacted> }"#));
//! assert!(e.is_fatal());
//! assert_eq!(e.code(), "raft.storage");
//! ```
//!
//! ## Feature flags
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `std` | yes | `std::io::Error` is classified; the derive's `std::backtrace::Backtrace` field support. Implies `alloc`. Without `std` the crate and the code the derive generates are `#![no_std]` (they use `core::error::Error` and `core::time::Duration`). |
//! | `alloc` | yes (through `std`) | [`Error`], the boxed boundary error, and `Box<T>` impls |
//! | `derive` | yes | re-exports `#[derive(ClassifiedError)]` from `error-derive` |
//! | `http` | no | `Status::http_status()` and `From<Status> for http::StatusCode` |
//! | `serde` | no | `serde::Serialize` for the [catalog](catalog#json) (`Entries`, `Entry`, `Field`): JSON for API docs and client generators; needs neither `std` nor `alloc` |
//! | `tonic` | no | `ToTonicStatus`: a `tonic::Status` from any classified error (code from `status()`, message from the one-line report), and `From<Error> for tonic::Status` |
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod catalog;
pub mod class;
pub mod classified;
pub mod context;
#[cfg(feature = "alloc")]
pub mod error;
pub mod field;
pub mod foreign;
pub mod interop;
pub mod level;
pub mod location;
pub mod report;
pub mod secret;
pub mod status;

#[doc(hidden)]
pub mod __private;

// Each module's documentation argues its design; its items are also here, at the root,
// where code names them.
#[doc(inline)]
pub use crate::catalog::{Catalog, ClassRule, Entries, Entry};
#[doc(inline)]
pub use crate::class::{Class, ParseClassError};
#[doc(inline)]
pub use crate::classified::{Boundary, ClassifiedError, Retriable};
#[doc(inline)]
pub use crate::context::{IntoError, NoSource, OptionExt, ResultExt};
#[cfg(feature = "alloc")]
#[doc(inline)]
pub use crate::error::Error;
#[doc(inline)]
pub use crate::field::{REDACTED, Value, Visit};
#[cfg(feature = "std")]
#[doc(inline)]
pub use crate::foreign::io_class;
#[doc(inline)]
pub use crate::foreign::{Classify, classify, find_classified};
#[cfg(feature = "tonic")]
#[doc(inline)]
pub use crate::interop::ToTonicStatus;
#[doc(inline)]
pub use crate::level::Level;
#[doc(inline)]
pub use crate::location::Location;
#[doc(inline)]
pub use crate::report::Report;
#[doc(inline)]
pub use crate::secret::Secret;
#[doc(inline)]
pub use crate::status::Status;

#[cfg(feature = "derive")]
#[doc = include_str!("../doc/derive.md")]
pub use error_derive::ClassifiedError;
