//! Facts derived from the parsed input: which field is the source, which is the backtrace,
//! what class a case has. Validation and expansion both ask these questions; answering them
//! in one place keeps the two in agreement.

use proc_macro2::Span;
use syn::spanned::Spanned as _;
use syn::{GenericArgument, PathArguments, Type};

use crate::ast::{Case, Field, Input};
use crate::attr::{CLASSES, Kind};
use crate::attr::{ClassName, Display, KvMode};

/// How a case is classified.
pub(crate) enum ClassOf<'a> {
    /// A fixed class: `CLASSES[index]`.
    Fixed { index: usize },
    /// `#[class(source)]`: the source field's class.
    Source { name: &'a ClassName },
    /// `#[error(transparent)]` with no class of its own: the only field's class, which must
    /// be a classified error when `otherwise` is `None`; else the field's class when it is
    /// one, and `CLASSES[otherwise]` when it is not (the enum's default).
    Transparent { otherwise: Option<usize> },
    /// `#[class(with = path)]`: the function's answer.
    With { path: &'a syn::ExprPath },
    /// No class anywhere.
    Missing,
}

impl Case<'_> {
    pub(crate) fn is_transparent(&self) -> bool {
        matches!(self.display, Some(Display::Transparent { .. }))
    }

    /// The source: the field marked `#[source]` or `#[from]`, else a field named `source`
    /// (written so: `r#source` is not, as in thiserror).
    pub(crate) fn source_field(&self) -> Option<usize> {
        self.fields
            .iter()
            .position(|f| f.attrs.source.is_some() || f.attrs.from.is_some())
            .or_else(|| {
                self.fields.iter().position(|f| {
                    matches!(f.member, syn::Member::Named(_)) && f.key == "source" && !f.raw
                })
            })
    }

    pub(crate) fn field_with_from(&self) -> Option<usize> {
        self.fields.iter().position(|f| f.attrs.from.is_some())
    }

    /// Whether the case's `#[from]` field can have its `From` impl: it is the only source,
    /// and the case holds nothing else but a backtrace.
    pub(crate) fn has_well_formed_from(&self) -> bool {
        let Some(from) = self.field_with_from() else {
            return false;
        };
        let sources = self
            .fields
            .iter()
            .filter(|f| f.attrs.source.is_some() || f.attrs.from.is_some())
            .count();
        let backtrace = self.backtrace_field();
        let location = self.location_field();
        sources == 1
            && (0..self.fields.len())
                .all(|index| index == from || Some(index) == backtrace || Some(index) == location)
    }

    /// The first field whose type is written `Location` or `error_core::Location`: filled
    /// implicitly, with the caller's location, by `From`, selectors and `build()`.
    pub(crate) fn location_field(&self) -> Option<usize> {
        self.fields.iter().position(|f| f.facts.location)
    }

    /// The field marked `#[backtrace]`, else the first field of type `Backtrace` or
    /// `Option<Backtrace>`.
    pub(crate) fn backtrace_field(&self) -> Option<usize> {
        self.fields
            .iter()
            .position(|f| f.attrs.backtrace.is_some())
            .or_else(|| self.fields.iter().position(|f| f.facts.backtrace))
    }

    pub(crate) fn retry_after_field(&self) -> Option<usize> {
        self.fields
            .iter()
            .position(|f| f.attrs.retry_after.is_some())
    }

    /// Whether the field is part of the error's structured data: shown as ``key=`value` ``
    /// unless the message interpolates it, and visited. The source, the backtrace and
    /// `#[kv(skip)]` fields are not; under an item's `#[kv(skip)]`, only fields with a
    /// `#[kv(..)]` of their own are (a field that the message shows is visited in any case:
    /// what the message shows is no secret from telemetry). A transparent case has none (its
    /// field is the whole error); a case whose message a function writes (`fmt = ..`) has
    /// only the fields that say `#[kv(..)]`, and appends none; so does a case with no
    /// `#[error]` at all, whose `Display` the user writes.
    pub(crate) fn is_data(&self, index: usize) -> bool {
        if Some(index) == self.source_field()
            || Some(index) == self.backtrace_field()
            || Some(index) == self.location_field()
            || self.is_transparent()
        {
            return false;
        }
        let written_by_function = matches!(self.display, Some(Display::FmtPath { .. }) | None);
        match self.fields[index].kv_mode() {
            Some(KvMode::Skip) => false,
            Some(_) => true,
            None if written_by_function => false,
            None => {
                !self.kv_skip
                    || self
                        .message
                        .as_ref()
                        .is_some_and(|m| m.uses.iter().any(|u| u.field == index && u.how.is_some()))
            }
        }
    }

    /// Whether the field is appended to the message as ``key=`value` ``.
    pub(crate) fn is_appended(&self, index: usize) -> bool {
        self.is_data(index)
            && !matches!(self.display, Some(Display::FmtPath { .. }))
            && !self.message.as_ref().is_some_and(|m| m.uses_field(index))
    }

    /// The class of this case, given the enum-level default.
    pub(crate) fn class_of<'s>(&'s self, input: &'s Input<'_>) -> ClassOf<'s> {
        let own_attr = self.attrs.class.as_ref();
        if let Some((_, path)) = own_attr.and_then(|c| c.with.as_ref()) {
            return ClassOf::With { path };
        }
        let own = own_attr.and_then(|c| c.kind.as_ref());
        let default = if input.is_enum {
            input.attrs.class.as_ref().and_then(|c| c.kind.as_ref())
        } else {
            None
        };
        if self.is_transparent() {
            return match (own, default) {
                (
                    Some(ClassName {
                        kind: Kind::Class(index),
                        ..
                    }),
                    _,
                ) => ClassOf::Fixed { index: *index },
                (
                    None,
                    Some(ClassName {
                        kind: Kind::Class(index),
                        ..
                    }),
                ) => ClassOf::Transparent {
                    otherwise: Some(*index),
                },
                _ => ClassOf::Transparent { otherwise: None },
            };
        }
        match own.or(default) {
            Some(ClassName {
                kind: Kind::Class(index),
                ..
            }) => ClassOf::Fixed { index: *index },
            Some(
                name @ ClassName {
                    kind: Kind::Source, ..
                },
            ) => ClassOf::Source { name },
            None => ClassOf::Missing,
        }
    }

    /// The span that names this case: the variant's or the struct's identifier.
    pub(crate) fn span(&self) -> Span {
        self.ident.span()
    }
}

