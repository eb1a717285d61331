//! Parsing of the derive's attributes: `#[error]`, `#[class]`, `#[kv]`, `#[source]`,
//! `#[from]`, `#[backtrace]` and `#[retry_after]`, and only those.
//!
//! Every mistake is recorded in the [`Ctxt`] and parsing carries on with the next attribute.
//! Rules that involve more than one attribute live in `valid.rs`.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, LitInt, LitStr, Meta, Token};

use crate::ctxt::Ctxt;

/// The class names `#[class(...)]` accepts, in the order of `error_core::Class`, with the
/// matching variant of `error_core::Class` and whether the class is retriable.
pub(crate) const CLASSES: [(&str, &str, bool); 10] = [
    ("transient", "Transient", true),
    ("busy", "Busy", true),
    ("redirect", "Redirect", true),
    ("conflict", "Conflict", true),
    ("invalid", "Invalid", false),
    ("denied", "Denied", false),
    ("closed", "Closed", false),
    ("data", "Data", false),
    ("fatal", "Fatal", false),
    ("internal", "Internal", false),
];

/// The status names `status = NAME` accepts, with the matching variant of
/// `error_core::Status`.
pub(crate) const STATUSES: [(&str, &str); 16] = [
    ("cancelled", "Cancelled"),
    ("unknown", "Unknown"),
    ("invalid_argument", "InvalidArgument"),
    ("deadline_exceeded", "DeadlineExceeded"),
    ("not_found", "NotFound"),
    ("already_exists", "AlreadyExists"),
    ("permission_denied", "PermissionDenied"),
    ("resource_exhausted", "ResourceExhausted"),
    ("failed_precondition", "FailedPrecondition"),
    ("aborted", "Aborted"),
    ("out_of_range", "OutOfRange"),
    ("unimplemented", "Unimplemented"),
    ("internal", "Internal"),
    ("unavailable", "Unavailable"),
    ("data_loss", "DataLoss"),
    ("unauthenticated", "Unauthenticated"),
];

/// The level names `level = NAME` accepts, with the matching variant of `error_core::Level`.
pub(crate) const LEVELS: [(&str, &str); 5] = [
    ("error", "Error"),
    ("warn", "Warn"),
    ("info", "Info"),
    ("debug", "Debug"),
    ("trace", "Trace"),
];

/// Where an enum's context selectors go: `context`, `context = module` or `context = none`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    /// Beside the enum: `context`.
    Here,
    /// In a module named after the enum: `context = module`.
    Module,
    /// Nowhere: `context = none`, and the default.
    None,
}

/// Where an attribute was written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    Enum,
    Struct,
    Variant,
}

/// The attributes of an enum, a struct or a variant.
pub(crate) struct Attrs<'a> {
    pub(crate) display: Option<Display<'a>>,
    pub(crate) class: Option<ClassAttr>,
    /// `#[kv(skip)]` on the item: no field is appended or visited unless it opts back in
    /// with a `#[kv(..)]` of its own.
    pub(crate) kv_skip: Option<&'a Attribute>,
    /// An `#[error]` was written but is malformed (its error is already recorded):
    /// validation does not also report it missing.
    pub(crate) display_malformed: bool,
    /// Likewise for `#[class]`.
    pub(crate) class_malformed: bool,
}

impl Attrs<'_> {
    pub(crate) fn empty() -> Self {
        Attrs {
            display: None,
            class: None,
            kv_skip: None,
            display_malformed: false,
            class_malformed: false,
        }
    }
}

/// `#[error("...", args)]`, `#[error(transparent)]` or `#[error(fmt = path)]`.
#[derive(Clone)]
pub(crate) enum Display<'a> {
    Fmt {
        original: &'a Attribute,
        lit: LitStr,
        args: TokenStream,
    },
    Transparent {
        original: &'a Attribute,
    },
    /// A function that writes the message: `fn(&Field1, &Field2, .., &mut Formatter)`.
    FmtPath {
        original: &'a Attribute,
        path: syn::ExprPath,
    },
}

