//! A polars DataFrame rendered as a GitHub Markdown table with fixed precision (not through
//! polars' `Display`, whose process-wide settings truncate rows and print `null`): the same
//! frame feeds the CSV, the parquet and the report, so they cannot disagree.

use super::markdown::{count, number, Table, UNDEFINED};
use crate::error::{Error, Result};
use polars::prelude::{DataFrame, DataType, Float64Chunked, StringChunked};

/// How a column is written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// As text.
    Text,
    /// A whole number with thousands separators.
    Count,
    /// A number with this many decimals.
    Fixed(usize),
    /// `value [low, high]` from two more columns, with this many decimals.
    WithInterval {
        low: &'static str,
        high: &'static str,
        decimals: usize,
    },
}

/// One column of the table: the frame's column, its header, and how its cells are written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnSpec {
    pub column: &'static str,
    pub header: &'static str,
    pub cell: Cell,
}

impl ColumnSpec {
    pub const fn text(column: &'static str, header: &'static str) -> ColumnSpec {
        ColumnSpec {
            column,
            header,
            cell: Cell::Text,
        }
    }

    pub const fn count(column: &'static str, header: &'static str) -> ColumnSpec {
        ColumnSpec {
            column,
            header,
            cell: Cell::Count,
        }
    }

    pub const fn fixed(column: &'static str, header: &'static str, decimals: usize) -> ColumnSpec {
        ColumnSpec {
            column,
            header,
            cell: Cell::Fixed(decimals),
        }
    }

    /// `column` with its interval from `{column}_ci_low` style columns `low` and `high`, to
    /// three decimals.
    pub const fn with_interval(
        column: &'static str,
        header: &'static str,
        low: &'static str,
        high: &'static str,
    ) -> ColumnSpec {
        ColumnSpec {
            column,
            header,
            cell: Cell::WithInterval {
                low,
                high,
                decimals: 3,
            },
        }
    }
}

/// Detection precision, recall and F1 with its interval, as the comparison tables have them.
pub const DETECTION_COLUMNS: [ColumnSpec; 3] = [
    ColumnSpec::fixed("precision", "precision", 3),
    ColumnSpec::fixed("recall", "recall", 3),
    ColumnSpec::with_interval("f1", "F1", "f1_ci_low", "f1_ci_high"),
];

enum Values {
    Text(StringChunked),
    Numbers(Float64Chunked),
}

fn values(frame: &DataFrame, name: &str, text: bool) -> Result<Values> {
    let failed = |e: polars::error::PolarsError| Error::encode(format!("the column {name}"), e);
    let column = frame.column(name).map_err(failed)?;
    if text {
        Ok(Values::Text(column.str().map_err(failed)?.clone()))
    } else {
        let cast = column.cast(&DataType::Float64).map_err(failed)?;
        Ok(Values::Numbers(cast.f64().map_err(failed)?.clone()))
    }
}

/// The rows of `frame` for which `keep(row)` holds, as a Markdown table (first `left`
/// columns left-aligned).
pub fn markdown_table(
    frame: &DataFrame,
    columns: &[ColumnSpec],
    left: usize,
    keep: impl Fn(usize) -> bool,
) -> Result<Table> {
    let headers: Vec<&str> = columns.iter().map(|c| c.header).collect();
    let mut table = Table::with_left_columns(&headers, left);
    let mut read = Vec::with_capacity(columns.len());
    for spec in columns {
        let main = values(frame, spec.column, spec.cell == Cell::Text)?;
        let bounds = match spec.cell {
            Cell::WithInterval { low, high, .. } => {
                Some((values(frame, low, false)?, values(frame, high, false)?))
            }
            _ => None,
        };
        read.push((main, bounds));
    }
    let number_at = |v: &Values, row: usize| match v {
        Values::Numbers(n) => n.get(row).filter(|x| x.is_finite()),
        Values::Text(_) => None,
    };
    for row in (0..frame.height()).filter(|&r| keep(r)) {
        let cells = columns
            .iter()
            .zip(&read)
            .map(|(spec, (main, bounds))| match (spec.cell, main) {
                (Cell::Text, Values::Text(t)) => t.get(row).unwrap_or(UNDEFINED).to_string(),
                (Cell::Count, v) => {
                    number_at(v, row).map_or(UNDEFINED.into(), |x| count(x as usize))
                }
                (Cell::Fixed(decimals), v) => number(number_at(v, row), decimals),
                (Cell::WithInterval { decimals, .. }, v) => {
                    let value = number(number_at(v, row), decimals);
                    match bounds
                        .as_ref()
                        .map(|(l, h)| (number_at(l, row), number_at(h, row)))
                    {
                        Some((Some(l), Some(h))) if value != UNDEFINED => {
                            format!("{value} [{l:.decimals$}, {h:.decimals$}]")
                        }
                        _ => value,
                    }
                }
                _ => UNDEFINED.into(),
            })
            .collect();
        table.row(cells);
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{Column, NamedFrom, Series};

    #[test]
    fn frames_render_with_fixed_precision_and_dashes() {
        let frame = DataFrame::new(
            3,
            vec![
                Column::new("class".into(), ["tumor", "lymphocyte", "eosinophil"]),
                Column::new("n".into(), [12345u64, 7, 0]),
                Column::new("f1".into(), [Some(0.91234), Some(0.5), None]),
                Column::new("low".into(), [Some(0.9), None, None]),
                Column::new("high".into(), [Some(0.925), None, None]),
                Series::new("kappa".into(), [Some(f64::NAN), Some(1.0), None]).into(),
            ],
        )
        .unwrap();
        let columns = [
            ColumnSpec {
                column: "class",
                header: "class",
                cell: Cell::Text,
            },
            ColumnSpec {
                column: "n",
                header: "n",
                cell: Cell::Count,
            },
            ColumnSpec {
                column: "f1",
                header: "F1",
                cell: Cell::WithInterval {
                    low: "low",
                    high: "high",
                    decimals: 3,
                },
            },
            ColumnSpec {
                column: "kappa",
                header: "κ",
                cell: Cell::Fixed(2),
            },
        ];
        let table = markdown_table(&frame, &columns, 1, |row| row != 1).unwrap();
        assert_eq!(
            table.rows(),
            &[
                vec![
                    "tumor".to_string(),
                    "12,345".into(),
                    "0.912 [0.900, 0.925]".into(),
                    "—".into()
                ],
                vec!["eosinophil".to_string(), "0".into(), "—".into(), "—".into()],
            ]
        );
    }
}
