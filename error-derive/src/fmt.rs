//! Reading `#[error("...", args)]`: which fields a message interpolates, and how.
//!
//! The message is a `format_args!` string. `{field}`, `{0}` and `{field:?}` refer to the
//! case's fields, `.field` wherever an expression can start in an extra argument is shorthand
//! for the field, and a field's bare name in an argument (`path.display()`) is the field too,
//! as in thiserror. Scanning rewrites each placeholder into a named argument
//! (`{__field_x}`), so the generated `write!` never relies on implicit capture, and records
//! every use, so that validation can reject a message that shows its source and expansion
//! can append the fields the message did not show as ``key=`value` `` pairs.
//!
//! Scanning cannot fail: anything it does not recognise is left as written for rustc to
//! judge, with the user's span. What validation must reject (`{self}`, an ambiguous `{0}`,
//! `.name` for a field that does not exist) is recorded for it.

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

/// How a placeholder's named argument is built from the field.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum Arg {
    /// The field itself: `__field_x = x`.
    Plain,
    /// `{x}` of a `Path` or `PathBuf`, which have no `Display`: `__display_x = x.display()`.
    PathDisplay,
    /// `{x:p}`: the pointer the field holds, not the address of the binding.
    Pointer,
}

impl Arg {
    /// The named argument's name for a field key.
    pub(crate) fn name(self, key: &str) -> String {
        let prefix = match self {
            Arg::Plain => "__field_",
            Arg::PathDisplay => "__display_",
            Arg::Pointer => "__pointer_",
        };
        format!("{prefix}{key}")
    }
}

/// One use of a field by a message.
#[derive(Clone, Copy)]
pub(crate) struct Use {
    pub(crate) field: usize,
    /// The trait a `{field}` placeholder uses and how its argument is built; `None` for a
    /// field an extra argument names (`.field`, or its bare name).
    pub(crate) how: Option<(Trait, Arg)>,
    /// The token that refers to the field.
    pub(crate) span: Span,
}

impl Use {
    pub(crate) fn uses_trait(&self, t: Trait) -> bool {
        matches!(self.how, Some((how, _)) if how == t)
    }
}

/// A message after scanning.
pub(crate) struct Scanned {
    /// The message as written.
    pub(crate) text: String,
    /// The format string with field references rewritten to named arguments.
    pub(crate) fmt: String,
    /// The extra arguments (with their leading comma) with `.field` rewritten.
    pub(crate) args: TokenStream,
    pub(crate) uses: Vec<Use>,
    /// `.name` shorthands at the start of an argument that name no field.
    pub(crate) unknown: Vec<TokenTree>,
    /// `{self}`: the message formats the error itself with `Display`, which recurses
    /// forever.
    pub(crate) self_display: bool,
    /// `{0}` in a tuple case with positional arguments of its own: the first such argument,
    /// since `{0}` could mean either.
    pub(crate) ambiguous: Option<TokenStream>,
}

