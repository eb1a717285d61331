//! A typed model of the derive's input that borrows from syn.
//!
//! A struct and an enum variant are the same thing to this derive: a *case* with attributes
//! and fields, matched by a pattern (`Self { .. }` or `Self::Variant { .. }`). Modelling both
//! as [`Case`] lets validation and expansion treat them alike.

use proc_macro2::Span;
use quote::format_ident;
use syn::ext::IdentExt as _;
use syn::{Data, DeriveInput, Fields, Ident, Member, Type};

use crate::attr::{self, Attrs, FieldAttrs, Place};
use crate::ctxt::Ctxt;
use crate::fmt::{self, Scanned};

/// The whole input.
pub(crate) struct Input<'a> {
    pub(crate) original: &'a DeriveInput,
    /// The type's name, without `r#`.
    pub(crate) name: String,
    /// Enum-level attributes; for a struct, empty (its attributes are its case's).
    pub(crate) attrs: Attrs<'a>,
    pub(crate) is_enum: bool,
    /// A struct's one case, or an enum's variants.
    pub(crate) cases: Vec<Case<'a>>,
}

/// A struct, or one variant of an enum.
pub(crate) struct Case<'a> {
    pub(crate) ident: &'a Ident,
    /// The variant's or the struct's name, without `r#`.
    pub(crate) name: String,
    /// `Some` for an enum variant.
    pub(crate) variant: Option<&'a syn::Variant>,
    pub(crate) attrs: Attrs<'a>,
    pub(crate) fields: Vec<Field<'a>>,
    /// The case's `#[error(...)]`: its own, or for a variant without one, the enum's.
    pub(crate) display: Option<attr::Display<'a>>,
    /// The `#[error("...")]` message, scanned against the fields.
    pub(crate) message: Option<Scanned>,
    /// `#[kv(skip)]` on the case or (for a variant) the enum: only fields with a `#[kv(..)]`
    /// of their own are data.
    pub(crate) kv_skip: bool,
}

/// One field of a case.
pub(crate) struct Field<'a> {
    pub(crate) attrs: FieldAttrs<'a>,
    pub(crate) member: Member,
    pub(crate) ty: &'a Type,
    /// The local that `Display`'s `match` arms bind this field to: the field's own name
    /// (`_0` for a tuple field), so that the message's arguments can name it as thiserror's
    /// can (`path.display()`).
    pub(crate) binding: Ident,
    /// The local the other generated `match` arms bind this field to (`__field_name`), which
    /// no constant or unit struct of the user's can shadow.
    pub(crate) var: Ident,
    /// The key in ``key=`value` `` pairs and in the field visitor: the name without `r#`,
    /// or the tuple index.
    pub(crate) key: String,
    /// Written as a raw identifier (`r#source`): never the implicit source.
    pub(crate) raw: bool,
    /// The field's attributes as written, malformed ones included.
    pub(crate) written: &'a [syn::Attribute],
    /// What the field's type is written as, read once: each look at an identifier asks the
    /// compiler for its text, and the generated code asks these many times per field.
    pub(crate) facts: TypeFacts,
}

/// What a field's type is written as (see the functions in `prop` and `fmt` that decide
/// each).
#[derive(Clone, Copy)]
#[allow(clippy::struct_excessive_bools)]
pub(crate) struct TypeFacts {
    /// `Location` or `error_core::Location`.
    pub(crate) location: bool,
    /// `Backtrace`, or an `Option` of one.
    pub(crate) backtrace: bool,
    /// A `Secret<T>`, or an `Option` of one.
    pub(crate) secret: bool,
    /// A `Path` or a `PathBuf` (behind a reference or a `Box`).
    pub(crate) path: bool,
    /// A type without a size: `str`, `Path`, `OsStr`, `CStr`, a slice, a `dyn`.
    pub(crate) unsized_: bool,
    /// An `Option<T>`.
    pub(crate) option: bool,
}

impl TypeFacts {
    fn of(ty: &Type) -> Self {
        TypeFacts {
            location: crate::prop::is_location(ty),
            backtrace: crate::prop::is_backtrace(ty),
            secret: crate::prop::is_secret(ty),
            path: crate::fmt::is_path_type(ty),
            unsized_: crate::expand::is_unsized(ty),
            option: crate::prop::option_inner(ty).is_some(),
        }
    }
}

