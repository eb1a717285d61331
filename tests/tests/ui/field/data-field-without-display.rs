// A field shown as ``key=`value` `` needs `Display`. Without it, the error is at the field's
// type, twice: once for the message that formats it and once for the visitor that hands it to
// telemetry. (A probe that spares the second was measured to cost more compile time than
// the rest of the visitor; see error-derive/benches/compile_time.py.)
use error_core::ClassifiedError;

#[derive(Debug)]
struct Key(u32);

#[derive(Debug, ClassifiedError)]
enum StoreError {
    #[error("bad key")]
    #[class(invalid)]
    BadKey { key: Key },
}

fn main() {}
