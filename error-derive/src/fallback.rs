//! What the derive emits when the input has errors: the errors, plus what cannot be wrong,
//! so that the user sees the derive's own messages and not a cascade of follow-on errors.
//!
//! - `Display` (writing nothing), `Error` and `ClassifiedError` (the trait's defaults), so
//!   that every use of the type as an error still type-checks. `Display` only when the
//!   input has an `#[error]` at all: without one the user writes `Display`, and a second
//!   impl would be an error of ours.
//! - The `From` impls of `#[from]` fields that are well formed, so that every `?` that
//!   relies on one does not add its own "`From<..>` is not implemented".

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Data, DeriveInput};

use crate::ast::Input;

pub(crate) fn expand(
    input: &DeriveInput,
    parsed: Option<&Input>,
    error: &syn::Error,
) -> TokenStream {
    let ty = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let predicates = where_clause.map(|w| &w.predicates);
    let errors = error.to_compile_error();
    let display = has_error_attr(input).then(|| {
        quote! {
            #[automatically_derived]
            impl #impl_generics ::core::fmt::Display for #ty #ty_generics #where_clause {
                fn fmt(&self, _: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    ::core::result::Result::Ok(())
                }
            }
        }
    });
    let froms = parsed.into_iter().flat_map(|parsed| {
        parsed
            .cases
            .iter()
            .filter(|case| case.has_well_formed_from())
            .filter_map(|case| crate::expand::from_impl(parsed, case))
    });
    quote! {
        #errors

        #display

        // `for<'fallback>` keeps the bound from being checked where the type is not `Debug`:
        // the impl then simply does not apply, and no second error appears.
        #[automatically_derived]
        impl #impl_generics ::core::error::Error for #ty #ty_generics
        where
            #predicates
            for<'fallback> #ty #ty_generics: ::core::fmt::Debug + ::core::fmt::Display,
        {}

        #[automatically_derived]
        impl #impl_generics ::error_core::ClassifiedError for #ty #ty_generics
        where
            #predicates
            for<'fallback> #ty #ty_generics: ::core::fmt::Debug + ::core::fmt::Display,
        {}

        #(#froms)*
    }
}

/// Whether the input has an `#[error]` on the type or on any variant.
fn has_error_attr(input: &DeriveInput) -> bool {
    let is_error = |attrs: &[Attribute]| attrs.iter().any(|a| a.path().is_ident("error"));
    is_error(&input.attrs)
        || match &input.data {
            Data::Enum(data) => data.variants.iter().any(|v| is_error(&v.attrs)),
            Data::Struct(_) | Data::Union(_) => false,
        }
}
