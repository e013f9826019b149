//! NuCLS FOV names: `{slide}_id-{hex}_left-{x0}_top-{y0}_bottom-{y1}_right-{x1}`.
//!
//! The bounds are in the slide's base-magnification pixels (note the order left, top,
//! bottom, right); the hospital is the two characters after `TCGA-` (the TCGA tissue
//! source site).
//!
//! ```
//! use nucagree::model::NuclsFovName;
//!
//! let name = NuclsFovName::parse(
//!     "TCGA-A1-A0SP-DX1_id-5ea4095addda5f8398977ebc_left-11371_top-54469_bottom-54761_right-11671",
//! )
//! .unwrap();
//! assert_eq!(name.slide, "TCGA-A1-A0SP-DX1");
//! assert_eq!(name.hospital.as_deref(), Some("A1"));
//! assert_eq!((name.left, name.top, name.bottom, name.right), (11371, 54469, 54761, 11671));
//! ```

use serde::Serialize;

/// The parts of a NuCLS FOV name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NuclsFovName {
    pub slide: String,
    /// The TCGA tissue source site, `None` for slides not named `TCGA-XX-...`.
    pub hospital: Option<String>,
    pub id: String,
    pub left: i64,
    pub top: i64,
    pub bottom: i64,
    pub right: i64,
}

impl NuclsFovName {
    /// Parses a FOV name (without `.csv`); `None` when it is not in the NuCLS form.
    pub fn parse(name: &str) -> Option<NuclsFovName> {
        let (slide, rest) = name.split_once("_id-")?;
        let mut parts = rest.split('_');
        let id = parts.next()?;
        let mut field = |key: &str| -> Option<i64> {
            parts
                .next()?
                .strip_prefix(key)?
                .strip_prefix('-')?
                .parse()
                .ok()
        };
        let left = field("left")?;
        let top = field("top")?;
        let bottom = field("bottom")?;
        let right = field("right")?;
        if parts.next().is_some() || slide.is_empty() || id.is_empty() {
            return None;
        }
        Some(NuclsFovName {
            slide: slide.to_string(),
            hospital: hospital_of_slide(slide),
            id: id.to_string(),
            left,
            top,
            bottom,
            right,
        })
    }
}

/// The TCGA tissue source site of a slide name: the two characters after `TCGA-`.
pub fn hospital_of_slide(slide: &str) -> Option<String> {
    let site = slide.strip_prefix("TCGA-")?.get(..2)?;
    site.chars()
        .all(|c| c.is_ascii_alphanumeric())
        .then(|| site.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_names_not_in_the_nucls_form() {
        assert!(NuclsFovName::parse("fov_1").is_none());
        assert!(NuclsFovName::parse("S_id-ab_left-1_top-2_right-3_bottom-4").is_none());
        assert!(NuclsFovName::parse("S_id-ab_left-1_top-2_bottom-x_right-4").is_none());
        assert!(NuclsFovName::parse("S_id-ab_left-1_top-2_bottom-3_right-4_extra").is_none());
    }

    #[test]
    fn non_tcga_slides_have_no_hospital() {
        let name = NuclsFovName::parse("slide7_id-ab_left-1_top-2_bottom-3_right-4").unwrap();
        assert_eq!(name.slide, "slide7");
        assert_eq!(name.hospital, None);
        assert_eq!(hospital_of_slide("TCGA-E2-A1B1-DX1").as_deref(), Some("E2"));
    }
}
