use std::backtrace::Backtrace;

use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("read failed")]
    #[class(fatal)]
    Read {
        #[backtrace]
        trace: Backtrace,
        #[backtrace]
        other_trace: Backtrace,
    },
}

fn main() {}
