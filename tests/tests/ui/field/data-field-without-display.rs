use error_core::ClassifiedError;

#[derive(Debug)]
struct Key(u32);

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("bad key")]
    #[class(invalid)]
    BadKey { key: Key },
}

fn main() {}
