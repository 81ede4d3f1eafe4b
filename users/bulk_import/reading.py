"""Reading the uploaded file: which encoding, is it a CSV of our shape, and its records one at a time.

Accepted (SPEC): UTF-8 with or without byte-order mark, or UTF-16 with a byte-order mark; commas; a
header row and at least one user row. The file is read from disk as a stream, never whole into memory.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from users.bulk_import.columns import COLUMN_COUNT

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def max_upload_bytes() -> int:
    """The size limit of an import file (setting USERS_IMPORT_MAX_BYTES, default 50 MB)."""
    return int(getattr(settings, "USERS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


class FileProblem(Exception):
    """The file as a whole cannot be imported; the message says why and how to fix it."""


def encoding_message() -> str:
    return _("The file must be a text CSV file saved as UTF-8 (with or without byte-order mark) or as UTF-16 "
             "with a byte-order mark. In a spreadsheet program choose \"CSV UTF-8 (comma delimited)\".")


def detect_encoding(head: bytes) -> str:
    """The Python codec for a file starting with `head`: a byte-order mark decides, otherwise UTF-8."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the codec reads the mark and the byte order from it
    return "utf-8"


@dataclass(frozen=True)
class FileShape:
    encoding: str
    header: list[str]


def _open_text(path: Path, encoding: str):
    # newline="" hands line breaks to the csv module, so quoted fields may hold line breaks.
    return io.TextIOWrapper(path.open("rb"), encoding=encoding, errors="strict", newline="")


def check_file(path: Path) -> FileShape:
    """Checks that need only the start of the file (the request does these before any job starts)."""
    size = path.stat().st_size
    if size == 0:
        raise FileProblem(_("The file is empty. Use the blank template: a header row, then one user per row."))
    with path.open("rb") as handle:
        head = handle.read(4096)
    encoding = detect_encoding(head)
    records = iter_records(path, encoding, header=True)
    try:
        first = next(records, None)
        if first is None:
            raise FileProblem(_("The file is empty. Use the blank template: a header row, then one user per row."))
        _line, header = first
        _check_header(header)
        if next(records, None) is None:
            raise FileProblem(_("The file has a header row but no users. Add at least one user below the header."))
    finally:
        records.close()
    return FileShape(encoding=encoding, header=header)


def _check_header(header: list[str]) -> None:
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        raise FileProblem(_("The columns are separated by semicolons or tabs. Save the file with commas between "
                            "the columns (\"CSV UTF-8 (comma delimited)\")."))
    if len(header) != COLUMN_COUNT:
        raise FileProblem(
            _("The header row has %(found)d columns; the file must have the %(expected)d columns of the blank "
              "template, in its order (the labels may be in any language).")
            % {"found": len(header), "expected": COLUMN_COUNT})


def iter_records(path: Path, encoding: str, *, header: bool = False) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, cells) for every non-blank record; the header is skipped
    unless `header`. Raises FileProblem for text that does not decode or a record the csv module rejects."""
    with _open_text(path, encoding) as text:
        reader = csv.reader(text, strict=True)
        line = 1
        first = True
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise FileProblem(_("Line %(line)d is not valid text. %(encodings)s")
                                  % {"line": _line_of_bad_text(path, encoding), "encodings": encoding_message()}) from None
            except csv.Error as error:
                raise FileProblem(_("Line %(line)d cannot be read as CSV: %(error)s") % {"line": line, "error": error}) from None
            start, line = line, reader.line_num + 1
            if any("\x00" in cell for cell in row):
                raise FileProblem(_("The file holds binary data (line %(line)d), not text. %(encodings)s")
                                  % {"line": start, "encodings": encoding_message()})
            if not any(cell.strip() for cell in row):
                continue  # blank lines, which spreadsheet programs often leave at the end
            if first:
                first = False
                if not header:
                    continue
            yield start, row


def _line_of_bad_text(path: Path, encoding: str) -> int:
    """The line holding the first bytes that do not decode (the text reader reads ahead, so it cannot say)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    newlines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(65536):
            try:
                newlines += decoder.decode(chunk).count("\n")
            except UnicodeDecodeError as error:
                return newlines + error.object[:error.start].decode(encoding, errors="ignore").count("\n") + 1
    return newlines + 1
