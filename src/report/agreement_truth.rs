//! The inferred truth's sections of the agreement report: the truth, the methods compared,
//! the raters against the truth, the simulated truth, the group tests and the raters-needed
//! curve, and the methods paragraph's sentences on the truth.

use super::markdown::{count, embed, number, FigureIndex, Table};
use crate::agreement::summary::AgreementReport;
use crate::agreement::truth_method::TruthMethod;
use crate::choice::Choice;
use crate::model::ClassLevel;
use std::fmt::Write;

/// How the truth was inferred, by which method raters are scored, and how the other methods
/// compared were fitted: the methods paragraph's sentences, from the options used.
pub(super) fn truth_methods_sentence(report: &AgreementReport) -> String {
    let t = &report.truth;
    let m = &t.models;
    let panel = if t.truth_from.is_empty() {
        "all raters".to_string()
    } else {
        format!("the raters of {}", t.truth_from.join(", "))
    };
    let describe = |method: TruthMethod| -> String {
        match method {
            TruthMethod::MajorityVote => "majority vote (ties to the category most frequent in the whole study)".to_string(),
            TruthMethod::DawidSkene => format!(
                "Dawid-Skene EM (initialised with each anchor's vote shares, {} pseudo-counts on every prior and confusion cell and {} more on each confusion matrix's diagonal, stopping when no posterior moves by more than {} or the log-likelihood by less than {} of itself)",
                m.dawid_skene.smoothing, m.dawid_skene.diagonal_prior, m.dawid_skene.tolerance, m.dawid_skene.likelihood_tolerance
            ),
            TruthMethod::OneCoin => format!(
                "one-coin Dawid-Skene (one skill per rater; EM from the vote shares, stopping when the evidence lower bound per rating rises by less than {}, at most {} iterations)",
                m.one_coin.tolerance, m.one_coin.max_iterations
            ),
            TruthMethod::Glad => format!(
                "GLAD (rater ability and anchor difficulty; EM from α = β = 1 with standard normal priors on α − 1 and β − 1, each M-step scipy's conjugate gradient for at most {} iterations to a gradient of {}, stopping when the expected log-likelihood per rating and category rises by less than {} (or falls), at most {} iterations)",
                m.glad.m_step_max_iterations, m.glad.m_step_tolerance, m.glad.tolerance, m.glad.max_iterations
            ),
            TruthMethod::Mace => format!(
                "MACE (each rater knows or spams; variational Bayes with Beta({}, {}) and Dirichlet({}) priors from crowd-kit's start drawn with seed {}, {} iterations; crowd-kit's ten restarts share that seed, so are one fit)",
                m.mace.alpha, m.mace.beta, m.mace.strategy_prior, m.mace.seed, m.mace.iterations
            ),
        }
    };
    let chosen = t.method;
    let others: Vec<String> = TruthMethod::ALL
        .iter()
        .filter(|&&x| x != chosen && x != TruthMethod::MajorityVote)
        .map(|&x| describe(x))
        .collect();
    let mut text = if chosen == TruthMethod::MajorityVote {
        format!("The truth of each anchor is inferred at each level from {panel} by {}; raters are scored against it", describe(chosen))
    } else {
        format!(
            "The truth of each anchor is inferred at each level from {panel} by majority vote (ties to the category most frequent in the whole study) and by {}; raters are scored against the {} truth",
            describe(chosen),
            chosen.title()
        )
    };
    text.push_str(
        ", each rater of the panel against the truth inferred without them (leave one out).",
    );
    if !t.methods.is_empty() {
        text.push_str(&format!(
            " For comparison, the full panel's truth is also inferred by {}. One-coin Dawid-Skene, GLAD and MACE are fitted as crowd-kit 1.4.2 fits them (its initialisation, priors and stopping rules), over the categories some rater used; agreement between two methods is the share of anchors on which their truths are the same category.",
            others.join("; ")
        ));
    }
    if let Some(model) = &t.model {
        text.push_str(&format!(
            " The model is labelled on the anchors by matching its nuclei one-to-one to the anchors' {} (IoU at least the clustering's cut, maximum total IoU, nuclei centred outside the FOV region left out); an anchor it has no nucleus on is `undetected` for it, and a nucleus on no anchor a false positive. It is scored against the full panel's truth and against each rater's reference; its rank uses the mean over the references. Against the {} group, each difference pairs a senior rater and the model on that rater's reference and the FOVs both annotated, and the group's difference is the mean over its raters; the bootstrap resamples FOVs, and κ is non-inferior when the lower end of the two-sided {:.0}% interval (the one-sided {:.0}% bound) exceeds −{}.",
            match report.boundary.truth_outline {
                crate::agreement::boundary::TruthOutline::Medoid => "medoids",
                crate::agreement::boundary::TruthOutline::Consensus => "truth outlines",
            },
            model.options.senior_group,
            100.0 * (1.0 - 2.0 * model.options.alpha),
            100.0 * (1.0 - model.options.alpha),
            model.options.margin
        ));
    }
    text
}

