//! Code generation. It runs only on input that validation accepted, and cannot fail.
//!
//! What it generates, and why it is shaped so (a derive's compile time is the user's build
//! time, and rustc spends it type- and borrow-checking what a derive emits):
//!
//! - `Display`: one `match`, one `write!` per case, as thiserror's; the ``key=`value` ``
//!   pairs are part of the same format string.
//! - `Error`: `source()` only when a case has a source.
//! - `ClassifiedError`: one method, `__describe()`, a `match` whose arm for each case visits
//!   the case's fields, records its classified source and says which row of the `Catalog`
//!   table an instance is; the trait's provided `entry`, `visit_fields` and
//!   `classified_source` call it, and its other provided methods read class, code, status,
//!   level and retry hint from the row, instantiated only where they are called. (rustc's
//!   cost is mostly per function body and per `match` arm: one body for the three was
//!   measured 0.17 G instructions cheaper than three on the 200-enum benchmark crate.)
//!   A method is generated only where some case decides it per instance (a class read from
//!   the source or a function, a `#[retry_after]` field), and `backtrace` and `location`
//!   only where some case has something to say.
//! - `Catalog`: the table itself, a `const`.
//! - `From` for `#[from]` fields, and context selectors only where asked for.
//!
//! Generated code names everything by absolute path (`::core::…`, `::error_core::…`) so that
//! a user's own `Result`, `Error`, `Option`, `core` or `Display` never changes its meaning,
//! and carries `#[automatically_derived]`. The impls sit in one `const _: () = { … };`
//! block, as serde's do, which allows once the lints that derived code cannot satisfy by
//! construction (`clippy::used_underscore_binding` for `_0` bindings, for example), so that
//! a user's `#![deny(warnings, clippy::pedantic)]` keeps passing, and imports the probe
//! traits once for every impl.
//!
//! Fewer tokens and fewer paths are less for rustc to resolve and check: a field is visited
//! with `__d.__display("key", field)` rather than naming `::error_core::Value::Display`,
//! `Boundary` comes from a blanket impl over `Catalog`, the entry is one call, and the
//! catalog a string constant. Each of these was measured with
//! `benches/compile_time.py --instructions`, and so were two that lost: fixed tokens read
//! from text with `TokenStream::from_str` (each parse is a new source file to rustc, dearer
//! than `quote!`'s tokens), and a generic method per field in place of `&dyn Display`.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{LitStr, Type};

use crate::ast::{Case, Field, Input};
use crate::attr::{CLASSES, Display, KvMode};
use crate::fmt::{Arg, Trait};
use crate::prop::ClassOf;

/// What every generated impl carries: `#[automatically_derived]`. The lints the impls
/// allow are written once, on the `const _` block around them (see [`expand`]).
fn allows() -> TokenStream {
    quote!(#[automatically_derived])
}

pub(crate) fn expand(input: &Input) -> TokenStream {
    let mut bounds = Bounds::new(&input.original.generics);
    let display = display_impl(input, &mut bounds);
    let error = error_impl(input, &mut bounds);
    let records: Vec<String> = input
        .cases
        .iter()
        .map(|case| catalog_record(input, case))
        .collect();
    let classified = classified_impl(input, &mut bounds, &records);
    let catalog = catalog_impl(input, &records);
    let froms = input.cases.iter().filter_map(|case| from_impl(input, case));
    let selectors = crate::context::selectors(input);
    // The impls go in one `const _` block, as serde's do: the lints that derived code cannot
    // satisfy by construction (`clippy::used_underscore_binding` for `_0` bindings, for
    // example) are allowed once for all of them, which is fewer tokens for rustc to read
    // than an attribute per impl. Selectors are items a user names, so they stay outside.
    quote! {
        #[allow(
            unused_qualifications,
            unused_variables,
            deprecated,
            non_snake_case,
            non_shorthand_field_patterns,
            clippy::used_underscore_binding,
        )]
        const _: () = {
            #[allow(unused_imports)]
            use ::error_core::__private::{
                AsDisplay as _, AsDynError as _, ViaClassified as _, ViaError as _, ViaHint as _,
                ViaNoHint as _,
            };
            #display
            #error
            #classified
            #catalog
            #(#froms)*
        };
        #selectors
    }
}

