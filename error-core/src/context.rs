//! Context selectors: adding a layer's context to an error from below, snafu style.
//!
//! An error that starts in a storage layer reaches an RPC handler through several layers, and
//! each layer adds its own context ("failed to create replica" and the replica's uuid)
//! without repeating the cause. For every variant of a type that says `#[class(context)]`,
//! `#[derive(ClassifiedError)]` generates a *context selector*, a struct named
//! `{Variant}Ctx` holding the variant's fields other than the source, each of any type that
//! converts `Into` the field's type. [`ResultExt::context`] then wraps an error from below
//! into the variant:
//!
//! ```
//! use error_core::{ClassifiedError, ResultExt};
//!
//! #[derive(Debug, ClassifiedError)]
//! #[class(invalid)]
//! #[error("replica already exists")]
//! struct ReplicaExists;
//!
//! #[derive(Debug, ClassifiedError)]
//! #[class(context)]
//! enum RpcError {
//!     #[error("failed to create replica")]
//!     #[class(source)]
//!     CreateReplica { source: ReplicaExists, uuid: String },
//! }
//!
//! fn create(uuid: &str) -> Result<(), RpcError> {
//!     Err::<(), _>(ReplicaExists).context(CreateReplicaCtx { uuid })
//! }
//! assert_eq!(create("dbe4d7eb").unwrap_err().to_string(), "failed to create replica. uuid=`dbe4d7eb`");
//! ```
//!
//! A variant without a source (a *leaf*) gets a selector too: [`OptionExt::context`] turns a
//! `None` into that error, and the selector's own `build()` and `fail()` make the error and
//! an `Err` of it.
//!
//! # Why selectors are asked for, not generated for every type
//!
//! snafu generates a selector for every variant; thiserror generates none. Selectors are
//! opt-in here, for three reasons. A crate switched from thiserror has no use for them and
//! should not pay for them: each is a generic struct and a trait impl, which rustc
//! type-checks whether or not anything names it, and on a crate of many error enums they
//! were most of the derive's compile time. Two enums in one module commonly share a variant
//! name (`Io`, `Timeout`), and their selectors, which live beside the enum with its
//! visibility, would collide; a type that asks for selectors has decided where they go. And
//! a name that appears in a module because of an attribute two screens away is the kind of
//! surprise an opt-in makes explicit.
//!
//! `#[class(context)]` on the enum (or the struct) puts the selectors beside it; two enums
//! in one module that both ask for them and share a variant name are a compile error at the
//! two variants, whose advice is snafu's: one error enum per module. Otherwise
//! `#[class(context = module)]` puts the type's selectors in a module named after it
//! (`propose_error::NotLeaderCtx`). `#[class(context = none)]`, the default, generates none.

/// A context selector: turns a source error into the error `E`.
///
/// The derive implements it for every `{Variant}Ctx` it generates; the only impl of
/// `IntoError<_>` for a selector lets type inference find `E` from the selector alone.
pub trait IntoError<E>: Sized {
    /// What the selector wraps: the variant's source type, or [`NoSource`] for a leaf.
    type Source;

    /// Builds the error from this context and the source. It is `#[track_caller]`, so that
    /// a [`Location`](crate::Location) field of the error names the line that called
    /// `.context(..)`, `.build()` or `.fail()`.
    #[track_caller]
    fn into_error(self, source: Self::Source) -> E;
}

/// The [`IntoError::Source`] of a leaf variant's selector: there is no source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoSource;

/// `.context(selector)` and `.with_context(|| selector)` on a `Result`.
pub trait ResultExt<T, S>: Sized {
    /// Wraps the error, if any, into the selector's variant.
    ///
    /// # Errors
    ///
    /// The error of `self`, wrapped.
    fn context<C, E>(self, context: C) -> Result<T, E>
    where
        C: IntoError<E>,
        S: Into<C::Source>;

    /// Like [`context`](ResultExt::context), building the selector only on error.
    ///
    /// # Errors
    ///
    /// The error of `self`, wrapped.
    fn with_context<F, C, E>(self, context: F) -> Result<T, E>
    where
        F: FnOnce() -> C,
        C: IntoError<E>,
        S: Into<C::Source>;
}

// A `match`, not `map_err` with a closure: a closure cannot be `#[track_caller]`, and the
// location would be this file's.
impl<T, S> ResultExt<T, S> for Result<T, S> {
    #[inline]
    #[track_caller]
    fn context<C, E>(self, context: C) -> Result<T, E>
    where
        C: IntoError<E>,
        S: Into<C::Source>,
    {
        match self {
            Ok(value) => Ok(value),
            Err(source) => Err(context.into_error(source.into())),
        }
    }

    #[inline]
    #[track_caller]
    fn with_context<F, C, E>(self, context: F) -> Result<T, E>
    where
        F: FnOnce() -> C,
        C: IntoError<E>,
        S: Into<C::Source>,
    {
        match self {
            Ok(value) => Ok(value),
            Err(source) => Err(context().into_error(source.into())),
        }
    }
}

/// `.context(selector)` on an `Option`: `None` becomes a leaf variant's error.
///
/// ```
/// use error_core::{ClassifiedError, OptionExt};
///
/// #[derive(Debug, ClassifiedError)]
/// #[class(context)]
/// enum LookupError {
///     #[error("pool not found")]
///     #[class(invalid)]
///     PoolNotFound { pool: String },
/// }
///
/// let pools = ["p1"];
/// let found = pools.iter().find(|p| **p == "p2").context(PoolNotFoundCtx { pool: "p2" });
/// assert_eq!(found.unwrap_err().to_string(), "pool not found. pool=`p2`");
/// ```
pub trait OptionExt<T>: Sized {
    /// `Some(t)` stays `Ok(t)`; `None` becomes `Err` of the selector's error.
    ///
    /// # Errors
    ///
    /// The selector's error, when `self` is `None`.
    fn context<C, E>(self, context: C) -> Result<T, E>
    where
        C: IntoError<E, Source = NoSource>;
}

impl<T> OptionExt<T> for Option<T> {
    #[inline]
    #[track_caller]
    fn context<C, E>(self, context: C) -> Result<T, E>
    where
        C: IntoError<E, Source = NoSource>,
    {
        match self {
            Some(value) => Ok(value),
            None => Err(context.into_error(NoSource)),
        }
    }
}
