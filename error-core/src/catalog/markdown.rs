//! The catalog as a Markdown table: [`markdown`].

use core::fmt::{self, Write as _};

use super::{ClassRule, Entries, Entry, EntryName};

/// The Markdown table of one or more types' catalogs: one row per entry, the types in the
/// order given, each type's entries in declaration order.
///
/// It is a [`Display`](fmt::Display) adapter: it writes straight to the formatter and
/// allocates nothing, so `write!(out, "{}", markdown(..))` fills any [`fmt::Write`], with or
/// without `alloc`, and `.to_string()` makes a `String`.
///
/// ```
/// use error_core::{Catalog, ClassifiedError};
/// use error_core::catalog::markdown;
///
/// #[derive(Debug, ClassifiedError)]
/// #[class(transient)]
/// enum ReadError {
///     #[error("no leader")]
///     NoLeader,
///     #[error("key not found")]
///     #[class(invalid, status = not_found, code = "read.not_found")]
///     NotFound {
///         key: String,
///         #[kv(redact)]
///         tenant: error_core::Secret<String>,
///     },
/// }
///
/// #[derive(Debug, ClassifiedError)]
/// #[class(busy, retry_after_ms = 50)]
/// #[error("too many reads in flight")]
/// struct Overloaded {
///     in_flight: usize,
/// }
///
/// assert_eq!(
///     markdown(&[ReadError::ENTRIES, Overloaded::ENTRIES]).to_string(),
///     "\
/// | error | code | class | status | level | retry | message | fields |
/// |---|---|---|---|---|---|---|---|
/// | `ReadError::NoLeader` | `ReadError::NoLeader` | transient | unavailable | warn |  | `no leader` |  |
/// | `ReadError::NotFound` | `read.not_found` | invalid | not_found | info |  | `key not found` | `key`, `tenant` (redacted) |
/// | `Overloaded` | `Overloaded` | busy | resource_exhausted | warn | 50ms | `too many reads in flight` | `in_flight` |
/// "
/// );
/// ```
///
/// # The format
///
/// A GitHub-flavoured Markdown table: a header row, a delimiter row `|---|…`, then one row
/// per entry; every row, the last too, ends with `\n`, and a cell is written `| text `, so
/// that an empty cell is `|  |`. The columns:
///
/// | column | what it holds |
/// |---|---|
/// | error | the type's name (its last path segment) and the variant's, `` `ProposeError::NotLeader` ``, or a struct's name alone |
/// | code | the [code](Entry::code), in a code span |
/// | class | the class ([`Class::as_str`](crate::Class::as_str)) when it is fixed; else how it is decided: `source` (`#[class(source)]`), `transparent` (`#[error(transparent)]`), `transparent, else KIND` (one that falls back to the enum's default class), `function` (`#[class(with = ..)]`) |
/// | status | the [status every instance has](Entry::fixed_status), as [`Status::as_str`](crate::Status::as_str) spells it: the variant's own, else the fixed class's; when it depends on the instance, the class column's word (`source`, `transparent`, `function`), since it follows the class |
/// | level | the [level every instance has](Entry::fixed_level), [`Level::as_str`](crate::Level::as_str), the same way |
/// | retry | the constant hint (`retry_after_ms = ..`) as [`Duration`](core::time::Duration)'s `Debug` writes it (`50ms`, `1s`); empty when there is none, or when a `#[retry_after]` field gives it per instance (the field is in the fields column) |
/// | message | the [message template](Entry::message), placeholders as written (`` `login refused for {user}` ``), in a code span; empty for a transparent variant or a hand-written `Display` |
/// | fields | the [structured fields](Entry::fields), each in a code span, `` `key` `` or `` `path` (redacted) ``, separated by `, ` |
///
/// Text from the source (codes and messages) is escaped so that the table holds: a `|`
/// becomes `\|` (which GitHub's tables read as `|`, code spans included), a line break
/// becomes a space (as in any code span), and a code span that holds backticks is fenced
/// with one more backtick than its longest run, padded with a space when needed.
#[must_use]
pub fn markdown(catalogs: &[Entries]) -> Markdown<'_> {
    Markdown { catalogs }
}

/// The Markdown table of one or more types' catalogs: made by [`markdown`], which
/// documents the format.
#[derive(Clone, Copy, Debug)]
pub struct Markdown<'a> {
    catalogs: &'a [Entries],
}

impl fmt::Display for Markdown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("| error | code | class | status | level | retry | message | fields |\n")?;
        f.write_str("|---|---|---|---|---|---|---|---|\n")?;
        for entries in self.catalogs {
            for entry in entries {
                row(f, entry)?;
            }
        }
        Ok(())
    }
}

fn row(f: &mut fmt::Formatter<'_>, entry: Entry) -> fmt::Result {
    let rule = entry.class();
    write!(
        f,
        "| `{}` | ",
        EntryName {
            entry,
            full_path: false
        }
    )?;
    code_span(f, entry.code())?;
    f.write_str(" | ")?;
    match rule {
        ClassRule::Fixed(class) => f.write_str(class.as_str())?,
        ClassRule::Transparent(Some(class)) => write!(f, "transparent, else {class}")?,
        _ => f.write_str(rule_word(rule))?,
    }
    f.write_str(" | ")?;
    match entry.fixed_status() {
        Some(status) => f.write_str(status.as_str())?,
        None => f.write_str(rule_word(rule))?,
    }
    f.write_str(" | ")?;
    match entry.fixed_level() {
        Some(level) => f.write_str(level.as_str())?,
        None => f.write_str(rule_word(rule))?,
    }
    f.write_str(" | ")?;
    if let Some(after) = entry.retry_after() {
        write!(f, "{after:?}")?;
    }
    f.write_str(" | ")?;
    code_span(f, entry.message())?;
    f.write_str(" | ")?;
    for (i, field) in entry.fields().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        code_span(f, field.name())?;
        if field.is_redacted() {
            f.write_str(" (redacted)")?;
        }
    }
    f.write_str(" |\n")
}

/// What decides a class that is not fixed, in the words of `#[class(..)]`.
fn rule_word(rule: ClassRule) -> &'static str {
    match rule {
        ClassRule::Source => "source",
        ClassRule::Transparent(_) => "transparent",
        ClassRule::Function => "function",
        // Not reached: a fixed class is written as its name.
        ClassRule::Fixed(class) => class.as_str(),
    }
}

/// A line break reads as a space in a code span; a table row has to stay on one line.
fn one_line(c: char) -> char {
    if c == '\n' || c == '\r' { ' ' } else { c }
}

/// `text` as a Markdown code span inside a table cell; nothing for an empty text.
fn code_span(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    let (Some(first), Some(last)) = (text.chars().next(), text.chars().next_back()) else {
        return Ok(());
    };
    let (first, last) = (one_line(first), one_line(last));
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    // A span that starts or ends with a backtick needs a space between it and the fence,
    // and one that starts and ends with a space would lose those spaces without another.
    let pad = first == '`' || last == '`' || (first == ' ' && last == ' ');
    let fence = |f: &mut fmt::Formatter<'_>| (0..=longest).try_for_each(|_| f.write_char('`'));
    fence(f)?;
    if pad {
        f.write_char(' ')?;
    }
    for c in text.chars() {
        match one_line(c) {
            '|' => f.write_str("\\|")?,
            c => f.write_char(c)?,
        }
    }
    if pad {
        f.write_char(' ')?;
    }
    fence(f)
}
