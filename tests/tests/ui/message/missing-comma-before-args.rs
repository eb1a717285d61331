use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("bad key {}" .key)]
    #[class(invalid)]
    BadKey { key: String },
}

fn main() {}
