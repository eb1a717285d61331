use std::fmt::Debug;

use error_core::{Class, ClassifiedError};

#[derive(Debug, ClassifiedError)]
#[error("inner failed")]
#[class(busy, retry_after_ms = 20)]
pub struct Inner;

#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum LookupError<'a, K, E>
where
    K: Debug,
{
    #[error("missing key {key:?}")]
    #[class(invalid)]
    Missing { key: K, table: &'a str },
    #[error("lookup failed")]
    #[class(source)]
    Failed {
        #[source]
        source: E,
    },
    #[error(transparent)]
    Other(Inner),
}

fn main() {
    let e: LookupError<'_, u32, Inner> = LookupError::Missing { key: 7, table: "users" };
    assert_eq!(e.to_string(), "missing key 7. table=`users`");
    assert_eq!(e.class(), Class::Invalid);
    let e: LookupError<'_, u32, Inner> = LookupError::Failed { source: Inner };
    assert_eq!(e.class(), Class::Busy);
    assert_eq!(e.retry_after(), Some(std::time::Duration::from_millis(20)));
    let e: LookupError<'_, u32, Inner> = LookupError::Other(Inner);
    assert_eq!(e.code(), "Inner");
}