impl Display<'_> {
    pub(crate) fn original(&self) -> &Attribute {
        match self {
            Display::Fmt { original, .. }
            | Display::Transparent { original }
            | Display::FmtPath { original, .. } => original,
        }
    }
}

/// `#[class(KIND, code = "...", retry_after_ms = N, exhaustive, free_messages)]`.
pub(crate) struct ClassAttr {
    /// The attribute's `class` path, for spans.
    pub(crate) path: Ident,
    pub(crate) kind: Option<ClassName>,
    pub(crate) code: Option<LitStr>,
    pub(crate) retry_after_ms: Option<(Ident, u64)>,
    /// `status = NAME`: the variant of `error_core::Status`.
    pub(crate) status: Option<(Ident, &'static str)>,
    /// `level = NAME`: the variant of `error_core::Level`.
    pub(crate) level: Option<(Ident, &'static str)>,
    pub(crate) context: Option<(Ident, Context)>,
    /// `with = path`: a function of the case's fields that returns its class.
    pub(crate) with: Option<(Ident, syn::ExprPath)>,
    pub(crate) exhaustive: Option<Ident>,
    pub(crate) free_messages: Option<Ident>,
}

/// A class name as written, resolved.
#[derive(Clone)]
pub(crate) struct ClassName {
    pub(crate) kind: Kind,
    pub(crate) ident: Ident,
}

/// What `#[class(KIND)]` names: one of [`CLASSES`] (by index), or `source`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Class(usize),
    Source,
}

/// The attributes of a field.
#[derive(Default)]
pub(crate) struct FieldAttrs<'a> {
    pub(crate) source: Option<&'a Attribute>,
    pub(crate) from: Option<&'a Attribute>,
    pub(crate) backtrace: Option<&'a Attribute>,
    pub(crate) retry_after: Option<&'a Attribute>,
    pub(crate) kv: Option<Kv<'a>>,
}

/// `#[kv(skip)]`, `#[kv(display)]`, `#[kv(debug)]` or `#[kv(redact)]`.
pub(crate) struct Kv<'a> {
    pub(crate) original: &'a Attribute,
    pub(crate) mode: KvMode,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum KvMode {
    Skip,
    /// Shown with `Display`: the default, written to opt a field back in under an item's
    /// `#[kv(skip)]`.
    Display,
    Debug,
    Redact,
}

const KV_MODES: &str = "skip, display, debug, redact";

impl KvMode {
    fn name(self) -> &'static str {
        match self {
            KvMode::Skip => "skip",
            KvMode::Display => "display",
            KvMode::Debug => "debug",
            KvMode::Redact => "redact",
        }
    }
}

const FIELD_ATTRS: [&str; 5] = ["kv", "source", "from", "backtrace", "retry_after"];

/// The span of an attribute's name: the smallest token that says which attribute it is.
pub(crate) fn path_span(attr: &Attribute) -> Span {
    attr.path().span()
}

fn attr_name(attr: &Attribute) -> Option<String> {
    attr.path().get_ident().map(ToString::to_string)
}

/// Parses the attributes of an enum, a struct or a variant.
pub(crate) fn item_attrs<'a>(cx: &Ctxt, attrs: &'a [Attribute], place: Place) -> Attrs<'a> {
    let mut out = Attrs::empty();
    for attr in attrs {
        let Some(name) = attr_name(attr) else {
            continue;
        };
        match name.as_str() {
            "error" => {
                if out.display.is_some() {
                    cx.error_at(path_span(attr), "duplicate #[error] attribute");
                } else {
                    let before = cx.error_count();
                    out.display = parse_error_attr(cx, attr);
                    out.display_malformed = cx.error_count() > before;
                }
            }
            "class" => {
                if out.class.is_some() {
                    cx.error_at(path_span(attr), "duplicate #[class] attribute");
                } else {
                    let before = cx.error_count();
                    out.class = parse_class_attr(cx, attr, place);
                    out.class_malformed = cx.error_count() > before;
                }
            }
            "from" if !matches!(attr.meta, Meta::Path(_)) => {
                // `#[from(...)]` belongs to another derive (derive_more); thiserror ignores
                // it too.
            }
            "kv" => match parse_kv_attr(cx, attr) {
                Some(KvMode::Skip) if out.kv_skip.is_some() => {
                    cx.error_at(path_span(attr), "duplicate #[kv] attribute");
                }
                Some(KvMode::Skip) => out.kv_skip = Some(attr),
                Some(other) => cx.error_at(
                    path_span(attr),
                    format_args!(
                        "#[kv({})] goes on a field; on {}, only #[kv(skip)] (no field is appended unless it says so)",
                        other.name(),
                        place_name(place)
                    ),
                ),
                None => {}
            },
            other if FIELD_ATTRS.contains(&other) => {
                cx.error_at(
                    path_span(attr),
                    format_args!("#[{other}] goes on a field, not on {}", place_name(place)),
                );
            }
            _ => {}
        }
    }
    out
}

