"""Bad input raises InputError naming the file, row and column; nothing panics."""

from __future__ import annotations

import shutil

import pytest

import nucagree
from conftest import SAMPLE


@pytest.fixture
def broken_set(tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(SAMPLE / "corrected", folder)
    csv = sorted((folder / "csv").glob("*.csv"))[3]
    lines = csv.read_text().splitlines()
    header = lines[0].split(",")
    column = header.index("xmin")
    cells = lines[4].split(",")
    cells[column] = "twelve"
    lines[4] = ",".join(cells)
    csv.write_text("\n".join(lines) + "\n")
    return folder, csv, header[column]


def test_a_bad_cell_raises_input_error_with_file_row_and_column(broken_set):
    folder, csv, column = broken_set
    with pytest.raises(nucagree.InputError) as raised:
        nucagree.read_set(folder)
    error = raised.value
    assert error.path == str(csv)
    assert (error.row, error.column) == (5, column)
    assert error.location == f"5:{column}"
    assert 'expected a number, found "twelve"' in str(error)
    with pytest.raises(nucagree.InputError):
        nucagree.compare(folder, SAMPLE / "corrected")


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        nucagree.read_set(tmp_path / "nothing-here")


def test_a_folder_without_annotations_is_input_error(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing")
    with pytest.raises(nucagree.InputError) as raised:
        nucagree.read_set(tmp_path)
    assert raised.value.path == str(tmp_path)


def test_writing_into_an_input_is_refused(tmp_path):
    result = nucagree.compare(SAMPLE / "uncorrected", SAMPLE / "corrected", bootstrap=0)
    with pytest.raises(ValueError, match="inside the input"):
        result.write(SAMPLE / "corrected" / "out")
    written = result.write(tmp_path / "out")
    assert any(path.endswith("summary.json") for path in written)


def test_import_is_quick():
    import subprocess
    import sys
    import time

    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import nucagree"], check=True)
    assert time.perf_counter() - start < 2.0