impl Scanned {
    /// The named arguments the format string itself needs, in order of first use, without
    /// repeats: each field with the way its argument is built.
    pub(crate) fn fmt_args(&self) -> Vec<(usize, Arg)> {
        let mut seen = BTreeSet::new();
        self.uses
            .iter()
            .filter_map(|u| u.how.map(|(_, arg)| (u.field, arg)))
            .filter(|key| seen.insert(*key))
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
        first_positional,
    } = scan_args(args, fields);
    let mut scan = Fmt {
        fields,
        user_named: &named,
        span: lit.span(),
        uses: Vec::new(),
        self_display: false,
        numbered: false,
    };
    let text = lit.value();
    let fmt = scan.string(&text);
    uses.extend(scan.uses);
    let tuple = fields
        .iter()
        .any(|f| matches!(f.member, syn::Member::Unnamed(_)));
    Scanned {
        text,
        fmt,
        args,
        uses,
        unknown,
        self_display: scan.self_display,
        ambiguous: first_positional.filter(|_| tuple && scan.numbered),
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

/// The state of scanning one format string.
struct Fmt<'f, 'a> {
    fields: &'f [Field<'a>],
    user_named: &'f BTreeSet<String>,
    span: Span,
    uses: Vec<Use>,
    self_display: bool,
    /// A placeholder names a positional argument by number (`{0}`).
    numbered: bool,
}

impl Fmt<'_, '_> {
    fn string(&mut self, value: &str) -> String {
        let mut out = String::with_capacity(value.len());
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
            let format = spec.strip_prefix(':').unwrap_or("");
            let how = trait_of(format);
            if name.starts_with(|c: char| c.is_ascii_digit()) {
                self.numbered = true;
            }
            if name == "self" && how == Trait::Display {
                self.self_display = true;
            }
            match self.placeholder_field(name) {
                Some(field) => {
                    let arg = if how == Trait::Pointer {
                        Arg::Pointer
                    } else if how == Trait::Display && self.fields[field].facts.path {
                        Arg::PathDisplay
                    } else {
                        Arg::Plain
                    };
                    self.uses.push(Use {
                        field,
                        how: Some((how, arg)),
                        span: self.span,
                    });
                    out.push_str(&arg.name(&self.fields[field].key));
                }
                None => out.push_str(name),
            }
            out.push_str(&self.spec(spec));
            rest = &rest[spec_end..];
        }
        out.push_str(rest);
        out
    }

    /// The field a placeholder's argument names: `{field}`, or `{0}` for a tuple field.
    fn placeholder_field(&self, name: &str) -> Option<usize> {
        if name.is_empty() || self.user_named.contains(name) {
            None
        } else if name.starts_with(|c: char| c.is_ascii_digit()) {
            field_numbered(self.fields, name)
        } else {
            field_named(self.fields, name)
        }
    }

    /// Rewrites the fields that a format spec names as a width or precision (`{:>width$}`).
    fn spec(&mut self, spec: &str) -> String {
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
                self.placeholder_field(name)
            };
            match field {
                Some(field) => {
                    // A width is a `usize` argument: passed as it is.
                    self.uses.push(Use {
                        field,
                        how: Some((Trait::Display, Arg::Plain)),
                        span: self.span,
                    });
                    out.push_str(&Arg::Plain.name(&self.fields[field].key));
                }
                None => out.push_str(name),
            }
            out.push('$');
            rest = &rest[dollar + 1..];
        }
        out.push_str(rest);
        out
    }
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