impl Field<'_> {
    pub(crate) fn kv_mode(&self) -> Option<KvMode> {
        self.attrs.kv.as_ref().map(|kv| kv.mode)
    }

    /// Whether the field's value is never shown: it says `#[kv(redact)]` (and the generated
    /// visitor checks that its type is a `Secret`), or it says no `#[kv(..)]`
    /// and its type is spelled as a `Secret` (`Secret<T>`, `error_core::Secret<T>`, or an
    /// `Option` of one), whose value its own `Display` would not show anyway: redacting it
    /// here too marks it in the catalog and visits it as `Value::Redacted`.
    pub(crate) fn is_redacted(&self) -> bool {
        match self.kv_mode() {
            Some(mode) => mode == KvMode::Redact,
            None => self.facts.secret,
        }
    }

    pub(crate) fn ty_span(&self) -> Span {
        self.ty.span()
    }
}

/// Whether the class at `index` of [`CLASSES`] is retriable.
pub(crate) fn is_retriable(index: usize) -> bool {
    CLASSES
        .get(index)
        .is_some_and(|(_, _, retriable)| *retriable)
}

fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        Type::Group(group) => last_segment(&group.elem),
        Type::Paren(paren) => last_segment(&paren.elem),
        _ => None,
    }
}

/// `Option<T>`'s `T`.
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    let segment = last_segment(ty)?;
    if segment.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// Whether `ty` is written as a `Secret` with a type argument, or an `Option` of one.
pub(crate) fn is_secret(ty: &Type) -> bool {
    let ty = option_inner(ty).unwrap_or(ty);
    last_segment(ty).is_some_and(|segment| {
        segment.ident == "Secret" && matches!(segment.arguments, PathArguments::AngleBracketed(_))
    })
}

/// Whether `ty` is written `Location`, `error_core::Location` or `::error_core::Location`:
/// what a proc macro can see of `error_core::Location`. A user's own type of that name is
/// written by another path (`self::Location`) to be an ordinary field.
pub(crate) fn is_location(ty: &Type) -> bool {
    let Type::Path(path) = ty else {
        return false;
    };
    if path.qself.is_some() {
        return false;
    }
    let segments = &path.path.segments;
    let plain = |index: usize, name: &str| {
        segments.get(index).is_some_and(|segment| {
            matches!(segment.arguments, PathArguments::None) && segment.ident == name
        })
    };
    match segments.len() {
        1 => path.path.leading_colon.is_none() && plain(0, "Location"),
        2 => plain(0, "error_core") && plain(1, "Location"),
        _ => false,
    }
}

pub(crate) fn is_backtrace(ty: &Type) -> bool {
    let ty = option_inner(ty).unwrap_or(ty);
    last_segment(ty).is_some_and(|segment| segment.ident == "Backtrace")
}
