use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("timed out")]
    #[class(transient)]
    #[class(busy)]
    Timeout,
}

fn main() {}
