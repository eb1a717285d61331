//! Implicit source locations: a `Location` field is filled with the user's line by `?`
//! (the `From` of `#[from]`), by context selectors (`.context`, `.with_context`, `.build`,
//! `.fail`, `Option::context`) and by `error_core::Error`'s constructors; `Report`'s `{:#}`
//! shows each layer's; a location is no key=value field.

use error_core::{
    Class, ClassifiedError, Error, Location, OptionExt as _, Report, ResultExt as _, Value,
};

mod disk {
    use error_core::{ClassifiedError, Location};

    #[derive(Debug, ClassifiedError)]
    #[class(transient)]
    #[non_exhaustive]
    pub enum DiskError {
        #[error("read failed")]
        Read {
            #[from]
            source: std::io::Error,
            location: Location,
        },
    }
}

mod store {
    use error_core::ClassifiedError;

    use super::disk::DiskError;

    #[derive(Debug, ClassifiedError)]
    #[class(context)]
    #[non_exhaustive]
    pub enum StoreError {
        #[error("cannot load the key")]
        #[class(source)]
        Load {
            source: DiskError,
            key: String,
            location: error_core::Location,
        },
    }
}

mod rpc {
    use error_core::{ClassifiedError, Location};

    use super::store::StoreError;

    #[derive(Debug, ClassifiedError)]
    #[class(context)]
    #[non_exhaustive]
    pub enum RpcError {
        #[error("get failed")]
        #[class(source)]
        Get {
            source: StoreError,
            location: Location,
        },
        #[error("no such table")]
        #[class(invalid)]
        NoTable { table: String, location: Location },
        #[error("closed")]
        #[class(closed)]
        Closed { location: Location },
    }
}

use disk::DiskError;
use rpc::{ClosedCtx, GetCtx, NoTableCtx, RpcError};
use store::{LoadCtx, StoreError};

fn lines(error: &dyn ClassifiedError) -> Vec<(&'static str, u32)> {
    let mut out = Vec::new();
    let mut link = Some(error);
    while let Some(error) = link {
        if let Some(location) = error.location() {
            out.push((location.file(), location.line()));
        }
        link = error.classified_source();
    }
    out
}

const READ_LINE: u32 = line!() + 2;
fn read() -> Result<Vec<u8>, DiskError> {
    Err(std::io::Error::other("EIO"))?;
    Ok(Vec::new())
}

const LOAD_LINE: u32 = line!() + 2;
fn load(key: &str) -> Result<Vec<u8>, StoreError> {
    read().context(LoadCtx { key })
}

const GET_LINE: u32 = line!() + 2;
fn get(key: &str) -> Result<Vec<u8>, RpcError> {
    load(key).with_context(|| GetCtx)
}

#[test]
fn three_layers_built_with_selectors_and_question_mark_report_three_user_lines() {
    let (read_line, load_line, get_line) = (READ_LINE, LOAD_LINE, GET_LINE);
    let err = get("k1").unwrap_err();
    assert_eq!(
        lines(&err),
        [
            (file!(), get_line),
            (file!(), load_line),
            (file!(), read_line)
        ]
    );
    assert_eq!(err.class(), Class::Transient);
    assert_eq!(
        Report::new(&err).to_string(),
        "get failed: cannot load the key. key=`k1`: read failed: EIO"
    );
    let f = file!();
    assert_eq!(
        format!("{:#}", Report::new(&err)),
        format!(
            "get failed (transient, RpcError::Get) at {f}:{get_line}:15\n  \
             caused by: cannot load the key. key=`k1` (transient, StoreError::Load) at {f}:{load_line}:12\n  \
             caused by: read failed (transient, DiskError::Read) at {f}:{read_line}:5\n  \
             caused by: EIO (internal, std::io::ErrorKind::Other)"
        )
    );
}

