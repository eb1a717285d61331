use error_core::ClassifiedError;

#[derive(ClassifiedError)]
#[error("bad bits")]
#[class(invalid)]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
