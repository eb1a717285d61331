use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("timed out")]
    #[class(transient)]
    Timeout,
    #[error("bad key")]
    BadKey,
}

fn main() {}
