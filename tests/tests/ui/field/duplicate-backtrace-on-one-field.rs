use std::backtrace::Backtrace;

use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("read failed")]
    #[class(fatal)]
    Read {
        #[backtrace]
        #[backtrace]
        trace: Backtrace,
    },
}

fn main() {}
