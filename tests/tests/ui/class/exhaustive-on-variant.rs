use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("timed out")]
    #[class(transient, exhaustive)]
    Timeout,
}

fn main() {}
