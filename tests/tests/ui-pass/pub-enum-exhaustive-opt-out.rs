use error_core::{Class, ClassifiedError};

#[derive(Debug, ClassifiedError)]
#[class(internal, exhaustive)]
pub enum ConfigError {
    #[error("missing setting")]
    Missing { name: &'static str },
    #[error("setting out of range")]
    #[class(invalid, code = "config.range")]
    OutOfRange { name: &'static str, value: i64 },
}

fn main() {
    let e = ConfigError::Missing { name: "port" };
    assert_eq!(e.class(), Class::Internal);
    assert_eq!(e.code(), "ConfigError::Missing");
    let e = ConfigError::OutOfRange { name: "port", value: -1 };
    assert_eq!(e.to_string(), "setting out of range. name=`port`, value=`-1`");
    assert_eq!(e.code(), "config.range");
}
