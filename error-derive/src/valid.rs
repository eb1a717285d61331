//! The guards: rules that involve more than one attribute, or an attribute and the shape
//! of the type. Each records a spanned error in the [`Ctxt`] and validation goes on, so one
//! compile shows every mistake.

use syn::Visibility;

use crate::ast::{Case, Input};
use crate::attr::{self, CLASSES, Display};
use crate::ctxt::Ctxt;
use crate::prop::{self, ClassOf};

pub(crate) fn check(cx: &Ctxt, input: &Input) {
    if input.is_enum {
        check_non_exhaustive(cx, input);
    }
    // A message written on the enum is checked once, there, not once per variant.
    if let Some(Display::Fmt { lit, .. }) = &input.attrs.display {
        if !input.free_messages() {
            check_wording(cx, lit);
        }
    }
    // With no `#[error]` anywhere, the user writes `Display` (as with thiserror); with
    // one, every case needs one.
    let has_display = input.cases.iter().any(|case| case.display.is_some());
    for case in &input.cases {
        check_case(cx, input, case, has_display);
    }
}

/// Guard 2: a `pub` enum is `#[non_exhaustive]`, or says `#[class(exhaustive)]`.
fn check_non_exhaustive(cx: &Ctxt, input: &Input) {
    let original = input.original;
    let is_pub = matches!(original.vis, Visibility::Public(_));
    let non_exhaustive = original
        .attrs
        .iter()
        .any(|a| a.path().is_ident("non_exhaustive"));
    let opted_out = input
        .attrs
        .class
        .as_ref()
        .is_some_and(|c| c.exhaustive.is_some());
    if is_pub && !non_exhaustive && !opted_out {
        cx.error_at(
            original.ident.span(),
            format_args!(
                "pub enum `{}` must be #[non_exhaustive], so that a new variant is not a breaking change; \
                 add #[non_exhaustive], or #[class(exhaustive)] to keep it exhaustive on purpose",
                original.ident
            ),
        );
    }
}

const OPT_OUT: &str = "(#[class(free_messages)] on the type opts out)";

fn what(input: &Input, case: &Case) -> String {
    if input.is_enum {
        format!("variant `{}`", case.ident)
    } else {
        format!("struct `{}`", case.ident)
    }
}

fn check_case(cx: &Ctxt, input: &Input, case: &Case, has_display: bool) {
    match (&case.attrs.display, &case.display) {
        (_, None) if case.attrs.display_malformed || !has_display => {}
        (_, None) => cx.error_at(
            case.span(),
            format_args!(
                "missing #[error(\"...\")] on {}: the type's other errors have a message, so \
                 this one needs one too (or one on the enum, for every variant without its own)",
                what(input, case)
            ),
        ),
        (Some(Display::Fmt { lit, .. }), _) if !input.free_messages() => {
            check_wording(cx, lit);
        }
        _ => {}
    }
    if let Some(scanned) = &case.message {
        check_message(cx, input, case, scanned);
    }
    check_fields(cx, case);
    check_redact(cx, case);
    if case.is_transparent() {
        check_transparent(cx, input, case);
    } else {
        check_class(cx, input, case);
    }
    check_appended(cx, case);
}

/// What a message's placeholders and arguments must not do.
fn check_message(cx: &Ctxt, input: &Input, case: &Case, scanned: &crate::fmt::Scanned) {
    for member in &scanned.unknown {
        cx.error_spanned_by(
            member,
            format_args!("{} has no field `{member}`", what(input, case)),
        );
    }
    // Reported at the case's own message, or once for the enum's.
    let own = matches!(case.attrs.display, Some(Display::Fmt { .. }));
    let first = input.cases.iter().position(|c| c.attrs.display.is_none());
    let report = own || first.is_some_and(|i| input.cases[i].ident == case.ident);
    let Some(Display::Fmt { lit, .. }) = &case.display else {
        return;
    };
    if scanned.self_display && report {
        cx.error_spanned_by(
            lit,
            "the message formats the error itself with `{self}`, which calls this `Display` \
             again and never returns; name the fields, or use `{self:?}`",
        );
    }
    if let (Some(first), true) = (&scanned.ambiguous, report) {
        cx.error_spanned_by(
            first,
            format_args!(
                "ambiguous reference to positional arguments by number in a tuple {}: `{{0}}` \
                 could be the field or this argument; name the argument (`name = ...`) and \
                 write `{{name}}`",
                if case.variant.is_some() {
                    "variant"
                } else {
                    "struct"
                }
            ),
        );
    }
    if !input.free_messages() {
        check_source_shown(cx, case, scanned);
    }
}

