use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("bad key")]
    #[class(invalid, retry_after_ms = 50)]
    BadKey,
}

fn main() {}