impl<'a> Input<'a> {
    /// Parses the input, recording every attribute error in `cx`. Returns `None` for a union.
    pub(crate) fn from_syn(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        match &input.data {
            Data::Enum(data) => {
                let attrs = attr::item_attrs(cx, &input.attrs, Place::Enum);
                let cases = data
                    .variants
                    .iter()
                    .map(|variant| {
                        Case::new(
                            &variant.ident,
                            Some(variant),
                            attr::item_attrs(cx, &variant.attrs, Place::Variant),
                            fields(cx, &variant.fields),
                            Some(&attrs),
                        )
                    })
                    .collect();
                Some(Input {
                    original: input,
                    name: input.ident.unraw().to_string(),
                    attrs,
                    is_enum: true,
                    cases,
                })
            }
            Data::Struct(data) => Some(Input {
                original: input,
                name: input.ident.unraw().to_string(),
                attrs: Attrs::empty(),
                is_enum: false,
                cases: vec![Case::new(
                    &input.ident,
                    None,
                    attr::item_attrs(cx, &input.attrs, Place::Struct),
                    fields(cx, &data.fields),
                    None,
                )],
            }),
            Data::Union(data) => {
                cx.error_at(
                    data.union_token.span,
                    "#[derive(ClassifiedError)] works on enums and structs, not on unions",
                );
                None
            }
        }
    }

    /// The enum-level or struct-level `#[class]`.
    pub(crate) fn container_class(&self) -> Option<&attr::ClassAttr> {
        if self.is_enum {
            self.attrs.class.as_ref()
        } else {
            self.cases
                .first()
                .and_then(|case| case.attrs.class.as_ref())
        }
    }

    /// Whether the message style guard is switched off with `free_messages`.
    pub(crate) fn free_messages(&self) -> bool {
        self.container_class()
            .is_some_and(|class| class.free_messages.is_some())
    }
}

impl<'a> Case<'a> {
    /// A case; `container` is the enum's attributes, for a variant.
    fn new(
        ident: &'a Ident,
        variant: Option<&'a syn::Variant>,
        attrs: Attrs<'a>,
        fields: Vec<Field<'a>>,
        container: Option<&Attrs<'a>>,
    ) -> Self {
        // A variant without an `#[error]` of its own takes the enum's, as in thiserror; a
        // malformed one of its own (already reported) does not fall back.
        let display = match (&attrs.display, container) {
            (Some(display), _) => Some(display.clone()),
            (None, Some(container)) if !attrs.display_malformed => container.display.clone(),
            (None, _) => None,
        };
        let message = match &display {
            Some(attr::Display::Fmt { lit, args, .. }) => Some(fmt::scan(lit, args, &fields)),
            _ => None,
        };
        let kv_skip = attrs.kv_skip.is_some()
            || container.is_some_and(|container| container.kv_skip.is_some());
        Case {
            ident,
            name: ident.unraw().to_string(),
            variant,
            attrs,
            fields,
            display,
            message,
            kv_skip,
        }
    }
}

fn fields<'a>(cx: &Ctxt, fields: &'a Fields) -> Vec<Field<'a>> {
    fields
        .iter()
        .enumerate()
        .map(|(index, field)| {
            let (member, binding, key, raw) = match &field.ident {
                Some(ident) => {
                    let text = ident.to_string();
                    let raw = text.starts_with("r#");
                    let key = text.trim_start_matches("r#").to_owned();
                    // The field's own name, with its own span, so that an argument of the
                    // message can name it without the dot (`path.display()`), as in
                    // thiserror.
                    (Member::Named(ident.clone()), ident.clone(), key, raw)
                }
                None => (
                    Member::Unnamed(index.into()),
                    format_ident!("_{}", index, span = Span::call_site()),
                    index.to_string(),
                    false,
                ),
            };
            Field {
                attrs: attr::field_attrs(cx, &field.attrs),
                member,
                ty: &field.ty,
                binding,
                var: format_ident!("__field_{}", key, span = Span::call_site()),
                key,
                raw,
                written: &field.attrs,
                facts: TypeFacts::of(&field.ty),
            }
        })
        .collect()
}
