use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[error("inner failed")]
#[class(transient)]
struct Inner;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("read failed")]
    #[class(source)]
    Read {
        #[source]
        inner: Option<Inner>,
    },
}

fn main() {}
