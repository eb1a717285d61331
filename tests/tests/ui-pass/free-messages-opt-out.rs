use error_core::{Class, ClassifiedError};

#[derive(Debug, ClassifiedError)]
#[class(data, free_messages)]
enum LegacyError {
    #[error("Checksum mismatch.")]
    Checksum,
    #[error("Read failed: {source}")]
    Read { source: std::io::Error },
}

#[derive(Debug, ClassifiedError)]
#[error("Quota exceeded.")]
#[class(busy, free_messages)]
struct Quota;

fn main() {
    assert_eq!(LegacyError::Checksum.to_string(), "Checksum mismatch.");
    let e = LegacyError::Read { source: std::io::Error::other("disk gone") };
    assert_eq!(e.to_string(), "Read failed: disk gone");
    assert_eq!(e.class(), Class::Data);
    assert_eq!(Quota.to_string(), "Quota exceeded.");
}
