"""Sets given in memory: DataFrames of nuclei and label maps, handed to the engine without
writing files."""

from __future__ import annotations

import os
from typing import Any

from . import _nucagree
from ._sets import AnnotationSet

# The keyword arguments that say how sets are read (the rest are the run's).
READ_OPTIONS = frozenset(
    {
        "input_format",
        "classes",
        "hierarchy",
        "class_map",
        "type_map",
        "coco_images",
        "split",
        "lenient",
        "max_image_pixels",
    }
)

# Options that only a file's reading takes.
_FILE_ONLY = frozenset({"input_format", "type_map", "coco_images", "split"})


def as_set(value: Any, name: str, read: dict) -> Any:
    """What the engine takes for a set: a path, or a set read or built already."""
    if isinstance(value, AnnotationSet):
        return value._inner
    if isinstance(value, (str, os.PathLike)):
        return value
    if _is_frame(value):
        return from_frame(value, name=name, **_memory_options(read))._inner
    if _is_label_maps(value):
        return from_label_maps(value, name=name, **_memory_options(read))._inner
    raise TypeError(
        f"{name}: expected a path, an AnnotationSet, a DataFrame of nuclei or label maps, "
        f"found {type(value).__name__}"
    )


def _memory_options(read: dict) -> dict:
    return {key: value for key, value in read.items() if key not in _FILE_ONLY}


def _is_frame(value: Any) -> bool:
    module = type(value).__module__
    return type(value).__name__ == "DataFrame" and (
        module.startswith("polars") or module.startswith("pandas")
    )


def _is_label_maps(value: Any) -> bool:
    if type(value).__module__ == "numpy":
        return True
    return isinstance(value, (list, tuple)) and (
        len(value) == 0 or _is_array(value[0]) or isinstance(value[0], tuple)
    )


def _is_array(value: Any) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "ndim")


def from_frame(frame: Any, name: str = "memory", **options: Any) -> AnnotationSet:
    """An annotation set from a polars or pandas DataFrame of nuclei, one row per nucleus:
    ``fov``, ``raw_classification``, and ``coords_x``/``coords_y`` (lists of numbers, or
    comma-separated text as in NuCLS's CSVs) or ``xmin``, ``ymin``, ``xmax``, ``ymax``;
    optionally ``type``, ``main_classification``, ``super_classification``, ``score``.

    Errors name the path ``<memory>`` and the row as a CSV would (the header being row 1:
    the DataFrame's row ``i`` counted from 0 is row ``i + 2``; ``InputError.frame_row``
    gives ``i``). Options: ``classes``, ``hierarchy``, ``class_map``, ``lenient``.
    """
    return AnnotationSet(_nucagree.set_of_table(_frame_csv(frame), name, **options))


def _frame_csv(frame: Any) -> bytes:
    module = type(frame).__module__
    if module.startswith("polars"):
        import polars as pl

        lists = [c for c in ("coords_x", "coords_y") if c in frame.columns and isinstance(frame.schema[c], pl.List)]
        if lists:
            frame = frame.with_columns(
                pl.col(c).list.eval(pl.element().cast(pl.String)).list.join(",") for c in lists
            )
        return frame.write_csv().encode()
    frame = frame.copy()
    for column in ("coords_x", "coords_y"):
        if column in frame.columns and frame[column].map(lambda v: isinstance(v, (list, tuple)) or _is_array(v)).any():
            frame[column] = frame[column].map(
                lambda v: ",".join(repr(float(x)) for x in v) if not isinstance(v, str) else v
            )
    return frame.to_csv(index=False).encode()


