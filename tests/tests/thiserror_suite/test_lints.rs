// thiserror 2.0.19 (dtolnay/thiserror@aa9d91f), tests/test_lints.rs, migrated by tests/thiserror-suite/migrate.py.
// thiserror is MIT OR Apache-2.0, as this workspace is.
// thiserror's code is kept as written, so this workspace's clippy settings do not
// apply to it; the lints its tests deny inside them still do.
#![allow(clippy::all, clippy::pedantic)]
#![allow(clippy::mixed_attributes_style)]

use error_core::ClassifiedError;

pub use std::error::Error;

#[test]
fn test_allow_attributes() {
    #![deny(clippy::allow_attributes)]

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages)]
    #[kv(skip)]
    #[error("...")]
    pub struct MyError(#[from] anyhow::Error);

    let _: MyError;
}

#[test]
fn test_unused_qualifications() {
    #![deny(unused_qualifications)]

    // Expansion of derive(Error) macro can't know whether something like
    // std::error::Error is already imported in the caller's scope so it must
    // suppress unused_qualifications.

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages)]
    #[kv(skip)]
    #[error("...")]
    pub struct MyError;

    let _: MyError;
}

#[test]
fn test_needless_lifetimes() {
    #![allow(dead_code)]
    #![deny(clippy::elidable_lifetime_names, clippy::needless_lifetimes)]

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages, exhaustive)]
    #[kv(skip)]
    #[error("...")]
    pub enum MyError<'a> {
        A(#[from] std::io::Error),
        B(&'a ()),
    }

    let _: MyError;
}

#[test]
fn test_forbid_needless_lifetimes() {
    #![forbid(clippy::needless_lifetimes)]

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages)]
    #[kv(skip)]
    #[error("...")]
    pub struct MyError(#[from] std::io::Error);

    let _: MyError;
}

#[test]
fn test_deprecated() {
    #![deny(deprecated)]

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages)]
    #[kv(skip)]
    #[deprecated]
    #[error("...")]
    pub struct DeprecatedStruct;

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages)]
    #[kv(skip)]
    #[error("{message} {}", .message)]
    pub struct DeprecatedStructField {
        #[deprecated]
        message: String,
    }

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages, exhaustive)]
    #[kv(skip)]
    #[deprecated]
    pub enum DeprecatedEnum {
        #[error("...")]
        Variant,
    }

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages, exhaustive)]
    #[kv(skip)]
    pub enum DeprecatedVariant {
        #[deprecated]
        #[error("...")]
        Variant,
    }

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages, exhaustive)]
    #[kv(skip)]
    pub enum DeprecatedFrom {
        #[error(transparent)]
        Variant(
            #[from]
            #[allow(deprecated)]
            DeprecatedStruct,
        ),
    }

    #[allow(deprecated)]
    let _: DeprecatedStruct;
    #[allow(deprecated)]
    let _: DeprecatedStructField;
    #[allow(deprecated)]
    let _ = DeprecatedEnum::Variant;
    #[allow(deprecated)]
    let _ = DeprecatedVariant::Variant;
    #[allow(deprecated)]
    let _ = DeprecatedFrom::Variant(DeprecatedStruct);
}
