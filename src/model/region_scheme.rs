//! The classes of tissue-region masks (BCSS): each pixel value is a class code, one code means
//! "outside the region of interest" and one "exclude" (don't care), and the classes group into
//! main classes, so that agreement is reported at the raw and the grouped level as for nuclei.
//!
//! The built-in scheme is BCSS's (`gtruth_codes.tsv` of Amgad et al., Bioinformatics 2019):
//! 0 `outside_roi`, 7 `exclude`, and 20 tissue classes grouped as the BCSS paper evaluates
//! them: tumor (with `angioinvasion` and `dcis`), stroma, inflammatory
//! (`lymphocytic_infiltrate`, `plasma_cells`, `other_immune_infiltrate`), necrosis
//! (`necrosis_or_debris`), and other (every other class).
//!
//! ```
//! use nucagree::model::region_scheme::{RegionLevel, RegionScheme};
//! let bcss = RegionScheme::bcss();
//! assert_eq!(bcss.outside(), Some(0));
//! assert_eq!(bcss.ignore(), Some(7));
//! let dcis = bcss.class_of_code(20).unwrap();
//! assert_eq!(bcss.name(dcis, RegionLevel::Raw), "dcis");
//! assert_eq!(bcss.name(dcis, RegionLevel::Main), "tumor");
//! ```

use serde::Serialize;
use std::collections::BTreeMap;

/// BCSS's codes (`gtruth_codes.tsv`).
pub const BCSS_CODES: [(&str, u32); 22] = [
    ("outside_roi", 0),
    ("tumor", 1),
    ("stroma", 2),
    ("lymphocytic_infiltrate", 3),
    ("necrosis_or_debris", 4),
    ("glandular_secretions", 5),
    ("blood", 6),
    ("exclude", 7),
    ("metaplasia_NOS", 8),
    ("fat", 9),
    ("plasma_cells", 10),
    ("other_immune_infiltrate", 11),
    ("mucoid_material", 12),
    ("normal_acinus_or_duct", 13),
    ("lymphatics", 14),
    ("undetermined", 15),
    ("nerve", 16),
    ("skin_adnexa", 17),
    ("blood_vessel", 18),
    ("angioinvasion", 19),
    ("dcis", 20),
    ("other", 21),
];

/// BCSS's main classes, by raw label; a label not listed is `other`.
pub const BCSS_MAIN: [(&str, &str); 8] = [
    ("tumor", "tumor"),
    ("angioinvasion", "tumor"),
    ("dcis", "tumor"),
    ("stroma", "stroma"),
    ("lymphocytic_infiltrate", "inflammatory"),
    ("plasma_cells", "inflammatory"),
    ("other_immune_infiltrate", "inflammatory"),
    ("necrosis_or_debris", "necrosis"),
];

/// A class level of region masks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionLevel {
    Raw,
    Main,
}

impl RegionLevel {
    pub const ALL: [RegionLevel; 2] = [RegionLevel::Raw, RegionLevel::Main];

    pub fn name(self) -> &'static str {
        match self {
            RegionLevel::Raw => "raw",
            RegionLevel::Main => "main",
        }
    }
}

/// What a code of a mask means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeMeaning {
    /// A raw class (its position among the evaluated classes).
    Class(usize),
    Outside,
    Ignore,
    /// A code the table does not hold.
    Unknown,
}

/// The evaluated classes of region masks (every code but outside and ignore), in code order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionScheme {
    /// `(code, raw label, main index)` per class, by code.
    classes: Vec<(u32, String, usize)>,
    main: Vec<String>,
    outside: Option<u32>,
    ignore: Option<u32>,
    /// Each code's meaning, by code (pixel loops look codes up here).
    #[serde(skip)]
    by_code: Vec<CodeMeaning>,
}

impl RegionScheme {
    /// BCSS's codes, its outside (0) and exclude (7) codes, and its main classes.
    pub fn bcss() -> RegionScheme {
        let codes: Vec<(String, u32)> = BCSS_CODES
            .iter()
            .map(|&(label, code)| (label.to_string(), code))
            .collect();
        RegionScheme::new(&codes, None, None, None).expect("BCSS's codes are a valid scheme")
    }

