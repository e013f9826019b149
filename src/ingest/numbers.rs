//! Numbers in annotation files: finite, within a sane range, exactly as the standard
//! library parses them but faster for the plain decimals coordinates almost always are.

use crate::error::Problem;

/// Coordinates past this magnitude (pixels) are rejected: no slide is that large, and
/// geometry at such magnitudes loses its precision.
pub const COORDINATE_LIMIT: f64 = 1e8;

/// Parses one finite number within [`COORDINATE_LIMIT`].
pub fn parse_number(text: &str) -> std::result::Result<f64, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Problem::EmptyCell {
            expected: "a number".into(),
        });
    }
    let value: f64 = match parse_plain_decimal(text) {
        Some(value) => value,
        None => text.parse().map_err(|_| Problem::NotANumber {
            found: crate::error::shorten(text),
        })?,
    };
    if !value.is_finite() {
        return Err(Problem::NotFinite {
            found: crate::error::shorten(text),
        });
    }
    if value.abs() >= COORDINATE_LIMIT {
        return Err(Problem::OutOfRange {
            found: crate::error::shorten(text),
            limit: COORDINATE_LIMIT,
        });
    }
    Ok(value)
}

/// The value of a plain decimal (`-12`, `345.6`) of at most 15 significant digits, exactly
/// as `str::parse` gives it (an integer below 2^53 divided by an exact power of ten is
/// correctly rounded); `None` for anything else (exponents, signs other than a leading `-`,
/// more digits), which `str::parse` then reads. Coordinates are almost always of this form,
/// and this is several times faster.
fn parse_plain_decimal(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        _ => (false, bytes),
    };
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut decimals: i32 = -1;
    let mut count = 0;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
                if decimals >= 0 {
                    decimals += 1;
                }
            }
            b'.' if decimals < 0 => decimals = 0,
            _ => return None,
        }
    }
    if count == 0 || count > 15 {
        return None;
    }
    const POWERS: [f64; 16] = [
        1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let value = mantissa as f64 / POWERS[decimals.max(0) as usize];
    Some(if negative { -value } else { value })
}

/// Parses a cell of comma-separated numbers (`"72,141,141"`, optionally in brackets).
/// The most vertices one outline may have: a nucleus has tens to hundreds; a million would
/// make reading and IoU slow (self-intersection and clipping grow with the vertices).
pub const MAX_VERTICES: usize = 100_000;

/// Refuses an outline of more than [`MAX_VERTICES`] vertices.
pub fn check_vertex_count(count: usize) -> std::result::Result<(), Problem> {
    if count > MAX_VERTICES {
        return Err(Problem::Invalid {
            message: format!("{count} vertices: expected at most {MAX_VERTICES} per outline"),
        });
    }
    Ok(())
}

pub fn parse_number_list(text: &str) -> std::result::Result<Vec<f64>, Problem> {
    let text = text.trim();
    let text = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Problem::EmptyCell {
            expected: "comma-separated coordinates".into(),
        });
    }
    check_vertex_count(text.bytes().filter(|&b| b == b',').count() + 1)?;
    text.split(',').map(parse_number).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals_parse_exactly_as_the_standard_library() {
        let mut state = 0x1234_5678u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        for _ in 0..200_000 {
            let int_digits = 1 + next(9) as usize;
            let frac_digits = next(7) as usize;
            let mut text = String::new();
            if next(2) == 0 {
                text.push('-');
            }
            (0..int_digits).for_each(|_| text.push(char::from(b'0' + next(10) as u8)));
            if frac_digits > 0 || next(3) == 0 {
                text.push('.');
                (0..frac_digits).for_each(|_| text.push(char::from(b'0' + next(10) as u8)));
            }
            let expected: f64 = text.parse().unwrap();
            assert_eq!(
                parse_plain_decimal(&text).map(f64::to_bits),
                Some(expected.to_bits()),
                "{text}"
            );
        }
        for other in [
            "1e3",
            "+1",
            ".",
            "-",
            "1.2.3",
            "0x10",
            "inf",
            "1234567890123456",
        ] {
            assert_eq!(parse_plain_decimal(other), None, "{other}");
        }
    }

    #[test]
    fn negative_and_decimal_coordinates_are_accepted() {
        assert_eq!(
            parse_number_list(" -1.5, 2e1 ,3 ").unwrap(),
            vec![-1.5, 20.0, 3.0]
        );
        assert_eq!(parse_number_list("[1, 2]").unwrap(), vec![1.0, 2.0]);
        assert!(matches!(
            parse_number_list("1,,2"),
            Err(Problem::EmptyCell { .. })
        ));
    }
}
