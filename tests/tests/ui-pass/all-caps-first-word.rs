use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum NetError {
    #[error("IO error")]
    #[class(transient)]
    Io(#[from] std::io::Error),
    #[error("TLS handshake failed")]
    #[class(denied)]
    Tls,
    #[error("HTTP2 stream reset")]
    #[class(transient)]
    Reset,
}

fn main() {
    let e = NetError::from(std::io::Error::other("eof"));
    assert_eq!(e.to_string(), "IO error");
    assert_eq!(NetError::Tls.to_string(), "TLS handshake failed");
    assert_eq!(NetError::Reset.to_string(), "HTTP2 stream reset");
}
