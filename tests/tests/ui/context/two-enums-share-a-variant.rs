// Two error enums in one module that share a variant name generate the same context
// selector, `NoLeaderCtx`. The error names the fix: one enum per module, or
// `#[class(context = module)]` on one of them.
use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
enum ProposeError {
    #[error("no leader")]
    #[class(transient)]
    NoLeader { term: u64 },
}

#[derive(Debug, ClassifiedError)]
enum ReadError {
    #[error("no leader")]
    #[class(transient)]
    NoLeader,
}

fn main() {}
