use std::time::Duration;

use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[class(busy)]
#[error("throttled")]
struct Throttled {
    #[retry_after]
    #[kv(redact)]
    wait: Duration,
}

fn main() {}
