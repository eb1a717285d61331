use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("copy failed")]
    #[class(fatal)]
    Copy {
        #[source]
        read: std::io::Error,
        #[source]
        write: std::io::Error,
    },
}

fn main() {}
