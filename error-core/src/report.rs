//! [`Report`]: the whole chain of an error, for people.
//!
//! `Display` of an error shows one link; the cause is in `source()`. A `Report` walks the
//! chain and renders it:
//!
//! - `{}`: one line, the messages joined by `": "`:
//!   ``failed to create replica. uuid=`dbe4d7eb`: replica already exists``;
//! - `{:#}`: one line per link, each classified link with its class and code, and where
//!   it was made or given its context when it has a [`Location`](crate::Location):
//!
//!   ```text
//!   failed to create replica. uuid=`dbe4d7eb` (invalid, RpcError::CreateReplica) at src/rpc.rs:41:10
//!     caused by: replica already exists (invalid, ReplicaError::ReplicaExists) at src/store.rs:88:20
//!   ```
//! - `Debug`: the `{:#}` form, so that `fn main() -> Result<(), Report>` prints the chain.
//!
//! A link whose message repeats the message before it (a wrapper that shows its source's
//! text, or ends with `": "` and it) is shown once. A link is known to be classified when its
//! parent says so ([`ClassifiedError::classified_source`]) or when its type is one that
//! [`find_classified`](crate::find_classified) recognises.
//!
//! A `Report` captures nothing and allocates nothing: it holds the error, and comparing two
//! messages formats them into fixed windows on the stack.

use core::error::Error as StdError;
use core::fmt::{self, Write as _};

use crate::ClassifiedError;

macro_rules! report {
    ($($default:ty)?) => {
        /// Renders an error's whole chain; see the [module documentation](self).
        ///
        /// ```
        /// use error_core::{ClassifiedError, Report};
        ///
        /// #[derive(Debug, ClassifiedError)]
        /// #[class(invalid)]
        /// #[error("replica already exists")]
        /// struct ReplicaExists;
        ///
        /// #[derive(Debug, ClassifiedError)]
        /// #[class(source)]
        /// #[error("failed to create replica")]
        /// struct CreateReplica { source: ReplicaExists, uuid: String }
        ///
        /// let err = CreateReplica { source: ReplicaExists, uuid: "dbe4d7eb".into() };
        /// assert_eq!(
        ///     Report::new(&err).to_string(),
        ///     "failed to create replica. uuid=`dbe4d7eb`: replica already exists",
        /// );
        /// assert_eq!(
        ///     format!("{:#}", Report::new(&err)),
        ///     "failed to create replica. uuid=`dbe4d7eb` (invalid, CreateReplica)\n  caused by: replica already exists (invalid, ReplicaExists)",
        /// );
        /// ```
        pub struct Report<E $(= $default)?> {
            error: E,
        }
    };
}

#[cfg(feature = "alloc")]
report!(crate::Error);
#[cfg(not(feature = "alloc"))]
report!();

impl<E: ClassifiedError> Report<E> {
    /// A report of `error`'s chain. Pass `&err` to report a borrowed error.
    pub fn new(error: E) -> Self {
        Report { error }
    }

    /// The reported error.
    pub fn into_inner(self) -> E {
        self.error
    }

    /// The reported error, borrowed.
    pub fn get_ref(&self) -> &E {
        &self.error
    }
}

#[cfg(feature = "alloc")]
impl<E> From<E> for Report<crate::Error>
where
    E: crate::Boundary + Send + Sync + 'static,
{
    #[track_caller]
    fn from(error: E) -> Self {
        Report::new(crate::Error::from(error))
    }
}

#[cfg(feature = "alloc")]
impl From<crate::Error> for Report<crate::Error> {
    fn from(error: crate::Error) -> Self {
        Report::new(error)
    }
}

/// One link of a chain.
#[derive(Clone, Copy)]
enum Link<'a> {
    Classified(&'a (dyn ClassifiedError + 'a)),
    Plain(&'a (dyn StdError + 'static)),
}

