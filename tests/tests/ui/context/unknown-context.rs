use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[class(context = modules)]
enum ReadError {
    #[error("no leader")]
    #[class(transient)]
    NoLeader,
}

fn main() {}
