// `Error::source` returns `&(dyn Error + 'static)`: a source that borrows cannot be one.
use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
#[error("inner")]
struct Inner<'a> {
    token: &'a str,
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
#[error("outer")]
struct Outer<'a> {
    #[source]
    inner: Inner<'a>,
}

fn main() {}