/// An appended ``key=`value` `` field whose type is an error: the chain would print its
/// message inside the outer one, which is what the source guard exists to prevent.
fn check_appended(cx: &Ctxt, case: &Case) {
    // A misplaced or second `#[source]` is reported already; the field it meant is then
    // appended, and saying so again would be the same mistake twice.
    let misplaced = case.variant.is_some_and(|v| {
        v.attrs
            .iter()
            .any(|a| a.path().is_ident("source") || a.path().is_ident("from"))
    });
    let sources = case
        .fields
        .iter()
        .filter(|f| {
            f.written
                .iter()
                .any(|a| a.path().is_ident("source") || a.path().is_ident("from"))
        })
        .count();
    if misplaced || sources > 1 || (sources == 1 && case.source_field().is_none()) {
        return;
    }
    for (index, field) in case.fields.iter().enumerate() {
        if field.attrs.kv.is_some() || !case.is_appended(index) || !looks_like_error(field.ty) {
            continue;
        }
        cx.error_spanned_by(
            field.ty,
            format_args!(
                "field `{}` looks like an error: it would be appended as ``{}=`...` ``, its \
                 message inside this one; mark it #[source] (reports show the source after \
                 the message), or #[kv(display)] or #[kv(skip)] to keep it a plain field",
                field.key, field.key
            ),
        );
    }
}

/// Whether a type is spelled as an error: its last path segment is `Error` or ends with
/// `Error` (`io::Error`, `ParseIntError`), or it holds a `dyn Error` (`Arc<dyn Error>`).
fn looks_like_error(ty: &syn::Type) -> bool {
    fn has_dyn_error(tokens: proc_macro2::TokenStream) -> bool {
        use proc_macro2::TokenTree;
        let mut after_dyn = false;
        for token in tokens {
            match token {
                TokenTree::Ident(ident) if ident == "dyn" => after_dyn = true,
                TokenTree::Ident(ident) if after_dyn && ident == "Error" => return true,
                TokenTree::Punct(p) if p.as_char() == ':' => {}
                TokenTree::Ident(_) => {}
                TokenTree::Punct(_) | TokenTree::Literal(_) => after_dyn = false,
                TokenTree::Group(group) => {
                    if has_dyn_error(group.stream()) {
                        return true;
                    }
                    after_dyn = false;
                }
            }
        }
        false
    }
    let named_error = match ty {
        syn::Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident.to_string().ends_with("Error")),
        _ => false,
    };
    named_error || has_dyn_error(quote::ToTokens::to_token_stream(ty))
}

/// Guard 3, on the words: lowercase, no trailing period (an ellipsis is not one).
fn check_wording(cx: &Ctxt, lit: &syn::LitStr) {
    let message = lit.value();
    let first_word: &str = message
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    let starts_upper = first_word.starts_with(char::is_uppercase);
    if starts_upper && first_word.chars().any(char::is_lowercase) {
        cx.error_spanned_by(
            lit,
            format_args!(
                "error messages start lowercase, so that they read well after `: ` in a chain; \
                 write `{}` {OPT_OUT}",
                lowercase_first(message.trim_end().trim_end_matches('.'))
            ),
        );
    }
    let trimmed = message.trim_end();
    if trimmed.ends_with('.') && !trimmed.ends_with("...") {
        cx.error_spanned_by(
            lit,
            format_args!(
                "error messages do not end with a period: the derive appends ``. key=`value` `` \
                 and reports join messages with `: ` {OPT_OUT}"
            ),
        );
    }
}

/// Guard 3, on the source: the message never shows it.
fn check_source_shown(cx: &Ctxt, case: &Case, scanned: &crate::fmt::Scanned) {
    let Some(source) = case.source_field() else {
        return;
    };
    for u in scanned.uses.iter().filter(|u| u.field == source) {
        cx.error_at(
            u.span,
            format_args!(
                "the message shows the source `{}`; a source's message is never part of \
                 the message, because reports show the whole chain {OPT_OUT}",
                case.fields[source].key
            ),
        );
    }
}

