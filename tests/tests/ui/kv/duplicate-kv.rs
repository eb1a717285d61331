use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("bad key")]
    #[class(invalid)]
    BadKey {
        #[kv(skip)]
        #[kv(debug)]
        key: String,
    },
}

fn main() {}
