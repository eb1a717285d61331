use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("bad key")]
    #[class(invalid)]
    #[kv(redact)]
    BadKey { key: String },
}

fn main() {}
