use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("bad key {}", .name)]
    #[class(invalid)]
    BadKey { key: String },
}

fn main() {}
