//! Code generation. It runs only on input that validation accepted, and cannot fail.
//!
//! Generated code names everything by absolute path (`::core::…`, `::error_core::…`) so that
//! a user's own `Result`, `Error`, `Option`, `core` or `Display` never changes its meaning,
//! carries `#[automatically_derived]`, and allows the lints that derived code cannot satisfy
//! by construction (`clippy::used_underscore_binding` for the `__field_x` bindings, for
//! example), so that a user's `#![deny(warnings, clippy::pedantic)]` keeps passing.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;
use syn::{LitStr, Type};

use crate::ast::{Case, Field, Input};
use crate::attr::{CLASSES, Display, KvMode};
use crate::fmt::Trait;
use crate::prop::ClassOf;

/// The lints generated code allows, on every impl.
fn allows() -> TokenStream {
    quote! {
        #[automatically_derived]
        #[allow(
            unused_qualifications,
            unused_variables,
            deprecated,
            clippy::used_underscore_binding,
            clippy::match_same_arms,
            clippy::match_single_binding,
            clippy::too_many_lines,
        )]
    }
}

pub(crate) fn expand(input: &Input) -> TokenStream {
    let mut bounds = Bounds::new(&input.original.generics);
    let display = display_impl(input, &mut bounds);
    let error = error_impl(input, &mut bounds);
    let classified = classified_impl(input, &mut bounds);
    let froms = input.cases.iter().filter_map(|case| from_impl(input, case));
    let selectors = crate::context::selectors(input);
    quote! {
        #display
        #error
        #classified
        #(#froms)*
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

/// `Self { a: __field_a, 0: __field_0 }` or `Self::Variant { … }`: binds every field.
fn pattern(case: &Case) -> TokenStream {
    let path = case_path(case);
    let fields = case.fields.iter().map(|field| {
        let member = &field.member;
        let binding = &field.binding;
        quote!(#member: #binding)
    });
    quote!(#path { #(#fields,)* })
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
/// - The visitor needs no bound on a concrete type: it visits a field with `Display` when
///   the type has it and with `Debug` otherwise (autoref specialization), so it never adds
///   a second report of what `format_args!` already reported.
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
        mentions(&self.params, ty.to_token_stream())
    }

    fn push(list: &mut Vec<TokenStream>, predicate: TokenStream) {
        let text = predicate.to_string();
        if !list.iter().any(|p| p.to_string() == text) {
            list.push(predicate);
        }
    }

    fn display(&mut self, ty: &Type, bound: &TokenStream) {
        if self.is_generic(ty) {
            Self::push(&mut self.display, quote!(#ty: #bound));
        }
    }

    fn error(&mut self, ty: &Type, bound: &TokenStream) {
        if self.is_generic(ty) {
            Self::push(&mut self.error, quote!(#ty: #bound));
        }
    }

    /// A bound checked where the impl is defined, reported at the field's type.
    fn classified(&mut self, ty: &Type, bound: &TokenStream) {
        let bound = respan(bound.clone(), type_span(ty));
        Self::push(&mut self.classified, quote!(#ty: #bound));
    }

    /// A formatting bound of the visitor, for a generic field type.
    fn visitor(&mut self, ty: &Type, bound: &TokenStream) {
        if self.is_generic(ty) {
            Self::push(&mut self.classified, quote!(#ty: #bound));
        }
    }
}

/// Whether `ty` is written `Path` or `PathBuf`, possibly behind references or a `Box`.
fn is_path_type(ty: &Type) -> bool {
    match ty {
        Type::Reference(reference) => is_path_type(&reference.elem),
        Type::Group(group) => is_path_type(&group.elem),
        Type::Paren(paren) => is_path_type(&paren.elem),
        Type::Path(path) => path.path.segments.last().is_some_and(|segment| {
            if segment.ident == "Path" || segment.ident == "PathBuf" {
                return true;
            }
            match &segment.arguments {
                syn::PathArguments::AngleBracketed(args) if segment.ident == "Box" => {
                    matches!(args.args.first(), Some(syn::GenericArgument::Type(inner)) if is_path_type(inner))
                }
                _ => false,
            }
        }),
        _ => false,
    }
}

/// The span rustc should underline for a problem with a field's type: the last path
/// segment's name (`Error` in `std::io::Error`), else the type's first token.
fn type_span(ty: &Type) -> Span {
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

/// A field's binding, spanned at its type (resolved where the derive is called) so that
/// a formatting error in a generated `write!` is reported at the field.
fn binding_at_type(field: &Field) -> Ident {
    let mut binding = field.binding.clone();
    binding.set_span(type_span(field.ty).resolved_at(Span::call_site()));
    binding
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

/// How a data field that the message does not interpolate is shown as ``key=`value` ``,
/// and how the field visitor hands it over.
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
    match field.kv_mode() {
        Some(KvMode::Redact) => return Shown::Redacted,
        Some(KvMode::Debug) => return Shown::Debug,
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
                .any(|u| u.field == index && u.how == Some(Trait::Display));
            if displayed {
                Shown::Display
            } else {
                Shown::Debug
            }
        }
        _ => Shown::Display,
    }
}

fn display_impl(input: &Input, bounds: &mut Bounds) -> TokenStream {
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
    quote! {
        #allows
        impl #impl_generics ::core::fmt::Display for #ty #ty_generics #where_clause {
            fn fmt(&self, __formatter: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #body
            }
        }
    }
}

fn display_arm(case: &Case, bounds: &mut Bounds) -> TokenStream {
    let pat = pattern(case);
    let (Some(Display::Fmt { lit, .. }), Some(scanned)) = (&case.attrs.display, &case.message)
    else {
        // Transparent: validation guarantees exactly one field.
        let body = case.fields.first().map_or_else(
            || quote!(::core::result::Result::Ok(())),
            |field| {
                bounds.display(field.ty, &quote!(::core::fmt::Display));
                let binding = &field.binding;
                quote!(::core::fmt::Display::fmt(#binding, __formatter))
            },
        );
        return quote!(#pat => #body,);
    };

    for u in &scanned.uses {
        if let Some(how) = u.how {
            bounds.display(case.fields[u.field].ty, &trait_path(how));
        }
    }
    let mut fmt = scanned.fmt.clone();
    // The fields passed to `write!` as named arguments, by index.
    let mut named: Vec<usize> = scanned.fmt_fields();
    let mut pairs = Vec::new();
    for (index, field) in case.fields.iter().enumerate() {
        if !case.is_data(index) || scanned.uses_field(index) {
            continue;
        }
        let binding = &field.binding;
        let key = &field.key;
        match shown(case, index) {
            Shown::Redacted => pairs.push(format!("{key}=`{}`", "<redacted>")),
            Shown::Debug => {
                bounds.display(field.ty, &quote!(::core::fmt::Debug));
                pairs.push(format!("{key}=`{{{binding}:?}}`"));
                named.push(index);
            }
            Shown::Hint => {
                pairs.push(format!("{key}=`{{{binding}}}`"));
                named.push(index);
            }
            Shown::Display => {
                bounds.display(field.ty, &quote!(::core::fmt::Display));
                pairs.push(format!("{key}=`{{{binding}}}`"));
                named.push(index);
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

    let args = strip_trailing_comma(&scanned.args);
    let body = if args.is_empty() && named.is_empty() && !fmt.contains(['{', '}']) {
        quote!(__formatter.write_str(#fmt))
    } else {
        let lit = LitStr::new(&fmt, lit.span());
        let arg_names = named.iter().map(|index| &case.fields[*index].binding);
        let values = named.iter().map(|index| format_arg(case, scanned, *index));
        quote!(::core::write!(__formatter, #lit #args #(, #arg_names = #values)*))
    };
    quote! {
        #pat => {
            #(#shadows)*
            #body
        }
    }
}

/// A `#[retry_after]` field as it shows: `5ms`, or `none`. Autoref specialization, with no
/// bound: a field of the wrong type is reported once, by the `ClassifiedError` impl's
/// where clause, not again by the `Display` impl.
fn hint_expr(binding: &Ident) -> TokenStream {
    quote!({
        #[allow(unused_imports)]
        use ::error_core::__private::{ViaHint as _, ViaNoHint as _};
        (&&::error_core::__private::HintProbe(#binding)).hint()
    })
}

/// Whether the message shows the field through `as_display()`, as `path.display()`: a
/// field whose type is written `Path` or `PathBuf` (behind any references or `Box`), shown
/// only with `Display` (as a ``key=`value` `` pair, or through `{field}` placeholders that
/// all use `Display`). Other types are passed to `format_args!` as they are, so that a
/// type without `Display` gets rustc's own error at the field.
fn displayed_only(case: &Case, scanned: &crate::fmt::Scanned, index: usize) -> bool {
    if !is_path_type(case.fields[index].ty) {
        return false;
    }
    let mut uses = scanned.uses.iter().filter(|u| u.field == index).peekable();
    if uses.peek().is_none() {
        return shown(case, index) == Shown::Display;
    }
    uses.all(|u| u.how == Some(Trait::Display))
}

/// The value of the named argument for field `index`: its binding (spanned at its type),
/// its hint for a `#[retry_after]` pair, or `as_display()` for a path.
fn format_arg(case: &Case, scanned: &crate::fmt::Scanned, index: usize) -> TokenStream {
    let binding = binding_at_type(&case.fields[index]);
    if !scanned.uses_field(index) && shown(case, index) == Shown::Hint {
        hint_expr(&binding)
    } else if displayed_only(case, scanned, index) {
        quote!({
            #[allow(unused_imports)]
            use ::error_core::__private::AsDisplay as _;
            #binding.as_display()
        })
    } else {
        quote!(#binding)
    }
}

fn strip_trailing_comma(args: &TokenStream) -> TokenStream {
    let mut tokens: Vec<TokenTree> = args.clone().into_iter().collect();
    if matches!(tokens.last(), Some(TokenTree::Punct(p)) if p.as_char() == ',') {
        tokens.pop();
    }
    tokens.into_iter().collect()
}

fn error_impl(input: &Input, bounds: &mut Bounds) -> TokenStream {
    let has_source = input
        .cases
        .iter()
        .any(|case| case.is_transparent() || case.source_field().is_some());
    let source_fn = has_source.then(|| {
        let arms = input.cases.iter().map(|case| {
            let pat = pattern(case);
            if case.is_transparent() {
                if let Some(field) = case.fields.first() {
                    bounds.error(field.ty, &quote!(::core::error::Error + 'static));
                    let binding = &field.binding;
                    return quote! {
                        #pat => ::core::error::Error::source(#binding.as_dyn_error()),
                    };
                }
            }
            let Some(source) = case.source_field() else {
                return quote!(#pat => ::core::option::Option::None,);
            };
            let field = &case.fields[source];
            let binding = &field.binding;
            if let Some(inner) = crate::prop::option_inner(field.ty) {
                bounds.error(inner, &quote!(::core::error::Error + 'static));
                quote! {
                    #pat => ::core::option::Option::map(
                        ::core::option::Option::as_ref(#binding),
                        |source| source.as_dyn_error(),
                    ),
                }
            } else {
                bounds.error(field.ty, &quote!(::core::error::Error + 'static));
                let span = field.ty_span();
                let call = quote_spanned!(span=> #binding.as_dyn_error());
                quote!(#pat => ::core::option::Option::Some(#call),)
            }
        });
        let arms: Vec<TokenStream> = arms.collect();
        quote! {
            fn source(&self) -> ::core::option::Option<&(dyn ::core::error::Error + 'static)> {
                use ::error_core::__private::AsDynError as _;
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

/// The field whose `ClassifiedError` impl a case forwards to, if any.
fn delegate<'c, 'a>(input: &Input, case: &'c Case<'a>) -> Option<&'c Field<'a>> {
    match case.class_of(input) {
        ClassOf::Transparent => case.fields.first(),
        ClassOf::Source { .. } => case.source_field().map(|i| &case.fields[i]),
        ClassOf::Fixed { .. } | ClassOf::Missing => None,
    }
}

/// `::error_core::ClassifiedError::method(binding)`. The impl's where clause carries the
/// `FieldType: ClassifiedError` bound, so an unclassified field is reported there, once.
fn delegate_call(field: &Field, method: &str, extra: &TokenStream) -> TokenStream {
    let binding = &field.binding;
    let method = Ident::new(method, Span::call_site());
    quote!(::error_core::ClassifiedError::#method(#binding #extra))
}

/// The `match` arms of one `ClassifiedError` method, and whether any case says something
/// other than the trait's default.
#[derive(Default)]
struct Method {
    arms: Vec<TokenStream>,
    specific: bool,
}

impl Method {
    /// A method the trait requires: generated even with no arms (an empty enum).
    fn required() -> Self {
        Method {
            arms: Vec::new(),
            specific: true,
        }
    }

    fn push(&mut self, pat: &TokenStream, expr: &TokenStream, specific: bool) {
        self.arms.push(quote!(#pat => #expr,));
        self.specific |= specific;
    }

    /// `signature { match self { arms } }`, or nothing when every case would return what
    /// the trait's default returns.
    fn expand(&self, signature: &TokenStream) -> Option<TokenStream> {
        let body = match_self(&self.arms);
        self.specific.then(|| quote!(#signature { #body }))
    }
}

fn classified_impl(input: &Input, bounds: &mut Bounds) -> TokenStream {
    let mut class = Method::required();
    let mut code = Method::required();
    let mut retry = Method::default();
    let mut visit = Method::default();
    let mut status = Method::default();
    let mut level = Method::default();
    let mut source = Method::default();
    let mut backtrace = Method::default();
    for case in &input.cases {
        let pat = pattern(case);
        let delegate_to = delegate(input, case);
        if let Some(field) = delegate_to {
            bounds.classified(field.ty, &quote!(::error_core::ClassifiedError));
        }
        class.push(&pat, &class_expr(input, case, delegate_to), true);
        code.push(&pat, &code_expr(input, case, delegate_to), true);
        let hint = retry_expr(case, delegate_to, bounds);
        let none = quote!(::core::option::Option::None);
        retry.push(&pat, hint.as_ref().unwrap_or(&none), hint.is_some());
        let visits = visit_stmts(case, delegate_to, bounds);
        visit.push(&pat, &quote!({ #(#visits)* }), !visits.is_empty());
        let own = case.attrs.class.as_ref();
        let (expr, specific) = status_or_level(
            input,
            case,
            delegate_to,
            own.and_then(|c| c.status.as_ref()).map(|(_, v)| *v),
            &quote!(::error_core::Status),
            "status",
        );
        status.push(&pat, &expr, specific);
        let (expr, specific) = status_or_level(
            input,
            case,
            delegate_to,
            own.and_then(|c| c.level.as_ref()).map(|(_, v)| *v),
            &quote!(::error_core::Level),
            "level",
        );
        level.push(&pat, &expr, specific);
        let found = classified_source_expr(case);
        source.push(&pat, found.as_ref().unwrap_or(&none), found.is_some());
        let found = backtrace_expr(case, bounds);
        backtrace.push(&pat, found.as_ref().unwrap_or(&none), found.is_some());
    }

    let class_fn = class.expand(&quote!(fn class(&self) -> ::error_core::Class));
    let code_fn = code.expand(&quote!(fn code(&self) -> &'static ::core::primitive::str));
    let retry_fn = retry
        .expand(&quote!(fn retry_after(&self) -> ::core::option::Option<::core::time::Duration>));
    let visit_fn =
        visit.expand(&quote!(fn visit_fields(&self, __visitor: &mut dyn ::error_core::Visit)));
    let status_fn = status.expand(&quote!(fn status(&self) -> ::error_core::Status));
    let level_fn = level.expand(&quote!(fn level(&self) -> ::error_core::Level));
    let source_fn = source.expand(&quote! {
        fn classified_source(&self)
            -> ::core::option::Option<&(dyn ::error_core::ClassifiedError + '_)>
    });
    let backtrace_fn = backtrace.expand(&quote! {
        fn backtrace(&self) -> ::core::option::Option<&dyn ::core::fmt::Display>
    });
    let original = input.original;
    let ty = &original.ident;
    let (impl_generics, ty_generics, _) = original.generics.split_for_impl();
    let where_clause = where_clause(&original.generics, &bounds.classified);
    let allows = allows();
    quote! {
        #allows
        impl #impl_generics ::error_core::ClassifiedError for #ty #ty_generics #where_clause {
            #class_fn
            #code_fn
            #retry_fn
            #visit_fn
            #status_fn
            #level_fn
            #source_fn
            #backtrace_fn
        }

        #allows
        impl #impl_generics ::error_core::Boundary for #ty #ty_generics #where_clause {}
    }
}

/// The `status()` or `level()` of a case, and whether it differs from what the trait's
/// default (the class's) would give: a `status = ..` / `level = ..` of its own, or the
/// source's, for a case that forwards to it.
fn status_or_level(
    input: &Input,
    case: &Case,
    delegate_to: Option<&Field>,
    own: Option<&str>,
    ty: &TokenStream,
    method: &str,
) -> (TokenStream, bool) {
    if let Some(variant) = own {
        let variant = Ident::new(variant, Span::call_site());
        return (quote!(#ty::#variant), true);
    }
    if let Some(field) = delegate_to {
        return (delegate_call(field, method, &TokenStream::new()), true);
    }
    let class = class_expr(input, case, delegate_to);
    (quote!(#ty::from_class(#class)), false)
}

/// The source as a classified error, when its type is one (autoref specialization: the
/// `ViaClassified` impl applies only to a `ClassifiedError`, else `ViaError`'s `None`
/// does; a type parameter without a `ClassifiedError` bound gets `None`). `None` when the
/// case has no source.
fn classified_source_expr(case: &Case) -> Option<TokenStream> {
    if case.is_transparent() {
        let field = case.fields.first()?;
        return Some(delegate_call(
            field,
            "classified_source",
            &TokenStream::new(),
        ));
    }
    let field = &case.fields[case.source_field()?];
    let binding = &field.binding;
    let probe = |value: &TokenStream| {
        quote!({
            #[allow(unused_imports)]
            use ::error_core::__private::{ViaClassified as _, ViaError as _};
            (&&::error_core::__private::Probe(#value)).classified()
        })
    };
    Some(if crate::prop::option_inner(field.ty).is_some() {
        let found = probe(&quote!(__source));
        quote! {
            match #binding {
                ::core::option::Option::Some(__source) => #found,
                ::core::option::Option::None => ::core::option::Option::None,
            }
        }
    } else {
        probe(&quote!(#binding))
    })
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
fn backtrace_expr(case: &Case, bounds: &mut Bounds) -> Option<TokenStream> {
    if case.is_transparent() {
        let field = case.fields.first()?;
        return Some(delegate_call(field, "backtrace", &TokenStream::new()));
    }
    let index = case.backtrace_field()?;
    if Some(index) == case.source_field() {
        let source = classified_source_expr(case)?;
        return Some(quote! {
            ::core::option::Option::and_then(#source, ::error_core::ClassifiedError::backtrace)
        });
    }
    let field = &case.fields[index];
    let binding = &field.binding;
    if let Some(inner) = crate::prop::option_inner(field.ty) {
        bounds.classified(inner, &quote!(::core::fmt::Display));
        Some(quote!(::error_core::__private::optional_backtrace(#binding)))
    } else {
        bounds.classified(field.ty, &quote!(::core::fmt::Display));
        Some(quote!(::error_core::__private::backtrace(#binding)))
    }
}

fn class_expr(input: &Input, case: &Case, delegate_to: Option<&Field>) -> TokenStream {
    match (case.class_of(input), delegate_to) {
        (ClassOf::Fixed { index }, _) => {
            let variant = CLASSES
                .get(index)
                .map_or("Internal", |(_, variant, _)| *variant);
            let variant = Ident::new(variant, Span::call_site());
            quote!(::error_core::Class::#variant)
        }
        (_, Some(field)) => delegate_call(field, "class", &TokenStream::new()),
        // Not reached after validation; `Internal` is the honest answer for a bug.
        (_, None) => quote!(::error_core::Class::Internal),
    }
}

fn code_expr(input: &Input, case: &Case, delegate_to: Option<&Field>) -> TokenStream {
    let own_code = case.attrs.class.as_ref().and_then(|c| c.code.as_ref());
    match (own_code, case.is_transparent(), delegate_to) {
        (Some(code), _, _) => code.to_token_stream(),
        (None, true, Some(field)) => delegate_call(field, "code", &TokenStream::new()),
        _ => {
            let code = if case.variant.is_some() {
                format!("{}::{}", input.original.ident.unraw(), case.ident.unraw())
            } else {
                case.ident.unraw().to_string()
            };
            quote!(#code)
        }
    }
}

/// The case's retry hint, or `None` when it has none.
fn retry_expr(
    case: &Case,
    delegate_to: Option<&Field>,
    bounds: &mut Bounds,
) -> Option<TokenStream> {
    if let Some(index) = case.retry_after_field() {
        bounds.classified(
            case.fields[index].ty,
            &quote!(::error_core::__private::RetryAfterField),
        );
    }
    let ms = case
        .attrs
        .class
        .as_ref()
        .and_then(|c| c.retry_after_ms.as_ref())
        .map(|(_, ms)| *ms);
    if let Some(ms) = ms {
        Some(quote!(::error_core::__private::millis(#ms)))
    } else if let Some(index) = case.retry_after_field() {
        let field = &case.fields[index];
        let binding = &field.binding;
        Some(quote!(::error_core::__private::RetryAfterField::retry_after_hint(#binding)))
    } else {
        delegate_to.map(|field| delegate_call(field, "retry_after", &TokenStream::new()))
    }
}

fn visit_stmts(case: &Case, delegate_to: Option<&Field>, bounds: &mut Bounds) -> Vec<TokenStream> {
    if case.is_transparent() {
        return delegate_to
            .map(|field| {
                let call = delegate_call(field, "visit_fields", &quote!(, __visitor));
                quote!(#call;)
            })
            .into_iter()
            .collect();
    }
    case.fields
        .iter()
        .enumerate()
        .filter(|(index, _)| case.is_data(*index))
        .map(|(index, field)| {
            let key = &field.key;
            let binding = &field.binding;
            let value = match shown(case, index) {
                Shown::Redacted => quote!(::error_core::Value::Redacted),
                Shown::Debug => {
                    bounds.visitor(field.ty, &quote!(::core::fmt::Debug));
                    quote!(::error_core::Value::Debug(#binding))
                }
                Shown::Hint => {
                    let hint = hint_expr(binding);
                    quote!(::error_core::Value::Display(&#hint))
                }
                Shown::Display => {
                    bounds.visitor(field.ty, &quote!(::core::fmt::Display));
                    quote!({
                        #[allow(unused_imports)]
                        use ::error_core::__private::{ViaDebug as _, ViaDisplay as _};
                        (&&::error_core::__private::ValueProbe(#binding)).value()
                    })
                }
            };
            quote!(__visitor.visit(#key, #value);)
        })
        .collect()
}

fn from_impl(input: &Input, case: &Case) -> Option<TokenStream> {
    let from = case.field_with_from()?;
    let source_ty = case.fields[from].ty;
    // Validation leaves only the source and a backtrace in a `#[from]` case. The value is
    // written the way a person would (`Self::V(source)`, `Self::V { source }`), so that the
    // impl, which carries the user's span, is clean under clippy too.
    let values = case.fields.iter().enumerate().map(|(index, field)| {
        if index == from {
            quote!(source)
        } else {
            backtrace_capture(field.ty)
        }
    });
    let path = case_path(case);
    let value = if case
        .fields
        .iter()
        .all(|f| matches!(f.member, syn::Member::Unnamed(_)))
    {
        quote!(#path(#(#values),*))
    } else {
        let inits = case.fields.iter().zip(values).map(|(field, value)| {
            let member = &field.member;
            if field.key == "source" && value.to_string() == "source" {
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
    // The whole impl carries the field's span, so that two `From` impls for one type are
    // reported at the two fields.
    let from = quote! {
        #allows
        impl #impl_generics ::core::convert::From<#source_ty> for #ty #ty_generics #where_clause {
            fn from(source: #source_ty) -> Self {
                #value
            }
        }
    };
    Some(respan(from, type_span(source_ty)))
}

/// A freshly captured backtrace for a field of type `Backtrace` or `Option<Backtrace>`.
pub(crate) fn backtrace_capture(ty: &Type) -> TokenStream {
    let capture = quote!(::std::backtrace::Backtrace::capture());
    if crate::prop::option_inner(ty).is_some() {
        quote!(::core::option::Option::Some(#capture))
    } else {
        capture
    }
}
