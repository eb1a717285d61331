// `#[class(context = module)]` lets two enums in one module share variant names; the
// selectors of each live in a module named after it.
use error_core::{ClassifiedError, OptionExt, ResultExt};

#[derive(Debug, ClassifiedError)]
#[class(context = module)]
pub(crate) enum ProposeError {
    #[error("no leader")]
    #[class(transient)]
    NoLeader { term: u64 },
    #[error("storage fault")]
    #[class(fatal)]
    Storage { source: std::io::Error },
}

#[derive(Debug, ClassifiedError)]
#[class(context = module)]
enum ReadError {
    #[error("no leader")]
    #[class(transient)]
    NoLeader,
}

#[derive(Debug, ClassifiedError)]
#[class(context = none)]
enum TransferError {
    #[error("no leader")]
    #[class(transient)]
    NoLeader,
}

fn main() {
    let _: Result<(), ProposeError> = propose_error::NoLeaderCtx { term: 1u64 }.fail();
    let _: Result<(), ProposeError> =
        Err::<(), _>(std::io::Error::other("disk")).context(propose_error::StorageCtx);
    let _: Result<u8, ReadError> = None.context(read_error::NoLeaderCtx);
    let _ = TransferError::NoLeader;
}
