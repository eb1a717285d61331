use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum ReplicaError {
    #[error("pool not found")]
    #[class(invalid, status = not_fond)]
    PoolNotFound { pool: String },
}

fn main() {}