fn place_name(place: Place) -> &'static str {
    match place {
        Place::Enum => "an enum",
        Place::Struct => "a struct",
        Place::Variant => "a variant",
    }
}

/// Parses the attributes of a field.
pub(crate) fn field_attrs<'a>(cx: &Ctxt, attrs: &'a [Attribute]) -> FieldAttrs<'a> {
    let mut out = FieldAttrs::default();
    for attr in attrs {
        let Some(name) = attr_name(attr) else {
            continue;
        };
        let slot = match name.as_str() {
            "error" | "class" => {
                cx.error_at(
                    path_span(attr),
                    format_args!("#[{name}] goes on a variant or on the type, not on a field"),
                );
                continue;
            }
            "kv" => {
                if out.kv.is_some() {
                    cx.error_at(path_span(attr), "duplicate #[kv] attribute");
                } else if let Some(mode) = parse_kv_attr(cx, attr) {
                    out.kv = Some(Kv {
                        original: attr,
                        mode,
                    });
                }
                continue;
            }
            // `#[from(...)]` belongs to another derive (derive_more); thiserror ignores it too.
            "from" if !matches!(attr.meta, Meta::Path(_)) => continue,
            "source" => &mut out.source,
            "from" => &mut out.from,
            "backtrace" => &mut out.backtrace,
            "retry_after" => &mut out.retry_after,
            _ => continue,
        };
        if !matches!(attr.meta, Meta::Path(_)) {
            cx.error_spanned_by(
                meta_args(&attr.meta),
                format_args!("#[{name}] takes no arguments"),
            );
        } else if slot.is_some() {
            cx.error_at(
                path_span(attr),
                format_args!("duplicate #[{name}] attribute"),
            );
        } else {
            *slot = Some(attr);
        }
    }
    out
}

/// The part of a meta after its path: `(...)` or `= value`.
fn meta_args(meta: &Meta) -> TokenStream {
    match meta {
        Meta::Path(path) => path.to_token_stream(),
        Meta::List(list) => list.delimiter_span_tokens(),
        Meta::NameValue(nv) => {
            let mut tokens = nv.eq_token.to_token_stream();
            nv.value.to_tokens(&mut tokens);
            tokens
        }
    }
}

trait DelimiterTokens {
    fn delimiter_span_tokens(&self) -> TokenStream;
}

impl DelimiterTokens for syn::MetaList {
    /// The list's delimiters and contents, so that an error spans `(...)`.
    fn delimiter_span_tokens(&self) -> TokenStream {
        let mut group =
            proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, self.tokens.clone());
        group.set_span(self.delimiter.span().join());
        group.into_token_stream()
    }
}

/// The span of a list attribute's `(...)`, for "empty" errors.
fn parens_span(attr: &Attribute) -> Option<Span> {
    match &attr.meta {
        Meta::List(list) if list.tokens.is_empty() => Some(list.delimiter.span().join()),
        _ => None,
    }
}

