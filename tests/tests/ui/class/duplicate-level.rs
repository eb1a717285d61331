use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum ReplicaError {
    #[error("pool not found")]
    #[class(invalid, level = debug, level = warn)]
    PoolNotFound { pool: String },
}

fn main() {}