/// Whether `ty` is written `Path` or `PathBuf`, possibly behind references or a `Box`: a
/// type with no `Display`, shown with `.display()` as thiserror shows it.
pub(crate) fn is_path_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(reference) => is_path_type(&reference.elem),
        syn::Type::Group(group) => is_path_type(&group.elem),
        syn::Type::Paren(paren) => is_path_type(&paren.elem),
        syn::Type::Path(path) => path.path.segments.last().is_some_and(|segment| {
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

/// The extra arguments after scanning.
struct Args {
    tokens: TokenStream,
    uses: Vec<Use>,
    /// The user's own named arguments: `{name}` refers to them, not to a field.
    named: BTreeSet<String>,
    unknown: Vec<TokenTree>,
    /// The first positional (unnamed) extra argument, for the `{0}` ambiguity.
    first_positional: Option<TokenStream>,
}

/// Splits the extra arguments at their top-level commas, collects the user's named
/// arguments, and rewrites `.field` shorthands.
fn scan_args(args: &TokenStream, fields: &[Field]) -> Args {
    let mut scan = Args {
        tokens: TokenStream::new(),
        uses: Vec::new(),
        named: BTreeSet::new(),
        unknown: Vec::new(),
        first_positional: None,
    };
    for arg in split_args(args) {
        match arg.as_slice() {
            [TokenTree::Ident(name), TokenTree::Punct(eq), ..]
                if eq.as_char() == '=' && eq.spacing() == Spacing::Alone =>
            {
                scan.named.insert(name.unraw().to_string());
            }
            [] => {}
            tokens => {
                if scan.first_positional.is_none() {
                    scan.first_positional = Some(tokens.iter().cloned().collect());
                }
            }
        }
    }
    scan.tokens = rewrite(args.clone(), fields, &mut scan);
    scan
}

/// The extra arguments, each without its leading comma. Commas inside groups are not at the
/// top level; neither are those between the `<` and `>` of generic arguments, in a type
/// after `as` (`&x as &dyn Tr<i32, A = i32>`) or a turbofish (`f::<A, B>()`), where a
/// `<` is not a comparison.
fn split_args(args: &TokenStream) -> Vec<Vec<TokenTree>> {
    let mut out: Vec<Vec<TokenTree>> = Vec::new();
    let mut current: Option<Vec<TokenTree>> = None;
    let mut depth = 0usize;
    let mut in_type = false;
    let mut previous: Option<TokenTree> = None;
    for token in args.clone() {
        match &token {
            TokenTree::Punct(p) if p.as_char() == ',' && depth == 0 => {
                if let Some(arg) = current.take() {
                    out.push(arg);
                }
                current = Some(Vec::new());
                in_type = false;
                previous = Some(token);
                continue;
            }
            TokenTree::Ident(ident) if ident == "as" => in_type = true,
            TokenTree::Punct(p) if p.as_char() == '<' => {
                let turbofish =
                    matches!(&previous, Some(TokenTree::Punct(q)) if q.as_char() == ':');
                if in_type || turbofish || depth > 0 {
                    depth += 1;
                }
            }
            TokenTree::Punct(p) if p.as_char() == '>' => {
                let arrow = matches!(&previous, Some(TokenTree::Punct(q)) if q.as_char() == '-' && q.spacing() == Spacing::Joint);
                if depth > 0 && !arrow {
                    depth -= 1;
                }
            }
            _ => {}
        }
        current.get_or_insert_with(Vec::new).push(token.clone());
        previous = Some(token);
    }
    if let Some(arg) = current {
        out.push(arg);
    }
    out
}

/// Keywords after which an expression starts, so that `.field` after them is shorthand:
/// `match .x { .. }`, `if .x { .. }`, `&mut .x`.
const EXPRESSION_KEYWORDS: [&str; 7] = ["match", "if", "while", "return", "in", "mut", "break"];

/// Rewrites `.field` (and `.0`, `.0.1`) wherever an expression can start: after an
/// operator, a comma or an expression keyword, or at the start of a group. After an
/// expression (`a.b`, `x?.y`, `(..).z`) a dot is a field access and is left alone. A
/// field's bare name (not after `.` or `::`, not before `::`) is recorded as a use.
fn rewrite(tokens: TokenStream, fields: &[Field], scan: &mut Args) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        let starts_expression = match out.last() {
            None => true,
            Some(TokenTree::Punct(p)) => !matches!(p.as_char(), '.' | '?'),
            Some(TokenTree::Ident(ident)) => EXPRESSION_KEYWORDS.iter().any(|k| ident == k),
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
                let mut new = Group::new(group.delimiter(), rewrite(group.stream(), fields, scan));
                new.set_span(group.span());
                out.push(TokenTree::Group(new));
            }
            TokenTree::Ident(ident) => {
                let after_path = matches!(out.last(), Some(TokenTree::Punct(p)) if matches!(p.as_char(), '.' | ':'));
                // Not a path's segment (`path::to`), a member (`x.path`), nor the name of a
                // named argument (`path = ..`).
                let before_path_or_name = matches!(
                    tokens.get(i + 1),
                    Some(TokenTree::Punct(p)) if p.as_char() == ':'
                        || (p.as_char() == '=' && p.spacing() == Spacing::Alone)
                );
                if !after_path && !before_path_or_name {
                    if let Some(field) = field_named(fields, &ident.unraw().to_string()) {
                        scan.uses.push(Use {
                            field,
                            how: None,
                            span: ident.span(),
                        });
                    }
                }
                out.push(token.clone());
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
