use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("bad key")]
    #[class(invalid)]
    BadKey {
        #[kv(hide)]
        key: String,
    },
}

fn main() {}
