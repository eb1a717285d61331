use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("too many requests")]
    #[class(busy)]
    #[retry_after]
    Busy,
}

fn main() {}
