use error_core::ClassifiedError;

#[derive(Debug)]
struct PlainError;

impl std::fmt::Display for PlainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("plain")
    }
}

impl std::error::Error for PlainError {}

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error(transparent)]
    Plain(PlainError),
}

fn main() {}
