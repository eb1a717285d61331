use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("bad key")]
    #[class(invalid)]
    BadKey {
        #[error("the key")]
        key: String,
    },
}

fn main() {}