#[test]
fn leaf_selectors_and_option_context_record_their_caller() {
    let built = NoTableCtx { table: "t" }.build();
    let built_line = line!() - 1;
    let failed: Result<(), RpcError> = ClosedCtx.fail();
    let failed_line = line!() - 1;
    let missing = None::<u8>.context(NoTableCtx { table: "u" });
    let missing_line = line!() - 1;

    assert_eq!(lines(&built), [(file!(), built_line)]);
    assert_eq!(lines(&failed.unwrap_err()), [(file!(), failed_line)]);
    assert_eq!(lines(&missing.unwrap_err()), [(file!(), missing_line)]);
    // The location is not part of the message, of the pairs or of the visitor.
    assert_eq!(built.to_string(), "no such table. table=`t`");
    let mut keys = Vec::new();
    built.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        keys.push(format!("{key}={value}"));
    });
    assert_eq!(keys, ["table=t"]);
    let entry = built
        .entry()
        .map(|e| e.fields().map(|f| f.name()).collect::<Vec<_>>());
    assert_eq!(entry, Some(vec!["table"]));
}

/// A typed error without a location.
#[derive(Debug, ClassifiedError)]
#[class(conflict)]
#[error("txn conflict")]
struct Conflict;

const COMMIT_LINE: u32 = line!() + 2;
fn commit() -> Result<(), Error> {
    Err(Conflict)?;
    Ok(())
}

const CLOSED_LINE: u32 = line!() + 2;
fn closed() -> Result<(), Error> {
    ClosedCtx.fail()?;
    Ok(())
}

#[test]
fn the_boundary_error_records_where_it_was_made() {
    let adhoc = Error::transient("flaky");
    let adhoc_line = line!() - 1;
    assert_eq!(lines(&adhoc), [(file!(), adhoc_line)]);

    // A typed error without a location: the `?` that converted it.
    assert_eq!(lines(&commit().unwrap_err()), [(file!(), COMMIT_LINE)]);

    // A typed error with one: its own, where it was made, not where it crossed.
    let err = closed().unwrap_err();
    assert_eq!(lines(&err), [(file!(), CLOSED_LINE)]);
    assert_eq!(
        format!("{:#}", Report::new(&err)),
        format!(
            "closed (closed, RpcError::Closed) at {}:{CLOSED_LINE}:15",
            file!()
        )
    );
}

/// A transparent wrapper: the same link as the error it holds.
#[derive(Debug, ClassifiedError)]
enum Outer {
    #[error(transparent)]
    Rpc(#[from] RpcError),
}

#[derive(Debug, ClassifiedError)]
#[class(busy)]
#[error("busy")]
struct Busy {
    pending: u32,
}

#[test]
fn transparent_forwards_and_types_without_a_location_have_none() {
    let inner = NoTableCtx { table: "t" }.build();
    let line = line!() - 1;
    let outer = Outer::from(inner);
    assert_eq!(lines(&outer), [(file!(), line)]);

    assert_eq!(Busy { pending: 1 }.location(), None);
    assert_eq!(
        format!("{:#}", Report::new(Busy { pending: 1 })),
        "busy. pending=`1` (busy, Busy)"
    );
}

#[test]
fn a_location_displays_as_rustc_prints_one() {
    let here = Location::caller();
    let line = line!() - 1;
    assert_eq!(here.to_string(), format!("{}:{line}:16", file!()));
    assert_eq!(
        format!("{here:?}"),
        format!("Location({}:{line}:16)", file!())
    );
    assert_eq!(
        std::mem::size_of::<Location>(),
        std::mem::size_of::<usize>()
    );
    assert_eq!(
        std::mem::size_of::<Option<Location>>(),
        std::mem::size_of::<usize>()
    );
}

mod geo {
    /// A place in the world, not in the source.
    #[derive(Debug, Clone, Copy)]
    pub struct Location {
        pub lat: i32,
    }

    impl std::fmt::Display for Location {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "lat {}", self.lat)
        }
    }
}

/// A type of one's own named `Location`, written by a path: an ordinary field.
#[derive(Debug, ClassifiedError)]
#[class(invalid)]
#[error("no route")]
struct NoRoute {
    to: geo::Location,
}

#[test]
fn a_type_of_ones_own_named_location_written_by_a_path_is_an_ordinary_field() {
    let err = NoRoute {
        to: geo::Location { lat: 5 },
    };
    assert_eq!(err.to_string(), "no route. to=`lat 5`");
    assert_eq!(err.location(), None);
}
