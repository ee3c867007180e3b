"""Importing a roster from Excel: parse and check every row, show the report, then
import the valid rows in one transaction when the user confirms.

Cells are read by ``incubator.spreadsheets``: a phone typed as a number is read as
its digits; a number too long for Excel to keep (an 18-digit ID number typed as a
number) is refused, as its last digits are already lost.

The template's example row is never imported: a row whose name holds 示例 or whose
phone is the example's number is skipped and shown as such in the report.

The package by use case: ``template`` (columns and the downloadable workbook),
``cells`` and ``checks`` (reading and checking a row), ``parsing`` (a workbook's
rows), ``batches`` (upload and confirm), ``inserting`` and ``closing``.
"""

from incubator.volunteers.importer.batches import (
    confirm_import,
    import_roster_file,
    prepare_import,
)
from incubator.volunteers.importer.cells import DATE_TEXT, RowResult
from incubator.volunteers.importer.closing import (
    PENDING_HOURS,
    discard_import,
    purge_stale_imports,
)
from incubator.volunteers.importer.parsing import (
    HEADER_SEARCH_ROWS,
    MAX_ROWS,
    parse_roster,
)
from incubator.volunteers.importer.template import (
    COLUMNS,
    DATE_KEYS,
    EXAMPLE_MARK,
    EXAMPLE_PHONE,
    HEADERS,
    ROLE_ALIASES,
    template_workbook,
)

__all__ = [
    "COLUMNS",
    "DATE_KEYS",
    "DATE_TEXT",
    "EXAMPLE_MARK",
    "EXAMPLE_PHONE",
    "HEADERS",
    "HEADER_SEARCH_ROWS",
    "MAX_ROWS",
    "PENDING_HOURS",
    "ROLE_ALIASES",
    "RowResult",
    "confirm_import",
    "discard_import",
    "import_roster_file",
    "parse_roster",
    "prepare_import",
    "purge_stale_imports",
    "template_workbook",
]
