use error_core::ClassifiedError;

fn show(f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.write_str("shown")
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
#[error(fmt = show, "extra")]
struct Shown;

fn main() {}
