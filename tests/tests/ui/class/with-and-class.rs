// `with` decides the class: a class written beside it would contradict it.
use error_core::{Class, ClassifiedError};

fn class_of(_: &u32) -> Class {
    Class::Transient
}

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("store failed")]
    #[class(with = class_of, transient)]
    Failed(u32),
    #[error("store failed again")]
    #[class(data, with = class_of)]
    Again(u32),
}

fn main() {}
