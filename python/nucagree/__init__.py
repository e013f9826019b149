"""nucagree: agreement on cell nuclei between annotators, and between a model and the truth.

The functions mirror the command line's commands, with its options as keyword arguments
(``--iou-threshold 0.5`` is ``iou_threshold=0.5``) and the same defaults::

    import nucagree

    result = nucagree.score("truth/", "predictions/", bootstrap=0)
    print(result.summary["levels"]["super"]["detection"]["f1"])
    result.tables["per_class"]          # a polars DataFrame, as per_class.csv
    result.write("reports/score")       # the files `nucagree score --out` writes

A set is a path (any format nucagree reads), a set :func:`read_set` returned, a polars or
pandas DataFrame of nuclei (``fov``, ``raw_classification``, and ``coords_x``/``coords_y``
or ``xmin``/``ymin``/``xmax``/``ymax``, optionally ``score``), or label maps (see
:func:`from_label_maps`), so that a training loop can score a batch without writing files.
"""

from __future__ import annotations

import json
import os
from typing import Any

from . import _nucagree
from ._inputs import READ_OPTIONS, as_set, from_frame, from_label_maps
from ._sets import AnnotationSet
from .errors import InputError

__all__ = [
    "AnnotationSet",
    "InputError",
    "Result",
    "agree",
    "agree_partial",
    "compare",
    "compare_partial",
    "from_frame",
    "from_label_maps",
    "merge",
    "read_set",
    "score",
    "score_partial",
]
__version__ = _nucagree.__version__


def read_set(path: Any, input_format: str = "auto", **options: Any) -> AnnotationSet:
    """Reads an annotation set from ``path``, in any format nucagree reads.

    Options are the command line's input options: ``classes`` (a built-in scheme:
    nucls, conic, pannuke, consep, monusac, nucleus), ``hierarchy``, ``class_map``,
    ``type_map``, ``coco_images``, ``split``, ``lenient`` (skip and count bad rows),
    ``max_image_pixels``, and ``threads``.
    """
    return AnnotationSet(_nucagree.read_set(path, input_format=input_format, **options))


class Result:
    """The result of :func:`compare`, :func:`score` or :func:`agree`.

    Attributes:
        summary: a dict equal to the command line's ``summary.json``.
        tables: a dict of polars DataFrames, the tables the command line writes as CSV and
            parquet (``per_class``, ``confusion``, ``by_fov``, ...), in the report's order.
    """

    def __init__(self, run: Any) -> None:
        self._run = run
        self._summary: dict | None = None
        self._tables: dict | None = None

    @property
    def summary(self) -> dict:
        if self._summary is None:
            self._summary = json.loads(self._run.summary_json())
        return self._summary

    @property
    def tables(self) -> dict:
        if self._tables is None:
            import io

            import polars as pl

            self._tables = {
                name: pl.read_parquet(io.BytesIO(data))
                for name, data in self._run.table_parquet()
            }
        return self._tables

    def write(
        self,
        out: Any,
        *,
        overlays: int = 6,
        matches: bool = True,
        html: bool = False,
        latex: bool = False,
        figure_width: str = "auto",
        figure_format: str = "png,svg",
    ) -> list[str]:
        """Writes the command line's files (``summary.json``, ``report.md``, the tables and
        figures) into the folder ``out``, replaced whole if nucagree wrote it before; returns
        the paths written. The options are the command line's: ``overlays`` (6; 0 for none),
        ``matches`` (the match table), ``html`` (``report.html``), ``latex``
        (``tables.tex``), ``figure_width`` (auto, single, double or inches such as
        ``"5in"``) and ``figure_format`` (``"png,svg"``; tiff on request)."""
        return self._run.write(
            out,
            overlays=overlays,
            matches=matches,
            html=html,
            latex=latex,
            figure_width=figure_width,
            figure_format=figure_format,
        )

    def __repr__(self) -> str:
        command = self.summary.get("command", "agree")
        counts = ", ".join(f"{k} {v}" for k, v in self.summary.get("counts", {}).items())
        return f"<nucagree.Result of {command}: {counts}>"


def _sets_and_options(sets: list, options: dict) -> tuple[list, dict]:
    read = {key: value for key, value in options.items() if key in READ_OPTIONS}
    return [as_set(s, f"set {i + 1}", read) for i, s in enumerate(sets)], options


