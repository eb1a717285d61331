use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("timed out")]
    #[class(transient, timeout = 5)]
    Timeout,
}

fn main() {}
