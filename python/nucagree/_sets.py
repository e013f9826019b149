"""An annotation set read or built by nucagree."""

from __future__ import annotations

from typing import Any


class AnnotationSet:
    """One annotation set (a rater's, a corrected set, a model's predictions), FOV by FOV.

    Attributes:
        name: the set's name (its folder's, or the one given).
        path: where it was read from, or ``<memory>``.
        n_fovs, n_nuclei: its size.
        input_format: the format it was read from.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    name = property(lambda self: self._inner.name)
    path = property(lambda self: self._inner.path)
    n_fovs = property(lambda self: self._inner.n_fovs)
    n_nuclei = property(lambda self: self._inner.n_nuclei)
    input_format = property(lambda self: self._inner.input_format)

    def fov_names(self) -> list[str]:
        """The FOV names, sorted."""
        return self._inner.fov_names()

    def classes(self) -> list[str]:
        """The raw classes of the set's class hierarchy."""
        return self._inner.classes()

    def data_quality(self) -> list[tuple[str, int]]:
        """What the data-quality section lists: each kind of finding and its count."""
        return self._inner.data_quality()

    def to_polars(self):
        """The nuclei as a polars DataFrame, one row per nucleus: ``fov``, ``row`` (in the
        source file, the header being row 1), the three class levels, ``type``, the box,
        ``coords_x``/``coords_y`` as NuCLS writes them, ``area`` (px²) and ``score``."""
        import io

        import polars as pl

        return pl.read_parquet(io.BytesIO(self._inner.nuclei_parquet()))

    def __repr__(self) -> str:
        return repr(self._inner)