/// `match self { arms }`; `match *self {}` for an enum with no variants, whose references
/// an empty `match self {}` does not cover.
fn match_self(arms: &[TokenStream]) -> TokenStream {
    if arms.is_empty() {
        quote!(match *self {})
    } else {
        quote!(match self { #(#arms)* })
    }
}

/// `Self` for a struct, `Self::Variant` for a variant.
fn case_path(case: &Case) -> TokenStream {
    if let Some(variant) = case.variant {
        let ident = &variant.ident;
        quote!(Self::#ident)
    } else {
        quote!(Self)
    }
}

/// `Self::Variant { a: __field_a, .. }`: binds the fields at `indices` to their `var`.
fn pattern(case: &Case, indices: impl IntoIterator<Item = usize>) -> TokenStream {
    let path = case_path(case);
    let fields = indices.into_iter().map(|index| {
        let field = &case.fields[index];
        let member = &field.member;
        let var = &field.var;
        quote!(#member: #var,)
    });
    quote!(#path { #(#fields)* .. })
}

/// Where-clause predicates for the generated impls.
///
/// - A field that the `ClassifiedError` impl forwards to (`#[class(source)]`, transparent),
///   reads a hint from (`#[retry_after]`) or returns as its backtrace (`Display`) gets its
///   bound there, spanned at the field's type, even when the type is concrete: a type that
///   does not qualify is then reported once, at the field, and not at every call in the
///   generated code.
/// - Formatting bounds (`T: Display`) and the `Error` impl's bounds are added only for
///   types that mention a type parameter, as thiserror does: a concrete type that lacks
///   `Display` is reported by `format_args!` at the field, and a source such as
///   `Box<dyn Error>`, not itself an `Error`, still works.
struct Bounds {
    params: BTreeSet<String>,
    display: Vec<TokenStream>,
    error: Vec<TokenStream>,
    classified: Vec<TokenStream>,
}

impl Bounds {
    fn new(generics: &syn::Generics) -> Self {
        let params: BTreeSet<String> = generics
            .type_params()
            .map(|param| param.ident.to_string())
            .collect();
        let (error, classified) = if params.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            (
                vec![quote!(Self: ::core::fmt::Debug + ::core::fmt::Display)],
                vec![quote!(Self: ::core::error::Error)],
            )
        };
        Bounds {
            params,
            display: Vec::new(),
            error,
            classified,
        }
    }

    fn is_generic(&self, ty: &Type) -> bool {
        fn mentions(params: &BTreeSet<String>, tokens: TokenStream) -> bool {
            tokens.into_iter().any(|tt| match tt {
                TokenTree::Ident(ident) => params.contains(&ident.to_string()),
                TokenTree::Group(group) => mentions(params, group.stream()),
                _ => false,
            })
        }
        !self.params.is_empty() && mentions(&self.params, ty.to_token_stream())
    }

    fn push(list: &mut Vec<TokenStream>, predicate: TokenStream) {
        let text = predicate.to_string();
        if !list.iter().any(|p| p.to_string() == text) {
            list.push(predicate);
        }
    }

    fn display(&mut self, ty: &Type, bound: impl FnOnce() -> TokenStream) {
        if self.is_generic(ty) {
            let bound = bound();
            Self::push(&mut self.display, quote!(#ty: #bound));
        }
    }

    fn error(&mut self, ty: &Type, bound: impl FnOnce() -> TokenStream) {
        if self.is_generic(ty) {
            let bound = bound();
            Self::push(&mut self.error, quote!(#ty: #bound));
        }
    }

    /// A bound checked where the impl is defined, reported at the field's type.
    fn classified(&mut self, ty: &Type, bound: &TokenStream) {
        let bound = respan(bound.clone(), type_span(ty));
        Self::push(&mut self.classified, quote!(#ty: #bound));
    }

    /// A formatting bound of the visitor, for a generic field type. (A concrete one is
    /// checked where the visitor makes its `Value`.)
    fn visitor(&mut self, ty: &Type, bound: impl FnOnce() -> TokenStream) {
        if self.is_generic(ty) {
            let bound = bound();
            Self::push(&mut self.classified, quote!(#ty: #bound));
        }
    }
}

/// The span rustc should underline for a problem with a field's type: the last path
/// segment's name (`Error` in `std::io::Error`), else the type's first token.
pub(crate) fn type_span(ty: &Type) -> Span {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .map_or_else(|| ty.span(), |segment| segment.ident.span()),
        _ => ty.span(),
    }
}

/// `tokens` with every span replaced by `span`.
pub(crate) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let TokenTree::Group(group) = &tt {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tt = TokenTree::Group(inner);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

fn where_clause(generics: &syn::Generics, extra: &[TokenStream]) -> TokenStream {
    let existing = generics
        .where_clause
        .as_ref()
        .map(|w| {
            w.predicates
                .iter()
                .map(ToTokens::to_token_stream)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    if existing.is_empty() && extra.is_empty() {
        return TokenStream::new();
    }
    quote!(where #(#existing,)* #(#extra,)*)
}

fn trait_path(how: Trait) -> TokenStream {
    match how {
        Trait::Display => quote!(::core::fmt::Display),
        Trait::Debug => quote!(::core::fmt::Debug),
        Trait::Octal => quote!(::core::fmt::Octal),
        Trait::LowerHex => quote!(::core::fmt::LowerHex),
        Trait::UpperHex => quote!(::core::fmt::UpperHex),
        Trait::Pointer => quote!(::core::fmt::Pointer),
        Trait::Binary => quote!(::core::fmt::Binary),
        Trait::LowerExp => quote!(::core::fmt::LowerExp),
        Trait::UpperExp => quote!(::core::fmt::UpperExp),
    }
}

/// How a data field appears in ``key=`value` `` pairs and in the visitor.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    Display,
    Debug,
    Redacted,
    /// A `#[retry_after]` field: `5ms`, or `none`.
    Hint,
}

/// How a data field appears in ``key=`value` `` pairs and in the visitor. A field the
/// message interpolates with `{field}` is visited with `Display`; one interpolated only
/// otherwise (`{field:?}`, `.field`) with `Debug`, which every field of a `Debug` error has.
fn shown(case: &Case, index: usize) -> Shown {
    let field = &case.fields[index];
    if field.is_redacted() {
        return Shown::Redacted;
    }
    match field.kv_mode() {
        Some(KvMode::Debug) => return Shown::Debug,
        Some(KvMode::Display) => return Shown::Display,
        _ => {}
    }
    if field.attrs.retry_after.is_some() {
        // `Duration` has no `Display`: `50ms` reads well, and so does `none`.
        return Shown::Hint;
    }
    match &case.message {
        Some(scanned) if scanned.uses_field(index) => {
            let displayed = scanned
                .uses
                .iter()
                .any(|u| u.field == index && u.uses_trait(Trait::Display));
            if displayed {
                Shown::Display
            } else {
                Shown::Debug
            }
        }
        _ => Shown::Display,
    }
}

/// The field's `Display` local (its own name), spanned at its type for diagnostics and
/// resolved where the pattern binds it.
fn binding_at_type(field: &Field) -> Ident {
    let mut binding = field.binding.clone();
    binding.set_span(type_span(field.ty).resolved_at(field.binding.span()));
    binding
}

/// A `#[retry_after]` field as it shows: `5ms`, or `none`. Autoref specialization, with no
/// bound: a field of the wrong type is reported once, by the `ClassifiedError` impl's
/// where clause, not again by the `Display` impl.
fn hint_expr(value: &Ident) -> TokenStream {
    quote!((&&::error_core::__private::HintProbe(#value)).hint())
}

/// The value of a named format argument for field `index`, built as `arg` says.
fn arg_value(field: &Field, arg: Arg) -> TokenStream {
    let binding = binding_at_type(field);
    match arg {
        Arg::Plain => quote!(#binding),
        Arg::PathDisplay => quote!(#binding.as_display()),
        Arg::Pointer => quote!(::error_core::__private::Var(#binding)),
    }
}

fn display_impl(input: &Input, bounds: &mut Bounds) -> Option<TokenStream> {
    if !input.cases.is_empty() && input.cases.iter().all(|case| case.display.is_none()) {
        // No `#[error]` at all: the user writes `Display`, as with thiserror. (An empty
        // enum gets one, as in thiserror: there is nothing to write.)
        return None;
    }
    let arms: Vec<TokenStream> = input
        .cases
        .iter()
        .map(|case| display_arm(case, bounds))
        .collect();
    let body = match_self(&arms);
    let original = input.original;
    let ty = &original.ident;
    let (impl_generics, ty_generics, _) = original.generics.split_for_impl();
    let where_clause = where_clause(&original.generics, &bounds.display);
    let allows = allows();
    Some(quote! {
        #allows
        impl #impl_generics ::core::fmt::Display for #ty #ty_generics #where_clause {
            fn fmt(&self, __formatter: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #body
            }
        }
    })
}

/// `Self::Variant { a: a, .. }`, binding each field at `indices` to its own name.
fn display_pattern(case: &Case, indices: &BTreeSet<usize>) -> TokenStream {
    let path = case_path(case);
    let fields = indices.iter().map(|index| {
        let field = &case.fields[*index];
        let binding = &field.binding;
        match &field.member {
            // Shorthand: the binding is the field's own name.
            syn::Member::Named(_) => quote!(#binding,),
            member @ syn::Member::Unnamed(_) => quote!(#member: #binding,),
        }
    });
    quote!(#path { #(#fields)* .. })
}

fn display_arm(case: &Case, bounds: &mut Bounds) -> TokenStream {
    match &case.display {
        Some(Display::Transparent { .. }) => {
            let pat = pattern(case, 0..case.fields.len().min(1));
            let body = case.fields.first().map_or_else(
                || quote!(::core::result::Result::Ok(())),
                |field| {
                    bounds.display(field.ty, || quote!(::core::fmt::Display));
                    let var = &field.var;
                    quote!(::core::fmt::Display::fmt(#var, __formatter))
                },
            );
            quote!(#pat => #body,)
        }
        Some(Display::FmtPath { path, .. }) => {
            let pat = pattern(case, 0..case.fields.len());
            let vars = case.fields.iter().map(|field| &field.var);
            quote!(#pat => #path(#(#vars,)* __formatter),)
        }
        Some(Display::Fmt { lit, .. }) => case
            .message
            .as_ref()
            .map(|scanned| fmt_arm(case, lit, scanned, bounds))
            .unwrap_or_default(),
        // Not reached after validation.
        None => {
            let pat = pattern(case, []);
            quote!(#pat => ::core::result::Result::Ok(()),)
        }
    }
}

fn fmt_arm(
    case: &Case,
    lit: &LitStr,
    scanned: &crate::fmt::Scanned,
    bounds: &mut Bounds,
) -> TokenStream {
    for u in &scanned.uses {
        if let Some((how, _)) = u.how {
            bounds.display(case.fields[u.field].ty, || trait_path(how));
        }
    }
    let mut fmt = scanned.fmt.clone();
    // The named arguments of `write!`, as (name, value).
    let mut named: Vec<(String, TokenStream)> = scanned
        .fmt_args()
        .into_iter()
        .map(|(index, arg)| {
            let field = &case.fields[index];
            (arg.name(&field.key), arg_value(field, arg))
        })
        .collect();
    let mut bound: BTreeSet<usize> = scanned.uses.iter().map(|u| u.field).collect();
    let mut pairs = Vec::new();
    for (index, field) in case.fields.iter().enumerate() {
        if !case.is_appended(index) {
            continue;
        }
        let key = &field.key;
        let shown = shown(case, index);
        if shown != Shown::Redacted {
            bound.insert(index);
        }
        match shown {
            Shown::Redacted => pairs.push(format!("{key}=`{}`", "<redacted>")),
            Shown::Debug => {
                bounds.display(field.ty, || quote!(::core::fmt::Debug));
                let name = Arg::Plain.name(key);
                pairs.push(format!("{key}=`{{{name}:?}}`"));
                if !named.iter().any(|(n, _)| *n == name) {
                    named.push((name, arg_value(field, Arg::Plain)));
                }
            }
            Shown::Hint => {
                let name = format!("__hint_{key}");
                pairs.push(format!("{key}=`{{{name}}}`"));
                named.push((name, hint_expr(&binding_at_type(field))));
            }
            Shown::Display => {
                bounds.display(field.ty, || quote!(::core::fmt::Display));
                let arg = if field.facts.path {
                    Arg::PathDisplay
                } else {
                    Arg::Plain
                };
                let name = arg.name(key);
                pairs.push(format!("{key}=`{{{name}}}`"));
                if !named.iter().any(|(n, _)| *n == name) {
                    named.push((name, arg_value(field, arg)));
                }
            }
        }
    }
    if !pairs.is_empty() {
        if !fmt.is_empty() {
            fmt.push_str(". ");
        }
        fmt.push_str(&pairs.join(", "));
    }

    // A redacted field that the message interpolates shows the placeholder instead.
    let shadows = case
        .fields
        .iter()
        .enumerate()
        .filter(|(index, field)| field.is_redacted() && scanned.uses_field(*index))
        .map(|(_, field)| {
            let binding = &field.binding;
            quote!(let #binding = &::error_core::__private::Redacted;)
        });

    // Every field is bound, as in thiserror: a field the message does not show (a skipped
    // or redacted one) still counts as read, so that the user gets no `dead_code` warning.
    bound.extend(0..case.fields.len());
    let pat = display_pattern(case, &bound);
    let args = strip_trailing_comma(&scanned.args);
    let body = if args.is_empty() && named.is_empty() && !fmt.contains(['{', '}']) {
        quote!(__formatter.write_str(#fmt))
    } else {
        let lit = LitStr::new(&fmt, lit.span());
        let named = named.iter().map(|(name, value)| {
            let name = Ident::new(name, Span::call_site());
            quote!(, #name = #value)
        });
        quote!(::core::write!(__formatter, #lit #args #(#named)*))
    };
    quote! {
        #pat => {
            #(#shadows)*
            #body
        }
    }
}

fn strip_trailing_comma(args: &TokenStream) -> TokenStream {
    let mut tokens: Vec<TokenTree> = args.clone().into_iter().collect();
    if matches!(tokens.last(), Some(TokenTree::Punct(p)) if p.as_char() == ',') {
        tokens.pop();
    }
    tokens.into_iter().collect()
}

/// `(&&&SourceProbe(var)).source_of()`: the transparent field's own source when it is an
/// error (or dereferences to one), else `None`.
fn source_of(var: &Ident) -> TokenStream {
    quote!({
        #[allow(unused_imports)]
        use ::error_core::__private::{ViaSourceDeref as _, ViaSourceDisplay as _, ViaSourceError as _};
        (&&&::error_core::__private::SourceProbe(#var)).source_of()
    })
}

fn error_impl(input: &Input, bounds: &mut Bounds) -> TokenStream {
    let mut arms = Vec::new();
    let mut all = true;
    for case in &input.cases {
        if case.is_transparent() {
            let Some(field) = case.fields.first() else {
                all = false;
                continue;
            };
            let pat = pattern(case, [0]);
            let var = &field.var;
            let forwards = matches!(
                case.class_of(input),
                ClassOf::Transparent { otherwise: None }
            );
            if forwards {
                // The field must be a `ClassifiedError` (the `ClassifiedError` impl says so,
                // once, at the field); the same bound here lets `as_dyn_error` resolve for
                // any type, so no second error follows.
                bounds.error(field.ty, || quote!(::core::error::Error + 'static));
                if !bounds.is_generic(field.ty) {
                    let bound = respan(quote!(::error_core::ClassifiedError), type_span(field.ty));
                    let ty = field.ty;
                    Bounds::push(&mut bounds.error, quote!(#ty: #bound));
                }
                arms.push(quote! {
                    #pat => ::core::error::Error::source(#var.as_dyn_error()),
                });
            } else {
                // A type parameter is an error only where the impl says so: bound it, as
                // thiserror does, so that the probe finds its `source()`.
                bounds.error(field.ty, || quote!(::core::error::Error));
                let source = source_of(var);
                arms.push(quote!(#pat => #source,));
            }
            continue;
        }
        let Some(source) = case.source_field() else {
            all = false;
            continue;
        };
        let pat = pattern(case, [source]);
        let field = &case.fields[source];
        let var = &field.var;
        if let Some(inner) = crate::prop::option_inner(field.ty) {
            bounds.error(inner, || quote!(::core::error::Error + 'static));
            arms.push(quote! {
                #pat => ::core::option::Option::map(
                    ::core::option::Option::as_ref(#var),
                    |__source| __source.as_dyn_error(),
                ),
            });
        } else {
            bounds.error(field.ty, || quote!(::core::error::Error + 'static));
            let span = field.ty_span();
            let call = quote_spanned!(span=> #var.as_dyn_error());
            arms.push(quote!(#pat => ::core::option::Option::Some(#call),));
        }
    }
    let source_fn = (!arms.is_empty()).then(|| {
        if !all {
            arms.push(quote!(_ => ::core::option::Option::None,));
        }
        quote! {
            #[inline]
            fn source(&self) -> ::core::option::Option<&(dyn ::core::error::Error + 'static)> {
                match self {
                    #(#arms)*
                }
            }
        }
    });
    let original = input.original;
    let ty = &original.ident;
    let (impl_generics, ty_generics, _) = original.generics.split_for_impl();
    let where_clause = where_clause(&original.generics, &bounds.error);
    let allows = allows();
    quote! {
        #allows
        impl #impl_generics ::core::error::Error for #ty #ty_generics #where_clause {
            #source_fn
        }
    }
}

/// `::error_core::ClassifiedError::method(var)`. The impl's where clause carries the
/// `FieldType: ClassifiedError` bound, so an unclassified field is reported there, once.
fn delegate_call(field: &Field, method: &str, extra: &TokenStream) -> TokenStream {
    let var = &field.var;
    let method = Ident::new(method, Span::call_site());
    quote!(::error_core::ClassifiedError::#method(#var #extra))
}

/// `(&&Probe(var)).classified()`: the field as `&dyn ClassifiedError` when its type is one,
/// else `None` (autoref specialization: the `ViaClassified` impl applies only to a
/// `ClassifiedError`, else `ViaError`'s `None` does; a type parameter without a
/// `ClassifiedError` bound gets `None`).
fn classified_probe(value: &TokenStream) -> TokenStream {
    quote!((&&::error_core::__private::Probe(#value)).classified())
}

/// How one case answers one of the `ClassifiedError` methods.
struct Answer {
    /// The arm's expression.
    expr: TokenStream,
    /// The fields the expression reads.
    fields: Vec<usize>,
    /// Whether the answer depends on the instance (else the trait's provided method, reading
    /// the catalog entry, gives the same).
    dynamic: bool,
}

impl Answer {
    fn fixed(expr: TokenStream) -> Self {
        Answer {
            expr,
            fields: Vec::new(),
            dynamic: false,
        }
    }

    fn from_field(index: usize, expr: TokenStream) -> Self {
        Answer {
            expr,
            fields: vec![index],
            dynamic: true,
        }
    }
}

/// A `ClassifiedError` method: generated when some case answers it per instance, with one
/// arm per case; `fallback` is the arm for cases that answer nothing (`None`, or `{}`).
fn method(
    input: &Input,
    signature: impl FnOnce() -> TokenStream,
    answers: Vec<Option<Answer>>,
    fallback: Option<TokenStream>,
) -> Option<TokenStream> {
    if !answers.iter().flatten().any(|a| a.dynamic) {
        return None;
    }
    let mut arms = Vec::new();
    let mut rest = false;
    for (case, answer) in input.cases.iter().zip(answers) {
        match answer {
            Some(Answer { expr, fields, .. }) => {
                let pat = pattern(case, fields);
                arms.push(quote!(#pat => #expr,));
            }
            None => rest = true,
        }
    }
    if rest {
        if let Some(fallback) = fallback {
            arms.push(quote!(_ => #fallback,));
        }
    }
    let body = match_self(&arms);
    let signature = signature();
    Some(quote!(#[inline] #signature { #body }))
}

fn class_ident(index: usize) -> Ident {
    let variant = CLASSES
        .get(index)
        .map_or("Internal", |(_, variant, _)| *variant);
    Ident::new(variant, Span::call_site())
}

/// The field a transparent or `#[class(source)]` case takes its classification from.
fn delegate<'c, 'a>(input: &Input, case: &'c Case<'a>) -> Option<(usize, &'c Field<'a>)> {
    match case.class_of(input) {
        ClassOf::Transparent { .. } => case.fields.first().map(|f| (0, f)),
        ClassOf::Source { .. } => case.source_field().map(|i| (i, &case.fields[i])),
        ClassOf::Fixed { .. } | ClassOf::With { .. } | ClassOf::Missing => None,
    }
}

/// The answer of a delegating case: the field's, through its `ClassifiedError` impl; for a
/// transparent case with a default class, the field's when it is classified, else
/// `otherwise`.
fn delegated(
    input: &Input,
    case: &Case,
    method_name: &str,
    otherwise: &TokenStream,
) -> Option<Answer> {
    let (index, field) = delegate(input, case)?;
    let expr = if let ClassOf::Transparent { otherwise: Some(_) } = case.class_of(input) {
        let var = &field.var;
        let probe = classified_probe(&quote!(#var));
        let method = Ident::new(method_name, Span::call_site());
        quote! {
            match #probe {
                ::core::option::Option::Some(__inner) => ::error_core::ClassifiedError::#method(__inner),
                ::core::option::Option::None => #otherwise,
            }
        }
    } else {
        delegate_call(field, method_name, &TokenStream::new())
    };
    Some(Answer::from_field(index, expr))
}

#[allow(clippy::too_many_lines)]
fn classified_impl(input: &Input, bounds: &mut Bounds, records: &[String]) -> TokenStream {
    let none = quote!(::core::option::Option::None);
    let mut class = Vec::new();
    let mut code = Vec::new();
    let mut retry = Vec::new();
    let mut status = Vec::new();
    let mut level = Vec::new();
    let mut stated = Vec::new();
    let mut visit = Vec::new();
    let mut source = Vec::new();
    let mut backtrace = Vec::new();
    let mut location = Vec::new();
    // Which of these methods some case answers per instance: only those are generated, and
    // only their arms are built (the others are the trait's provided methods).
    let delegates = |case: &Case| {
        matches!(
            case.class_of(input),
            ClassOf::Source { .. } | ClassOf::Transparent { .. }
        )
    };
    let needs_class = input
        .cases
        .iter()
        .any(|case| delegates(case) || matches!(case.class_of(input), ClassOf::With { .. }));
    let needs_code = input.cases.iter().any(|case| {
        matches!(case.class_of(input), ClassOf::Transparent { .. })
            && case.attrs.class.as_ref().is_none_or(|c| c.code.is_none())
    });
    let needs_retry = input
        .cases
        .iter()
        .any(|case| delegates(case) || case.retry_after_field().is_some());
    let needs_status_or_level = input.cases.iter().any(delegates);
    for case in &input.cases {
        let forwards = matches!(
            case.class_of(input),
            ClassOf::Source { .. } | ClassOf::Transparent { otherwise: None }
        );
        if let (true, Some((_, field))) = (forwards, delegate(input, case)) {
            bounds.classified(field.ty, &quote!(::error_core::ClassifiedError));
        }
        let own = case.attrs.class.as_ref();
        let fixed_class = match case.class_of(input) {
            ClassOf::Fixed { index }
            | ClassOf::Transparent {
                otherwise: Some(index),
            } if needs_class || needs_status_or_level => {
                let ident = class_ident(index);
                Some(quote!(::error_core::Class::#ident))
            }
            _ => None,
        };
        if needs_class {
            class.push(Some(match case.class_of(input) {
                ClassOf::With { path } => {
                    let indices: Vec<usize> = (0..case.fields.len()).collect();
                    let vars = case.fields.iter().map(|f| &f.var);
                    Answer {
                        expr: quote!(#path(#(#vars),*)),
                        fields: indices,
                        dynamic: true,
                    }
                }
                _ => delegated(
                    input,
                    case,
                    "class",
                    fixed_class
                        .as_ref()
                        .unwrap_or(&quote!(::error_core::Class::Internal)),
                )
                .unwrap_or_else(|| {
                    Answer::fixed(
                        fixed_class
                            .clone()
                            .unwrap_or_else(|| quote!(::error_core::Class::Internal)),
                    )
                }),
            }));
        }
        // code: a transparent case without a code of its own reports the inner error's
        if needs_code {
            let own_code = own.and_then(|c| c.code.as_ref());
            let code_literal = own_code.map_or_else(
                || default_code(input, case).to_token_stream(),
                ToTokens::to_token_stream,
            );
            code.push(Some(match (case.is_transparent(), own_code) {
                (true, None) => delegated(input, case, "code", &code_literal)
                    .unwrap_or_else(|| Answer::fixed(code_literal.clone())),
                _ => Answer::fixed(code_literal),
            }));
        }
        // retry_after
        if let Some(index) = case.retry_after_field() {
            bounds.classified(
                case.fields[index].ty,
                &quote!(::error_core::__private::RetryAfterField),
            );
        }
        if needs_retry {
            let ms = own
                .and_then(|c| c.retry_after_ms.as_ref())
                .map(|(_, ms)| *ms);
            retry.push(Some(if let Some(ms) = ms {
                Answer::fixed(quote!(::error_core::__private::millis(#ms)))
            } else if let Some(index) = case.retry_after_field() {
                let var = &case.fields[index].var;
                Answer::from_field(
                    index,
                    quote!(::error_core::__private::RetryAfterField::retry_after_hint(#var)),
                )
            } else {
                delegated(input, case, "retry_after", &none)
                    .unwrap_or_else(|| Answer::fixed(none.clone()))
            }));
        }
        // status and level: the case's own, else the source's, else the class's
        for (slot, own_value, ty, name) in needs_status_or_level
            .then_some([
                (
                    &mut status,
                    own.and_then(|c| c.status.as_ref()).map(|(_, v)| *v),
                    quote!(::error_core::Status),
                    "status",
                ),
                (
                    &mut level,
                    own.and_then(|c| c.level.as_ref()).map(|(_, v)| *v),
                    quote!(::error_core::Level),
                    "level",
                ),
            ])
            .into_iter()
            .flatten()
        {
            let from_class = |class: &TokenStream| quote!(#ty::from_class(#class));
            let answer = if let Some(variant) = own_value {
                let variant = Ident::new(variant, Span::call_site());
                Answer::fixed(quote!(#ty::#variant))
            } else if let Some(fixed) = &fixed_class {
                let otherwise = from_class(fixed);
                delegated(input, case, name, &otherwise).unwrap_or_else(|| Answer::fixed(otherwise))
            } else {
                let otherwise = from_class(&quote!(::error_core::ClassifiedError::class(self)));
                delegated(input, case, name, &otherwise).unwrap_or_else(|| Answer::fixed(otherwise))
            };
            slot.push(Some(answer));
        }
        // stated_status: the case's own, else the source's; never the class's (that is the
        // difference from `status`)
        if needs_status_or_level {
            let own_status = own.and_then(|c| c.status.as_ref()).map(|(_, v)| *v);
            stated.push(Some(if let Some(variant) = own_status {
                let variant = Ident::new(variant, Span::call_site());
                Answer::fixed(quote!(::core::option::Option::Some(::error_core::Status::#variant)))
            } else {
                delegated(input, case, "stated_status", &none)
                    .unwrap_or_else(|| Answer::fixed(none.clone()))
            }));
        }
        visit.push(visit_answer(input, case, bounds));
        source.push(describe_source(case));
        backtrace.push(backtrace_answer(input, case, bounds));
        location.push(location_answer(input, case));
    }

    let describe_fn = describe_fn(input, records, visit, source);
    let class_fn = method(
        input,
        || quote!(fn class(&self) -> ::error_core::Class),
        class,
        None,
    );
    let code_fn = method(
        input,
        || quote!(fn code(&self) -> &'static ::core::primitive::str),
        code,
        None,
    );
    let retry_fn = method(
        input,
        || quote!(fn retry_after(&self) -> ::core::option::Option<::core::time::Duration>),
        retry,
        None,
    );
    let status_fn = method(
        input,
        || quote!(fn status(&self) -> ::error_core::Status),
        status,
        None,
    );
    let stated_fn = method(
        input,
        || quote!(fn stated_status(&self) -> ::core::option::Option<::error_core::Status>),
        stated,
        None,
    );
    let level_fn = method(
        input,
        || quote!(fn level(&self) -> ::error_core::Level),
        level,
        None,
    );
    let backtrace_fn = method(
        input,
        || quote!(fn backtrace(&self) -> ::core::option::Option<&dyn ::core::fmt::Display>),
        backtrace,
        Some(none.clone()),
    );
    let location_fn = method(
        input,
        || quote!(fn location(&self) -> ::core::option::Option<::error_core::Location>),
        location,
        Some(none),
    );
    let original = input.original;
    let ty = &original.ident;
    let (impl_generics, ty_generics, _) = original.generics.split_for_impl();
    let mut predicates = bounds.classified.clone();
    if !input.cases.is_empty() && input.cases.iter().all(|case| case.display.is_none()) {
        // No `#[error]`: the user writes `Display`. Should they not, the `Error` impl says so,
        // once; with this bound, which holds for a type that has `Display`, these impls just
        // do not apply and add no second error.
        predicates.push(quote!(for<'__display> #ty #ty_generics: ::core::fmt::Display));
    }
    let where_clause = where_clause(&original.generics, &predicates);
    let allows = allows();
    quote! {
        #allows
        impl #impl_generics ::error_core::ClassifiedError for #ty #ty_generics #where_clause {
            #describe_fn
            #class_fn
            #code_fn
            #retry_fn
            #status_fn
            #stated_fn
            #level_fn
            #backtrace_fn
            #location_fn
        }
    }
}

/// `__describe`, the one method that stands for `entry`, `visit_fields` and
/// `classified_source` (see `error_core::__private::Describe`): one arm per case, which
/// visits the case's fields, records its classified source, and gives where the case's
/// entry starts in the type's encoded entries.
fn describe_fn(
    input: &Input,
    records: &[String],
    visit: Vec<Option<Answer>>,
    source: Vec<Option<Answer>>,
) -> TokenStream {
    let signature = quote! {
        fn __describe<'__a>(
            &'__a self,
            __d: &mut ::error_core::__private::Describe<'__a, '_>,
        ) -> ::core::option::Option<::error_core::Entry>
    };
    if input.cases.is_empty() {
        return quote!(#[inline] #signature { match *self {} });
    }
    let mut offset = 0;
    let mut arms = Vec::new();
    for ((case, record), (visit, source)) in input
        .cases
        .iter()
        .zip(records)
        .zip(visit.into_iter().zip(source))
    {
        let start = offset;
        offset += record.len();
        let mut fields = Vec::new();
        let mut stmts = TokenStream::new();
        for answer in [visit, source].into_iter().flatten() {
            fields.extend(answer.fields);
            stmts.extend(answer.expr);
        }
        fields.sort_unstable();
        fields.dedup();
        let pat = pattern(case, fields);
        arms.push(match (input.is_enum, stmts.is_empty()) {
            (true, true) => quote!(#pat => #start,),
            (true, false) => quote!(#pat => { #stmts #start }),
            // A struct: one irrefutable `let`, cheaper for rustc than a `match`.
            (false, true) => quote!(0),
            (false, false) => quote!({ let #pat = self; #stmts 0 }),
        });
    }
    let offset = if input.is_enum {
        quote!(match self { #(#arms)* })
    } else {
        arms.into_iter().collect()
    };
    quote! {
        #[inline]
        #signature {
            <Self as ::error_core::Catalog>::ENTRIES.__at(#offset)
        }
    }
}

/// A case's statement that records its classified source in `__describe`.
fn describe_source(case: &Case) -> Option<Answer> {
    let answer = classified_source_answer(case)?;
    let expr = answer.expr;
    Some(Answer {
        expr: quote!(__d.__source(#expr);),
        ..answer
    })
}

/// `"Enum::Variant"`, or `"Struct"`.
fn default_code(input: &Input, case: &Case) -> String {
    if case.variant.is_some() {
        format!("{}::{}", input.name, case.name)
    } else {
        case.name.clone()
    }
}

/// A case's statements that visit its fields in `__describe` (through `__d`, the
/// `Describe`), or `None` when it visits nothing.
fn visit_answer(input: &Input, case: &Case, bounds: &mut Bounds) -> Option<Answer> {
    if case.is_transparent() {
        // The inner error's fields: it is the whole error.
        let field = case.fields.first()?;
        let var = &field.var;
        let expr = if matches!(
            case.class_of(input),
            ClassOf::Transparent { otherwise: None }
        ) {
            quote!(__d.__inner(#var);)
        } else {
            let probe = classified_probe(&quote!(#var));
            quote! {
                if let ::core::option::Option::Some(__inner) = #probe {
                    __d.__inner(__inner);
                }
            }
        };
        return Some(Answer::from_field(0, expr));
    }
    let mut fields = Vec::new();
    let mut stmts = Vec::new();
    for (index, field) in case.fields.iter().enumerate() {
        if !case.is_data(index) {
            continue;
        }
        let key = &field.key;
        let var = &field.var;
        let value = match shown(case, index) {
            Shown::Redacted if field.kv_mode() == Some(KvMode::Redact) => {
                // `#[kv(redact)]` asks for a `Secret`, whose `Debug` is redacted too: checked
                // here, at the field's type, once, and not in a where clause, whose failure
                // would be reported again wherever the type is used as a `ClassifiedError`.
                fields.push(index);
                let span = type_span(field.ty);
                let mut var = var.clone();
                var.set_span(span.resolved_at(field.var.span()));
                quote_spanned!(span=> visit(#key, ::error_core::__private::redacted(#var)))
            }
            Shown::Redacted => quote!(__redacted(#key)),
            Shown::Debug => {
                bounds.visitor(field.ty, || quote!(::core::fmt::Debug));
                fields.push(index);
                show(field, key, "debug")
            }
            Shown::Hint => {
                fields.push(index);
                let hint = hint_expr(var);
                quote!(__display(#key, &#hint))
            }
            Shown::Display => {
                fields.push(index);
                if field.facts.path {
                    quote!(__display(#key, &#var.as_display()))
                } else {
                    bounds.visitor(field.ty, || quote!(::core::fmt::Display));
                    show(field, key, "display")
                }
            }
        };
        stmts.push(quote!(__d.#value;));
    }
    if stmts.is_empty() {
        return None;
    }
    Some(Answer {
        expr: quote!(#(#stmts)*),
        fields,
        dynamic: true,
    })
}

/// The field as a `Value`, shown with `Display` or `Debug`: `Value::Display(var)`, or
/// `Value::Display(&var)` for a type written unsized (`str`, `Path`, a slice, a `dyn`),
/// whose reference cannot be a trait object itself. (A field whose type lacks the trait is
/// reported here and by the `Display` impl that formats it: two errors at the field, for
/// one mistake. A probe that never fails would avoid the second, and was measured to cost
/// more than the rest of the visitor; see `benches/compile_time.py`.)
fn show(field: &Field, key: &str, how: &str) -> TokenStream {
    // Spanned at the field's type, so that a missing trait is reported there.
    let span = type_span(field.ty);
    let mut var = field.var.clone();
    var.set_span(span.resolved_at(field.var.span()));
    let value = if field.facts.unsized_ {
        quote_spanned!(span=> &#var)
    } else {
        quote!(#var)
    };
    if how == "display" {
        quote_spanned!(span=> __display(#key, #value))
    } else {
        quote_spanned!(span=> __debug(#key, #value))
    }
}

/// Whether `ty` is written as a type without a size: `str`, `Path`, `OsStr`, `CStr`, a
/// slice or a `dyn Trait`.
pub(crate) fn is_unsized(ty: &Type) -> bool {
    match ty {
        Type::Slice(_) | Type::TraitObject(_) => true,
        Type::Group(group) => is_unsized(&group.elem),
        Type::Paren(paren) => is_unsized(&paren.elem),
        Type::Path(path) => {
            path.qself.is_none()
                && path.path.segments.last().is_some_and(|segment| {
                    ["str", "Path", "OsStr", "CStr"]
                        .iter()
                        .any(|name| segment.ident == name)
                })
        }
        _ => false,
    }
}

/// A transparent case's answer to `method`, one of the `ClassifiedError` methods that
/// return an `Option`: its field's, called directly when the field's type is known to be
/// classified (no class of the case's own), else through the probe (`None` for a field
/// that is not a classified error).
fn forward_transparent(input: &Input, case: &Case, method: &str) -> Option<Answer> {
    let field = case.fields.first()?;
    let expr = if matches!(
        case.class_of(input),
        ClassOf::Transparent { otherwise: None }
    ) {
        delegate_call(field, method, &TokenStream::new())
    } else {
        let var = &field.var;
        let probe = classified_probe(&quote!(#var));
        let method = Ident::new(method, Span::call_site());
        quote! {
            match #probe {
                ::core::option::Option::Some(__inner) => ::error_core::ClassifiedError::#method(__inner),
                ::core::option::Option::None => ::core::option::Option::None,
            }
        }
    };
    Some(Answer::from_field(0, expr))
}

/// The source as a classified error, when its type is one. A transparent case has none of
/// its own: its inner error's, which `visit_answer`'s `__d.__inner(..)` records, is the
/// case's.
fn classified_source_answer(case: &Case) -> Option<Answer> {
    if case.is_transparent() {
        return None;
    }
    let index = case.source_field()?;
    let field = &case.fields[index];
    let var = &field.var;
    let expr = if field.facts.option {
        let found = classified_probe(&quote!(__source));
        quote! {
            match #var {
                ::core::option::Option::Some(__source) => #found,
                ::core::option::Option::None => ::core::option::Option::None,
            }
        }
    } else {
        classified_probe(&quote!(#var))
    };
    Some(Answer::from_field(index, expr))
}

/// The case's backtrace as `&dyn Display`, or `None` when it holds none.
///
/// - Transparent: the inner error's.
/// - A backtrace field that is also the source (thiserror's `#[source] #[backtrace]`): the
///   source's, when its type is a `ClassifiedError` (the same probe as
///   `classified_source()`), else none.
/// - A `Backtrace` or `Option<Backtrace>` field, or one marked `#[backtrace]`: the field.
///   Only `Display` is asked of its type (of `T` in `Option<T>`), so a backtrace type of
///   the user's own works; the bound goes in the where clause, spanned at the field's type,
///   so a type without `Display` is reported there, once.
fn backtrace_answer(input: &Input, case: &Case, bounds: &mut Bounds) -> Option<Answer> {
    if case.is_transparent() {
        return forward_transparent(input, case, "backtrace");
    }
    let index = case.backtrace_field()?;
    if Some(index) == case.source_field() {
        let source = classified_source_answer(case)?;
        let expr = source.expr;
        return Some(Answer::from_field(
            index,
            quote!(::core::option::Option::and_then(#expr, ::error_core::ClassifiedError::backtrace)),
        ));
    }
    let field = &case.fields[index];
    let var = &field.var;
    let expr = if let Some(inner) = crate::prop::option_inner(field.ty) {
        bounds.classified(inner, &quote!(::core::fmt::Display));
        quote!(::error_core::__private::optional_backtrace(#var))
    } else {
        bounds.classified(field.ty, &quote!(::core::fmt::Display));
        quote!(::error_core::__private::backtrace(#var))
    };
    Some(Answer::from_field(index, expr))
}

/// Where a case was made: its `Location` field, or, for `#[error(transparent)]`, its inner
/// error's (the same link of the chain). A `#[class(source)]` case does not forward: its
/// source is a link of its own, with its own location.
fn location_answer(input: &Input, case: &Case) -> Option<Answer> {
    if case.is_transparent() {
        return forward_transparent(input, case, "location");
    }
    let index = case.location_field()?;
    let field = &case.fields[index];
    // Spanned at the field's type: a type of the user's own named `Location`, written bare,
    // is reported there, as a mismatch with `error_core::Location`.
    let span = type_span(field.ty);
    let mut var = field.var.clone();
    var.set_span(span.resolved_at(field.var.span()));
    Some(Answer::from_field(
        index,
        quote_spanned!(span=> ::error_core::__private::location(#var)),
    ))
}

/// One case's catalog entry, encoded as `error_core::catalog` describes.
fn catalog_record(input: &Input, case: &Case) -> String {
    const END: char = '\u{1e}';
    const PART: char = '\u{1f}';
    let letter = |base: u8, index: usize| {
        u8::try_from(index)
            .ok()
            .and_then(|i| base.checked_add(i))
            .map_or('-', char::from)
    };
    let own = case.attrs.class.as_ref();
    let class = match case.class_of(input) {
        ClassOf::Fixed { index } => letter(b'a', index),
        ClassOf::Transparent {
            otherwise: Some(index),
        } => letter(b'k', index),
        ClassOf::Transparent { otherwise: None } => 'T',
        ClassOf::Source { .. } => 'S',
        ClassOf::With { .. } => 'F',
        // Not reached after validation: `internal`.
        ClassOf::Missing => 'j',
    };
    let position = |table: &[(&str, &str)], value: Option<&str>| {
        value
            .and_then(|v| table.iter().position(|(_, variant)| *variant == v))
            .map_or('-', |i| letter(b'a', i))
    };
    let status = position(
        &crate::attr::STATUSES,
        own.and_then(|c| c.status.as_ref()).map(|(_, v)| *v),
    );
    let level = position(
        &crate::attr::LEVELS,
        own.and_then(|c| c.level.as_ref()).map(|(_, v)| *v),
    );
    let retry = own
        .and_then(|c| c.retry_after_ms.as_ref())
        .map(|(_, ms)| ms.to_string())
        .unwrap_or_default();
    let code = own
        .and_then(|c| c.code.as_ref())
        .map_or_else(|| default_code(input, case), LitStr::value);
    let message = case
        .message
        .as_ref()
        .map(|scanned| scanned.text.clone())
        .unwrap_or_default();
    // The two separators cannot appear inside a part; a message that holds one (which no
    // message should) has it replaced.
    let clean = |text: String| text.replace([END, PART], "\u{fffd}");
    let mut record = format!(
        "{class}{status}{level}{retry};{}{PART}{}{PART}{}{PART}",
        case.name,
        clean(code),
        clean(message)
    );
    for (index, field) in case.fields.iter().enumerate() {
        if case.is_data(index) {
            if field.is_redacted() {
                record.push('!');
            }
            record.push_str(&field.key);
            record.push(PART);
        }
    }
    record.push(END);
    record
}

/// `impl Catalog`: the entries, one string: every case's record, then the type's path.
fn catalog_impl(input: &Input, records: &[String]) -> TokenStream {
    let records: String = records.concat();
    let original = input.original;
    let ty = &original.ident;
    let type_name = format!("::{}", input.name);
    let (impl_generics, ty_generics, where_clause) = original.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::error_core::Catalog for #ty #ty_generics #where_clause {
            const __ENCODED: &'static ::core::primitive::str =
                ::core::concat!(#records, ::core::module_path!(), #type_name);
        }
    }
}

/// `From<Source>` for a `#[from]` field (`From<T>` for an `Option<T>` field, as thiserror
/// does, so that `?` on a `T` works).
pub(crate) fn from_impl(input: &Input, case: &Case) -> Option<TokenStream> {
    let from = case.field_with_from()?;
    let from_ty = case.fields[from].ty;
    let optional = crate::prop::option_inner(from_ty);
    let source_ty = optional.unwrap_or(from_ty);
    let source = format_ident!("source", span = Span::call_site());
    let source_value = if optional.is_some() {
        quote!(::core::option::Option::Some(#source))
    } else {
        quote!(#source)
    };
    // Validation leaves only the source, a backtrace and a location in a `#[from]` case. The
    // value is
    // written the way a person would (`Self::V(source)`, `Self::V { source }`), so that the
    // impl, which carries the user's span, is clean under clippy too.
    let location = case.location_field();
    let values: Vec<TokenStream> = case
        .fields
        .iter()
        .enumerate()
        .map(|(index, field)| {
            if index == from {
                source_value.clone()
            } else if Some(index) == location {
                location_capture()
            } else {
                backtrace_capture(field.ty)
            }
        })
        .collect();
    // `#[track_caller]` makes the location the `?`'s line; only where there is one.
    let track_caller = location.map(|_| quote!(#[track_caller]));
    let path = case_path(case);
    let value = if case
        .fields
        .iter()
        .all(|f| matches!(f.member, syn::Member::Unnamed(_)))
    {
        quote!(#path(#(#values),*))
    } else {
        let inits = case
            .fields
            .iter()
            .enumerate()
            .zip(&values)
            .map(|((index, field), value)| {
                let member = &field.member;
                if index == from && field.key == "source" && !field.raw && optional.is_none() {
                    quote!(source)
                } else {
                    quote!(#member: #value)
                }
            });
        quote!(#path { #(#inits),* })
    };
    let original = input.original;
    let ty = &original.ident;
    let (impl_generics, ty_generics, where_clause) = original.generics.split_for_impl();
    let allows = allows();
    let lifetimes = original
        .generics
        .lifetimes()
        .next()
        .map(|_| quote!(#[allow(clippy::elidable_lifetime_names, clippy::needless_lifetimes)]));
    // `From::from(Backtrace::capture())` is a conversion to the same type for a plain
    // `Backtrace` field, and needed for an `Arc<Backtrace>` one.
    let conversion = case
        .backtrace_field()
        .filter(|index| *index != from)
        .map(|_| quote!(#[allow(clippy::useless_conversion)]));
    // The whole impl carries the field's span, so that two `From` impls for one type are
    // reported at the two fields.
    let from = quote! {
        #allows
        #lifetimes
        #conversion
        impl #impl_generics ::core::convert::From<#source_ty> for #ty #ty_generics #where_clause {
            #track_caller
            fn from(#source: #source_ty) -> Self {
                #value
            }
        }
    };
    Some(respan(from, type_span(from_ty)))
}

/// The caller's location, for a `Location` field, in a function that is `#[track_caller]`.
pub(crate) fn location_capture() -> TokenStream {
    quote!(::error_core::Location::caller())
}

/// A freshly captured backtrace for a backtrace field: `From::from(Backtrace::capture())`,
/// so that an `Arc<Backtrace>` field works too, wrapped in `Some` for an `Option`.
pub(crate) fn backtrace_capture(ty: &Type) -> TokenStream {
    let capture = quote!(::core::convert::From::from(
        ::std::backtrace::Backtrace::capture()
    ));
    if crate::prop::option_inner(ty).is_some() {
        quote!(::core::option::Option::Some(#capture))
    } else {
        capture
    }
}
