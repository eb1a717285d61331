use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[error("inner failed")]
#[class(transient)]
struct Inner;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("read failed")]
    #[class(source, retry_after_ms = 50)]
    Read {
        #[source]
        inner: Inner,
    },
}

fn main() {}
