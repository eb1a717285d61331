//! Reading `#[error("...", args)]`: which fields a message interpolates, and how.
//!
//! The message is a `format_args!` string. `{field}`, `{0}` and `{field:?}` refer to the
//! case's fields, and `.field` at the start of an extra argument is shorthand for the field,
//! as in thiserror. Scanning rewrites each such reference into a named argument bound to the
//! field (`{__field_x}`), so the generated `write!` never relies on implicit capture, and
//! records every use so that validation can reject a message that shows its source and
//! expansion can append the fields the message did not show as ``key=`value` `` pairs.
//!
//! Scanning cannot fail: anything it does not recognise is left as written for rustc to
//! judge, with the user's span.

use std::collections::BTreeSet;

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::LitStr;

use crate::ast::Field;

/// The formatting trait a `{...}` placeholder asks for.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum Trait {
    Display,
    Debug,
    Octal,
    LowerHex,
    UpperHex,
    Pointer,
    Binary,
    LowerExp,
    UpperExp,
}

/// One use of a field by a message.
#[derive(Clone, Copy)]
pub(crate) struct Use {
    pub(crate) field: usize,
    /// The trait a `{field}` placeholder uses; `None` for a `.field` argument.
    pub(crate) how: Option<Trait>,
    /// The token that refers to the field.
    pub(crate) span: Span,
}

/// A message after scanning.
pub(crate) struct Scanned {
    /// The format string with field references rewritten to their bindings.
    pub(crate) fmt: String,
    /// The extra arguments (with their leading comma) with `.field` rewritten.
    pub(crate) args: TokenStream,
    pub(crate) uses: Vec<Use>,
    /// `.name` shorthands at the start of an argument that name no field.
    pub(crate) unknown: Vec<TokenTree>,
}

impl Scanned {
    /// The fields the format string itself (not the extra arguments) refers to, in order
    /// of first use, without repeats.
    pub(crate) fn fmt_fields(&self) -> Vec<usize> {
        let mut seen = BTreeSet::new();
        self.uses
            .iter()
            .filter(|u| u.how.is_some() && seen.insert(u.field))
            .map(|u| u.field)
            .collect()
    }

    /// Whether the message uses `field` in any way.
    pub(crate) fn uses_field(&self, field: usize) -> bool {
        self.uses.iter().any(|u| u.field == field)
    }
}

/// Scans a message and its extra arguments against the case's fields.
pub(crate) fn scan(lit: &LitStr, args: &TokenStream, fields: &[Field]) -> Scanned {
    let Args {
        tokens: args,
        mut uses,
        named,
        unknown,
    } = scan_args(args, fields);
    let (fmt, fmt_uses) = scan_fmt(&lit.value(), lit.span(), fields, &named);
    uses.extend(fmt_uses);
    Scanned {
        fmt,
        args,
        uses,
        unknown,
    }
}

fn field_named(fields: &[Field], name: &str) -> Option<usize> {
    fields
        .iter()
        .position(|f| matches!(f.member, syn::Member::Named(_)) && f.key == name)
}

fn field_numbered(fields: &[Field], index: &str) -> Option<usize> {
    fields
        .iter()
        .position(|f| matches!(f.member, syn::Member::Unnamed(_)) && f.key == index)
}

fn scan_fmt(
    value: &str,
    span: Span,
    fields: &[Field],
    user_named: &BTreeSet<String>,
) -> (String, Vec<Use>) {
    let mut out = String::with_capacity(value.len());
    let mut uses = Vec::new();
    let mut rest = value;
    while let Some(brace) = rest.find('{') {
        out.push_str(&rest[..=brace]);
        rest = &rest[brace + 1..];
        if let Some(after) = rest.strip_prefix('{') {
            out.push('{');
            rest = after;
            continue;
        }
        let name_len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        let field = if name.is_empty() || user_named.contains(name) {
            None
        } else if name.starts_with(|c: char| c.is_ascii_digit()) {
            field_numbered(fields, name)
        } else {
            field_named(fields, name)
        };
        let Some(field) = field else {
            continue;
        };
        let spec_end = rest.find('}').unwrap_or(rest.len());
        let spec = rest[name_len..spec_end].strip_prefix(':').unwrap_or("");
        uses.push(Use {
            field,
            how: Some(trait_of(spec)),
            span,
        });
        out.push_str(&fields[field].binding.to_string());
        rest = &rest[name_len..];
    }
    out.push_str(rest);
    (out, uses)
}

fn trait_of(spec: &str) -> Trait {
    match spec.chars().next_back() {
        Some('?') => Trait::Debug,
        Some('o') => Trait::Octal,
        Some('x') => Trait::LowerHex,
        Some('X') => Trait::UpperHex,
        Some('p') => Trait::Pointer,
        Some('b') => Trait::Binary,
        Some('e') => Trait::LowerExp,
        Some('E') => Trait::UpperExp,
        _ => Trait::Display,
    }
}

fn is_punct(tt: Option<&TokenTree>, ch: char) -> bool {
    matches!(tt, Some(TokenTree::Punct(p)) if p.as_char() == ch)
}

/// The extra arguments after scanning.
struct Args {
    tokens: TokenStream,
    uses: Vec<Use>,
    /// The user's own named arguments: `{name}` refers to them, not to a field.
    named: BTreeSet<String>,
    unknown: Vec<TokenTree>,
}

/// Rewrites `.field` at the start of an argument and collects the user's named arguments.
fn scan_args(args: &TokenStream, fields: &[Field]) -> Args {
    let tokens: Vec<TokenTree> = args.clone().into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut uses = Vec::new();
    let mut named = BTreeSet::new();
    let mut unknown = Vec::new();
    let mut at_start = false;
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        if at_start {
            if let TokenTree::Ident(ident) = token {
                let next = tokens.get(i + 1);
                let is_assign = matches!(next, Some(TokenTree::Punct(p))
                    if p.as_char() == '=' && p.spacing() == proc_macro2::Spacing::Alone);
                if is_assign {
                    named.insert(ident.to_string());
                    out.push(token.clone());
                    out.extend(next.cloned());
                    i += 2;
                    continue;
                }
            }
            if is_punct(Some(token), '.') {
                let member = tokens.get(i + 1);
                let field = match member {
                    Some(TokenTree::Ident(ident)) => {
                        field_named(fields, &syn::ext::IdentExt::unraw(ident).to_string())
                    }
                    Some(TokenTree::Literal(lit)) => field_numbered(fields, &lit.to_string()),
                    _ => None,
                };
                if let (None, Some(member @ (TokenTree::Ident(_) | TokenTree::Literal(_)))) =
                    (field, member)
                {
                    unknown.push(member.clone());
                }
                if let (Some(field), Some(member)) = (field, member) {
                    let mut binding = fields[field].binding.clone();
                    binding.set_span(member.span());
                    out.push(TokenTree::Ident(binding));
                    uses.push(Use {
                        field,
                        how: None,
                        span: member.span(),
                    });
                    at_start = false;
                    i += 2;
                    continue;
                }
            }
        }
        at_start = is_punct(Some(token), ',');
        out.push(token.clone());
        i += 1;
    }
    Args {
        tokens: out.into_iter().collect(),
        uses,
        named,
        unknown,
    }
}
