// A transparent variant with no class of its own forwards to its field, which must be a
// classified error: one error, at the field, and no follow-on error from `Error::source`.
use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error(transparent)]
    Message(String),
}

fn main() {}
