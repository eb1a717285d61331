use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("read failed: {}", .source)]
    #[class(fatal)]
    Read {
        #[source]
        source: std::io::Error,
    },
}

fn main() {}