fn lowercase_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The first lifetime in `ty` other than `'static`.
fn borrowed_lifetime(ty: &syn::Type) -> Option<proc_macro2::TokenStream> {
    fn find(tokens: proc_macro2::TokenStream) -> Option<proc_macro2::TokenStream> {
        use proc_macro2::TokenTree;
        let mut tokens = tokens.into_iter().peekable();
        while let Some(token) = tokens.next() {
            match token {
                TokenTree::Punct(p) if p.as_char() == '\'' => {
                    if let Some(TokenTree::Ident(name)) = tokens.peek() {
                        if name != "static" {
                            let name = name.clone();
                            return Some(quote::quote!(#p #name));
                        }
                    }
                }
                TokenTree::Group(group) => {
                    if let Some(found) = find(group.stream()) {
                        return Some(found);
                    }
                }
                _ => {}
            }
        }
        None
    }
    find(quote::ToTokens::to_token_stream(ty))
}

/// A case has one `Location` field: a second is an error at its type.
fn check_second_location(cx: &Ctxt, case: &Case) {
    let Some(first) = case.location_field() else {
        return;
    };
    for field in case.fields.iter().skip(first + 1) {
        if field.facts.location {
            cx.error_at(
                crate::expand::type_span(field.ty),
                format_args!(
                    "a second `Location` field: `{}` is already where this error was made",
                    case.fields[first].key
                ),
            );
        }
    }
}

fn check_fields(cx: &Ctxt, case: &Case) {
    if let (Some(source), false) = (case.source_field(), case.is_transparent()) {
        let field = &case.fields[source];
        if borrowed_lifetime(field.ty).is_some() {
            cx.error_spanned_by(
                field.ty,
                "a source cannot borrow: `Error::source` returns `&(dyn Error + 'static)`, so \
                 the source's type cannot hold a lifetime other than `'static`; own the data, \
                 or make it an ordinary field",
            );
        }
    }
    let mut source: Option<usize> = None;
    let mut retry_after: Option<usize> = None;
    let mut backtrace: Option<usize> = None;
    for (index, field) in case.fields.iter().enumerate() {
        let marker = field.attrs.source.or(field.attrs.from);
        if let Some(marker) = marker {
            if let Some(first) = source {
                cx.error_at(
                    attr::path_span(marker),
                    format_args!(
                        "a second source: `{}` is already this error's source",
                        case.fields[first].key
                    ),
                );
            } else {
                source = Some(index);
            }
        }
        if let Some(marker) = field.attrs.retry_after {
            if let Some(first) = retry_after {
                cx.error_at(
                    attr::path_span(marker),
                    format_args!(
                        "a second #[retry_after] field: `{}` already gives the hint",
                        case.fields[first].key
                    ),
                );
            } else {
                retry_after = Some(index);
            }
        }
        if let Some(marker) = field.attrs.backtrace {
            if backtrace.is_some() {
                cx.error_at(attr::path_span(marker), "a second #[backtrace] field");
            } else {
                backtrace = Some(index);
            }
        }
    }
    let source = case.source_field();
    let backtrace = case.backtrace_field();
    let location = case.location_field();
    check_second_location(cx, case);
    for (index, field) in case.fields.iter().enumerate() {
        let role = if Some(index) == source {
            "the source"
        } else if Some(index) == backtrace {
            "the backtrace"
        } else if Some(index) == location {
            "the location"
        } else {
            continue;
        };
        if let Some(kv) = &field.attrs.kv {
            cx.error_at(
                attr::path_span(kv.original),
                format_args!("#[kv] has no effect on {role}: it is never part of the message"),
            );
        }
        if let Some(marker) = field.attrs.retry_after {
            cx.error_at(
                attr::path_span(marker),
                format_args!(
                    "#[retry_after] on {role}: the hint must be a `Duration` field of its own"
                ),
            );
        }
    }
    if let Some(from) = case.field_with_from() {
        let extra = case.fields.iter().enumerate().find(|(index, _)| {
            Some(*index) != source && Some(*index) != backtrace && Some(*index) != location
        });
        if let (Some((_, extra)), Some(marker)) = (extra, case.fields[from].attrs.from) {
            cx.error_at(
                attr::path_span(marker),
                format_args!(
                    "#[from] needs a case whose only fields are the source, a backtrace and a \
                     location; `{}` would have no value",
                    extra.key
                ),
            );
        }
    }
}

/// `#[kv(redact)]` on a `#[retry_after]` field: `retry_after()` returns the value and
/// exporters record it. (That a `#[kv(redact)]` field is a `Secret` is checked by the
/// compiler, at the field's type, through the code `expand` generates.)
fn check_redact(cx: &Ctxt, case: &Case) {
    for field in &case.fields {
        if let (Some(kv), Some(_)) = (&field.attrs.kv, field.attrs.retry_after) {
            if kv.mode == attr::KvMode::Redact {
                cx.error_at(
                    attr::path_span(kv.original),
                    "#[kv(redact)] on a #[retry_after] field, whose value is no secret: \
                     `retry_after()` returns it and exporters record it; #[kv(skip)] keeps it \
                     out of the message",
                );
            }
        }
    }
}

fn check_transparent(cx: &Ctxt, input: &Input, case: &Case) {
    if case.fields.len() != 1 {
        let span = case.attrs.display.as_ref().map_or_else(
            || case.span(),
            |display| attr::path_span(display.original()),
        );
        cx.error_at(
            span,
            "#[error(transparent)] needs exactly one field: the error it forwards to",
        );
    }
    if let Some(class) = &case.attrs.class {
        match &class.kind {
            Some(attr::ClassName {
                kind: attr::Kind::Source,
                ident,
            }) => cx.error_at(
                ident.span(),
                "#[class(source)] on #[error(transparent)], which forwards to its field already; remove it",
            ),
            None if class.with.is_none() => cx.error_at(
                class.path.span(),
                "#[error(transparent)] forwards class, code, status, level and retry hint to its \
                 field; to give it its own, name a class: #[class(KIND, ..)]",
            ),
            _ => check_class(cx, input, case),
        }
    }
    for field in &case.fields {
        let misplaced = [
            ("source", field.attrs.source),
            ("retry_after", field.attrs.retry_after),
            ("kv", field.attrs.kv.as_ref().map(|kv| kv.original)),
        ];
        for (name, attr) in misplaced {
            if let Some(attr) = attr {
                cx.error_at(
                    attr::path_span(attr),
                    format_args!(
                        "#[{name}] on the field of #[error(transparent)], which is the whole error already"
                    ),
                );
            }
        }
    }
}

/// Guards 1, 5 and 6.
fn check_class(cx: &Ctxt, input: &Input, case: &Case) {
    let own = case.attrs.class.as_ref();
    let retry_after_ms = own.and_then(|c| c.retry_after_ms.as_ref());
    let retry_after_field = case.retry_after_field();
    if let (Some((key, _)), Some(field)) = (retry_after_ms, retry_after_field) {
        cx.error_at(
            key.span(),
            format_args!(
                "conflicting retry hints: `retry_after_ms` and the #[retry_after] field `{}`",
                case.fields[field].key
            ),
        );
    }
    let hint_span = retry_after_ms.map(|(key, _)| key.span()).or_else(|| {
        retry_after_field
            .and_then(|f| case.fields[f].attrs.retry_after)
            .map(attr::path_span)
    });
    match case.class_of(input) {
        ClassOf::Missing if case.attrs.class_malformed || input.attrs.class_malformed => {}
        ClassOf::Missing => {
            let advice = if input.is_enum {
                "add #[class(KIND)] to it, or a default #[class(KIND)] to the enum"
            } else {
                "add #[class(KIND)] to it"
            };
            cx.error_at(
                case.span(),
                format_args!("{} has no class; {advice}", what(input, case)),
            );
        }
        ClassOf::Fixed { index } => {
            if let (Some(span), false) = (hint_span, prop::is_retriable(index)) {
                cx.error_at(
                    span,
                    format_args!(
                        "a retry hint on class `{}`, which is never retried; \
                         only transient, busy, redirect and conflict errors take one",
                        CLASSES[index].0
                    ),
                );
            }
        }
        ClassOf::Source { name } => {
            let own_name = own.and_then(|c| c.kind.as_ref()).is_some();
            match case.source_field() {
                None if own_name => cx.error_at(
                    name.ident.span(),
                    format_args!(
                        "#[class(source)] on {}, which has no source field; mark one #[source] or #[from]",
                        what(input, case)
                    ),
                ),
                None => cx.error_at(
                    case.span(),
                    format_args!(
                        "{} takes its class from its source (the enum's #[class(source)]), but has no \
                         source field; give it a #[class(KIND)] of its own",
                        what(input, case)
                    ),
                ),
                Some(source) => {
                    let field = &case.fields[source];
                    if field.facts.option {
                        cx.error_spanned_by(
                            field.ty,
                            "#[class(source)] needs a source that is always there, not an `Option`",
                        );
                    }
                }
            }
            if let Some(span) = hint_span {
                cx.error_at(
                    span,
                    "conflicting retry hints: #[class(source)] takes retry_after from the source",
                );
            }
        }
        ClassOf::Transparent { .. } | ClassOf::With { .. } => {}
    }
}
