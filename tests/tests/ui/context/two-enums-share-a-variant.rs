// Two error enums in one module that both ask for context selectors and share a variant
// name generate the same selector, `NoLeaderCtx`. The error names the fix: one enum per
// module, or `#[class(context = module)]` on one of them.
use error_core::ClassifiedError;

#[derive(Debug, ClassifiedError)]
#[class(context)]
enum ProposeError {
    #[error("no leader")]
    #[class(transient)]
    NoLeader { term: u64 },
}

#[derive(Debug, ClassifiedError)]
#[class(context)]
enum ReadError {
    #[error("no leader")]
    #[class(transient)]
    NoLeader,
}

fn main() {}
