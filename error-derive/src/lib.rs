//! `#[derive(ClassifiedError)]`. Use it through `error_core::ClassifiedError`, whose
//! documentation is the derive's full reference; this crate has no API of its own.
//!
//! The derive works in three steps, as thiserror's and serde's do: `ast` and `attr` parse
//! the input into a typed model that borrows from syn, recording every bad attribute in a
//! `Ctxt`; `valid` checks the rules that span several attributes; `expand` generates code
//! and cannot fail. Any error at all yields `fallback`'s expansion instead: the errors, all
//! of them, and minimal impls so that no cascade of follow-on errors hides them.

mod ast;
mod attr;
mod context;
mod ctxt;
mod expand;
mod fallback;
mod fmt;
mod prop;
mod valid;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `Display`, `Error`, `From` (for `#[from]` fields) and
/// `error_core::ClassifiedError`. See `error_core::ClassifiedError` for the reference.
#[proc_macro_derive(
    ClassifiedError,
    attributes(error, class, kv, source, from, backtrace, retry_after)
)]
pub fn derive_classified_error(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    derive(&input).into()
}

fn derive(input: &DeriveInput) -> proc_macro2::TokenStream {
    let cx = ctxt::Ctxt::new();
    let parsed = ast::Input::from_syn(&cx, input);
    if let Some(parsed) = &parsed {
        valid::check(&cx, parsed);
    }
    match (cx.check(), parsed) {
        (Ok(()), Some(parsed)) => expand::expand(&parsed),
        (Err(error), parsed) => fallback::expand(input, parsed.as_ref(), &error),
        // `from_syn` returns `None` only after recording an error, so this arm is never
        // taken; it still answers with an error rather than a panic.
        (Ok(()), None) => fallback::expand(
            input,
            None,
            &syn::Error::new_spanned(
                &input.ident,
                "#[derive(ClassifiedError)] cannot derive this item",
            ),
        ),
    }
}