/// Parses `#[error(...)]`. After a mistake it still returns what it could tell (the
/// message, or `transparent`), so that validation does not report follow-on errors.
fn parse_error_attr<'a>(cx: &Ctxt, attr: &'a Attribute) -> Option<Display<'a>> {
    if let Meta::Path(_) = attr.meta {
        cx.error_at(
            path_span(attr),
            "expected #[error(\"message\")] or #[error(transparent)]",
        );
        return None;
    }
    if let Some(span) = parens_span(attr) {
        cx.error_at(span, "expected a message: #[error(\"message\")]");
        return None;
    }
    let parsed = attr.parse_args_with(|input: ParseStream| {
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            let args: TokenStream = input.parse()?;
            let mut tokens = args.clone().into_iter();
            let args = match tokens.next() {
                Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == ',' => args,
                Some(first) => {
                    cx.error_spanned_by(
                        first,
                        "expected `,` between the message and its arguments",
                    );
                    TokenStream::new()
                }
                None => args,
            };
            return Ok(Some(Display::Fmt {
                original: attr,
                lit,
                args,
            }));
        }
        let ident: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a string literal, `transparent` or `fmt = path::to::function`",
            )
        })?;
        if ident == "transparent" {
            let rest: TokenStream = input.parse()?;
            if !rest.is_empty() {
                cx.error_spanned_by(rest, "unexpected tokens after `transparent`");
            }
            return Ok(Some(Display::Transparent { original: attr }));
        }
        if ident == "fmt" && input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            let path: syn::ExprPath = input.parse()?;
            let rest: TokenStream = input.parse()?;
            if !rest.is_empty() {
                cx.error_spanned_by(rest, "unexpected tokens after the function's path");
            }
            return Ok(Some(Display::FmtPath {
                original: attr,
                path,
            }));
        }
        // Skip the rest: the error is reported once, at the first wrong token.
        input.parse::<TokenStream>()?;
        cx.error_at(
            ident.span(),
            "expected a string literal, `transparent` or `fmt = path::to::function`",
        );
        Ok(None)
    });
    parsed.unwrap_or_else(|error| {
        cx.syn_error(error);
        None
    })
}

fn class_list() -> String {
    let mut list = String::new();
    for (name, _, _) in CLASSES {
        list.push_str(name);
        list.push_str(", ");
    }
    list.push_str("source");
    list
}

/// The class name nearest to `unknown`, if any is near enough to be a typo.
fn nearest_class(unknown: &str) -> Option<&'static str> {
    nearest(
        unknown,
        CLASSES.iter().map(|(name, _, _)| *name).chain(["source"]),
    )
}

