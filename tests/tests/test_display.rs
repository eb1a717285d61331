//! `Display`: messages, interpolation, format specs, extra arguments, escapes and the
//! ``key=`value` `` pairs appended for the fields a message does not show.

use error_core::ClassifiedError;

const LIMIT: usize = 64;

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
enum Plain {
    #[error("no leader")]
    Unit,
    #[error("empty braces")]
    EmptyBraces {},
    #[error("empty tuple")]
    EmptyTuple(),
    #[error("runtime: shutting down (phase 2/3)")]
    Punctuation,
    #[error("HTTP status unavailable")]
    Acronym,
    #[error("")]
    Empty,
}

#[test]
fn plain_messages() {
    assert_eq!(Plain::Unit.to_string(), "no leader");
    assert_eq!(Plain::EmptyBraces {}.to_string(), "empty braces");
    assert_eq!(Plain::EmptyTuple().to_string(), "empty tuple");
    assert_eq!(
        Plain::Punctuation.to_string(),
        "runtime: shutting down (phase 2/3)"
    );
    assert_eq!(Plain::Acronym.to_string(), "HTTP status unavailable");
    assert_eq!(Plain::Empty.to_string(), "");
}

#[test]
fn display_through_dyn_and_format_macros() {
    let e = Plain::Unit;
    let dyn_err: &dyn std::error::Error = &e;
    assert_eq!(dyn_err.to_string(), "no leader");
    assert_eq!(format!("<{e}>"), "<no leader>");
    assert_eq!(format!("{}", &&e), "no leader");
}

