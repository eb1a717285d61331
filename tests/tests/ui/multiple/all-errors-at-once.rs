use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
pub enum StoreError {
    #[error("Timed out.")]
    #[class(transiant)]
    Timeout {
        #[kv(hide)]
        key: String,
    },
    #[class(invalid, retry_after_ms = 50)]
    BadKey,
}

fn main() {}
