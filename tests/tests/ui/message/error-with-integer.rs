use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error(123)]
    #[class(transient)]
    Timeout,
}

fn main() {}
