use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[error("inner failed")]
#[class(transient)]
struct Inner;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error(transparent)]
    #[class(fatal)]
    Inner(Inner),
}

fn main() {}
