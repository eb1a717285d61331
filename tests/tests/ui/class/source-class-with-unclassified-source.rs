use std::fmt;

use error_core::ClassifiedError;

#[derive(Debug)]
struct PlainError;

impl fmt::Display for PlainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("plain error")
    }
}

impl std::error::Error for PlainError {}

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("read failed")]
    #[class(source)]
    Read {
        #[source]
        inner: PlainError,
    },
}

fn main() {}
