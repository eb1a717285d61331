// In a tuple struct, `{0}` could be the field `0` or the first extra argument.
use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
#[error("invalid {0} (expected < {})", i32::MAX)]
struct OutOfRange(i64);

fn main() {}
