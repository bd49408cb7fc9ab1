"""CSV exports stay text in any spreadsheet: every field quoted, formula starts neutralised,
also where a spreadsheet would split a cell on its locale's separator."""

import csv
import io

from registration.exports import csv_lines


def test_exports_quote_every_field_so_a_separator_starts_no_cell():
    line = "".join(csv_lines([["ACME;=1+2;=cmd|' /C calc'!A0", "plain", 3]]))

    assert line == '"ACME;=1+2;=cmd|\' /C calc\'!A0","plain","3"\r\n'
    semicolon_reader = csv.reader(io.StringIO(line), delimiter=";")
    assert next(semicolon_reader)[0].startswith("ACME")  # one quoted field, not split


def test_exports_neutralise_formula_starts_after_spaces():
    (line,) = csv_lines([["  =HYPERLINK(evil)", "\t@SUM(A1)", "-2"]])

    assert next(csv.reader(io.StringIO(line))) == ["'  =HYPERLINK(evil)", "'\t@SUM(A1)", "'-2"]