/// Every method's truth from the full panel: nuclei, agreement with the truth raters are
/// scored against, iterations, and the agreement between every two methods (super classes).
fn method_comparison(out: &mut String, t: &crate::agreement::raters::TruthReport) {
    use crate::agreement::method_comparison::MethodRow;
    let at = |level: ClassLevel| -> Vec<&MethodRow> {
        t.methods.iter().filter(|r| r.level == level).collect()
    };
    let methods: Vec<TruthMethod> = at(ClassLevel::Raw).iter().map(|r| r.method).collect();
    let chosen = methods.iter().position(|&m| m == t.method);
    let per_level = |f: &dyn Fn(&MethodRow) -> String, i: usize| -> String {
        ClassLevel::ALL
            .map(|l| at(l).get(i).map_or("—".to_string(), |r| f(r)))
            .join(" / ")
    };
    writeln!(
        out,
        "\n### Truth methods compared\n\nThe full panel's truth by each method, by level (raw / main / super): anchors whose truth is a nucleus, and the share of anchors on which it is the same category as the {} truth raters are scored against.\n",
        t.method.title()
    )
    .unwrap();
    let agreement_header = format!("agreement with {}", t.method.title());
    let mut table = Table::with_left_columns(
        &[
            "method",
            "nuclei",
            &agreement_header,
            "iterations",
            "converged",
        ],
        1,
    );
    for (i, method) in methods.iter().enumerate() {
        let mark = if *method == t.method {
            " (scored against)"
        } else {
            ""
        };
        table.row(vec![
            format!("{}{mark}", method.title()),
            per_level(&|r| count(r.nuclei), i),
            per_level(
                &|r| {
                    let a = chosen.and_then(|c| r.agreement.get(c).copied().flatten());
                    a.map_or("—".to_string(), |v| format!("{:.1}%", 100.0 * v))
                },
                i,
            ),
            per_level(
                &|r| match r.method {
                    TruthMethod::MajorityVote => "—".to_string(),
                    _ => r.iterations.to_string(),
                },
                i,
            ),
            per_level(
                &|r| match r.converged {
                    Some(true) => "yes".to_string(),
                    Some(false) => "no".to_string(),
                    None => "—".to_string(),
                },
                i,
            ),
        ]);
    }
    out.push_str(&table.render());
    out.push_str("\nAgreement between every two methods' truths, super classes:\n\n");
    let titles: Vec<&str> = methods.iter().map(|m| m.title()).collect();
    let mut headers = vec!["super"];
    headers.extend(titles.iter().copied());
    let mut matrix = Table::with_left_columns(&headers, 1);
    for r in at(ClassLevel::Super) {
        let mut row = vec![r.method.title().to_string()];
        row.extend(
            r.agreement
                .iter()
                .map(|a| a.map_or("—".to_string(), |v| format!("{:.1}%", 100.0 * v))),
        );
        matrix.row(row);
    }
    out.push_str(&matrix.render());
    out.push_str(
        "\nEvery method's truth is in `truth_methods.csv` with these figures at every level.\n",
    );
}

