use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("Connection refused")]
    #[class(transient)]
    Refused,
}

fn main() {}
