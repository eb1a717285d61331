use std::backtrace::Backtrace;
use std::time::Duration;

use error_core::{Class, ClassifiedError, Secret};

#[derive(Debug, ClassifiedError)]
#[error("throttled")]
#[class(busy)]
struct Throttled {
    #[retry_after]
    wait: Option<Duration>,
}

#[derive(Debug, ClassifiedError)]
#[class(source)]
enum CallError {
    #[error("call failed")]
    Call {
        #[from]
        source: Throttled,
        backtrace: Backtrace,
    },
    #[error("bad request")]
    #[class(invalid, code = "call.bad_request")]
    BadRequest {
        #[kv(redact)]
        token: Secret<String>,
        #[kv(skip)]
        internal: u8,
        #[kv(debug)]
        path: &'static str,
    },
}

fn main() {
    let e = CallError::from(Throttled { wait: Some(Duration::from_millis(5)) });
    assert_eq!(e.class(), Class::Busy);
    assert_eq!(e.retry_after(), Some(Duration::from_millis(5)));
    assert!(std::error::Error::source(&e).is_some());
    let e = CallError::BadRequest { token: Secret::new("t".into()), internal: 1, path: "/x" };
    assert_eq!(e.to_string(), "bad request. token=`<redacted>`, path=`\"/x\"`");
    assert_eq!(e.code(), "call.bad_request");
}