/// The name nearest to `unknown`, if any is near enough to be a typo.
fn nearest(unknown: &str, names: impl Iterator<Item = &'static str>) -> Option<&'static str> {
    names
        .map(|name| (levenshtein(unknown, name), name))
        .filter(|(distance, name)| *distance <= 2.max(name.len() / 3))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

fn parse_class_attr(cx: &Ctxt, attr: &Attribute, place: Place) -> Option<ClassAttr> {
    let path = attr.path().get_ident()?.clone();
    if let Meta::Path(_) = attr.meta {
        cx.error_at(
            path.span(),
            format_args!(
                "expected a class: #[class(KIND)] where KIND is one of: {}",
                class_list()
            ),
        );
        return None;
    }
    if let Some(span) = parens_span(attr) {
        cx.error_at(
            span,
            format_args!("expected a class: one of {}", class_list()),
        );
        return None;
    }
    let mut out = ClassAttr {
        path,
        kind: None,
        code: None,
        retry_after_ms: None,
        status: None,
        level: None,
        context: None,
        with: None,
        exhaustive: None,
        free_messages: None,
    };
    let parsed = attr.parse_args_with(|input: ParseStream| {
        if input.is_empty() {
            return Err(input.error(format_args!("expected a class: one of {}", class_list())));
        }
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            if input.peek(Token![=]) {
                input.parse::<Token![=]>()?;
                parse_class_option(cx, input, &key, place, &mut out)?;
            } else {
                parse_class_word(cx, &key, place, &mut out);
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(())
    });
    if let Err(error) = parsed {
        cx.syn_error(error);
    }
    Some(out)
}

/// `KIND`, `exhaustive` or `free_messages`.
fn parse_class_word(cx: &Ctxt, word: &Ident, place: Place, out: &mut ClassAttr) {
    let name = word.to_string();
    let flag = match name.as_str() {
        "exhaustive" => {
            if place != Place::Enum {
                cx.error_at(
                    word.span(),
                    "`exhaustive` goes on a pub enum's #[class(...)], not on a variant or a struct",
                );
                return;
            }
            &mut out.exhaustive
        }
        "context" => {
            if place == Place::Variant {
                cx.error_at(
                    word.span(),
                    "`context` goes on the enum or the struct, not on a variant",
                );
            } else if out.context.is_some() {
                cx.error_at(word.span(), "duplicate `context`");
            } else {
                out.context = Some((word.clone(), Context::Here));
            }
            return;
        }
        "free_messages" => {
            if !matches!(place, Place::Enum | Place::Struct) {
                cx.error_at(
                    word.span(),
                    "`free_messages` goes on the enum's or the struct's #[class(...)], not on a variant",
                );
                return;
            }
            &mut out.free_messages
        }
        _ => {
            let kind = if name == "source" {
                Some(Kind::Source)
            } else {
                CLASSES
                    .iter()
                    .position(|(class, _, _)| *class == name)
                    .map(Kind::Class)
            };
            let Some(kind) = kind else {
                let suggestion = nearest_class(&name)
                    .map(|near| format!("did you mean `{near}`? "))
                    .unwrap_or_default();
                cx.error_at(
                    word.span(),
                    format_args!(
                        "unknown class `{name}`; {suggestion}expected one of: {}",
                        class_list()
                    ),
                );
                return;
            };
            if let Some(previous) = &out.kind {
                cx.error_at(
                    word.span(),
                    format_args!(
                        "conflicting class `{name}`: this #[class] already says `{}`",
                        previous.ident
                    ),
                );
                return;
            }
            if out.with.is_some() {
                cx.error_at(
                    word.span(),
                    format_args!(
                        "conflicting class `{name}`: this #[class] already decides the class `with` a function"
                    ),
                );
                return;
            }
            out.kind = Some(ClassName {
                kind,
                ident: word.clone(),
            });
            return;
        }
    };
    if flag.is_some() {
        cx.error_at(word.span(), format_args!("duplicate `{name}`"));
    } else {
        *flag = Some(word.clone());
    }
}

/// `code = "..."` or `retry_after_ms = N`, after the `=`.
fn parse_class_option(
    cx: &Ctxt,
    input: ParseStream,
    key: &Ident,
    place: Place,
    out: &mut ClassAttr,
) -> syn::Result<()> {
    let name = key.to_string();
    match name.as_str() {
        "code" => {
            let code: LitStr = input.parse()?;
            if place == Place::Enum {
                cx.error_at(
                    key.span(),
                    "`code` goes on a variant: every variant has its own code",
                );
            } else if out.code.is_some() {
                cx.error_at(key.span(), "duplicate `code`");
            } else if code.value().is_empty() {
                cx.error_spanned_by(&code, "`code` must not be empty");
            } else {
                out.code = Some(code);
            }
        }
        "retry_after_ms" => {
            let lit: LitInt = input.parse()?;
            let ms = lit.base10_parse::<u64>()?;
            if place == Place::Enum {
                cx.error_at(
                    key.span(),
                    "`retry_after_ms` goes on a variant, not on the enum",
                );
            } else if out.retry_after_ms.is_some() {
                cx.error_at(key.span(), "duplicate `retry_after_ms`");
            } else {
                out.retry_after_ms = Some((key.clone(), ms));
            }
        }
        "status" | "level" => {
            let value: Ident = input.parse()?;
            let (table, slot): (&[(&str, &'static str)], _) = if name == "status" {
                (&STATUSES, &mut out.status)
            } else {
                (&LEVELS, &mut out.level)
            };
            if place == Place::Enum {
                cx.error_at(
                    key.span(),
                    format_args!("`{name}` goes on a variant, not on the enum"),
                );
            } else if slot.is_some() {
                cx.error_at(key.span(), format_args!("duplicate `{name}`"));
            } else if let Some((_, variant)) = table.iter().find(|(n, _)| value == n) {
                *slot = Some((key.clone(), *variant));
            } else {
                unknown_value(cx, &name, &value, table.iter().map(|(n, _)| *n));
            }
        }
        "context" => {
            let value: Ident = input.parse()?;
            let context = match value.to_string().as_str() {
                "module" => Some(Context::Module),
                "none" => Some(Context::None),
                _ => None,
            };
            if place == Place::Variant {
                cx.error_at(
                    key.span(),
                    "`context` goes on the enum or the struct, not on a variant",
                );
            } else if out.context.is_some() {
                cx.error_at(key.span(), "duplicate `context`");
            } else if let Some(context) = context {
                out.context = Some((key.clone(), context));
            } else {
                unknown_value(cx, "context", &value, ["module", "none"].into_iter());
            }
        }
        "with" => parse_with(cx, input.parse()?, key, place, out),
        _ => {
            // Skip the value so that parsing can go on with the next option.
            input.parse::<syn::Expr>()?;
            cx.error_at(
                key.span(),
                format_args!(
                    "unknown #[class] option `{name}`; expected one of: code, retry_after_ms, status, level, context, with"
                ),
            );
        }
    }
    Ok(())
}

/// `with = path`, after the `=`.
fn parse_with(cx: &Ctxt, path: syn::ExprPath, key: &Ident, place: Place, out: &mut ClassAttr) {
    if place == Place::Enum {
        cx.error_at(
            key.span(),
            "`with` goes on a variant: the function takes the variant's fields",
        );
    } else if out.with.is_some() {
        cx.error_at(key.span(), "duplicate `with`");
    } else if let Some(previous) = &out.kind {
        cx.error_at(
            key.span(),
            format_args!(
                "conflicting class: this #[class] already says `{}`; `with` decides the class by calling the function",
                previous.ident
            ),
        );
    } else {
        out.with = Some((key.clone(), path));
    }
}

fn unknown_value(
    cx: &Ctxt,
    option: &str,
    value: &Ident,
    names: impl Iterator<Item = &'static str> + Clone,
) {
    let suggestion = nearest(&value.to_string(), names.clone())
        .map(|near| format!("did you mean `{near}`? "))
        .unwrap_or_default();
    let list = names.collect::<Vec<_>>().join(", ");
    cx.error_at(
        value.span(),
        format_args!("unknown {option} `{value}`; {suggestion}expected one of: {list}"),
    );
}

fn parse_kv_attr(cx: &Ctxt, attr: &Attribute) -> Option<KvMode> {
    if let Meta::Path(_) = attr.meta {
        cx.error_at(
            path_span(attr),
            "expected #[kv(skip)], #[kv(display)], #[kv(debug)] or #[kv(redact)]",
        );
        return None;
    }
    if let Some(span) = parens_span(attr) {
        cx.error_at(span, format_args!("expected one of: {KV_MODES}"));
        return None;
    }
    let mut mode: Option<KvMode> = None;
    let parsed = attr.parse_args_with(|input: ParseStream| {
        while !input.is_empty() {
            let word: Ident = input.parse()?;
            let this = match word.to_string().as_str() {
                "skip" => KvMode::Skip,
                "display" => KvMode::Display,
                "debug" => KvMode::Debug,
                "redact" => KvMode::Redact,
                other => {
                    cx.error_at(
                        word.span(),
                        format_args!("unknown #[kv] option `{other}`; expected one of: {KV_MODES}"),
                    );
                    continue_after_comma(input)?;
                    continue;
                }
            };
            match mode {
                Some(previous) if previous == this => {
                    cx.error_at(word.span(), format_args!("duplicate `{}`", this.name()));
                }
                Some(previous) => cx.error_at(
                    word.span(),
                    format_args!(
                        "conflicting #[kv] options `{}` and `{}`",
                        previous.name(),
                        this.name()
                    ),
                ),
                None => mode = Some(this),
            }
            continue_after_comma(input)?;
        }
        Ok(())
    });
    if let Err(error) = parsed {
        cx.syn_error(error);
    }
    mode
}

fn continue_after_comma(input: ParseStream) -> syn::Result<()> {
    if !input.is_empty() {
        input.parse::<Token![,]>()?;
    }
    Ok(())
}
