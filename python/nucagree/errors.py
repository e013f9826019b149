"""The errors nucagree raises.

Bad input raises :class:`InputError`, naming where it was found as the command line does;
a bad option raises ``ValueError`` (an unknown keyword ``TypeError``); a file that cannot
be read or written raises ``OSError``.
"""

from __future__ import annotations


class InputError(Exception):
    """Bad input: a file (or ``<memory>`` for a set built in memory), where in it, and
    what was expected.

    Attributes:
        path: the file (``<memory>`` for a DataFrame or label maps given in memory).
        location: where in the file, as the command line prints it after the path: ``row``,
            ``row:column``, a JSON pointer, or ``instance:what`` for a label map; ``None``
            for the file as a whole.
        row: the row, 1-based with the header as row 1, where the error is about a row (for
            a DataFrame given in memory, its row ``i`` counted from 0 is row ``i + 2``).
        column: the column's name, where the error is about a cell.
    """

    def __init__(
        self,
        message: str,
        path: str | None = None,
        location: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.location = location
        self.row = row
        self.column = column

    @property
    def frame_row(self) -> int | None:
        """The row of a DataFrame given in memory (counted from 0) the error is about."""
        if self.path != "<memory>" or self.row is None or self.row < 2:
            return None
        return self.row - 2
