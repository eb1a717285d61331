//! An error accumulator in the style of `serde_derive`'s `Ctxt`.
//!
//! Parsing and validation record every mistake they find and carry on, so that one compile
//! shows all the errors of an item instead of one per edit-compile cycle.

use std::cell::Cell;
use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

/// Collects the errors of one derive invocation. [`Ctxt::check`] must be called before it
/// is dropped; forgetting to is a bug in this crate, which debug builds report on drop.
pub(crate) struct Ctxt {
    errors: Cell<Vec<syn::Error>>,
    checked: bool,
}

impl Ctxt {
    pub(crate) fn new() -> Self {
        Ctxt {
            errors: Cell::new(Vec::new()),
            checked: false,
        }
    }

    /// Records an error spanning `tokens`.
    pub(crate) fn error_spanned_by(&self, tokens: impl ToTokens, message: impl Display) {
        self.syn_error(syn::Error::new_spanned(tokens.into_token_stream(), message));
    }

    /// Records an error at `span`.
    pub(crate) fn error_at(&self, span: Span, message: impl Display) {
        self.syn_error(syn::Error::new(span, message));
    }

    /// Records an error that syn produced.
    pub(crate) fn syn_error(&self, error: syn::Error) {
        let mut errors = self.errors.take();
        errors.push(error);
        self.errors.set(errors);
    }

    /// How many errors have been recorded so far.
    pub(crate) fn error_count(&self) -> usize {
        let errors = self.errors.take();
        let count = errors.len();
        self.errors.set(errors);
        count
    }

    /// Consumes the accumulator: all recorded errors combined into one, or `Ok`.
    pub(crate) fn check(mut self) -> syn::Result<()> {
        self.checked = true;
        let mut errors = self.errors.take().into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            combined.combine(error);
        }
        Err(combined)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        debug_assert!(
            self.checked || std::thread::panicking(),
            "error-derive bug: Ctxt dropped without check()"
        );
    }
}
