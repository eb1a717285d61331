// Two enums, each in its own module, reuse a code with another meaning: the `const`
// check next to them fails the build.
use error_core::Catalog;
use error_core::catalog::unique_codes;

mod orders {
    #[derive(Debug, error_core::ClassifiedError)]
    #[non_exhaustive]
    pub enum OrderError {
        #[error("store is read-only")]
        #[class(closed, code = "store.read_only")]
        ReadOnly,
    }
}

mod payments {
    #[derive(Debug, error_core::ClassifiedError)]
    #[non_exhaustive]
    pub enum PaymentError {
        #[error("payment gateway is down")]
        #[class(transient, code = "store.read_only")]
        GatewayDown,
    }
}

const _: () = assert!(
    unique_codes(&[orders::OrderError::ENTRIES, payments::PaymentError::ENTRIES]),
    "two error codes are the same: `duplicate_codes` in a test says which",
);

fn main() {}
