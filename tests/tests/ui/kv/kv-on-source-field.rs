use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("read failed")]
    #[class(fatal)]
    Read {
        #[source]
        #[kv(redact)]
        source: std::io::Error,
    },
}

fn main() {}
