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
//! A `Report` captures nothing and allocates nothing: it holds the error. Writing it renders
//! each message once, into a 512-byte line on the stack, where it is compared with the
//! message before it; the line then reaches the formatter in one write (a `to_string()` is
//! one allocation of the right size). Past 512 bytes, the line is written out as it fills,
//! and a message that does not fit is rendered again where it is needed and compared window
//! by window.

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

    /// What the `{:#}` form adds to a classified link.
    fn suffix(self) -> Option<Suffix<'a>> {
        match self {
            Link::Classified(error) => Some(Suffix(error)),
            Link::Plain(_) => None,
        }
    }
}

/// ` (class, code)`, then ` at file:line:column` when the link has a location.
struct Suffix<'a>(&'a (dyn ClassifiedError + 'a));

impl fmt::Display for Suffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, " ({}, {})", self.0.class(), self.0.code())?;
        match self.0.location() {
            Some(location) => write!(f, " at {location}"),
            None => Ok(()),
        }
    }
}

impl<E: ClassifiedError> fmt::Display for Report<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        render(Link::Classified(&self.error), f)
    }
}

/// The chain from `first`, as [`Report`] shows it. Not generic, so that it is compiled once.
///
/// The report is gathered in a [`Line`] on the stack and reaches `f` in one write (into a
/// `String`, one allocation of the right size), or in a few when it is longer than the line.
/// Each message is rendered once, into the line, where it is compared with the message
/// before it, and taken out again when it only repeats that one. A message that does not fit
/// in what is left of the line is written to `f` directly, and compared by rendering the
/// two messages again, window by window.
fn render(first: Link<'_>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let alternate = f.alternate();
    let mut out = Line::new();
    let mut previous = None;
    let mut link = Some(first);
    while let Some(current) = link {
        previous = Some(out.link(current, previous, alternate, f)?);
        link = current.next();
    }
    out.flush(f)
}

/// How many bytes of a report are gathered before they are written out: a chain's whole
/// line, usually, messages and their ``key=`value` `` pairs included.
const LINE: usize = 512;

/// The part of a report not yet written out.
struct Line {
    buf: [u8; LINE],
    /// The length of what was written into the line: past `LINE` once a write did not fit,
    /// and then no later write fits either.
    len: usize,
    /// How many bytes were written out before `buf[0]`.
    flushed: usize,
}

/// A link's message, rendered: where it starts in the report (counted as `Line::flushed`
/// is), if it is still in the line, and its length.
#[derive(Clone, Copy)]
struct Shown<'a> {
    link: Link<'a>,
    at: Option<usize>,
    len: usize,
}

impl Line {
    fn new() -> Self {
        Line {
            buf: [0; LINE],
            len: 0,
            flushed: 0,
        }
    }

    fn fits(&self) -> bool {
        self.len <= LINE
    }

    /// Writes the line out, and empties it.
    fn flush(&mut self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Whole `&str`s were copied in and cut only where one ended, so this never fails.
        let text = self
            .buf
            .get(..self.len)
            .and_then(|bytes| core::str::from_utf8(bytes).ok())
            .ok_or(fmt::Error)?;
        if !text.is_empty() {
            f.write_str(text)?;
        }
        self.flushed += self.len;
        self.len = 0;
        Ok(())
    }

    /// Adds `args` to the line; when they do not fit, writes the line out and them after it.
    fn put(&mut self, f: &mut fmt::Formatter<'_>, args: fmt::Arguments<'_>) -> fmt::Result {
        let mark = self.len;
        self.write_fmt(args)?;
        if !self.fits() {
            self.len = mark;
            self.flush(f)?;
            f.write_fmt(args)?;
        }
        Ok(())
    }

    /// The bytes of `shown`'s message, if they are still in the line.
    fn text(&self, shown: Shown<'_>) -> Option<&[u8]> {
        let start = shown.at?.checked_sub(self.flushed)?;
        self.buf.get(start..start + shown.len)
    }

    /// Adds `link`, which follows `previous`: the separator, its message and, in the `{:#}`
    /// form, its class, code and location, unless its message only repeats `previous`'s.
    fn link<'a>(
        &mut self,
        link: Link<'a>,
        previous: Option<Shown<'_>>,
        alternate: bool,
        f: &mut fmt::Formatter<'_>,
    ) -> Result<Shown<'a>, fmt::Error> {
        let separator = if alternate { "\n  caused by: " } else { ": " };
        let mark = self.len;
        if previous.is_some() {
            self.write_str(separator)?;
        }
        let start = self.len;
        write!(self, "{}", link.message())?;
        let len = self.len - start;
        if self.fits() {
            let shown = Shown {
                link,
                at: Some(self.flushed + start),
                len,
            };
            let Some(previous) = previous.filter(|previous| self.repeats(*previous, shown)) else {
                if let Some(suffix) = alternate.then(|| link.suffix()).flatten() {
                    self.put(f, format_args!("{suffix}"))?;
                }
                return Ok(shown);
            };
            // Repeated: taken out again. Its text is the end of `previous`'s.
            self.len = mark;
            return Ok(Shown {
                link,
                at: previous.at.map(|at| at + previous.len - len),
                len,
            });
        }

        // Too long for what is left of the line.
        self.len = mark;
        self.flush(f)?;
        let shown = Shown {
            link,
            at: None,
            len,
        };
        if !previous.is_some_and(|previous| self.repeats(previous, shown)) {
            if previous.is_some() {
                f.write_str(separator)?;
            }
            write!(f, "{}", link.message())?;
            if let Some(suffix) = alternate.then(|| link.suffix()).flatten() {
                write!(f, "{suffix}")?;
            }
        }
        Ok(shown)
    }

    /// Whether `current`'s message only repeats `previous`'s: the same text, or `previous`
    /// ends with `": "` and it. Compared in the line when both are there, else by rendering
    /// them again, window by window.
    fn repeats(&self, previous: Shown<'_>, current: Shown<'_>) -> bool {
        let (long, short) = (previous.len, current.len);
        if short == 0 || short > long {
            return false;
        }
        if let (Some(long_text), Some(short_text)) = (self.text(previous), self.text(current)) {
            // From the end: two messages that differ usually differ there first (the
            // ``key=`value` `` pairs).
            let same_end = long_text
                .iter()
                .rev()
                .zip(short_text.iter().rev())
                .all(|(a, b)| a == b);
            return same_end && (long == short || long_text[..long - short].ends_with(b": "));
        }
        let (previous, current) = (previous.link.message(), current.link.message());
        if !suffix_equal(previous, long, current, short) {
            return false;
        }
        if long == short {
            return true;
        }
        long >= short + 2 && window_equals(previous, long - short - 2, b": ")
    }
}

impl fmt::Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if let Some(slot) = self.buf.get_mut(self.len..end) {
            slot.copy_from_slice(s.as_bytes());
        }
        self.len = end;
        Ok(())
    }
}

impl<E: ClassifiedError> fmt::Debug for Report<E> {
    /// The `{:#}` form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:#}")
    }
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
