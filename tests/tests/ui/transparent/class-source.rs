// A transparent variant forwards its class already; `#[class(source)]` says nothing more.
use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[error("inner failed")]
#[class(transient)]
struct Inner;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error(transparent)]
    #[class(source)]
    Inner(Inner),
}

fn main() {}
