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
    for case in &input.cases {
        check_case(cx, input, case);
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

fn what(input: &Input, case: &Case) -> String {
    if input.is_enum {
        format!("variant `{}`", case.ident)
    } else {
        format!("struct `{}`", case.ident)
    }
}

fn check_case(cx: &Ctxt, input: &Input, case: &Case) {
    match &case.attrs.display {
        None if case.attrs.display_malformed => {}
        None => cx.error_at(
            case.span(),
            format_args!(
                "missing #[error(\"...\")] on {}: every error needs a message",
                what(input, case)
            ),
        ),
        Some(Display::Fmt { lit, .. }) if !input.free_messages() => check_style(cx, case, lit),
        Some(_) => {}
    }
    if let Some(scanned) = &case.message {
        for member in &scanned.unknown {
            cx.error_spanned_by(
                member,
                format_args!("{} has no field `{member}`", what(input, case)),
            );
        }
    }
    check_fields(cx, case);
    if case.is_transparent() {
        check_transparent(cx, case);
    } else {
        check_class(cx, input, case);
    }
}

/// Guard 3: lowercase, no trailing period, never the source.
fn check_style(cx: &Ctxt, case: &Case, lit: &syn::LitStr) {
    const OPT_OUT: &str = "(#[class(free_messages)] on the type opts out)";
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
    if message.trim_end().ends_with('.') {
        cx.error_spanned_by(
            lit,
            format_args!(
                "error messages do not end with a period: the derive appends ``. key=`value` `` \
                 and reports join messages with `: ` {OPT_OUT}"
            ),
        );
    }
    if let (Some(source), Some(scanned)) = (case.source_field(), &case.message) {
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
}

fn lowercase_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn check_fields(cx: &Ctxt, case: &Case) {
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
    for (index, field) in case.fields.iter().enumerate() {
        let role = if Some(index) == source {
            "the source"
        } else if Some(index) == backtrace {
            "the backtrace"
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
        let extra = case
            .fields
            .iter()
            .enumerate()
            .find(|(index, _)| Some(*index) != source && Some(*index) != backtrace);
        if let (Some((_, extra)), Some(marker)) = (extra, case.fields[from].attrs.from) {
            cx.error_at(
                attr::path_span(marker),
                format_args!(
                    "#[from] needs a case whose only fields are the source and a backtrace; \
                     `{}` would have no value",
                    extra.key
                ),
            );
        }
    }
}

fn check_transparent(cx: &Ctxt, case: &Case) {
    if let (Some(display), true) = (&case.attrs.display, case.fields.len() != 1) {
        cx.error_at(
            attr::path_span(display.original()),
            "#[error(transparent)] needs exactly one field: the error it forwards to",
        );
    }
    if let Some(class) = &case.attrs.class {
        cx.error_at(
            class.path.span(),
            "#[error(transparent)] forwards class, code and retry_after to its field; remove #[class]",
        );
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
                    if prop::option_inner(field.ty).is_some() {
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
        ClassOf::Transparent => {}
    }
}
