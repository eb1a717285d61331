use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("too many requests")]
    #[class(busy, retry_after_ms = "50")]
    Busy,
}

fn main() {}
