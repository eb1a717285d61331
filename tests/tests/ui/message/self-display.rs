// `{self}` formats the error with the `Display` being defined: it never returns.
use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[class(internal)]
#[error("failed: {self}")]
struct Recursive;

fn main() {}
