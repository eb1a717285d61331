use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[class(invalid, status = not_found)]
enum ReplicaError {
    #[error("pool not found")]
    PoolNotFound { pool: String },
}

fn main() {}
