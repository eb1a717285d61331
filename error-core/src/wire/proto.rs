//! The few pieces of the protobuf wire format that `google.rpc.Status`, `ErrorInfo` and
//! `RetryInfo` need, written out: a writer that encodes straight from borrowed strings into
//! one buffer, and a reader that borrows from the input and never allocates.
//!
//! [`grpc::pb`](super::grpc::pb) holds the same messages as prost types; these two do the
//! work on the hot path. Encoding through prost would build every key and value as an owned
//! `String` and each nested message as its own `Vec` before copying it into its parent;
//! decoding would allocate every string the peer sent, kept or not. The reader follows
//! protobuf's rules (unknown fields skipped, the last value of a singular field wins, a
//! known field of the wrong wire type or a string that is not UTF-8 is an error) and is
//! bounded by its input: each step consumes at least one byte, and lengths are checked
//! against what is left.

use alloc::vec::Vec;

/// Wire types.
const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LEN: u8 = 2;
const FIXED32: u8 = 5;

pub(super) fn varint_len(mut value: u64) -> usize {
    let mut len = 1;
    while value >= 0x80 {
        value >>= 7;
        len += 1;
    }
    len
}

/// The encoded length of a length-delimited field of `len` bytes with tag `tag` (< 16).
pub(super) fn len_field(len: usize) -> usize {
    1 + varint_len(len as u64) + len
}

/// The encoded length of a varint field with tag `tag` (< 16); 0 for a default value.
pub(super) fn varint_field(value: u64) -> usize {
    if value == 0 { 0 } else { 1 + varint_len(value) }
}

/// An `int32` field's value: the low 32 bits of its varint, as protobuf reads it.
#[allow(clippy::cast_possible_truncation)]
pub(super) fn int32(value: u64) -> i32 {
    (value as u32).cast_signed()
}

/// The low seven bits.
fn low7(value: u64) -> u8 {
    u8::try_from(value & 0x7f).unwrap_or(0)
}

/// Writes protobuf into a `Vec` whose capacity the caller computed.
pub(super) struct Writer {
    pub(super) buf: Vec<u8>,
}

impl Writer {
    pub(super) fn with_capacity(capacity: usize) -> Writer {
        Writer {
            buf: Vec::with_capacity(capacity),
        }
    }

    fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.buf.push(low7(value) | 0x80);
            value >>= 7;
        }
        self.buf.push(low7(value));
    }

    fn key(&mut self, tag: u8, wire_type: u8) {
        self.buf.push((tag << 3) | wire_type);
    }

    /// A varint field, omitted when it is 0 (proto3's default).
    pub(super) fn uint(&mut self, tag: u8, value: u64) {
        if value != 0 {
            self.key(tag, VARINT);
            self.varint(value);
        }
    }

    /// A string or bytes field, omitted when empty (proto3's default).
    pub(super) fn bytes(&mut self, tag: u8, value: &[u8]) {
        if !value.is_empty() {
            self.key(tag, LEN);
            self.varint(value.len() as u64);
            self.buf.extend_from_slice(value);
        }
    }

    /// The header of an embedded message of `len` bytes, always written (an empty message
    /// in a repeated field still counts).
    pub(super) fn message(&mut self, tag: u8, len: usize) {
        self.key(tag, LEN);
        self.varint(len as u64);
    }
}

/// One field of a message, as read.
#[derive(Clone, Copy)]
pub(super) enum Value<'a> {
    Varint(u64),
    Len(&'a [u8]),
    /// A fixed-size field: never one of ours, skipped.
    Fixed,
}

/// Reads the fields of one message, borrowing from it.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
}

/// The input is not protobuf.
#[derive(Clone, Copy, Debug)]
pub(super) struct Malformed;

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf }
    }

    fn varint(&mut self) -> Result<u64, Malformed> {
        let mut value: u64 = 0;
        for i in 0..10 {
            let (&byte, rest) = self.buf.split_first().ok_or(Malformed)?;
            self.buf = rest;
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(Malformed)
    }

    fn take(&mut self, len: u64) -> Result<&'a [u8], Malformed> {
        let len = usize::try_from(len).map_err(|_| Malformed)?;
        if len > self.buf.len() {
            return Err(Malformed);
        }
        let (taken, rest) = self.buf.split_at(len);
        self.buf = rest;
        Ok(taken)
    }

    /// The next field's tag and value; `None` at the end.
    pub(super) fn field(&mut self) -> Result<Option<(u64, Value<'a>)>, Malformed> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let tag = key >> 3;
        if tag == 0 {
            return Err(Malformed);
        }
        let value = match (key & 7) as u8 {
            VARINT => Value::Varint(self.varint()?),
            LEN => {
                let len = self.varint()?;
                Value::Len(self.take(len)?)
            }
            FIXED64 => {
                self.take(8)?;
                Value::Fixed
            }
            FIXED32 => {
                self.take(4)?;
                Value::Fixed
            }
            // Groups (3, 4) are long deprecated and never in these messages; 6 and 7 are
            // not wire types.
            _ => return Err(Malformed),
        };
        Ok(Some((tag, value)))
    }
}

impl<'a> Value<'a> {
    pub(super) fn varint(self) -> Result<u64, Malformed> {
        match self {
            Value::Varint(value) => Ok(value),
            _ => Err(Malformed),
        }
    }

    pub(super) fn bytes(self) -> Result<&'a [u8], Malformed> {
        match self {
            Value::Len(bytes) => Ok(bytes),
            _ => Err(Malformed),
        }
    }

    pub(super) fn string(self) -> Result<&'a str, Malformed> {
        core::str::from_utf8(self.bytes()?).map_err(|_| Malformed)
    }
}
