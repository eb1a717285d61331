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

use proc_macro2::{Group, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use syn::LitStr;
use syn::ext::IdentExt as _;

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
        let spec_end = rest.find('}').unwrap_or(rest.len());
        let spec = &rest[name_len.min(spec_end)..spec_end];
        match placeholder_field(name, fields, user_named) {
            Some(field) => {
                let format = spec.strip_prefix(':').unwrap_or("");
                uses.push(Use {
                    field,
                    how: Some(trait_of(format)),
                    span,
                });
                out.push_str(&fields[field].binding.to_string());
            }
            None => out.push_str(name),
        }
        out.push_str(&scan_spec(spec, span, fields, user_named, &mut uses));
        rest = &rest[spec_end..];
    }
    out.push_str(rest);
    (out, uses)
}

/// The field a placeholder's argument names: `{field}`, or `{0}` for a tuple field.
fn placeholder_field(name: &str, fields: &[Field], user_named: &BTreeSet<String>) -> Option<usize> {
    if name.is_empty() || user_named.contains(name) {
        None
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        field_numbered(fields, name)
    } else {
        field_named(fields, name)
    }
}

/// Rewrites the fields that a format spec names as a width or precision (`{:>width$}`).
fn scan_spec(
    spec: &str,
    span: Span,
    fields: &[Field],
    user_named: &BTreeSet<String>,
    uses: &mut Vec<Use>,
) -> String {
    let mut out = String::with_capacity(spec.len());
    let mut rest = spec;
    while let Some(dollar) = rest.find('$') {
        let before = &rest[..dollar];
        let name_start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let name = &before[name_start..];
        out.push_str(&before[..name_start]);
        let field = if name.starts_with(|c: char| c.is_ascii_digit()) {
            None
        } else {
            placeholder_field(name, fields, user_named)
        };
        match field {
            Some(field) => {
                uses.push(Use {
                    field,
                    how: None,
                    span,
                });
                out.push_str(&fields[field].binding.to_string());
            }
            None => out.push_str(name),
        }
        out.push('$');
        rest = &rest[dollar + 1..];
    }
    out.push_str(rest);
    out
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

/// The extra arguments after scanning.
struct Args {
    tokens: TokenStream,
    uses: Vec<Use>,
    /// The user's own named arguments: `{name}` refers to them, not to a field.
    named: BTreeSet<String>,
    unknown: Vec<TokenTree>,
}

/// Rewrites `.field` shorthands and collects the user's named arguments.
fn scan_args(args: &TokenStream, fields: &[Field]) -> Args {
    let mut scan = Args {
        tokens: TokenStream::new(),
        uses: Vec::new(),
        named: BTreeSet::new(),
        unknown: Vec::new(),
    };
    // `name = value` at the top level is a named argument.
    let top: Vec<TokenTree> = args.clone().into_iter().collect();
    for window in top.windows(3) {
        if let [
            TokenTree::Punct(comma),
            TokenTree::Ident(name),
            TokenTree::Punct(eq),
        ] = window
        {
            if comma.as_char() == ',' && eq.as_char() == '=' && eq.spacing() == Spacing::Alone {
                scan.named.insert(name.to_string());
            }
        }
    }
    scan.tokens = rewrite_shorthand(args.clone(), fields, &mut scan);
    scan
}

/// Rewrites `.field` (and `.0`, `.0.1`) wherever an expression can start: after an
/// operator or a comma, or at the start of a group. After an expression (`a.b`, `x?.y`,
/// `(..).z`) a dot is a field access and is left alone.
fn rewrite_shorthand(tokens: TokenStream, fields: &[Field], scan: &mut Args) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        let starts_expression = match out.last() {
            None => true,
            Some(TokenTree::Punct(p)) => !matches!(p.as_char(), '.' | '?'),
            Some(_) => false,
        };
        let is_dot = matches!(token, TokenTree::Punct(p) if p.as_char() == '.' && p.spacing() == Spacing::Alone);
        if starts_expression && is_dot {
            if let Some(member) = tokens.get(i + 1) {
                if let Some(replacement) = shorthand(member, fields, scan) {
                    out.extend(replacement);
                    i += 2;
                    continue;
                }
            }
        }
        match token {
            TokenTree::Group(group) => {
                let mut new = Group::new(
                    group.delimiter(),
                    rewrite_shorthand(group.stream(), fields, scan),
                );
                new.set_span(group.span());
                out.push(TokenTree::Group(new));
            }
            _ => out.push(token.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// The tokens that replace `.member`, or `None` when `member` is not a member at all.
fn shorthand(member: &TokenTree, fields: &[Field], scan: &mut Args) -> Option<Vec<TokenTree>> {
    let (field, rest) = match member {
        TokenTree::Ident(ident) => (field_named(fields, &ident.unraw().to_string()), None),
        TokenTree::Literal(lit) => {
            // `.0.1` is one float literal `0.1`: the field `0`, then `.1`.
            let text = lit.to_string();
            let (index, rest) = text
                .split_once('.')
                .map_or((text.as_str(), None), |(a, b)| (a, Some(b)));
            let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
            let rest = match rest.map(str::parse::<usize>) {
                None => None,
                Some(Ok(rest)) if rest.to_string().len() == text.len() - index.len() - 1 => {
                    Some(rest)
                }
                // `0.1e3` and the like: not a member; left as written for rustc to judge.
                Some(_) => return None,
            };
            if !digits(index) {
                return None;
            }
            (field_numbered(fields, index), rest)
        }
        _ => return None,
    };
    let Some(field) = field else {
        scan.unknown.push(member.clone());
        return Some(vec![member.clone()]);
    };
    let mut binding = fields[field].binding.clone();
    binding.set_span(member.span());
    scan.uses.push(Use {
        field,
        how: None,
        span: member.span(),
    });
    let mut tokens = vec![TokenTree::Ident(binding)];
    if let Some(rest) = rest {
        let mut dot = Punct::new('.', Spacing::Alone);
        dot.set_span(member.span());
        tokens.push(TokenTree::Punct(dot));
        let mut index = Literal::usize_unsuffixed(rest);
        index.set_span(member.span());
        tokens.push(TokenTree::Literal(index));
    }
    Some(tokens)
}
