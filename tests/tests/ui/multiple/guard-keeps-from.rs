// A guard fails (no class), but the `From` impl, which cannot be wrong, is still there: the
// `?` below adds no error of its own.
use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("i/o failed")]
    Io(#[from] std::io::Error),
}

fn read() -> Result<(), StoreError> {
    std::fs::read("/nonexistent")?;
    Ok(())
}

fn main() {
    let _ = read();
}
