use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("too many requests")]
    #[class(busy)]
    Busy {
        #[retry_after]
        wait_ms: u64,
    },
}

fn main() {}
