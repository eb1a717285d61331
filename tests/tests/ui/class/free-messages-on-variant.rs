use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("timed out")]
    #[class(transient, free_messages)]
    Timeout,
}

fn main() {}
