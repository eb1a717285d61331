//! `ClassifiedError::type_name`: the error's Rust type path, for OpenTelemetry's
//! `exception.type`. A derived enum or struct names itself (a transparent one too), as
//! `module_path!()` and its name, without generic arguments; through
//! `&dyn ClassifiedError`, `&T` and `Box<T>` it is the dynamic type; `error_core::Error` and
//! a wrapping `std::io::Error` give the typed error's.
//!
//! The test crate is `test_type_name`, so a type declared here is `test_type_name::Name`.

use std::io;

use error_core::{ClassifiedError, Error};

#[derive(Debug, ClassifiedError)]
#[class(transient)]
enum FetchError {
    #[error("timed out")]
    Timeout,
    #[error(transparent)]
    Inner(QueueFull),
}

#[derive(Debug, ClassifiedError)]
#[class(busy)]
#[error("queue full")]
struct QueueFull {
    depth: usize,
}

#[derive(Debug, ClassifiedError)]
#[error(transparent)]
struct Transparent(QueueFull);

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
#[error("bad value")]
struct Generic<T: std::fmt::Debug + std::fmt::Display> {
    value: T,
}

mod nested {
    use error_core::ClassifiedError;

    #[derive(Debug, ClassifiedError)]
    #[class(internal)]
    #[error("deep")]
    pub(crate) struct Deep;
}

/// Calls `type_name` on `E` itself, so that `E = &T` and `E = Box<T>` use those impls.
fn name_of<E: ClassifiedError>(error: E) -> &'static str {
    error.type_name()
}

#[test]
fn derived_types_name_themselves() {
    assert_eq!(
        FetchError::Timeout.type_name(),
        "test_type_name::FetchError"
    );
    assert_eq!(
        QueueFull { depth: 1 }.type_name(),
        "test_type_name::QueueFull"
    );
    assert_eq!(nested::Deep.type_name(), "test_type_name::nested::Deep");
    // The path where the type is written, without its arguments: the same for every
    // instantiation, and fixed by the source rather than by the compiler's version.
    assert_eq!(
        Generic { value: 3_u32 }.type_name(),
        "test_type_name::Generic"
    );
    assert_eq!(
        Generic { value: "x" }.type_name(),
        <Generic<u8> as error_core::Catalog>::ENTRIES.type_name()
    );
}

#[test]
fn transparent_types_keep_the_outer_name() {
    let variant = FetchError::Inner(QueueFull { depth: 1 });
    assert_eq!(variant.code(), "QueueFull");
    assert_eq!(variant.type_name(), "test_type_name::FetchError");
    let wrapper = Transparent(QueueFull { depth: 1 });
    assert_eq!(wrapper.type_name(), "test_type_name::Transparent");
}

#[test]
fn dyn_is_the_dynamic_type() {
    let queue = QueueFull { depth: 1 };
    let erased: &dyn ClassifiedError = &queue;
    assert_eq!(erased.type_name(), "test_type_name::QueueFull");
    let erased: &(dyn ClassifiedError + Send + Sync) = &FetchError::Timeout;
    assert_eq!(erased.type_name(), "test_type_name::FetchError");
    let boxed: Box<dyn ClassifiedError> = Box::new(nested::Deep);
    assert_eq!(boxed.type_name(), "test_type_name::nested::Deep");
}

#[test]
fn references_and_boxes_forward() {
    let queue = QueueFull { depth: 1 };
    assert_eq!(name_of(&queue), "test_type_name::QueueFull");
    assert_eq!(
        <&QueueFull as ClassifiedError>::type_name(&&queue),
        "test_type_name::QueueFull"
    );
    let erased: &dyn ClassifiedError = &queue;
    assert_eq!(name_of(erased), "test_type_name::QueueFull");
    assert_eq!(name_of(Box::new(queue)), "test_type_name::QueueFull");
    assert_eq!(
        name_of(Box::new(FetchError::Timeout)),
        "test_type_name::FetchError"
    );
}

#[test]
fn boundary_error_names_the_typed_error() {
    let typed = QueueFull { depth: 1 }.type_name();
    let err = Error::from(QueueFull { depth: 1 });
    assert_eq!(err.type_name(), typed);
    assert_eq!(err.type_name(), "test_type_name::QueueFull");
    let err = Error::from(QueueFull { depth: 1 }).with_code("queue.full");
    let erased: &dyn ClassifiedError = &err;
    assert_eq!(erased.type_name(), "test_type_name::QueueFull");
    assert_eq!(name_of(Box::new(err)), "test_type_name::QueueFull");

    let from_io = Error::new(io::Error::from(io::ErrorKind::TimedOut));
    assert_eq!(from_io.type_name(), "std::io::error::Error");
}

#[test]
fn adhoc_error_names_the_boundary_type() {
    assert_eq!(
        Error::busy("queue full").type_name(),
        "error_core::error::Error"
    );
    assert_eq!(
        Error::fatal("disk gone").type_name(),
        std::any::type_name::<Error>()
    );
    // A source does not change the name: it is the error's own type.
    let err = Error::transient("retry later").with_source(io::Error::other("eio"));
    assert_eq!(err.type_name(), "error_core::error::Error");
}

#[test]
fn io_error_names_what_it_wraps() {
    let plain = io::Error::from(io::ErrorKind::NotFound);
    assert_eq!(plain.type_name(), "std::io::error::Error");
    let wrapping = io::Error::other(Error::from(QueueFull { depth: 1 }));
    assert_eq!(wrapping.type_name(), "test_type_name::QueueFull");
    let wrapping_adhoc = io::Error::other(Error::busy("queue full"));
    assert_eq!(wrapping_adhoc.type_name(), "error_core::error::Error");
}
