use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("read failed")]
    #[class(fatal)]
    Read(#[from] std::io::Error),
    #[error("write failed")]
    #[class(fatal)]
    Write(#[from] std::io::Error),
}

fn main() {}
