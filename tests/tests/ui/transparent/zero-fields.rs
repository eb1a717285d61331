use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error(transparent)]
    Nothing,
}

fn main() {}