def from_label_maps(
    maps: Any,
    classes: Any = None,
    names: list[str] | None = None,
    name: str = "memory",
    **options: Any,
) -> AnnotationSet:
    """An annotation set from instance label maps (numpy arrays of instance ids, 0 for
    background), each image a FOV, each instance a nucleus traced along its pixel edges.

    ``maps`` is a list of 2-D arrays, a 3-D array (images, height, width), a list of pairs
    ``(instance_map, classes)``, or CoNIC's 4-D layout (images, height, width, 2: instance
    id, class id). An image's classes are a dict ``{instance id: class name}``, or a 2-D
    array of class ids (0 background, ``k`` the scheme's ``k``-th class, an instance taking
    its pixels' most frequent class as CoNIC's code does), which needs ``classes=`` to name
    the scheme (``"conic"``, ``"pannuke"``, ...). ``classes`` may also be a list with one
    dict or class-id array per image. Without classes, every instance is of the scheme's
    first class (only the class-agnostic figures mean anything). ``names`` names the images
    (default ``"0"``, ``"1"``, ...).
    """
    import numpy as np

    scheme = options.get("classes")
    if isinstance(classes, str):
        scheme = options["classes"] = classes
        classes = None
    pairs = _pairs(maps, classes, np)
    if names is None:
        names = [str(i) for i in range(len(pairs))]
    if len(names) != len(pairs):
        raise ValueError(f"names: {len(names)} names for {len(pairs)} images")
    handed = []
    for image, (instances, image_classes) in zip(names, pairs):
        ids = _ids(instances, f"image {image!r}: instance map", np)
        if isinstance(image_classes, dict):
            handed_classes: Any = {int(k): str(v) for k, v in image_classes.items()}
        elif image_classes is None:
            handed_classes = None
        else:
            if scheme is None:
                raise ValueError(
                    f"image {image!r}: class-id maps need classes= to name their scheme "
                    "(conic, pannuke, consep, monusac, nucls, nucleus)"
                )
            class_ids = _ids(image_classes, f"image {image!r}: class map", np)
            if class_ids.shape != ids.shape:
                raise ValueError(
                    f"image {image!r}: a class map of shape {class_ids.shape} for an instance map of {ids.shape}"
                )
            handed_classes = class_ids.tobytes()
        height, width = ids.shape
        handed.append((str(image), height, width, ids.tobytes(), handed_classes))
    return AnnotationSet(_nucagree.set_of_label_maps(handed, name, **options))


def _pairs(maps: Any, classes: Any, np: Any) -> list:
    if _is_array(maps):
        if maps.ndim == 2:
            maps = [maps]
        elif maps.ndim == 3:
            maps = list(maps)
        elif maps.ndim == 4 and maps.shape[-1] == 2:
            return [(m[..., 0], m[..., 1] if classes is None else classes[i]) for i, m in enumerate(maps)]
        else:
            raise ValueError(
                f"label maps of shape {maps.shape}: expected (height, width), (images, height, width) "
                "or CoNIC's (images, height, width, 2)"
            )
    maps = list(maps)
    if maps and isinstance(maps[0], tuple):
        if classes is not None:
            raise ValueError("classes: given twice, in the pairs and as classes=")
        return [(m, c) for m, c in maps]
    if classes is None or isinstance(classes, dict) or _is_array(classes):
        per_image = [classes] * len(maps) if isinstance(classes, dict) else None
        if _is_array(classes):
            per_image = list(classes) if classes.ndim == 3 else [classes]
        return list(zip(maps, per_image or [None] * len(maps)))
    classes = list(classes)
    if len(classes) != len(maps):
        raise ValueError(f"classes: {len(classes)} entries for {len(maps)} images")
    return list(zip(maps, classes))


def _ids(array: Any, what: str, np: Any) -> Any:
    array = np.asarray(array)
    if array.ndim != 2:
        raise ValueError(f"{what}: shape {array.shape}, expected (height, width)")
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or np.any(array != np.floor(array)):
            raise ValueError(f"{what}: expected whole numbers")
    elif array.dtype.kind not in "iub":
        raise ValueError(f"{what}: dtype {array.dtype}, expected integers")
    if array.size and (array.min() < 0 or array.max() > np.iinfo(np.uint32).max):
        raise ValueError(f"{what}: ids from 0 to {np.iinfo(np.uint32).max} expected")
    return np.ascontiguousarray(array, dtype="<u4")
