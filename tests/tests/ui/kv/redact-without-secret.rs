use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[class(denied)]
enum LoginError {
    #[error("login refused")]
    Refused {
        user: String,
        #[kv(redact)]
        password: String,
    },
    #[error("token expired")]
    Expired(#[kv(redact)] Option<String>),
}

fn main() {}
