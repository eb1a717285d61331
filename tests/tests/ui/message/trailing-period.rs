use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("connection refused.")]
    #[class(transient)]
    Refused,
}

fn main() {}
