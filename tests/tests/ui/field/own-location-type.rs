use error_core::ClassifiedError;

/// A place in the world, not in the source: written bare, the derive takes it for
/// `error_core::Location`. Written `self::Location`, it would be an ordinary field.
#[derive(Debug, Clone, Copy)]
pub struct Location {
    pub lat: i32,
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
#[error("no route")]
pub struct NoRoute {
    to: Location,
}

fn main() {}
