//! Allocation counts and sizes of the types that `benches/peers` times (its
//! `types.rs`, included here): constructing a derived error and asking it anything
//! allocates nothing, a context chain allocates only what its fields own, rendering into a
//! buffer that is big enough allocates nothing (and a `Report`'s `to_string()` allocates
//! its `String` once), and the boundary error costs two allocations. The peers' counts are
//! asserted next to ours, so that the README's table is checked; they are those of the
//! versions in `Cargo.lock`.

use std::backtrace::{Backtrace, BacktraceStatus};
use std::fmt::{self, Write as _};
use std::io;
use std::mem::{align_of, size_of};
use std::time::Duration;

use error_core::{Class, ClassRule, ClassifiedError, Level, Report, Status, Value};

#[path = "../benches/peers/types.rs"]
#[allow(dead_code)] // the bench's helpers that no test here needs
mod types;

use types::{CHAIN, ID, REPLICA, UUID, chain, one_line, ours, snafu_peer, this, write_one_line};

#[path = "support/counting.rs"]
mod counting;

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

use counting::allocations;

/// A `fmt::Write` sink into a fixed buffer: it never allocates.
struct Fixed {
    buf: [u8; 512],
    len: usize,
}

impl Fixed {
    fn new() -> Self {
        Fixed {
            buf: [0; 512],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap()
    }
}

impl fmt::Write for Fixed {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Whether `Backtrace::capture` captures here (`RUST_BACKTRACE`, `RUST_LIB_BACKTRACE`):
/// anyhow then captures one per error, and its counts are those of the capture. Asked once
/// outside the counted regions: std reads the environment (which allocates) only the first
/// time.
fn backtraces_on() -> bool {
    Backtrace::capture().status() == BacktraceStatus::Captured
}

/// Every variant of the bench's `KvError`, made from values made beforehand.
fn kv_errors(key: String, io: io::Error) -> [(ours::KvError, this::KvError); 6] {
    [
        (
            ours::KvError::NotFound { key: key.clone() },
            this::KvError::NotFound { key },
        ),
        (
            ours::KvError::Busy {
                pending: 12,
                max: 12,
            },
            this::KvError::Busy {
                pending: 12,
                max: 12,
            },
        ),
        (
            ours::KvError::NotLeader { leader: 2, term: 9 },
            this::KvError::NotLeader { leader: 2, term: 9 },
        ),
        (
            ours::KvError::from(io::Error::from(io.kind())),
            this::KvError::from(io),
        ),
        (
            ours::KvError::Timeout { ms: 250 },
            this::KvError::Timeout { ms: 250 },
        ),
        (ours::KvError::Shutdown, this::KvError::Shutdown),
    ]
}

#[test]
fn the_counting_allocator_counts() {
    let (count, s) = allocations(|| String::with_capacity(16));
    assert_eq!(count, 1);
    drop(s);
    let (count, ()) = allocations(|| ());
    assert_eq!(count, 0);
}

#[test]
fn constructing_a_derived_error_allocates_nothing() {
    let (count, errors) = allocations(|| {
        [
            ours::KvError::Busy {
                pending: 12,
                max: 12,
            },
            ours::KvError::NotLeader { leader: 2, term: 9 },
            ours::KvError::Timeout { ms: 250 },
            ours::KvError::Shutdown,
            // `From` of a `#[from]` field, from an `io::Error` of a kind (which allocates
            // nothing either).
            ours::KvError::from(io::Error::from(io::ErrorKind::TimedOut)),
        ]
    });
    assert_eq!(count, 0);
    assert_eq!(
        errors[0].to_string(),
        "too many pending requests. pending=`12`, max=`12`"
    );

    // A field that owns memory is made before; moving it in allocates nothing.
    let key = String::from("k1");
    let (count, e) = allocations(|| ours::KvError::NotFound { key });
    assert_eq!(count, 0);
    assert_eq!(e.to_string(), "key not found. key=`k1`");

    // A leaf made by its context selector.
    let (count, e) = allocations(|| ours::ReplicaExistsCtx { replica: REPLICA }.build());
    assert_eq!(count, 0);
    assert_eq!(e.to_string(), "replica already exists. replica=`42`");
}

#[test]
fn classifying_a_derived_error_allocates_nothing_and_agrees_with_the_hand_written_match() {
    let io = io::Error::from(io::ErrorKind::TimedOut);
    for (ours, this) in kv_errors("k1".into(), io) {
        let (count, answers) = allocations(|| {
            (
                ours.class(),
                ours.code(),
                ours.status(),
                ours.level(),
                ours.retry_after(),
                ours.entry(),
                ours.type_name(),
                ours.classified_source().map(ClassifiedError::code),
                ours.backtrace().is_some(),
            )
        });
        assert_eq!(count, 0, "allocations classifying {ours:?}");
        let (class, code, status, level, retry_after, entry, type_name, source, backtrace) =
            answers;
        // The bench's hand-written `match`es say the same.
        assert_eq!(
            (class, code, status, level, retry_after),
            (
                this.class(),
                this.code(),
                this.status(),
                this.level(),
                this.retry_after()
            ),
            "{ours:?}"
        );
        let entry = entry.unwrap();
        assert_eq!(entry.class(), ClassRule::Fixed(class));
        assert_eq!(entry.code(), code);
        assert_eq!(type_name, "test_alloc::types::ours::KvError");
        assert_eq!(
            source,
            matches!(ours, ours::KvError::Io { .. }).then_some("std::io::ErrorKind::TimedOut")
        );
        assert!(!backtrace);
    }

    let (busy, _) = &kv_errors(String::new(), io::Error::other("x"))[1];
    assert_eq!(busy.class(), Class::Busy);
    assert_eq!(busy.status(), Status::ResourceExhausted);
    assert_eq!(busy.level(), Level::from_class(Class::Busy));
    assert_eq!(busy.retry_after(), Some(Duration::from_millis(50)));
}

#[test]
fn visiting_fields_allocates_nothing() {
    /// Writes `key=value;` pairs into a fixed buffer.
    struct Pairs(Fixed);

    impl error_core::Visit for Pairs {
        fn visit(&mut self, key: &'static str, value: Value<'_>) {
            write!(self.0, "{key}={value};").unwrap();
        }
    }

    let expected = [
        "key=k1;",
        "pending=12;max=12;",
        "leader=2;term=9;",
        "",
        "ms=250;",
        "",
    ];
    let io = io::Error::from(io::ErrorKind::TimedOut);
    for ((ours, _), expected) in kv_errors("k1".into(), io).iter().zip(expected) {
        let mut pairs = Pairs(Fixed::new());
        let (count, ()) = allocations(|| ours.visit_fields(&mut pairs));
        assert_eq!(count, 0, "allocations visiting {ours:?}");
        assert_eq!(pairs.0.as_str(), expected);
    }
}

#[test]
fn display_into_a_buffer_allocates_nothing_and_matches_thiserror() {
    let io = io::Error::from(io::ErrorKind::TimedOut);
    for (ours, this) in kv_errors("k1".into(), io) {
        let mut out = String::with_capacity(256);
        let mut fixed = Fixed::new();
        let (count, ()) = allocations(|| {
            write!(out, "{ours}").unwrap();
            write!(fixed, "{ours}").unwrap();
        });
        assert_eq!(count, 0, "allocations formatting {ours:?}");
        // The same string as thiserror's, whose messages spell out the pairs, which
        // allocates nothing either.
        let mut theirs = String::with_capacity(256);
        let (count, ()) = allocations(|| write!(theirs, "{this}").unwrap());
        assert_eq!(count, 0, "allocations formatting {this:?}");
        assert_eq!(out, theirs);
        assert_eq!(fixed.as_str(), out);
    }
}

#[test]
fn a_context_chain_allocates_only_its_fields() {
    // Ours, snafu and thiserror with `map_err` hold the chain by value: the one allocation
    // is the uuid `String`.
    let (count, ours) = allocations(|| chain::ours(REPLICA, UUID, ID).unwrap_err());
    assert_eq!(count, 1);
    let (count, snafu) = allocations(|| chain::snafu(REPLICA, UUID, ID).unwrap_err());
    assert_eq!(count, 1);
    let (count, map_err) = allocations(|| chain::map_err(REPLICA, UUID, ID).unwrap_err());
    assert_eq!(count, 1);

    // error-stack (without its `backtrace` feature): each `Report` is a box of frames, each
    // frame a box, each context with its `Location` attachment; and the uuid.
    let (count, stack) = allocations(|| chain::stack(REPLICA, UUID, ID).unwrap_err());
    assert_eq!(count, 14);

    // anyhow: a box per link, and a `String` per `format!`ted context; with contexts that
    // are structs, a box per link and the uuid.
    let backtraces = backtraces_on();
    let (count, anyhow) = allocations(|| chain::anyhow(REPLICA, UUID, ID).unwrap_err());
    if !backtraces {
        assert_eq!(count, 5);
    }
    let (count, anyhow_struct) =
        allocations(|| chain::anyhow_struct(REPLICA, UUID, ID).unwrap_err());
    if !backtraces {
        assert_eq!(count, 4);
    }

    // Each renders the same line. Into a buffer that is big enough, a `Report`, the walk of
    // `source()` and anyhow's `{:#}` allocate nothing.
    let mut out = String::with_capacity(256);
    let (count, ()) = allocations(|| write!(out, "{}", Report::new(&ours)).unwrap());
    assert_eq!(count, 0);
    assert_eq!(out, CHAIN);
    let walked: [&(dyn std::error::Error + 'static); 3] = [&ours, &snafu, &map_err];
    for error in walked {
        let mut out = String::with_capacity(256);
        let (count, ()) = allocations(|| write_one_line(&mut out, error).unwrap());
        assert_eq!(count, 0);
        assert_eq!(out, CHAIN);
        // Into a new `String`, the walk writes piece by piece, and the `String` grows as it
        // goes (4 allocations with the toolchain of this writing).
        let (count, text) = allocations(|| one_line(error));
        assert!(count >= 2, "{count}");
        assert_eq!(text, CHAIN);
    }
    // A `Report` gathers the line on the stack and writes it at once: `to_string()` is one
    // allocation, of the right size.
    let (count, text) = allocations(|| Report::new(&ours).to_string());
    assert_eq!(count, 1);
    assert_eq!((text.len(), text.as_str()), (CHAIN.len(), CHAIN));
    for anyhow in [&anyhow, &anyhow_struct] {
        let mut out = String::with_capacity(256);
        let (count, ()) = allocations(|| write!(out, "{anyhow:#}").unwrap());
        assert_eq!(count, 0);
        assert_eq!(out, CHAIN);
    }

    // error-stack's `{:#}` makes a `String` of each context to write it, grown as it goes
    // (9 allocations with the toolchain of this writing).
    let mut out = String::with_capacity(256);
    let (count, ()) = allocations(|| write!(out, "{stack:#}").unwrap());
    assert!(count >= 3, "{count}");
    assert_eq!(out, CHAIN);
}

#[test]
fn the_boundary_error_costs_one_allocation_as_anyhow_does() {
    let backtraces = backtraces_on();

    // One box: the `with_*` overrides, where it was made, and the error.
    let (count, e) =
        allocations(|| error_core::Error::from(ours::StorageError::ReplicaExists { replica: 42 }));
    assert_eq!(count, 1);
    // An ad-hoc error too, and a `with_*` method allocates nothing more.
    let (count, adhoc) =
        allocations(|| error_core::Error::closed("database is closed").with_code("db.closed"));
    assert_eq!(count, 1);
    assert_eq!(adhoc.code(), "db.closed");
    let (count, back) = allocations(|| e.downcast_ref::<ours::StorageError>().is_some());
    assert_eq!((count, back), (0, true));

    let (count, a) =
        allocations(|| anyhow::Error::from(ours::StorageError::ReplicaExists { replica: 42 }));
    if !backtraces {
        assert_eq!(count, 1);
    }
    let (count, back) = allocations(|| a.downcast_ref::<ours::StorageError>().is_some());
    assert_eq!((count, back), (0, true));
    assert_eq!(e.to_string(), a.to_string());
}

#[test]
fn the_derive_adds_no_data() {
    let word = size_of::<usize>();
    // `KvError`: a `String` is the biggest field, and its niche holds the discriminant.
    assert_eq!(size_of::<ours::KvError>(), 3 * word);
    assert_eq!(size_of::<this::KvError>(), 3 * word);
    assert_eq!(align_of::<ours::KvError>(), align_of::<this::KvError>());
    // The leaf: one `u64`.
    assert_eq!(size_of::<ours::StorageError>(), 8);
    assert_eq!(size_of::<this::StorageError>(), 8);
    assert_eq!(size_of::<snafu_peer::StorageError>(), 8);
    // The chain by value: the uuid `String`, the `u64` and the `u32`.
    assert_eq!(size_of::<ours::ApiError>(), 3 * word + 16);
    assert_eq!(size_of::<this::ApiError>(), 3 * word + 16);
    assert_eq!(size_of::<snafu_peer::ApiError>(), 3 * word + 16);
    // `error_core::Error` is two pointers (a box of a `dyn ClassifiedError`: one
    // allocation without `unsafe`, see `error_core::error`); anyhow's and error-stack's
    // are one.
    assert_eq!(size_of::<error_core::Error>(), 2 * word);
    assert_eq!(size_of::<Result<u64, error_core::Error>>(), 2 * word);
    assert_eq!(size_of::<anyhow::Error>(), word);
    assert_eq!(
        size_of::<error_stack::Report<types::stack_peer::Request>>(),
        word
    );
    // A `Result` of each is no bigger than with thiserror.
    assert_eq!(
        size_of::<Result<u64, ours::KvError>>(),
        size_of::<Result<u64, this::KvError>>()
    );
    assert_eq!(
        size_of::<Result<u64, ours::ApiError>>(),
        size_of::<Result<u64, this::ApiError>>()
    );
}
