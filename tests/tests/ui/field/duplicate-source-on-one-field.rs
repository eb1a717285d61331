use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("read failed")]
    #[class(fatal)]
    Read {
        #[source]
        #[source]
        inner: std::io::Error,
    },
}

fn main() {}
