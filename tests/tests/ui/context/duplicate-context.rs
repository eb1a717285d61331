use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[class(transient, context, context = module)]
enum ReadError {
    #[error("no leader")]
    NoLeader,
}

fn main() {}
