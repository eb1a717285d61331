use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[error("bad key")]
struct BadKey {
    key: String,
}

fn main() {}
