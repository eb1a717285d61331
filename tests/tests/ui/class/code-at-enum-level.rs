use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[class(internal, code = "store")]
enum StoreError {
    #[error("timed out")]
    Timeout,
}

fn main() {}
