// thiserror 2.0.19 (dtolnay/thiserror@aa9d91f), tests/test_path.rs, migrated by tests/thiserror-suite/migrate.py.
// thiserror is MIT OR Apache-2.0, as this workspace is.
// thiserror's code is kept as written, so this workspace's clippy settings do not
// apply to it; the lints its tests deny inside them still do.
#![allow(clippy::all, clippy::pedantic)]
#![cfg(feature = "std")]

use core::fmt::Display;
use error_core::ClassifiedError;
use ref_cast::RefCast;
use std::path::{Path, PathBuf};

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages)]
#[kv(skip)]
#[error("failed to read '{file}'")]
struct StructPathBuf {
    file: PathBuf,
}

#[derive(ClassifiedError, Debug, RefCast)]
#[class(internal, free_messages)]
#[kv(skip)]
#[repr(C)]
#[error("failed to read '{file}'")]
struct StructPath {
    file: Path,
}

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages, exhaustive)]
#[kv(skip)]
enum EnumPathBuf {
    #[error("failed to read '{0}'")]
    Read(PathBuf),
}

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages)]
#[kv(skip)]
#[error("{tail}")]
pub struct UnsizedError {
    pub head: i32,
    pub tail: str,
}

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages, exhaustive)]
#[kv(skip)]
pub enum BothError {
    #[error("display:{0} debug:{0:?}")]
    DisplayDebug(PathBuf),
    #[error("debug:{0:?} display:{0}")]
    DebugDisplay(PathBuf),
}

fn assert<T: Display>(expected: &str, value: T) {
    assert_eq!(expected, value.to_string());
}

#[test]
fn test_display() {
    let path = Path::new("/thiserror");
    let file = path.to_owned();
    assert("failed to read '/thiserror'", StructPathBuf { file });
    let file = path.to_owned();
    assert("failed to read '/thiserror'", EnumPathBuf::Read(file));
    assert("failed to read '/thiserror'", StructPath::ref_cast(path));
}
