//! A format annotation sets are read from: its stable name and a description. Each reader
//! declares its own ([`super::reader::Reader::format`]); the registry
//! ([`super::registry::READERS`]) lists them, so adding a format adds no variant here.
//!
//! ```
//! use nucagree::ingest::registry;
//!
//! let coco = registry::format_named("coco").unwrap();
//! assert_eq!(coco.describe(), "COCO JSON");
//! assert_eq!(coco.to_string(), "coco");
//! ```

use serde::{Serialize, Serializer};
use std::fmt;
use std::hash::{Hash, Hasher};

/// An input format: equal, hashed and serialised by its name.
#[derive(Debug, Clone, Copy)]
pub struct Format {
    name: &'static str,
    description: &'static str,
}

impl Format {
    /// A format named `name` (kebab-case), described for reports as `description`.
    pub const fn new(name: &'static str, description: &'static str) -> Format {
        Format { name, description }
    }

    /// The stable name (`--input-format`, `inspect.json`).
    pub fn name(self) -> &'static str {
        self.name
    }

    /// A description for reports.
    pub fn describe(self) -> &'static str {
        self.description
    }
}

impl PartialEq for Format {
    fn eq(&self, other: &Format) -> bool {
        self.name == other.name
    }
}

impl Eq for Format {}

impl Hash for Format {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl Serialize for Format {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}
