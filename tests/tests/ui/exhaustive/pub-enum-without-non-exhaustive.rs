use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
pub enum StoreError {
    #[error("timed out")]
    #[class(transient)]
    Timeout,
}

fn main() {}
