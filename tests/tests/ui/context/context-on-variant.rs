use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum ReadError {
    #[error("no leader")]
    #[class(transient, context = none)]
    NoLeader,
}

fn main() {}
