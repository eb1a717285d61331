use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("bad key")]
    #[class(invalid, code = 42)]
    BadKey,
}

fn main() {}
