use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("bad key")]
    #[class(invalid)]
    BadKey {
        #[class(invalid)]
        key: String,
    },
}

fn main() {}
