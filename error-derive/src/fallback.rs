//! What the derive emits when the input has errors: the errors, plus impls of `Display`,
//! `Error` and `ClassifiedError` that do nothing, so that the user sees the derive's own
//! messages and not a cascade of "`X` doesn't implement `Display`" at every use of the type.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

pub(crate) fn expand(input: &DeriveInput, error: &syn::Error) -> TokenStream {
    let ty = &input.ident;
    let code = ty.to_string();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let predicates = where_clause.map(|w| &w.predicates);
    let errors = error.to_compile_error();
    quote! {
        #errors

        #[automatically_derived]
        impl #impl_generics ::core::fmt::Display for #ty #ty_generics #where_clause {
            fn fmt(&self, _: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::result::Result::Ok(())
            }
        }

        // `for<'fallback>` keeps the bound from being checked where the type is not `Debug`:
        // the impl then simply does not apply, and no second error appears.
        #[automatically_derived]
        impl #impl_generics ::core::error::Error for #ty #ty_generics
        where
            #predicates
            for<'fallback> #ty #ty_generics: ::core::fmt::Debug,
        {}

        #[automatically_derived]
        impl #impl_generics ::error_core::ClassifiedError for #ty #ty_generics
        where
            #predicates
            for<'fallback> #ty #ty_generics: ::core::fmt::Debug,
        {
            fn class(&self) -> ::error_core::Class {
                ::error_core::Class::Internal
            }

            fn code(&self) -> &'static str {
                #code
            }
        }
    }
}
