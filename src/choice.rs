//! Options chosen by name. Each library enum a user picks by name (`--shape box`,
//! `"ambiguous": "detect-only"`) lists its names once, with [`choices!`]; it then parses
//! ([`std::str::FromStr`]), prints ([`std::fmt::Display`]) and serialises as that name, and
//! the command line lists [`Choice::ALL`] as its possible values.
//!
//! ```
//! use nucagree::choice::Choice;
//! use nucagree::geometry::IouShape;
//!
//! assert_eq!("box".parse::<IouShape>().unwrap(), IouShape::Box);
//! assert_eq!(IouShape::Polygon.to_string(), "polygon");
//! assert_eq!(IouShape::ALL.len(), 3);
//! assert!("circle".parse::<IouShape>().unwrap_err().to_string().contains("polygon, box"));
//! ```

/// An enum whose values are chosen by a stable kebab-case name.
pub trait Choice: Sized + Copy + 'static {
    /// Every value, in the order help lists them.
    const ALL: &'static [Self];

    /// The value's name.
    fn name(self) -> &'static str;

    /// The value of that name.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.name() == name)
    }

    /// Every name, comma-separated.
    fn names() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|v| v.name()).collect();
        names.join(", ")
    }
}

/// A name that is none of a choice's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {found:?}: expected one of {expected}")]
pub struct UnknownChoice {
    pub found: String,
    pub expected: String,
}

/// Gives an enum its names: `choices!(IouShape { Polygon => "polygon", Box => "box" });`
/// implements [`Choice`], `FromStr`, `Display`, `Serialize` and `Deserialize` (as the name).
#[macro_export]
macro_rules! choices {
    ($type:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $crate::choice::Choice for $type {
            const ALL: &'static [$type] = &[$($type::$variant),+];

            fn name(self) -> &'static str {
                match self {
                    $($type::$variant => $name),+
                }
            }
        }

        impl ::std::fmt::Display for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::choice::Choice::name(*self))
            }
        }

        impl ::std::str::FromStr for $type {
            type Err = $crate::choice::UnknownChoice;

            fn from_str(name: &str) -> ::std::result::Result<$type, Self::Err> {
                <$type as $crate::choice::Choice>::from_name(name).ok_or_else(|| {
                    $crate::choice::UnknownChoice {
                        found: name.to_string(),
                        expected: <$type as $crate::choice::Choice>::names(),
                    }
                })
            }
        }

        impl ::serde::Serialize for $type {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str($crate::choice::Choice::name(*self))
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $type {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<$type, D::Error> {
                let name = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                name.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}
