// A transparent variant forwards its code, status and level with its class. Options of its
// own without a class of its own would be half a classification: it must name one.
use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[error("inner failed")]
#[class(transient)]
struct Inner;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error(transparent)]
    #[class(code = "store.inner")]
    Inner(Inner),
}

fn main() {}
