"""The CSV files an import writes: error log, result log, and the once-only file of temporary passwords.

Every cell goes through tenantadmin.csvsafe: values from the uploaded file are kept as data in the
directory, but a spreadsheet opening a log must never run them as formulas.
"""

import csv
from pathlib import Path

from tenantadmin.csvsafe import safe_row

ERROR_LOG_HEADER = ["Line", "User name", "Column", "Message"]
RESULT_LOG_HEADER = ["Line", "User name", "Display name", "Result", "Message"]
PASSWORDS_HEADER = ["User name", "Display name", "Temporary password"]


class CsvLog:
    """A CSV file written in steps. `offset()` after a committed batch lets a re-run job truncate what a
    crashed run wrote after its last commit, so the file matches the database."""

    def __init__(self, path: Path, header: list[str], *, resume_at: int = 0):
        self.path = path
        if path.exists():
            with path.open("r+b") as handle:
                handle.truncate(resume_at)
        else:
            resume_at = 0
        # utf-8-sig writes its byte-order mark only at position 0, so a resumed file gets no second mark.
        self._text = path.open("a", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._text)
        if not resume_at:
            self._writer.writerow(header)

    def write(self, values) -> None:
        self._writer.writerow(safe_row(values))

    def offset(self) -> int:
        self._text.flush()
        return self.path.stat().st_size

    def close(self) -> None:
        self._text.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
