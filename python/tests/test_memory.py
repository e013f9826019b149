"""Sets given in memory: DataFrames of nuclei and numpy label maps give what the same sets
on disk give, and the peers' figures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import polars as pl
import pytest

import nucagree
from conftest import FIXTURES, SAMPLE

CORRECTED = str(SAMPLE / "corrected")
PREDICTIONS = str(SAMPLE / "predictions")


def figures(summary: dict) -> dict:
    """What does not depend on where the sets came from (a DataFrame has no FOV regions
    and no folds, so the runs compared leave the FOV crop off)."""
    return {key: summary[key] for key in ("counts", "levels", "objectness_ap", "conventions")}


@pytest.fixture(scope="module")
def on_disk():
    return nucagree.score(CORRECTED, PREDICTIONS, bootstrap=100, fov_crop="off")


def test_polars_frames_give_the_result_of_the_files(on_disk):
    truth = nucagree.read_set(CORRECTED).to_polars()
    pred = nucagree.read_set(PREDICTIONS).to_polars()
    assert truth.height == 1080 and pred["score"].null_count() == 0
    result = nucagree.score(truth, pred, bootstrap=100, fov_crop="off")
    assert figures(result.summary) == figures(on_disk.summary)
    assert result.summary["inputs"]["a"]["path"] == "<memory>"


def test_pandas_frames_with_lists_of_vertices_give_the_same(on_disk):
    def as_pandas(path):
        frame = pd.DataFrame(nucagree.read_set(path).to_polars().to_dict(as_series=False))
        for column in ("coords_x", "coords_y"):
            frame[column] = frame[column].map(lambda text: [float(v) for v in text.split(",")])
        # The type says which nuclei are boxes (compared as boxes, with shape="auto").
        return frame[["fov", "raw_classification", "type", "coords_x", "coords_y", "score"]]

    result = nucagree.score(
        as_pandas(CORRECTED), as_pandas(PREDICTIONS), bootstrap=100, fov_crop="off"
    )
    assert figures(result.summary) == figures(on_disk.summary)


def test_a_bad_frame_cell_names_memory_its_row_and_column():
    frame = pl.DataFrame(
        {
            "fov": ["a", "a", "b"],
            "raw_classification": ["tumor", "tumor", "lymphocyte"],
            "xmin": [0.0, 5.0, 1.0],
            "ymin": [0.0, 5.0, 1.0],
            "xmax": [4.0, 1.0, 3.0],
            "ymax": [4.0, 9.0, 3.0],
        }
    )
    with pytest.raises(nucagree.InputError) as raised:
        nucagree.from_frame(frame)
    error = raised.value
    assert (error.path, error.row, error.column, error.frame_row) == ("<memory>", 3, "xmax", 1)
    assert error.location == "3:xmax"
    assert "expected xmin <= xmax" in str(error)
    lenient = nucagree.from_frame(frame, lenient=True)
    assert lenient.n_nuclei == 2
    assert lenient.data_quality()[0][1] == 1


def conic_maps(name: str):
    array = np.load(FIXTURES / "instance" / name)
    return array


def test_numpy_label_maps_give_conics_figures():
    vectors = json.loads((FIXTURES / "instance" / "instance_vectors.json").read_text())
    expected = vectors["dataset"]["conic"]
    truth, pred = conic_maps("conic_true.npy"), conic_maps("conic_pred.npy")
    result = nucagree.score(truth, pred, classes="conic", convention="conic", bootstrap=0)
    conic = result.summary["conventions"]["conic"]
    assert conic["pq_mean_over_images"] == pytest.approx(expected["pq_mean_over_images"], abs=1e-9)
    assert conic["mpq_plus"] == pytest.approx(expected["mpq_plus"], abs=1e-9)
    for row in expected["per_class"]:
        ours = conic["per_class"][row["class"]]
        assert (ours["tp"], ours["fp"], ours["fn"]) == (row["tp"], row["fp"], row["fn"])
        assert ours["iou_sum"] == pytest.approx(row["iou_sum"], abs=1e-9)
        assert ours["pq_plus"] == pytest.approx(row["pq_plus"], abs=1e-9)
    # The same maps as (instance map, {id: class}) pairs, and read from the .npy files.
    names = ["neutrophil", "epithelial", "lymphocyte", "plasma", "eosinophil", "connective"]

    def pairs(array):
        out = []
        for image in array:
            ids, classes = image[..., 0], image[..., 1]
            by_id = {int(i): names[int(classes[ids == i][0]) - 1] for i in np.unique(ids) if i}
            out.append((ids, by_id))
        return out

    as_pairs = nucagree.score(pairs(truth), pairs(pred), classes="conic", bootstrap=0)
    files = nucagree.score(
        str(FIXTURES / "instance" / "conic_true.npy"),
        str(FIXTURES / "instance" / "conic_pred.npy"),
        bootstrap=0,
    )
    for other in (as_pairs, files):
        assert other.summary["conventions"]["conic"] == conic
        assert other.summary["levels"] == result.summary["levels"]


def test_label_maps_without_a_scheme_are_refused():
    truth = conic_maps("conic_true.npy")
    with pytest.raises(ValueError, match="classes="):
        nucagree.from_label_maps(truth)
    with pytest.raises(ValueError, match="whole numbers"):
        nucagree.from_label_maps([np.full((4, 4), 0.5)])
    agnostic = nucagree.from_label_maps(list(truth[..., 0]))
    assert agnostic.n_fovs == 8 and agnostic.n_nuclei == 126
