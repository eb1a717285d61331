use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[error("inner failed")]
#[class(transient)]
struct Inner;

#[derive(Debug, ClassifiedError)]
#[class(source)]
enum StoreError {
    #[error("read failed")]
    Read {
        #[source]
        inner: Inner,
    },
    #[error("bad key")]
    BadKey { key: String },
}

fn main() {}
