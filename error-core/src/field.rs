//! Structured fields: the key/value pairs of an error, for telemetry.
//!
//! An error's message carries its variables as ``key=`value` `` text, which a person reads.
//! A trace or a metric wants the same pairs as attributes. [`ClassifiedError::visit_fields`]
//! hands them to a [`Visit`]or one by one, borrowed, without formatting or allocating
//! anything: the visitor decides what to render. Redacted fields ([`Secret`](crate::Secret)s)
//! arrive as [`Value::Redacted`], so their value cannot leak through this path either.
//!
//! [`ClassifiedError::visit_fields`]: crate::ClassifiedError::visit_fields

use core::fmt;

/// The value of one structured field, borrowed from the error.
///
/// `Display` writes it as the error's message does: `Display` values with `Display`, `Debug`
/// values with `Debug`, and `Redacted` as `<redacted>`.
///
/// ```
/// use error_core::Value;
///
/// assert_eq!(Value::Display(&12).to_string(), "12");
/// assert_eq!(Value::Debug(&"a").to_string(), "\"a\"");
/// assert_eq!(Value::Redacted.to_string(), "<redacted>");
/// ```
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum Value<'a> {
    /// A field shown with its `Display` implementation.
    Display(&'a dyn fmt::Display),
    /// A field shown with its `Debug` implementation (`#[kv(debug)]`, or a field that the
    /// message formats with `{:?}`).
    Debug(&'a dyn fmt::Debug),
    /// A redacted field (a [`Secret`](crate::Secret), with or without `#[kv(redact)]`): its
    /// value is never shown.
    Redacted,
}

/// What a redacted value shows in messages, field visitors and telemetry.
pub const REDACTED: &str = "<redacted>";

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Display(value) => fmt::Display::fmt(value, f),
            Value::Debug(value) => fmt::Debug::fmt(value, f),
            Value::Redacted => f.write_str(REDACTED),
        }
    }
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Display(value) => write!(f, "Display({value})"),
            Value::Debug(value) => write!(f, "Debug({value:?})"),
            Value::Redacted => f.write_str("Redacted"),
        }
    }
}

/// Receives an error's structured fields from [`ClassifiedError::visit_fields`].
///
/// Implemented for every `FnMut(&'static str, Value<'_>)` closure.
///
/// ```
/// use error_core::{Class, ClassifiedError, Secret, Value};
///
/// #[derive(Debug, ClassifiedError)]
/// #[class(busy)]
/// #[error("too many pending proposals")]
/// struct Busy {
///     pending: usize,
///     #[kv(redact)]
///     tenant: Secret<String>,
/// }
///
/// let err = Busy { pending: 12, tenant: "acme".into() };
/// let mut seen = Vec::new();
/// err.visit_fields(&mut |key: &'static str, value: Value<'_>| {
///     seen.push(format!("{key}={value}"));
/// });
/// assert_eq!(seen, ["pending=12", "tenant=<redacted>"]);
/// ```
///
/// [`ClassifiedError::visit_fields`]: crate::ClassifiedError::visit_fields
pub trait Visit {
    /// Called once per field, in declaration order. Tuple fields use their index (`"0"`)
    /// as the key.
    fn visit(&mut self, key: &'static str, value: Value<'_>);
}

impl<F> Visit for F
where
    F: FnMut(&'static str, Value<'_>),
{
    fn visit(&mut self, key: &'static str, value: Value<'_>) {
        self(key, value);
    }
}
