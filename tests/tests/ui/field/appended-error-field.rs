// A field that is itself an error, not marked `#[source]`, would be appended as
// ``key=`...` ``: its message inside this one, which reports already print as the cause.
use std::error::Error;
use std::sync::Arc;

use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[class(transient)]
enum ObjectStoreError {
    #[error("object store failed")]
    Store(Arc<dyn Error + Send + Sync>),
    #[error("parse failed")]
    Parse { cause: std::num::ParseIntError },
}

fn main() {}
