use error_core::{ClassifiedError, Location};

#[derive(Debug, ClassifiedError)]
#[class(transient)]
#[error("read failed")]
pub struct ReadFailed {
    #[kv(display)]
    at: Location,
}

fn main() {}
