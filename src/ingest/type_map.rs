//! HoVer-Net's type ids and the class names they stand for (read from a CSV `type,class` by
//! [`super::metadata::read_type_map`]).

use std::collections::BTreeMap;

/// HoVer-Net's type ids and the class names they stand for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypeMap(pub BTreeMap<i64, String>);
