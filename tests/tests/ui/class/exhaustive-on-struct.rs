use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[error("timed out")]
#[class(transient, exhaustive)]
pub struct Timeout;

fn main() {}
