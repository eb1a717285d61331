use std::time::Duration;

use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("too many requests")]
    #[class(busy)]
    Busy {
        #[retry_after]
        wait: Duration,
        #[retry_after]
        backoff: Duration,
    },
}

fn main() {}
