use error_core::ClassifiedError;

fn describe(f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.write_str("timed out")
}

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error(fmt = describe)]
    #[class(transient)]
    Timeout,
}

fn main() {}
