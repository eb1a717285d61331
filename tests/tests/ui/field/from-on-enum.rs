use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[from]
enum StoreError {
    #[error("read failed")]
    #[class(fatal)]
    Read(#[source] std::io::Error),
}

fn main() {}
