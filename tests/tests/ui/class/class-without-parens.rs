use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("timed out")]
    #[class]
    Timeout,
}

fn main() {}