#[derive(Debug, ClassifiedError)]
#[class(invalid, context = none)]
enum Interpolated {
    #[error("term {term} is behind leader {leader}")]
    Named { term: u64, leader: String },
    #[error("index {0} out of {1}")]
    Tuple(usize, usize),
    #[error("index {1} before {0}")]
    TupleReversed(usize, usize),
    #[error("bad name {name:?}")]
    DebugSpec { name: String },
    #[error("{name} and {name:?} and {name}")]
    Twice { name: &'static str },
    #[error("tuple debug {0:?}")]
    TupleDebug(&'static str),
}

#[test]
fn field_interpolation() {
    let e = Interpolated::Named {
        term: 7,
        leader: "n2".into(),
    };
    assert_eq!(e.to_string(), "term 7 is behind leader n2");
    assert_eq!(Interpolated::Tuple(10, 8).to_string(), "index 10 out of 8");
    assert_eq!(
        Interpolated::TupleReversed(1, 2).to_string(),
        "index 2 before 1"
    );
    assert_eq!(
        Interpolated::DebugSpec {
            name: "a\"b".into()
        }
        .to_string(),
        r#"bad name "a\"b""#
    );
    assert_eq!(
        Interpolated::Twice { name: "x" }.to_string(),
        r#"x and "x" and x"#
    );
    assert_eq!(
        Interpolated::TupleDebug("t").to_string(),
        r#"tuple debug "t""#
    );
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
enum Specs {
    #[error("[{left:<6}|{right:>6}|{mid:^7}]")]
    Aligned {
        left: &'static str,
        right: u32,
        mid: char,
    },
    #[error("[{n:*^9}] [{n:05}] [{n:+}]")]
    FillAndSign { n: i32 },
    #[error("{value:.2} {value:>8.3}")]
    Precision { value: f64 },
    #[error("{code:#x} {code:X} {code:o} {code:#b} {code:#06x}")]
    Radix { code: u32 },
    #[error("{big:e} {big:E}")]
    Exp { big: f64 },
    #[error("[{:>5}] [{:<5}]", .n, .n)]
    PositionalWidth { n: u8 },
    #[error("[{0:>4}] [{1:#?}]")]
    TupleFormats(u8, Option<u8>),
    #[error("[{:>width$}]", .name, width = 6)]
    NamedWidth { name: &'static str },
}

#[test]
fn format_specs() {
    let e = Specs::Aligned {
        left: "ab",
        right: 42,
        mid: 'x',
    };
    assert_eq!(e.to_string(), "[ab    |    42|   x   ]");
    assert_eq!(
        Specs::FillAndSign { n: 42 }.to_string(),
        "[***42****] [00042] [+42]"
    );
    assert_eq!(
        Specs::Precision { value: 1.23456 }.to_string(),
        "1.23    1.235"
    );
    assert_eq!(
        Specs::Radix { code: 255 }.to_string(),
        "0xff FF 377 0b11111111 0x00ff"
    );
    assert_eq!(Specs::Exp { big: 1234.5 }.to_string(), "1.2345e3 1.2345E3");
    assert_eq!(
        Specs::PositionalWidth { n: 7 }.to_string(),
        "[    7] [7    ]"
    );
    assert_eq!(
        Specs::TupleFormats(9, Some(1)).to_string(),
        "[   9] [Some(\n    1,\n)]"
    );
    assert_eq!(Specs::NamedWidth { name: "ab" }.to_string(), "[    ab]");
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
enum Args {
    #[error("limit is {}", LIMIT)]
    Const,
    #[error("{} of {} done", .done, .total)]
    Shorthand { done: u32, total: u32 },
    #[error("{} bytes, first {:#04x}", .data.len(), .data[0])]
    ShorthandExpr { data: Vec<u8> },
    #[error("{} and {:?}", .0, .1)]
    TupleShorthand(u8, &'static str),
    #[error("{op} failed after {n} attempts", op = "write", n = 2 + 1)]
    Named,
    #[error("{n} items", n = .items.len())]
    NamedShorthand { items: Vec<u8> },
    #[error("doubled {count}", count = .count * 2)]
    NamedShadowsUsedField { count: u32 },
    #[error("limit {max}", max = LIMIT)]
    NamedShadowsUnusedField { max: u32 },
    #[error("{} then {}", .b, .a,)]
    TrailingComma { a: u8, b: u8 },
    #[error("{} {x}", "lit", x = 'c')]
    Mixed { other: u8 },
}

#[test]
fn extra_arguments() {
    assert_eq!(Args::Const.to_string(), "limit is 64");
    assert_eq!(
        Args::Shorthand { done: 3, total: 5 }.to_string(),
        "3 of 5 done"
    );
    assert_eq!(
        Args::ShorthandExpr {
            data: vec![0xab, 1]
        }
        .to_string(),
        "2 bytes, first 0xab"
    );
    assert_eq!(Args::TupleShorthand(4, "s").to_string(), "4 and \"s\"");
    assert_eq!(Args::Named.to_string(), "write failed after 3 attempts");
    assert_eq!(
        Args::NamedShorthand {
            items: vec![1, 2, 3]
        }
        .to_string(),
        "3 items"
    );
    assert_eq!(
        Args::NamedShadowsUsedField { count: 5 }.to_string(),
        "doubled 10"
    );
    // `{max}` names the user's argument, so the field `max` is not interpolated: it is
    // appended as a pair.
    assert_eq!(
        Args::NamedShadowsUnusedField { max: 7 }.to_string(),
        "limit 64. max=`7`"
    );
    assert_eq!(Args::TrailingComma { a: 1, b: 2 }.to_string(), "2 then 1");
    assert_eq!(Args::Mixed { other: 9 }.to_string(), "lit c. other=`9`");
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
enum Escapes {
    #[error("set {{}} is empty")]
    NoFields,
    #[error("literal {{braces}} and {{{value}}}")]
    AroundField { value: u8 },
    #[error("a }} b {{ c")]
    Unbalanced,
    #[error("map {{key}}")]
    WithPairs { key: &'static str },
}

#[test]
fn brace_escapes() {
    assert_eq!(Escapes::NoFields.to_string(), "set {} is empty");
    assert_eq!(
        Escapes::AroundField { value: 7 }.to_string(),
        "literal {braces} and {7}"
    );
    assert_eq!(Escapes::Unbalanced.to_string(), "a } b { c");
    // `{{key}}` is text, not an interpolation of `key`, so `key` is appended.
    assert_eq!(
        Escapes::WithPairs { key: "k" }.to_string(),
        "map {key}. key=`k`"
    );
}

#[derive(Debug, ClassifiedError)]
#[class(busy, context = none)]
enum Pairs {
    #[error("too many pending proposals")]
    Busy { pending: usize, max: usize },
    #[error("write to {path} failed")]
    SomeShown {
        attempt: u32,
        path: String,
        node: u64,
    },
    #[error("tuple")]
    Tuple(u8, String),
    #[error("index {1}")]
    TupleSomeShown(u8, u8, u8),
    #[error("")]
    EmptyMessage { a: u8, b: &'static str },
    #[error("")]
    EmptyTuple(i8),
    #[error("all shown: {a} {b}")]
    AllShown { a: u8, b: u8 },
    #[error("quoted")]
    Quoted { text: &'static str },
    #[error("via shorthand {}", .a)]
    ShorthandUse { a: u8, b: u8 },
}

#[test]
fn pairs_are_appended_in_declaration_order() {
    assert_eq!(
        Pairs::Busy {
            pending: 12,
            max: 12
        }
        .to_string(),
        "too many pending proposals. pending=`12`, max=`12`"
    );
    assert_eq!(
        Pairs::SomeShown {
            attempt: 3,
            path: "/x".into(),
            node: 7
        }
        .to_string(),
        "write to /x failed. attempt=`3`, node=`7`"
    );
    assert_eq!(Pairs::AllShown { a: 1, b: 2 }.to_string(), "all shown: 1 2");
    assert_eq!(
        Pairs::Quoted { text: "a `b`" }.to_string(),
        "quoted. text=`a `b``"
    );
    assert_eq!(
        Pairs::ShorthandUse { a: 1, b: 2 }.to_string(),
        "via shorthand 1. b=`2`"
    );
}

#[test]
fn tuple_fields_use_their_index_as_key() {
    assert_eq!(
        Pairs::Tuple(1, "a".into()).to_string(),
        "tuple. 0=`1`, 1=`a`"
    );
    assert_eq!(
        Pairs::TupleSomeShown(1, 2, 3).to_string(),
        "index 2. 0=`1`, 2=`3`"
    );
}

#[test]
fn empty_message_shows_only_pairs() {
    assert_eq!(
        Pairs::EmptyMessage { a: 1, b: "x" }.to_string(),
        "a=`1`, b=`x`"
    );
    assert_eq!(Pairs::EmptyTuple(-1).to_string(), "0=`-1`");
}

#[derive(Debug, ClassifiedError)]
#[class(invalid, context = none)]
enum Raw {
    #[error("mismatch")]
    Appended { r#type: &'static str, r#match: u8 },
    #[error("unknown type {type}")]
    Interpolated { r#type: &'static str },
    #[error("type is {}", .r#type)]
    Shorthand { r#type: &'static str },
    #[error("debug type {type:?}")]
    DebugInterpolated { r#type: &'static str, r#fn: u8 },
}

#[test]
fn raw_field_names_use_the_unraw_key() {
    assert_eq!(
        Raw::Appended {
            r#type: "int",
            r#match: 1
        }
        .to_string(),
        "mismatch. type=`int`, match=`1`"
    );
    assert_eq!(
        Raw::Interpolated { r#type: "int" }.to_string(),
        "unknown type int"
    );
    assert_eq!(Raw::Shorthand { r#type: "int" }.to_string(), "type is int");
    assert_eq!(
        Raw::DebugInterpolated {
            r#type: "int",
            r#fn: 2
        }
        .to_string(),
        "debug type \"int\". fn=`2`"
    );
}

#[derive(Debug, ClassifiedError)]
#[class(closed)]
#[error("component closed")]
struct UnitStruct;

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
#[error("bad status")]
struct TupleStruct(u16);

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
#[error("bad request {id}")]
struct NamedStruct {
    id: u32,
    reason: String,
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
#[error("empty braces struct")]
struct EmptyBracesStruct {}

#[test]
fn structs() {
    assert_eq!(UnitStruct.to_string(), "component closed");
    assert_eq!(TupleStruct(404).to_string(), "bad status. 0=`404`");
    assert_eq!(
        NamedStruct {
            id: 5,
            reason: "no body".into()
        }
        .to_string(),
        "bad request 5. reason=`no body`"
    );
    assert_eq!(EmptyBracesStruct {}.to_string(), "empty braces struct");
}

#[derive(Debug, ClassifiedError)]
#[class(invalid, free_messages)]
enum Free {
    #[error("Capitalised message.")]
    Capital { n: u8 },
    #[error("read failed: {source}")]
    ShowsSource { source: std::io::Error, n: u8 },
}

#[test]
fn free_messages_keep_the_text_as_written() {
    assert_eq!(
        Free::Capital { n: 1 }.to_string(),
        "Capitalised message.. n=`1`"
    );
    let e = Free::ShowsSource {
        source: std::io::Error::other("eio"),
        n: 2,
    };
    assert_eq!(e.to_string(), "read failed: eio. n=`2`");
    assert_eq!(std::error::Error::source(&e).unwrap().to_string(), "eio");
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
#[error("{0} of {1}", .done, .total)]
struct PositionalInNamedStruct {
    done: u8,
    total: u8,
    unit: &'static str,
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
#[repr(u8)]
enum WithDiscriminants {
    #[error("first")]
    First = 1,
    #[error("second")]
    Second = 7,
}

#[test]
fn positional_indices_and_discriminants() {
    // In a struct with named fields, `{0}` is the first extra argument.
    let e = PositionalInNamedStruct {
        done: 3,
        total: 5,
        unit: "files",
    };
    assert_eq!(e.to_string(), "3 of 5. unit=`files`");
    assert_eq!(WithDiscriminants::First.to_string(), "first");
    assert_eq!(WithDiscriminants::Second as u8, 7);
    assert_eq!(
        WithDiscriminants::Second.code(),
        "WithDiscriminants::Second"
    );
}

mod shorthand_anywhere {
    use error_core::ClassifiedError;

    // `.field` in an argument is the field by reference, as in thiserror.
    #[allow(clippy::trivially_copy_pass_by_ref)]
    fn twice(x: &u8) -> u8 {
        x * 2
    }

    #[derive(Debug, ClassifiedError)]
    #[class(invalid)]
    enum Anywhere {
        #[error("sum {}", .a + .b)]
        AfterOperator { a: u8, b: u8 },
        #[error("twice {}", twice(.a))]
        InCall { a: u8 },
        #[error("inner {}", .0.1)]
        NestedTuple((u8, u8)),
    }

    #[test]
    fn shorthand_after_operators_and_in_groups() {
        assert_eq!(Anywhere::AfterOperator { a: 1, b: 2 }.to_string(), "sum 3");
        assert_eq!(Anywhere::InCall { a: 4 }.to_string(), "twice 8");
        assert_eq!(Anywhere::NestedTuple((1, 7)).to_string(), "inner 7");
    }
}

mod width_from_field {
    use error_core::ClassifiedError;

    #[derive(Debug, ClassifiedError)]
    #[class(invalid)]
    #[error("name [{name:>width$}]")]
    struct Padded {
        name: String,
        width: usize,
    }

    #[test]
    fn width_argument_names_a_field() {
        let e = Padded {
            name: "ab".into(),
            width: 5,
        };
        assert_eq!(e.to_string(), "name [   ab]");
    }
}

mod path_fields {
    use std::path::{Path, PathBuf};

    use error_core::ClassifiedError;

    #[derive(Debug, ClassifiedError)]
    #[class(invalid)]
    enum Open<'a> {
        #[error("open {path} failed")]
        Owned { path: PathBuf },
        #[error("open {path} failed")]
        Borrowed { path: &'a Path },
    }

    #[test]
    fn path_fields_interpolate_like_thiserror() {
        let e = Open::Owned {
            path: PathBuf::from("/a/b"),
        };
        assert_eq!(e.to_string(), "open /a/b failed");
        let e = Open::Borrowed {
            path: Path::new("/c"),
        };
        assert_eq!(e.to_string(), "open /c failed");
    }
}
