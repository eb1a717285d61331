use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("read failed")]
    #[class(fatal)]
    Read {
        #[from]
        source: std::io::Error,
        path: String,
    },
}

fn main() {}
