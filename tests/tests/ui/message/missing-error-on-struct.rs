// With no `#[error]` anywhere, the derive writes no `Display`: the user does, as with
// thiserror. Without one, the single error says what is missing.
use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
struct BadKey {
    key: String,
}

fn main() {}
