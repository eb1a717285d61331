use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("bad key")]
    #[class(invalid, code = "")]
    BadKey,
}

fn main() {}
