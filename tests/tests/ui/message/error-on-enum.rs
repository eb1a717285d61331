use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[error("store error")]
enum StoreError {
    #[error("timed out")]
    #[class(transient)]
    Timeout,
}

fn main() {}
