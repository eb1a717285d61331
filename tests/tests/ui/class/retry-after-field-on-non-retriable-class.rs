use std::time::Duration;

use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("access denied")]
    #[class(denied)]
    Denied {
        #[retry_after]
        wait: Duration,
    },
}

fn main() {}
