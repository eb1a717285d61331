//! `serde::Serialize` for the catalog: [`Entries`], [`Entry`] and [`Field`], with the
//! `serde` feature. The JSON shape is documented on the module ([`crate::catalog`]).

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::{ClassRule, Entries, Entry, Field};
use crate::{Class, Level, Status};

impl Serialize for Entries {
    /// `{"type_name": .., "entries": [..]}`: see the [module docs](crate::catalog).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Entries", 2)?;
        out.serialize_field("type_name", self.type_name())?;
        out.serialize_field("entries", &List(*self))?;
        out.end()
    }
}

/// The entries as a JSON array.
struct List(Entries);

impl Serialize for List {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter())
    }
}

impl Serialize for Entry {
    /// One object with every key, `null` where there is no value: see the
    /// [module docs](crate::catalog).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let rule = self.class();
        let (rule_name, fallback) = match rule {
            ClassRule::Fixed(_) => ("fixed", None),
            ClassRule::Source => ("source", None),
            ClassRule::Transparent(fallback) => ("transparent", fallback),
            ClassRule::Function => ("function", None),
        };
        let mut out = serializer.serialize_struct("Entry", 10)?;
        out.serialize_field("name", self.name())?;
        out.serialize_field("code", self.code())?;
        out.serialize_field("class", &rule.fixed().map(Class::as_str))?;
        out.serialize_field("class_rule", rule_name)?;
        out.serialize_field("fallback_class", &fallback.map(Class::as_str))?;
        out.serialize_field("status", &self.fixed_status().map(Status::as_str))?;
        out.serialize_field("level", &self.fixed_level().map(Level::as_str))?;
        let retry_ms = self
            .retry_after()
            .map(|after| u64::try_from(after.as_millis()).unwrap_or(u64::MAX));
        out.serialize_field("retry_after_ms", &retry_ms)?;
        out.serialize_field("message", self.message())?;
        out.serialize_field("fields", &FieldList(*self))?;
        out.end()
    }
}

/// An entry's fields as a JSON array.
struct FieldList(Entry);

impl Serialize for FieldList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.fields())
    }
}

impl Serialize for Field {
    /// `{"name": "tenant", "redacted": true}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Field", 2)?;
        out.serialize_field("name", self.name())?;
        out.serialize_field("redacted", &self.is_redacted())?;
        out.end()
    }
}
