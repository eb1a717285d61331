use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("read failed")]
    #[class(fatal)]
    #[source]
    Read { inner: std::io::Error },
}

fn main() {}
