"""Shards run apart and merged equal one run: from Python, and on a Dask cluster."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import nucagree
from conftest import SAMPLE, read_json

CORRECTED = str(SAMPLE / "corrected")
UNCORRECTED = str(SAMPLE / "uncorrected")
PREDICTIONS = str(SAMPLE / "predictions")


def assert_same_files(result: nucagree.Result, out, tmp_path) -> None:
    """The merged result equals the command line's single run, table for table and file
    for file (a run with --no-matches --overlays 0: partials keep no nuclei)."""
    assert result.summary == read_json(out / "summary.json")
    names = sorted(p.stem for p in out.glob("*.parquet"))
    assert sorted(result.tables) == names
    for name in names:
        assert_frame_equal(result.tables[name], pl.read_parquet(out / f"{name}.parquet"))
    written = tmp_path / "written"
    result.write(written)
    files = lambda root: sorted(
        p.relative_to(root) for p in root.rglob("*") if p.is_file() and p.name != ".nucagree-output"
    )
    assert files(written) == files(out)
    for path in files(out):
        assert (written / path).read_bytes() == (out / path).read_bytes(), path


def test_score_partials_merge_to_the_cli_run(cli, tmp_path):
    out = cli(
        ["score", "--truth", CORRECTED, "--pred", PREDICTIONS, "--bootstrap", "200",
         "--no-matches", "--overlays", "0"],
        tmp_path / "cli",
    )
    parts = [
        nucagree.score_partial(CORRECTED, PREDICTIONS, tmp_path / f"part{i}", shard=(i, 3), bootstrap=200)
        for i in range(3)
    ]
    assert_same_files(nucagree.merge(parts), out, tmp_path)


def test_compare_partials_by_fov_names(cli, tmp_path):
    out = cli(["compare", UNCORRECTED, CORRECTED, "--bootstrap", "100", "--no-matches",
               "--overlays", "0"], tmp_path / "cli")
    names = nucagree.read_set(CORRECTED).fov_names()
    halves = [names[: len(names) // 2], names[len(names) // 2 :]]
    parts = [
        nucagree.compare_partial(UNCORRECTED, CORRECTED, tmp_path / f"half{i}", fovs=half, bootstrap=100)
        for i, half in enumerate(halves)
    ]
    merged = nucagree.merge(parts)
    assert merged.summary["counts"]["fovs"] == 30
    assert_same_files(merged, out, tmp_path)


def test_partial_options_and_overlaps_are_refused(tmp_path):
    with pytest.raises(ValueError, match="shard"):
        nucagree.score_partial(CORRECTED, PREDICTIONS, tmp_path / "p", shard=(3, 3))
    with pytest.raises(ValueError, match="one of shard"):
        nucagree.score_partial(CORRECTED, PREDICTIONS, tmp_path / "p")
    with pytest.raises(TypeError, match="nope"):
        nucagree.score_partial(CORRECTED, PREDICTIONS, tmp_path / "p", shard=(0, 1), nope=1)
    part = nucagree.score_partial(CORRECTED, PREDICTIONS, tmp_path / "p", shard=(0, 2), bootstrap=0)
    with pytest.raises(nucagree.InputError, match="holds too"):
        nucagree.merge([part, part])


STUDY = str(SAMPLE / "multi-rater")


def test_agree_partials_merge_to_the_cli_run(cli, tmp_path):
    out = cli(["agree", STUDY, "--bootstrap", "100", "--model", PREDICTIONS], tmp_path / "cli")
    parts = [
        nucagree.agree_partial(
            STUDY, tmp_path / f"agree{i}", shard=(i, 2), bootstrap=100, model=PREDICTIONS
        )
        for i in range(2)
    ]
    merged = nucagree.merge(parts)
    assert merged.summary["counts"]["raters"] >= 2
    # The model named in the partials is scored when they merge.
    assert merged.summary["truth"]["model"]["predictions"] == PREDICTIONS
    assert_same_files(merged, out, tmp_path)
    score_part = nucagree.score_partial(CORRECTED, PREDICTIONS, tmp_path / "s", shard=(0, 2), bootstrap=0)
    with pytest.raises(nucagree.InputError, match="agree only"):
        nucagree.merge([parts[0], score_part])


def test_dask_local_cluster_gives_the_single_run(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    import nucagree.dask

    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        merged = nucagree.dask.score(CORRECTED, PREDICTIONS, client, shards=4, bootstrap=200, folds=True)
        compared = nucagree.dask.compare(UNCORRECTED, CORRECTED, client, shards=3, bootstrap=100)
        agreed = nucagree.dask.agree(STUDY, client, shards=3, bootstrap=100)
    single = nucagree.score(CORRECTED, PREDICTIONS, bootstrap=200, folds=True)
    expected = {k: v for k, v in single.tables.items() if k != "matches"}
    assert merged.summary == single.summary
    assert sorted(merged.tables) == sorted(expected)
    for name, frame in expected.items():
        assert_frame_equal(merged.tables[name], frame)
    assert compared.summary == nucagree.compare(UNCORRECTED, CORRECTED, bootstrap=100).summary
    single_agree = nucagree.agree(STUDY, bootstrap=100)
    assert agreed.summary == single_agree.summary
    for name, frame in single_agree.tables.items():
        assert_frame_equal(agreed.tables[name], frame)
    with pytest.raises(ValueError, match="shards"):
        nucagree.dask.score(CORRECTED, PREDICTIONS, None, shards=0)
