use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("read failed")]
    #[class(transient)]
    Read {
        #[source]
        #[retry_after]
        source: std::io::Error,
    },
}

fn main() {}