def compare(a: Any, b: Any, **options: Any) -> Result:
    """Compares set ``a`` with the reference set ``b`` (e.g. the uncorrected labels against
    the corrected ones): detection, classification at each class level, segmentation, by
    FOV, slide, hospital and fold.

    Options (the command line's, with its defaults): ``iou_threshold`` (0.5), ``matching``
    (optimal), ``match`` (iou, or centroid with ``radius_px``), ``shape`` (auto, polygon,
    box), ``pixel_convention``, ``fov_crop`` (reference-region), ``ambiguous``
    (detect-only), ``bootstrap`` (1000; 0 for none), ``bootstrap_method`` (bca), ``seed``
    (2022), ``convention`` (nucls), ``thresholds`` (StarDist's), ``tile``, ``roi``, the
    input options of :func:`read_set`, and ``threads``.
    """
    (a, b), options = _sets_and_options([a, b], options)
    return Result(_nucagree.compare(a, b, **options))


def score(truth: Any, pred: Any, **options: Any) -> Result:
    """Scores a model's predictions against the truth: everything :func:`compare` reports,
    plus AP, precision-recall curves, score thresholds, and with ``folds=True`` each fold.
    Takes :func:`compare`'s options and ``score_threshold`` (0.5)."""
    (truth, pred), options = _sets_and_options([truth, pred], options)
    return Result(_nucagree.score(truth, pred, **options))


def score_partial(
    truth: Any,
    pred: Any,
    out: Any,
    *,
    shard: tuple[int, int] | None = None,
    fovs: list[str] | None = None,
    **options: Any,
) -> str:
    """One shard of :func:`score`, written as a partial into the folder ``out`` (returned):
    the FOVs whose name hashes to ``shard=(index, count)`` (0-based), or those named in
    ``fovs``. The sets are paths; only the shard's FOVs are read. :func:`merge` adds the
    partials of disjoint shards up to the result of one run. Takes :func:`score`'s options."""
    return _nucagree.partial(
        "score", os.fspath(pred), os.fspath(truth), os.fspath(out), shard=shard, fovs=fovs, **options
    )


def compare_partial(
    a: Any,
    b: Any,
    out: Any,
    *,
    shard: tuple[int, int] | None = None,
    fovs: list[str] | None = None,
    **options: Any,
) -> str:
    """One shard of :func:`compare`, written as a partial into ``out`` (see
    :func:`score_partial`)."""
    return _nucagree.partial(
        "compare", os.fspath(a), os.fspath(b), os.fspath(out), shard=shard, fovs=fovs, **options
    )


def agree_partial(
    study: Any,
    out: Any,
    *,
    shard: tuple[int, int] | None = None,
    fovs: list[str] | None = None,
    **options: Any,
) -> str:
    """One shard of :func:`agree`, written as a partial into the folder ``out`` (returned):
    the shard's FOVs clustered and labelled, with every rater of the study. Takes
    :func:`agree`'s options."""
    return _nucagree.agree_partial(os.fspath(study), os.fspath(out), shard=shard, fovs=fovs, **options)


def merge(parts: list, *, threads: int | None = None) -> Result:
    """Merges the partials of disjoint shards (folders :func:`score_partial`,
    :func:`compare_partial`, :func:`agree_partial` or ``--partial`` wrote) into the result of
    one run over all their FOVs, bit for bit, bootstrap intervals included. A comparison's
    partial keeps no nuclei: its merged result has no match table and ``write`` draws no
    overlays. An agreement's merged result is the whole analysis, truth set included."""
    return Result(_nucagree.merge([os.fspath(p) for p in parts], threads=threads))


def agree(study: Any, **options: Any) -> Result:
    """The agreement analysis of a multi-rater study (a folder: one per rater, or NuCLS's
    flat names): anchors, Fleiss' kappa, Krippendorff's alpha, Gwet's AC1 and pairwise
    Cohen's kappa at each class level, by rater group, with the inferred truth.

    Options: ``min_iou`` (0.25), ``shape`` (auto), ``fov_crop`` (reference-region),
    ``fov_locations``, ``eval_set``, ``groups`` (a CSV rater,group), ``bootstrap`` (1000),
    ``seed`` (2022), ``truth_from`` (groups), ``truth_method`` (dawid-skene, majority-vote,
    one-coin, glad or mace), ``truth_outline`` (medoid or consensus), ``simulated_truth``, ``raters_needed_draws`` (20), ``model`` (a
    prediction set scored as one more rater) with ``senior_group`` (SP) and ``margin`` (0.05,
    the non-inferiority margin on kappa), the input options of :func:`read_set`, and
    ``threads``.
    """
    return Result(_nucagree.agree(study, **options))
