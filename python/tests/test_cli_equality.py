"""The Python results equal the command line's, file for file, on data-sample/."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import nucagree
from conftest import SAMPLE, read_json

CORRECTED = str(SAMPLE / "corrected")
UNCORRECTED = str(SAMPLE / "uncorrected")
PREDICTIONS = str(SAMPLE / "predictions")
STUDY = str(SAMPLE / "multi-rater")


def assert_same_as_cli(result: nucagree.Result, out, tmp_path) -> None:
    expected = read_json(out / "summary.json")
    assert result.summary == expected
    names = sorted(p.stem for p in out.glob("*.parquet"))
    assert sorted(result.tables) == names
    for name in names:
        assert_frame_equal(result.tables[name], pl.read_parquet(out / f"{name}.parquet"))
    written = tmp_path / "written"
    result.write(written)
    files = lambda root: sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert files(written) == files(out)
    assert (written / "summary.json").read_bytes() == (out / "summary.json").read_bytes()
    for name in names:
        assert (written / f"{name}.csv").read_bytes() == (out / f"{name}.csv").read_bytes()
    assert (written / "report.md").read_text() == (out / "report.md").read_text()


def test_compare_equals_the_cli(cli, tmp_path):
    out = cli(["compare", UNCORRECTED, CORRECTED, "--bootstrap", "200"], tmp_path / "cli")
    result = nucagree.compare(UNCORRECTED, CORRECTED, bootstrap=200)
    assert result.summary["command"] == "compare"
    assert result.summary["counts"]["fovs"] == 30
    assert_same_as_cli(result, out, tmp_path)


def test_score_equals_the_cli(cli, tmp_path):
    args = ["score", "--truth", CORRECTED, "--pred", PREDICTIONS, "--folds", "--bootstrap", "200"]
    out = cli(args, tmp_path / "cli")
    result = nucagree.score(CORRECTED, PREDICTIONS, folds=True, bootstrap=200)
    assert result.summary["objectness_ap"]["ap50"] > 0.5
    assert "folds" in result.tables
    assert_same_as_cli(result, out, tmp_path)


def test_agree_equals_the_cli(cli, tmp_path):
    out = cli(["agree", STUDY, "--bootstrap", "100"], tmp_path / "cli")
    result = nucagree.agree(STUDY, bootstrap=100)
    assert result.summary["counts"]["raters"] >= 2
    assert_same_as_cli(result, out, tmp_path)


def test_agree_with_a_truth_method_and_a_model_equals_the_cli(cli, tmp_path):
    args = ["agree", STUDY, "--bootstrap", "50", "--raters-needed-draws", "0"]
    args += ["--truth-method", "mace", "--model", PREDICTIONS, "--margin", "0.1"]
    args += ["--truth-outline", "consensus"]
    out = cli(args, tmp_path / "cli")
    result = nucagree.agree(
        STUDY,
        bootstrap=50,
        raters_needed_draws=0,
        truth_method="mace",
        model=PREDICTIONS,
        margin=0.1,
        truth_outline="consensus",
    )
    assert result.summary["truth"]["method"] == "mace"
    assert result.summary["boundary"]["truth_outline"] == "consensus"
    assert "boundary_by_size" in result.tables
    assert result.summary["truth"]["model"]["options"]["margin"] == 0.1
    assert "truth_methods" in result.tables
    assert_same_as_cli(result, out, tmp_path)


@pytest.mark.parametrize(
    "options, text",
    [
        ({"truth_method": "em"}, "expected one of"),
        ({"truth_outline": "mean"}, "truth_outline"),
        ({"model": PREDICTIONS, "senior_group": "XP"}, "senior_group"),
        ({"model": PREDICTIONS, "margin": 1.5}, "margin"),
    ],
)
def test_bad_agree_options_raise_naming_the_keyword(options, text):
    with pytest.raises(ValueError, match=text):
        nucagree.agree(STUDY, bootstrap=0, raters_needed_draws=0, **options)


def test_sets_read_beforehand_give_the_same_result():
    truth = nucagree.read_set(CORRECTED)
    pred = nucagree.read_set(PREDICTIONS)
    assert (truth.n_fovs, truth.n_nuclei) == (30, 1080)
    assert truth.path == CORRECTED
    by_path = nucagree.score(CORRECTED, PREDICTIONS, bootstrap=0)
    by_set = nucagree.score(truth, pred, bootstrap=0)
    assert by_set.summary == by_path.summary


def test_threads_do_not_change_the_figures():
    many = nucagree.compare(UNCORRECTED, CORRECTED, bootstrap=50)
    one = nucagree.compare(UNCORRECTED, CORRECTED, bootstrap=50, threads=1)
    assert one.summary == many.summary


def test_options_change_what_they_name():
    strict = nucagree.compare(PREDICTIONS, CORRECTED, bootstrap=0, iou_threshold=0.9)
    loose = nucagree.compare(PREDICTIONS, CORRECTED, bootstrap=0)
    tp = lambda r: r.summary["levels"]["super"]["detection"]["tp"]
    assert (tp(strict), tp(loose)) == (186, 899)
    assert strict.summary["params"]["iou_threshold"] == 0.9


@pytest.mark.parametrize(
    ("options", "error", "text"),
    [
        ({"iou_threshold": 1.5}, ValueError, "iou_threshold"),
        ({"matching": "best"}, ValueError, "expected one of"),
        ({"bootstrap": -1}, ValueError, "bootstrap"),
        ({"classes": "nope"}, ValueError, "classes"),
        ({"iou_treshold": 0.5}, TypeError, "iou_treshold"),
        ({"threads": 0}, ValueError, "threads"),
    ],
)
def test_bad_options_raise_naming_the_keyword(options, error, text):
    with pytest.raises(error, match=text):
        nucagree.compare(UNCORRECTED, CORRECTED, **options)
