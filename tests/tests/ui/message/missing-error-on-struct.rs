use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
struct BadKey {
    key: String,
}

fn main() {}
