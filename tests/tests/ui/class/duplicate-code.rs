use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("bad key")]
    #[class(invalid, code = "store.bad_key", code = "store.key")]
    BadKey,
}

fn main() {}