pub(super) fn truth_sections(out: &mut String, report: &AgreementReport, figures: &FigureIndex) {
    let t = &report.truth;
    out.push_str("\n## Inferred truth\n\n");
    writeln!(
        out,
        "From {}: anchors whose truth is a nucleus, by level (raw, main, super): majority vote {}, {} {}; the two agree on {} of anchors (iterations {}).",
        if t.truth_from.is_empty() {
            "all raters".to_string()
        } else {
            format!("the {} raters", t.truth_from.join(", "))
        },
        t.nuclei_majority.map(count).join(" / "),
        t.method.title(),
        t.nuclei_inferred.map(count).join(" / "),
        t.majority_agreement
            .map(|a| a.map_or("—".to_string(), |v| format!("{:.1}%", 100.0 * v)))
            .join(" / "),
        t.iterations.map(|i| i.to_string()).join(" / "),
    )
    .unwrap();
    out.push_str("The truth is written in the NuCLS layout to `truth/` (score against it with `nucagree score --truth`); posteriors are in `anchors.csv`.\n");

    if !t.methods.is_empty() {
        method_comparison(out, t);
    }

    out.push_str("\n## Raters against the inferred truth (super classes)\n\n");
    let mut table = Table::with_left_columns(
        &[
            "rater",
            "group",
            "in truth panel",
            "truth from",
            "precision",
            "recall",
            "detection F1",
            "accuracy",
            "κ",
            "MCC",
        ],
        3,
    );
    for r in &t.raters {
        let s = &r.super_;
        table.row(vec![
            r.rater.clone(),
            r.group.clone(),
            if r.in_truth_panel { "yes" } else { "no" }.into(),
            format!("{} raters", r.reference_raters),
            number(s.detection.precision, 3),
            number(s.detection.recall, 3),
            number(s.detection.f1, 3),
            number(s.accuracy, 3),
            number(s.kappa, 3),
            number(s.mcc, 3),
        ]);
    }
    out.push_str(&table.render());
    out.push_str("\nNo rater is scored against a truth that used their votes: a rater of the truth panel is scored against the truth inferred from the panel without them (leave one out), a rater outside it against the panel's truth. The other levels are in `rater_scores.csv`, each rater's confusion with the truth in `rater_confusion.csv`.\n");
    embed(out, figures, "raters_precision_recall");
    let mut groups: Vec<&str> = report.raters.iter().map(|r| r.group.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    for group in groups {
        embed(out, figures, &format!("rater_confusion_{group}"));
    }

    if let Some(model) = &t.model {
        model_section(out, model);
    }

    if !t.against_simulated.is_empty() {
        writeln!(
            out,
            "\n## Inferred truth against the simulated truth\n\nThe study is simulated, so its truth is known (`{}`). Each method's truth from the full panel, drawn as its anchors' {}, is compared with it as `compare` would (IoU ≥ 0.5, every class a class):\n",
            t.simulated_truth.as_deref().unwrap_or(""),
            match report.boundary.truth_outline {
                crate::agreement::boundary::TruthOutline::Medoid => "medoids",
                crate::agreement::boundary::TruthOutline::Consensus => "consensus outlines",
            }
        )
        .unwrap();
        let mut table = Table::with_left_columns(
            &[
                "truth",
                "precision",
                "recall",
                "detection F1",
                "accuracy (raw / main / super)",
                "κ (raw / main / super)",
            ],
            1,
        );
        for s in &t.against_simulated {
            let mark = if s.method == t.method {
                " (scored against)"
            } else {
                ""
            };
            table.row(vec![
                format!("{}{mark}", s.method.title()),
                number(s.precision, 3),
                number(s.recall, 3),
                number(s.detection_f1, 3),
                s.accuracy.map(|v| number(v, 3)).join(" / "),
                s.kappa.map(|v| number(v, 3)).join(" / "),
            ]);
        }
        out.push_str(&table.render());
    }

    if !t.group_tests.is_empty() {
        group_tests(out, &t.group_tests);
    }

    if !t.raters_needed.is_empty() {
        out.push_str("\n## How many raters are needed\n\nThe truth from k raters drawn per FOV against the truth of the panel's raters not drawn (super classes; k up to N − 2, so that the reference keeps at least two raters), mean ± SD over draws:\n\n");
        let mut table = Table::new(&["raters", "draws", "detection F1", "classification MCC"]);
        for r in &t.raters_needed {
            table.row(vec![
                r.raters.to_string(),
                r.draws.to_string(),
                format!(
                    "{} ± {}",
                    number(r.detection_f1_mean, 3),
                    number(r.detection_f1_sd, 3)
                ),
                format!("{} ± {}", number(r.mcc_mean, 3), number(r.mcc_sd, 3)),
            ]);
        }
        out.push_str(&table.render());
        embed(out, figures, "raters_needed");
    }
}

/// The group tests that can say something (independent values, sizes at which p < 0.05 is
/// attainable), and a sentence for those left out.
fn group_tests(out: &mut String, tests: &[crate::agreement::raters::GroupTest]) {
    out.push_str("\n## Group comparisons\n\n");
    let (shown, left_out): (Vec<_>, Vec<_>) = tests.iter().partition(|g| g.informative());
    if !shown.is_empty() {
        out.push_str("Two-sided Mann-Whitney U tests over raters (exact without ties for small groups), with the smallest p the test can give at those sizes:\n\n");
        let mut table = Table::with_left_columns(
            &[
                "figure",
                "groups",
                "n",
                "medians",
                "U",
                "p",
                "smallest p possible",
            ],
            2,
        );
        for g in &shown {
            table.row(vec![
                g.figure.clone(),
                format!("{} vs {}", g.group_a, g.group_b),
                format!("{} vs {}", g.n_a, g.n_b),
                format!("{} vs {}", number(g.median_a, 3), number(g.median_b, 3)),
                number(g.mann_whitney_u, 1),
                number(g.p_two_sided, 4),
                number(Some(g.smallest_p), 4),
            ]);
        }
        out.push_str(&table.render());
    }
    if !left_out.is_empty() {
        let described: Vec<String> = left_out
            .iter()
            .map(|g| {
                let why = if g.independent {
                    format!("smallest possible p {}", number(Some(g.smallest_p), 3))
                } else {
                    "pairs share raters, so they are not independent".to_string()
                };
                format!(
                    "{} of {} against {} ({} against {}: {why})",
                    g.figure, g.group_a, g.group_b, g.n_a, g.n_b
                )
            })
            .collect();
        if !shown.is_empty() {
            out.push('\n');
        }
        writeln!(
            out,
            "Left out, because no result could reach p < 0.05 or the test does not apply: {}. The difference in group Fleiss' κ above, with its interval over FOVs, is the comparison these groups allow.",
            described.join("; ")
        )
        .unwrap();
    }
}

/// The model among the raters: its scores and rank, and the difference from the senior
/// group with the non-inferiority test.
fn model_section(out: &mut String, m: &crate::agreement::model_rater::ModelReport) {
    writeln!(
        out,
        "\n## The model among the raters\n\n`{}`, scored as one more rater over {} FOVs{}: {} of its nuclei fall on anchors, {} on none (nuclei no rater drew, so false positives). Against the full panel's truth, and as the raters are scored (the mean over the raters' references, each a truth of as many raters as theirs, and its rank among them):\n",
        m.predictions,
        count(m.fovs),
        if m.fovs_missing > 0 {
            format!(" ({} FOVs of the study without predictions left out)", count(m.fovs_missing))
        } else {
            String::new()
        },
        count(m.matched),
        count(m.unmatched),
    )
    .unwrap();
    let mut table = Table::new(&[
        "level",
        "precision",
        "recall",
        "detection F1",
        "κ",
        "F1 over references",
        "rank by F1",
        "κ over references",
        "rank by κ",
    ]);
    let rank =
        |r: Option<usize>, of: usize| r.map_or("—".to_string(), |r| format!("{r} of {of}"));
    for l in &m.levels {
        table.row(vec![
            l.level.name().to_string(),
            number(l.detection.precision, 3),
            number(l.detection.recall, 3),
            number(l.detection.f1, 3),
            number(l.kappa, 3),
            number(l.reference_f1, 3),
            rank(l.rank_f1, l.ranked),
            number(l.reference_kappa, 3),
            rank(l.rank_kappa, l.ranked),
        ]);
    }
    out.push_str(&table.render());
    let o = &m.options;
    if m.seniors.is_empty() {
        writeln!(
            out,
            "\nNo rater is in the group {}: the model is not compared with it.",
            o.senior_group
        )
        .unwrap();
        return;
    }
    writeln!(
        out,
        "\nAgainst the {} group ({}): the model's score minus the group's mean, each senior rater and the model on that rater's reference and the FOVs both annotated, with 95% bootstrap intervals over FOVs; non-inferiority of κ at margin {} (one-sided, α = {}): the lower bound must exceed −{}.\n",
        o.senior_group,
        m.seniors.join(", "),
        o.margin,
        o.alpha,
        o.margin
    )
    .unwrap();
    let with_interval = |v: Option<f64>, ci: Option<[f64; 2]>| match (v, ci) {
        (Some(v), Some([a, b])) => format!("{v:+.3} [{a:+.3}, {b:+.3}]"),
        (Some(v), None) => format!("{v:+.3}"),
        _ => "—".to_string(),
    };
    let mut table = Table::new(&[
        "level",
        "senior F1",
        "Δ F1",
        "senior κ",
        "Δ κ",
        "κ lower bound",
        "non-inferior",
    ]);
    for l in &m.levels {
        table.row(vec![
            l.level.name().to_string(),
            number(l.senior_f1, 3),
            with_interval(l.difference_f1, l.difference_f1_ci95),
            number(l.senior_kappa, 3),
            with_interval(l.difference_kappa, l.difference_kappa_ci95),
            l.kappa_lower_bound
                .map_or("—".to_string(), |b| format!("{b:+.3}")),
            match l.non_inferior {
                Some(true) => "yes".to_string(),
                Some(false) => "not shown".to_string(),
                None => "—".to_string(),
            },
        ]);
    }
    out.push_str(&table.render());
}
