use error_core::ClassifiedError;

/// A type named `Backtrace` that is not std's, and has no `Display`.
#[derive(Debug)]
struct Backtrace;

#[derive(Debug, ClassifiedError)]
#[class(internal, context = none)]
enum StoreError {
    #[error("invariant broken")]
    Broken { backtrace: Backtrace },
    #[error("maybe broken")]
    MaybeBroken {
        #[backtrace]
        trace: Option<Backtrace>,
    },
}

fn main() {}
