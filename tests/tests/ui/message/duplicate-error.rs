use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("timed out")]
    #[error("deadline exceeded")]
    #[class(transient)]
    Timeout,
}

fn main() {}
