use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("timed out")]
    #[class(transient, fatal)]
    Timeout,
}

fn main() {}
