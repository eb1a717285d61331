use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error(transparent)]
    Io(std::io::Error),
}

fn main() {}
