use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("timed out")]
    #[class(transient)]
    Timeout,
    #[class(invalid)]
    BadKey,
}

fn main() {}
