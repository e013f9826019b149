//! LaTeX tables for papers (`--latex`): booktabs tables of a report's headline figures, with
//! the same fixed precision as the Markdown, "---" for undefined values and Greek letters in
//! math mode. Needs `\usepackage{booktabs}` and UTF-8 input.

use super::markdown::{Table, UNDEFINED};
use std::fmt::Write;

/// A cell's text as LaTeX.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            'κ' => out.push_str("$\\kappa$"),
            'α' => out.push_str("$\\alpha$"),
            '±' => out.push_str("$\\pm$"),
            '≥' => out.push_str("$\\geq$"),
            '×' => out.push_str("$\\times$"),
            '`' => {}
            _ => out.push(c),
        }
    }
    if text == UNDEFINED {
        return "---".into();
    }
    out
}

/// A `table` environment holding `table` as a booktabs `tabular`.
pub fn table(table: &Table, caption: &str, label: &str) -> String {
    let columns: String = (0..table.headers().len())
        .map(|i| if table.is_left(i) { 'l' } else { 'r' })
        .collect();
    let row = |cells: &[String]| {
        cells
            .iter()
            .map(|c| escape(c))
            .collect::<Vec<_>>()
            .join(" & ")
    };
    let mut out = String::new();
    writeln!(out, "\\begin{{table}}[ht]\n\\centering\n\\small").unwrap();
    writeln!(out, "\\caption{{{}}}\n\\label{{{label}}}", escape(caption)).unwrap();
    writeln!(out, "\\begin{{tabular}}{{{columns}}}\n\\toprule").unwrap();
    writeln!(out, "{} \\\\\n\\midrule", row(table.headers())).unwrap();
    for cells in table.rows() {
        writeln!(out, "{} \\\\", row(cells)).unwrap();
    }
    writeln!(out, "\\bottomrule\n\\end{{tabular}}\n\\end{{table}}").unwrap();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_booktabs_with_escaped_cells() {
        let mut t = Table::new(&["level", "Cohen's κ", "F1"]);
        t.row(vec![
            "raw_x".into(),
            "0.912 [0.898, 0.925]".into(),
            UNDEFINED.into(),
        ]);
        let text = table(&t, "Headline, 95% CI", "tab:headline");
        assert_eq!(
            text,
            "\\begin{table}[ht]\n\\centering\n\\small\n\\caption{Headline, 95\\% CI}\n\\label{tab:headline}\n\\begin{tabular}{lrr}\n\\toprule\nlevel & Cohen's $\\kappa$ & F1 \\\\\n\\midrule\nraw\\_x & 0.912 [0.898, 0.925] & --- \\\\\n\\bottomrule\n\\end{tabular}\n\\end{table}\n"
        );
    }
}
