use error_core::{ClassifiedError, Location};

#[derive(Debug, ClassifiedError)]
#[class(transient)]
#[error("read failed")]
pub struct ReadFailed {
    at: Location,
    again: error_core::Location,
}

fn main() {}
