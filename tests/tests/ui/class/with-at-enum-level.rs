// `with` calls a function of a variant's fields: each variant has its own.
use error_core::{Class, ClassifiedError};

fn class_of(_: &u32) -> Class {
    Class::Transient
}

#[derive(Debug, ClassifiedError)]
#[class(with = class_of)]
enum StoreError {
    #[error("store failed")]
    Failed(u32),
}

fn main() {}
