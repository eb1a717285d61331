use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("read failed: {0}")]
    #[class(fatal)]
    Read(#[from] std::io::Error),
}

fn main() {}
