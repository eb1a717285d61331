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
    /// Enum-level attributes; for a struct, empty (its attributes are its case's).
    pub(crate) attrs: Attrs<'a>,
    pub(crate) is_enum: bool,
    /// A struct's one case, or an enum's variants.
    pub(crate) cases: Vec<Case<'a>>,
}

/// A struct, or one variant of an enum.
pub(crate) struct Case<'a> {
    pub(crate) ident: &'a Ident,
    /// `Some` for an enum variant.
    pub(crate) variant: Option<&'a syn::Variant>,
    pub(crate) attrs: Attrs<'a>,
    pub(crate) fields: Vec<Field<'a>>,
    /// The `#[error("...")]` message, scanned against the fields.
    pub(crate) message: Option<Scanned>,
}

/// One field of a case.
pub(crate) struct Field<'a> {
    pub(crate) attrs: FieldAttrs<'a>,
    pub(crate) member: Member,
    pub(crate) ty: &'a Type,
    /// The local the generated `match` arms bind this field to.
    pub(crate) binding: Ident,
    /// The key in ``key=`value` `` pairs and in the field visitor: the name without `r#`,
    /// or the tuple index.
    pub(crate) key: String,
}

impl<'a> Input<'a> {
    /// Parses the input, recording every attribute error in `cx`. Returns `None` for a union.
    pub(crate) fn from_syn(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        match &input.data {
            Data::Enum(data) => Some(Input {
                original: input,
                attrs: attr::item_attrs(cx, &input.attrs, Place::Enum),
                is_enum: true,
                cases: data
                    .variants
                    .iter()
                    .map(|variant| {
                        Case::new(
                            &variant.ident,
                            Some(variant),
                            attr::item_attrs(cx, &variant.attrs, Place::Variant),
                            fields(cx, &variant.fields),
                        )
                    })
                    .collect(),
            }),
            Data::Struct(data) => Some(Input {
                original: input,
                attrs: Attrs::empty(),
                is_enum: false,
                cases: vec![Case::new(
                    &input.ident,
                    None,
                    attr::item_attrs(cx, &input.attrs, Place::Struct),
                    fields(cx, &data.fields),
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
    fn new(
        ident: &'a Ident,
        variant: Option<&'a syn::Variant>,
        attrs: Attrs<'a>,
        fields: Vec<Field<'a>>,
    ) -> Self {
        let message = match &attrs.display {
            Some(attr::Display::Fmt { lit, args, .. }) => Some(fmt::scan(lit, args, &fields)),
            _ => None,
        };
        Case {
            ident,
            variant,
            attrs,
            fields,
            message,
        }
    }
}

fn fields<'a>(cx: &Ctxt, fields: &'a Fields) -> Vec<Field<'a>> {
    fields
        .iter()
        .enumerate()
        .map(|(index, field)| {
            let (member, binding, key) = match &field.ident {
                Some(ident) => {
                    let key = ident.unraw().to_string();
                    (
                        Member::Named(ident.clone()),
                        format_ident!("__field_{}", key, span = Span::call_site()),
                        key,
                    )
                }
                None => (
                    Member::Unnamed(index.into()),
                    format_ident!("__field_{}", index, span = Span::call_site()),
                    index.to_string(),
                ),
            };
            Field {
                attrs: attr::field_attrs(cx, &field.attrs),
                member,
                ty: &field.ty,
                binding,
                key,
            }
        })
        .collect()
}
