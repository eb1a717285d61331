use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error()]
    #[class(transient)]
    Timeout,
}

fn main() {}