impl<'a> Link<'a> {
    fn from_source(source: &'a (dyn StdError + 'static)) -> Self {
        match crate::foreign::as_classified(source) {
            Some(classified) => Link::Classified(classified),
            None => Link::Plain(source),
        }
    }

    fn next(self) -> Option<Link<'a>> {
        match self {
            Link::Classified(error) => match error.classified_source() {
                Some(source) => Some(Link::Classified(source)),
                None => error.source().map(Link::from_source),
            },
            Link::Plain(error) => error.source().map(Link::from_source),
        }
    }

    fn message(self) -> &'a dyn fmt::Display {
        match self {
            Link::Classified(error) => error,
            Link::Plain(error) => error,
        }
    }

    /// `" (class, code)"` for a classified link.
    /// ` (class, code)`, then ` at file:line:column` when the link has a location.
    fn write_class(self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Link::Classified(error) => {
                write!(f, " ({}, {})", error.class(), error.code())?;
                match error.location() {
                    Some(location) => write!(f, " at {location}"),
                    None => Ok(()),
                }
            }
            Link::Plain(_) => Ok(()),
        }
    }
}

impl<E: ClassifiedError> fmt::Display for Report<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = Link::Classified(&self.error);
        write!(f, "{}", first.message())?;
        if f.alternate() {
            first.write_class(f)?;
        }
        let mut previous = first;
        let mut link = first.next();
        while let Some(current) = link {
            if !repeats(previous.message(), current.message()) {
                if f.alternate() {
                    write!(f, "\n  caused by: {}", current.message())?;
                    current.write_class(f)?;
                } else {
                    write!(f, ": {}", current.message())?;
                }
            }
            previous = current;
            link = current.next();
        }
        Ok(())
    }
}

impl<E: ClassifiedError> fmt::Debug for Report<E> {
    /// The `{:#}` form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:#}")
    }
}

/// Whether `message` only repeats `previous`: the same text, or `previous` ends with
/// `": "` and it.
fn repeats(previous: &dyn fmt::Display, message: &dyn fmt::Display) -> bool {
    let (Some(long), Some(short)) = (text_len(previous), text_len(message)) else {
        return false;
    };
    if short == 0 || short > long {
        return false;
    }
    if !suffix_equal(previous, long, message, short) {
        return false;
    }
    if long == short {
        return true;
    }
    long >= short + 2 && window_equals(previous, long - short - 2, b": ")
}

/// The length of `text`'s rendering in bytes, or `None` if rendering it fails.
fn text_len(text: &dyn fmt::Display) -> Option<usize> {
    struct Count(usize);
    impl fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut count = Count(0);
    write!(count, "{text}").ok()?;
    Some(count.0)
}

const WINDOW: usize = 128;

/// Captures the bytes `[skip, skip + buf.len())` of a rendering.
struct Window<'b> {
    skip: usize,
    seen: usize,
    buf: &'b mut [u8],
    len: usize,
}

impl fmt::Write for Window<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &byte in s.as_bytes() {
            if self.seen >= self.skip && self.len < self.buf.len() {
                self.buf[self.len] = byte;
                self.len += 1;
            }
            self.seen += 1;
        }
        Ok(())
    }
}

/// The bytes of `text`'s rendering from `skip`, as many as fit in `buf`.
fn capture<'b>(text: &dyn fmt::Display, skip: usize, buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let mut window = Window {
        skip,
        seen: 0,
        buf,
        len: 0,
    };
    write!(window, "{text}").ok()?;
    let len = window.len;
    Some(&buf[..len])
}

fn window_equals(text: &dyn fmt::Display, at: usize, expected: &[u8]) -> bool {
    let mut buf = [0u8; WINDOW];
    let len = expected.len().min(WINDOW);
    capture(text, at, &mut buf[..len]) == Some(expected)
}

/// Whether the last `short` bytes of `long_text` (of `long` bytes) equal `short_text`,
/// compared window by window without allocating.
fn suffix_equal(
    long_text: &dyn fmt::Display,
    long: usize,
    short_text: &dyn fmt::Display,
    short: usize,
) -> bool {
    let offset = long - short;
    let mut start = 0;
    while start < short {
        let mut a = [0u8; WINDOW];
        let mut b = [0u8; WINDOW];
        let (Some(a), Some(b)) = (
            capture(long_text, offset + start, &mut a),
            capture(short_text, start, &mut b),
        ) else {
            return false;
        };
        if a != b {
            return false;
        }
        start += WINDOW;
    }
    true
}
