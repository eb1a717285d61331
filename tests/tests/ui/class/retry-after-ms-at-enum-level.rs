use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[class(transient, retry_after_ms = 50)]
enum StoreError {
    #[error("timed out")]
    Timeout,
}

fn main() {}
