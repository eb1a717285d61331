//! `Report`: `{}` joins a chain's messages with `": "`, `{:#}` shows one link per line with
//! `(class, code)` on the classified ones, `Debug` is `{:#}`, repeated messages are shown
//! once, `?` converts into a `Report`, and formatting allocates nothing.

use std::error::Error as StdError;
use std::fmt::{self, Write as _};
use std::io;

use error_core::{ClassifiedError, Report};

#[path = "support/counting.rs"]
mod counting;

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

use counting::allocations;

/// A hand-written error that is not classified: its own message and an optional source.
#[derive(Debug)]
struct Plain {
    message: String,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl Plain {
    fn new(message: impl Into<String>) -> Self {
        Plain {
            message: message.into(),
            source: None,
        }
    }

    fn caused_by(
        message: impl Into<String>,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Plain {
            message: message.into(),
            source: Some(source.into()),
        }
    }
}

impl fmt::Display for Plain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for Plain {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
#[error("replica already exists")]
struct ReplicaExists;

#[derive(Debug, ClassifiedError)]
enum NexusError {
    #[error("failed to publish")]
    #[class(source)]
    Publish {
        source: ReplicaExists,
        nexus: String,
    },
}

#[derive(Debug, ClassifiedError)]
enum RpcError {
    #[error("failed to create replica")]
    #[class(source)]
    CreateReplica { source: NexusError, uuid: String },
}

#[derive(Debug, ClassifiedError)]
enum ApiError {
    #[error("request failed")]
    #[class(source)]
    Request { source: RpcError, id: u32 },
}

fn two() -> NexusError {
    NexusError::Publish {
        source: ReplicaExists,
        nexus: "nx1".into(),
    }
}

fn three() -> RpcError {
    RpcError::CreateReplica {
        source: two(),
        uuid: "dbe4d7eb".into(),
    }
}

fn four() -> ApiError {
    ApiError::Request {
        source: three(),
        id: 7,
    }
}

const LINK1: &str = "replica already exists";
const LINK2: &str = "failed to publish. nexus=`nx1`";
const LINK3: &str = "failed to create replica. uuid=`dbe4d7eb`";
const LINK4: &str = "request failed. id=`7`";

/// The `{:#}` report of an `error_core::Error` made from `error` at `line:column` of this
/// file: `error`'s own, with the boundary's location at the end of its first line.
fn alternate_made_at(error: &dyn ClassifiedError, line: u32, column: u32) -> String {
    let alternate = format!("{:#}", Report::new(error));
    let at = format!(" at {}:{line}:{column}", file!());
    match alternate.split_once('\n') {
        Some((first, rest)) => format!("{first}{at}\n{rest}"),
        None => format!("{alternate}{at}"),
    }
}

#[test]
fn one_line_joins_the_chain_with_colons() {
    assert_eq!(Report::new(&ReplicaExists).to_string(), LINK1);
    assert_eq!(
        Report::new(&two()).to_string(),
        "failed to publish. nexus=`nx1`: replica already exists"
    );
    assert_eq!(
        Report::new(&three()).to_string(),
        "failed to create replica. uuid=`dbe4d7eb`: failed to publish. nexus=`nx1`: replica already exists"
    );
    assert_eq!(
        Report::new(&four()).to_string(),
        "request failed. id=`7`: failed to create replica. uuid=`dbe4d7eb`: failed to publish. nexus=`nx1`: replica already exists"
    );
    // Owned or borrowed, the same.
    assert_eq!(
        Report::new(four()).to_string(),
        Report::new(&four()).to_string()
    );
}

#[test]
fn alternate_shows_class_and_code_of_each_link() {
    assert_eq!(
        format!("{:#}", Report::new(&ReplicaExists)),
        "replica already exists (invalid, ReplicaExists)"
    );
    assert_eq!(
        format!("{:#}", Report::new(&two())),
        format!(
            "{LINK2} (invalid, NexusError::Publish)\n  caused by: {LINK1} (invalid, ReplicaExists)"
        )
    );
    assert_eq!(
        format!("{:#}", Report::new(&three())),
        format!(
            "{LINK3} (invalid, RpcError::CreateReplica)\n  \
             caused by: {LINK2} (invalid, NexusError::Publish)\n  \
             caused by: {LINK1} (invalid, ReplicaExists)"
        )
    );
    assert_eq!(
        format!("{:#}", Report::new(&four())),
        "request failed. id=`7` (invalid, ApiError::Request)\n  \
         caused by: failed to create replica. uuid=`dbe4d7eb` (invalid, RpcError::CreateReplica)\n  \
         caused by: failed to publish. nexus=`nx1` (invalid, NexusError::Publish)\n  \
         caused by: replica already exists (invalid, ReplicaExists)"
    );
    assert!(
        format!("{:#}", Report::new(&four()))
            .starts_with(&format!("{LINK4} (invalid, ApiError::Request)\n"))
    );
}

#[test]
fn debug_is_the_alternate_form() {
    let errors: [&dyn ClassifiedError; 4] = [&ReplicaExists, &two(), &three(), &four()];
    for error in errors {
        let report = Report::new(error);
        assert_eq!(format!("{report:?}"), format!("{report:#}"));
        assert_eq!(format!("{report:#?}"), format!("{report:#}"));
    }
    assert_eq!(
        format!("{:?}", Report::new(&two())),
        format!(
            "{LINK2} (invalid, NexusError::Publish)\n  caused by: {LINK1} (invalid, ReplicaExists)"
        )
    );
}

#[derive(Debug, ClassifiedError)]
enum Mixed {
    #[error("sync failed")]
    #[class(fatal)]
    Sync { source: Plain },
    #[error("read failed")]
    #[class(source)]
    Read { source: io::Error, path: String },
    #[error("boxed")]
    #[class(internal)]
    Boxed {
        source: Box<dyn StdError + Send + Sync>,
    },
}

#[test]
fn plain_links_have_no_class_and_io_errors_do() {
    let e = Mixed::Sync {
        source: Plain::caused_by(
            "fsync returned eio",
            io::Error::from(io::ErrorKind::TimedOut),
        ),
    };
    assert_eq!(
        Report::new(&e).to_string(),
        "sync failed: fsync returned eio: timed out"
    );
    assert_eq!(
        format!("{:#}", Report::new(&e)),
        "sync failed (fatal, Mixed::Sync)\n  \
         caused by: fsync returned eio\n  \
         caused by: timed out (transient, std::io::ErrorKind::TimedOut)"
    );

    let e = Mixed::Read {
        source: io::Error::other("disk gone"),
        path: "/wal".into(),
    };
    assert_eq!(
        Report::new(&e).to_string(),
        "read failed. path=`/wal`: disk gone"
    );
    assert_eq!(
        format!("{:#}", Report::new(&e)),
        "read failed. path=`/wal` (internal, Mixed::Read)\n  \
         caused by: disk gone (internal, std::io::ErrorKind::Other)"
    );

    let e = Mixed::Read {
        source: io::Error::from(io::ErrorKind::NotFound),
        path: "/etc/x".into(),
    };
    assert_eq!(
        format!("{:#}", Report::new(&e)),
        "read failed. path=`/etc/x` (invalid, Mixed::Read)\n  \
         caused by: entity not found (invalid, std::io::ErrorKind::NotFound)"
    );

    // A plain link with a plain source, then nothing.
    let e = Mixed::Sync {
        source: Plain::caused_by("outer plain", Plain::new("inner plain")),
    };
    assert_eq!(
        format!("{:#}", Report::new(&e)),
        "sync failed (fatal, Mixed::Sync)\n  caused by: outer plain\n  caused by: inner plain"
    );
}

#[test]
fn boxed_links_are_classified_when_their_type_is_recognised() {
    // An `error_core::Error` behind a `Box<dyn Error>` is found.
    let e = Mixed::Boxed {
        source: Box::new(error_core::Error::busy("queue full").with_code("queue.full")),
    };
    let line = line!() - 2;
    let f = file!();
    assert_eq!(
        format!("{:#}", Report::new(&e)),
        format!(
            "boxed (internal, Mixed::Boxed)\n  \
             caused by: queue full (busy, queue.full) at {f}:{line}:26"
        )
    );
    let e = Mixed::Boxed {
        source: Box::new(error_core::Error::from(two())),
    };
    let line = line!() - 2;
    assert_eq!(
        format!("{:#}", Report::new(&e)),
        format!(
            "boxed (internal, Mixed::Boxed)\n  \
             caused by: {LINK2} (invalid, NexusError::Publish) at {f}:{line}:26\n  \
             caused by: {LINK1} (invalid, ReplicaExists)"
        )
    );
    // A derived type behind a `Box<dyn Error>` cannot be recognised (documented): plain.
    let e = Mixed::Boxed {
        source: Box::new(ReplicaExists),
    };
    assert_eq!(
        format!("{:#}", Report::new(&e)),
        "boxed (internal, Mixed::Boxed)\n  caused by: replica already exists"
    );
}

#[test]
fn report_of_the_boundary_error() {
    let f = file!();
    let err = error_core::Error::from(three());
    let line = line!() - 1;
    assert_eq!(
        Report::new(&err).to_string(),
        Report::new(&three()).to_string()
    );
    assert_eq!(
        format!("{:#}", Report::new(&err)),
        alternate_made_at(&three(), line, 15)
    );

    let err = error_core::Error::internal("shutdown failed")
        .with_source(io::Error::from(io::ErrorKind::BrokenPipe));
    let line = line!() - 2;
    assert_eq!(
        format!("{:#}", Report::new(&err)),
        format!(
            "shutdown failed (internal, internal) at {f}:{line}:15\n  \
             caused by: broken pipe (transient, std::io::ErrorKind::BrokenPipe)"
        )
    );
    assert_eq!(
        Report::new(&err).to_string(),
        "shutdown failed: broken pipe"
    );

    let err = error_core::Error::closed("db closed")
        .with_code("db.closed")
        .with_source(Plain::caused_by(
            "pool drained",
            error_core::Error::transient("retry later"),
        ));
    let line = line!() - 6;
    assert_eq!(
        format!("{:#}", Report::new(&err)),
        format!(
            "db closed (closed, db.closed) at {f}:{line}:15\n  \
             caused by: pool drained\n  \
             caused by: retry later (transient, transient) at {f}:{}:13",
            line + 4
        )
    );
}

#[derive(Debug, ClassifiedError)]
#[class(internal, free_messages)]
enum Echo {
    #[error("{source}")]
    Same { source: Plain },
    #[error("read failed: {source}")]
    Suffixed { source: Plain },
    #[error("read failed:{source}")]
    NoSpace { source: Plain },
    #[error("read failed ({source})")]
    Inside { source: Plain },
    #[error("{source}")]
    SameIo { source: io::Error },
    #[error("{message}")]
    Message { message: String, source: Plain },
}

fn message(message: impl Into<String>, source: impl Into<String>) -> Echo {
    Echo::Message {
        message: message.into(),
        source: Plain::new(source),
    }
}

#[test]
fn a_wrapper_that_repeats_its_source_is_shown_once() {
    let e = Echo::Same {
        source: Plain::new("disk gone"),
    };
    assert_eq!(Report::new(&e).to_string(), "disk gone");
    assert_eq!(
        format!("{:#}", Report::new(&e)),
        "disk gone (internal, Echo::Same)"
    );

    let e = Echo::Suffixed {
        source: Plain::new("disk gone"),
    };
    assert_eq!(Report::new(&e).to_string(), "read failed: disk gone");
    assert_eq!(
        format!("{:#}", Report::new(&e)),
        "read failed: disk gone (internal, Echo::Suffixed)"
    );

    // The repeated link is dropped, its source is not.
    let e = Echo::Suffixed {
        source: Plain::caused_by("disk gone", io::Error::from(io::ErrorKind::StorageFull)),
    };
    assert_eq!(
        Report::new(&e).to_string(),
        "read failed: disk gone: no storage space"
    );
    assert_eq!(
        format!("{:#}", Report::new(&e)),
        "read failed: disk gone (internal, Echo::Suffixed)\n  \
         caused by: no storage space (busy, std::io::ErrorKind::StorageFull)"
    );

    // A classified source that is repeated is dropped with its class.
    let e = Echo::SameIo {
        source: io::Error::from(io::ErrorKind::TimedOut),
    };
    assert_eq!(Report::new(&e).to_string(), "timed out");
    assert_eq!(
        format!("{:#}", Report::new(&e)),
        "timed out (internal, Echo::SameIo)"
    );
}

#[test]
fn a_wrapper_that_only_contains_its_source_is_not_deduplicated() {
    let e = Echo::NoSpace {
        source: Plain::new("disk gone"),
    };
    assert_eq!(
        Report::new(&e).to_string(),
        "read failed:disk gone: disk gone"
    );
    let e = Echo::Inside {
        source: Plain::new("disk gone"),
    };
    assert_eq!(
        Report::new(&e).to_string(),
        "read failed (disk gone): disk gone"
    );
    // Ends with the source's text, without the `": "` separator.
    let e = message("xdisk gone", "disk gone");
    assert_eq!(Report::new(&e).to_string(), "xdisk gone: disk gone");
    // The source is longer than the wrapper.
    let e = message("gone", "disk gone");
    assert_eq!(Report::new(&e).to_string(), "gone: disk gone");
    // The source's text starts the wrapper's.
    let e = message("disk gone: again", "disk gone");
    assert_eq!(Report::new(&e).to_string(), "disk gone: again: disk gone");
}

/// `len` bytes of ASCII that does not repeat with a period of 128, so that a comparison of
/// misaligned windows would fail.
fn long_text(len: usize) -> String {
    (0..len)
        .map(|i| char::from(b'a' + u8::try_from((i * 7 + i / 26) % 26).unwrap()))
        .collect()
}

/// `text` with the byte at `at` replaced by another letter.
fn with_byte_changed(text: &str, at: usize) -> String {
    let mut bytes = text.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'Z' { b'Y' } else { b'Z' };
    String::from_utf8(bytes).unwrap()
}

#[test]
fn long_repeated_messages_are_compared_window_by_window() {
    for len in [127, 128, 129, 255, 256, 257, 301, 400, 1000] {
        let long = long_text(len);
        assert_eq!(long.len(), len);

        let e = message(long.clone(), long.clone());
        assert_eq!(Report::new(&e).to_string(), long, "same, len {len}");
        assert_eq!(
            format!("{:#}", Report::new(&e)),
            format!("{long} (internal, Echo::Message)"),
            "same, len {len}"
        );

        let wrapper = format!("context: {long}");
        let e = message(wrapper.clone(), long.clone());
        assert_eq!(Report::new(&e).to_string(), wrapper, "suffix, len {len}");

        let wrapper = format!("{}: {long}", long_text(300));
        let e = message(wrapper.clone(), long.clone());
        assert_eq!(
            Report::new(&e).to_string(),
            wrapper,
            "long prefix, len {len}"
        );
    }
}

#[test]
fn long_messages_that_differ_in_one_byte_are_both_shown() {
    for len in [129, 256, 301, 400, 1000] {
        let long = long_text(len);
        for at in [0, 1, 127, 128, 129, len / 2, len - 129, len - 2, len - 1] {
            if at >= len {
                continue;
            }
            let changed = with_byte_changed(&long, at);
            assert_ne!(changed, long);

            let e = message(changed.clone(), long.clone());
            assert_eq!(
                Report::new(&e).to_string(),
                format!("{changed}: {long}"),
                "same length, len {len}, byte {at}"
            );

            let wrapper = format!("context: {changed}");
            let e = message(wrapper.clone(), long.clone());
            assert_eq!(
                Report::new(&e).to_string(),
                format!("{wrapper}: {long}"),
                "suffix, len {len}, byte {at}"
            );
        }
    }
    // The only difference is the very last byte.
    let long = long_text(400);
    let mut last = long[..399].to_string();
    last.push(if long.ends_with('q') { 'r' } else { 'q' });
    let e = message(last.clone(), long.clone());
    assert_eq!(Report::new(&e).to_string(), format!("{last}: {long}"));
    assert_eq!(
        format!("{:#}", Report::new(&e)),
        format!("{last} (internal, Echo::Message)\n  caused by: {long}")
    );
}

#[test]
fn reports_around_the_length_of_the_line_are_whole() {
    // A report is gathered in a 512-byte line before it is written out: messages, separators
    // and `(class, code)` that end before, at and after that length, with the link that
    // follows them kept, dropped as a repeat, and followed by a third.
    for len in 480..=530 {
        let long = long_text(len);
        let e = message(long.clone(), "disk gone");
        assert_eq!(
            Report::new(&e).to_string(),
            format!("{long}: disk gone"),
            "len {len}"
        );
        assert_eq!(
            format!("{:#}", Report::new(&e)),
            format!("{long} (internal, Echo::Message)\n  caused by: disk gone"),
            "len {len}"
        );

        let wrapper = format!("{}: disk gone", long_text(len - 11));
        let e = message(wrapper.clone(), "disk gone");
        assert_eq!(Report::new(&e).to_string(), wrapper, "len {len}");
        assert_eq!(
            format!("{:#}", Report::new(&e)),
            format!("{wrapper} (internal, Echo::Message)"),
            "len {len}"
        );

        let e = Echo::Message {
            message: long.clone(),
            source: Plain::caused_by("disk gone", io::Error::from(io::ErrorKind::StorageFull)),
        };
        assert_eq!(
            Report::new(&e).to_string(),
            format!("{long}: disk gone: no storage space"),
            "len {len}"
        );
        assert_eq!(
            format!("{:#}", Report::new(&e)),
            format!(
                "{long} (internal, Echo::Message)\n  caused by: disk gone\n  \
                 caused by: no storage space (busy, std::io::ErrorKind::StorageFull)"
            ),
            "len {len}"
        );
    }
}

fn run(fail: bool) -> Result<u32, Report> {
    if fail {
        Err(three())?;
    }
    Ok(1)
}
/// The line of `run`'s `?`, where the boundary error in its report is made.
const RUN_LINE: u32 = line!() - 5;

fn run_boundary() -> Result<(), Report> {
    Err(error_core::Error::denied("no token"))?;
    Ok(())
}
/// The line of `run_boundary`'s `Error::denied`.
const RUN_BOUNDARY_LINE: u32 = line!() - 4;

#[test]
fn question_mark_converts_into_a_report_as_main_would_print_it() {
    assert_eq!(run(false).unwrap(), 1);
    let report = run(true).unwrap_err();
    // `fn main() -> Result<(), Report>` prints `Error: {:?}`.
    assert_eq!(
        format!("{report:?}"),
        alternate_made_at(&three(), RUN_LINE, 9)
    );
    assert_eq!(report.to_string(), Report::new(&three()).to_string());
    assert_eq!(report.get_ref().code(), "RpcError::CreateReplica");
    let inner: error_core::Error = report.into_inner();
    assert!(inner.downcast_ref::<RpcError>().is_some());

    let report = Report::from(four());
    let line = line!() - 1;
    assert_eq!(format!("{report:?}"), alternate_made_at(&four(), line, 18));

    let report = run_boundary().unwrap_err();
    assert_eq!(
        format!("{report:?}"),
        format!(
            "no token (denied, denied) at {}:{RUN_BOUNDARY_LINE}:9",
            file!()
        )
    );

    let report = Report::from(io::Error::from(io::ErrorKind::ConnectionRefused));
    let line = line!() - 1;
    assert_eq!(
        format!("{report:?}"),
        format!(
            "connection refused (transient, std::io::ErrorKind::ConnectionRefused) at {}:{line}:18",
            file!()
        )
    );
}

/// A `fmt::Write` sink into a fixed buffer: it never allocates.
struct Fixed {
    buf: [u8; 8192],
    len: usize,
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

impl Fixed {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap()
    }
}

#[test]
fn the_counting_allocator_counts() {
    let (count, s) = allocations(|| String::with_capacity(16));
    assert_eq!(count, 1);
    drop(s);
    let (count, ()) = allocations(|| {
        let mut v: Vec<u8> = Vec::with_capacity(1);
        v.extend_from_slice(&[1, 2, 3]);
        drop(v);
    });
    assert_eq!(count, 2);
    let (count, ()) = allocations(|| ());
    assert_eq!(count, 0);
}

#[test]
fn formatting_a_report_allocates_nothing() {
    let long = long_text(400);
    let errors: Vec<Box<dyn ClassifiedError>> = vec![
        Box::new(four()),
        Box::new(Mixed::Sync {
            source: Plain::caused_by(
                "fsync returned eio",
                io::Error::from(io::ErrorKind::TimedOut),
            ),
        }),
        Box::new(Mixed::Read {
            source: io::Error::other("disk gone"),
            path: "/wal".into(),
        }),
        Box::new(Mixed::Boxed {
            source: Box::new(error_core::Error::from(two())),
        }),
        Box::new(error_core::Error::from(three())),
        Box::new(
            error_core::Error::internal("shutdown failed")
                .with_source(io::Error::from(io::ErrorKind::BrokenPipe)),
        ),
        Box::new(message(long.clone(), long.clone())),
        Box::new(message(format!("context: {long}"), long.clone())),
        Box::new(message(with_byte_changed(&long, 399), long.clone())),
        Box::new(Echo::Suffixed {
            source: Plain::new("disk gone"),
        }),
    ];
    for error in &errors {
        let expected_plain = Report::new(&**error).to_string();
        let expected_alternate = format!("{:#}", Report::new(&**error));

        let mut out = String::with_capacity(16 * 1024);
        let mut fixed = Fixed {
            buf: [0; 8192],
            len: 0,
        };
        let report = Report::new(&**error);
        let (count, ()) = allocations(|| {
            write!(out, "{report}").unwrap();
            out.push('|');
            write!(out, "{report:#}").unwrap();
            out.push('|');
            write!(out, "{report:?}").unwrap();
            write!(fixed, "{report:#}").unwrap();
        });
        assert_eq!(count, 0, "allocations while formatting {expected_plain:?}");
        assert_eq!(
            out,
            format!("{expected_plain}|{expected_alternate}|{expected_alternate}")
        );
        assert_eq!(fixed.as_str(), expected_alternate);
    }

    // A `Report` that owns a boundary error allocates nothing to format either.
    let report = Report::from(four());
    let line = line!() - 1;
    let mut out = String::with_capacity(4096);
    let (count, ()) = allocations(|| write!(out, "{report:#}").unwrap());
    assert_eq!(count, 0);
    assert_eq!(out, alternate_made_at(&four(), line, 18));

    // Nor to make one from a reference.
    let err = four();
    let (count, report) = allocations(|| Report::new(&err));
    assert_eq!(count, 0);
    assert_eq!(report.get_ref().code(), "ApiError::Request");
}