    /// A scheme from a codes table. The outside and ignore codes are those given, else the
    /// codes labelled `outside_roi` and `exclude`; `main` maps labels to main classes (BCSS's
    /// grouping when `None`, where a BCSS class it does not list is `other`); a label not
    /// mapped is a main class of its own. An error says what is wrong: a code or a label listed twice, an outside or
    /// ignore code not in the table, no class left to evaluate.
    pub fn new(
        codes: &[(String, u32)],
        outside: Option<u32>,
        ignore: Option<u32>,
        main: Option<&BTreeMap<String, String>>,
    ) -> Result<RegionScheme, String> {
        let mut sorted: Vec<(u32, &str)> = codes.iter().map(|(l, c)| (*c, l.as_str())).collect();
        sorted.sort();
        for pair in sorted.windows(2) {
            if pair[0].0 == pair[1].0 {
                return Err(format!(
                    "code {} is given to both {:?} and {:?}: expected each code once",
                    pair[0].0, pair[0].1, pair[1].1
                ));
            }
        }
        let code_of = |label: &str| sorted.iter().find(|(_, l)| *l == label).map(|(c, _)| *c);
        let outside = outside.or_else(|| code_of("outside_roi"));
        let ignore = ignore.or_else(|| code_of("exclude"));
        for (what, code) in [("outside", outside), ("ignore", ignore)] {
            if let Some(code) = code {
                if !sorted.iter().any(|(c, _)| *c == code) {
                    return Err(format!(
                        "the {what} code {code} is not in the codes table: expected one of its codes"
                    ));
                }
            }
        }
        let bcss_main: BTreeMap<String, String> = BCSS_MAIN
            .iter()
            .map(|(l, m)| (l.to_string(), m.to_string()))
            .collect();
        let grouping = main.unwrap_or(&bcss_main);
        let mut main_names: Vec<String> = Vec::new();
        let mut classes = Vec::new();
        for &(code, label) in &sorted {
            if Some(code) == outside || Some(code) == ignore {
                continue;
            }
            if classes
                .iter()
                .any(|(_, l, _): &(u32, String, usize)| l == label)
            {
                return Err(format!(
                    "label {label:?} is listed twice: expected each once"
                ));
            }
            // Under BCSS's grouping, a BCSS class it does not list is `other`; any other
            // label is a main class of its own.
            let bcss_label = BCSS_CODES.iter().any(|(l, _)| *l == label);
            let group = match grouping.get(label) {
                Some(group) => group.clone(),
                None if main.is_none() && bcss_label => "other".to_string(),
                None => label.to_string(),
            };
            let index = match main_names.iter().position(|m| *m == group) {
                Some(i) => i,
                None => {
                    main_names.push(group);
                    main_names.len() - 1
                }
            };
            classes.push((code, label.to_string(), index));
        }
        if classes.is_empty() {
            return Err("no class is left once the outside and ignore codes are set aside".into());
        }
        let largest = sorted.last().map_or(0, |(c, _)| *c as usize);
        let mut by_code = vec![CodeMeaning::Unknown; largest + 1];
        for (i, (code, _, _)) in classes.iter().enumerate() {
            by_code[*code as usize] = CodeMeaning::Class(i);
        }
        for (code, meaning) in [
            (outside, CodeMeaning::Outside),
            (ignore, CodeMeaning::Ignore),
        ] {
            if let Some(code) = code {
                by_code[code as usize] = meaning;
            }
        }
        Ok(RegionScheme {
            classes,
            main: main_names,
            outside,
            ignore,
            by_code,
        })
    }

    pub fn outside(&self) -> Option<u32> {
        self.outside
    }

    pub fn ignore(&self) -> Option<u32> {
        self.ignore
    }

    /// The raw class (position among the evaluated classes) of a code; `None` for the
    /// outside and ignore codes and for codes the table does not hold.
    pub fn class_of_code(&self, code: u32) -> Option<usize> {
        match self.meaning(code) {
            CodeMeaning::Class(c) => Some(c),
            _ => None,
        }
    }

    /// What a code means (a table lookup: pixel loops call it).
    pub fn meaning(&self, code: u32) -> CodeMeaning {
        self.by_code
            .get(code as usize)
            .copied()
            .unwrap_or(CodeMeaning::Unknown)
    }

    /// Every code the table holds, outside and ignore included.
    pub fn knows(&self, code: u32) -> bool {
        self.meaning(code) != CodeMeaning::Unknown
    }

    /// The number of classes at a level.
    pub fn len(&self, level: RegionLevel) -> usize {
        match level {
            RegionLevel::Raw => self.classes.len(),
            RegionLevel::Main => self.main.len(),
        }
    }

    /// A raw class's index at `level`.
    pub fn index(&self, raw: usize, level: RegionLevel) -> usize {
        match level {
            RegionLevel::Raw => raw,
            RegionLevel::Main => self.classes[raw].2,
        }
    }

    /// The name of raw class `raw` at `level`.
    pub fn name(&self, raw: usize, level: RegionLevel) -> &str {
        match level {
            RegionLevel::Raw => &self.classes[raw].1,
            RegionLevel::Main => &self.main[self.classes[raw].2],
        }
    }

    /// The class names at `level`, by index.
    pub fn names(&self, level: RegionLevel) -> Vec<&str> {
        match level {
            RegionLevel::Raw => self.classes.iter().map(|(_, l, _)| l.as_str()).collect(),
            RegionLevel::Main => self.main.iter().map(String::as_str).collect(),
        }
    }

    /// The code of raw class `raw`.
    pub fn code(&self, raw: usize) -> u32 {
        self.classes[raw].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcss_groups_into_five_main_classes() {
        let bcss = RegionScheme::bcss();
        assert_eq!(bcss.len(RegionLevel::Raw), 20);
        assert_eq!(
            bcss.names(RegionLevel::Main),
            ["tumor", "stroma", "inflammatory", "necrosis", "other"]
        );
        assert!(bcss.knows(0) && bcss.knows(7) && !bcss.knows(22));
        assert_eq!(bcss.class_of_code(0), None);
        let fat = bcss.class_of_code(9).unwrap();
        assert_eq!(bcss.name(fat, RegionLevel::Main), "other");
    }

    #[test]
    fn a_table_of_its_own_is_checked() {
        let codes = |rows: &[(&str, u32)]| -> Vec<(String, u32)> {
            rows.iter().map(|(l, c)| (l.to_string(), *c)).collect()
        };
        let twice = RegionScheme::new(&codes(&[("a", 1), ("b", 1)]), None, None, None);
        assert!(twice.unwrap_err().contains("code 1 is given to both"));
        let missing = RegionScheme::new(&codes(&[("a", 1)]), Some(0), None, None);
        assert!(missing
            .unwrap_err()
            .contains("outside code 0 is not in the codes table"));
        let mut main = BTreeMap::new();
        main.insert("a".to_string(), "x".to_string());
        let own = RegionScheme::new(
            &codes(&[("none", 0), ("a", 1), ("b", 2)]),
            Some(0),
            None,
            Some(&main),
        )
        .unwrap();
        assert_eq!(own.names(RegionLevel::Main), ["x", "b"]);
        assert_eq!(own.outside(), Some(0));
        assert_eq!(own.ignore(), None);
    }
}
