"""Bulk list parsing, pinned down to the exact values, line numbers and words the user sees (written
to kill the mutants mutmut left alive in desktop_app/bulk.py's parser; see docs/testing.md). No Qt,
no network."""

from __future__ import annotations

import pytest

from desktop_app.bulk import (
    MAX_ITEMS,
    BulkItem,
    Columns,
    Rejected,
    csv_to_text,
    header_key,
    list_summary,
    parse_list,
    parse_paste,
    totals,
)

SPACE = "A reference ID may contain only letters, digits and - _ . : / #. It contains a space."


def fields(rejected) -> list[tuple[int, int, str, str]]:
    """(position, line, text, reason) of each rejected entry."""
    return [(r.position, r.line, r.text, r.reason) for r in rejected]


# -- the summary line -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "counts", "summary"),
    [
        ("reference", (0, 0, 0), "0 reference IDs ready."),
        ("reference", (1, 0, 0), "1 reference ID ready."),
        ("queue", (2, 1, 0), "2 QueueIDs ready, 1 duplicate removed."),
        ("queue", (1, 2, 1), "1 QueueID ready, 2 duplicates removed, 1 not valid (listed below, not sent)."),
        ("reference", (3, 0, 2), "3 reference IDs ready, 2 not valid (listed below, not sent)."),
    ],
)
def test_the_summary_counts_in_the_singular_and_plural(kind, counts, summary):
    assert list_summary(kind, *counts) == summary


# -- a plain list -----------------------------------------------------------------------------------


def test_a_plain_list_splits_on_new_lines_commas_and_semicolons_and_numbers_the_pasted_lines():
    parsed = parse_list("a-1, a-2\r\n\r\nbad id;a-1\rb-1\n", "reference")
    assert parsed.values == ["a-1", "a-2", "b-1"]
    assert fields(parsed.invalid) == [(3, 3, "bad id", SPACE)]
    assert fields(parsed.duplicates) == [(4, 3, "a-1", "Already in the list.")]
    assert parsed.summary == "3 reference IDs ready, 1 duplicate removed, 1 not valid (listed below, not sent)."


@pytest.mark.parametrize("text", ["", None, "\n\n", " , ; "])
def test_an_empty_paste_gives_nothing(text):
    parsed = parse_list(text, "queue")
    assert (parsed.values, parsed.duplicates, parsed.invalid) == ([], [], [])
    assert parse_paste(text, "queue").values == ()


def test_a_long_rejected_entry_is_shown_cut_to_exactly_80_characters():
    (rejected,) = parse_list("r" * 100, "reference").invalid
    assert (rejected.position, rejected.line, rejected.text) == (1, 1, "r" * 80)


def test_exactly_max_items_entries_are_all_accepted():
    parsed = parse_list("\n".join(str(n) for n in range(1, MAX_ITEMS + 1)), "queue")
    assert len(parsed.values) == MAX_ITEMS == 10_000
    assert parsed.invalid == [] and parsed.duplicates == []


def test_every_entry_past_max_items_is_refused_with_its_position_line_and_a_split_the_list_reason():
    numbers = [str(n) for n in range(1, MAX_ITEMS + 3)]  # 10,002 entries on one line
    parsed = parse_list(",".join(numbers), "queue")
    assert len(parsed.values) == MAX_ITEMS
    reason = "More than 10000 entries: split the list."
    assert fields(parsed.invalid) == [(10_001, 1, "10001", reason), (10_002, 1, "10002", reason)]
    assert parsed.summary == "10000 QueueIDs ready, 2 not valid (listed below, not sent)."


# -- header words -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "key"),
    [
        (' "Reference ID" ', "referenceid"),
        ("reference_id", "referenceid"),
        ("Ref #", "ref"),
        ("QUEUE-ID:", "queueid"),
        ("Queue.No", "queueno"),
        ("Straße", "strasse"),
    ],
)
def test_a_header_cell_is_read_as_one_word_without_case_quotes_or_punctuation(cell, key):
    assert header_key(cell) == key


# -- a plain list with a header ---------------------------------------------------------------------


@pytest.mark.parametrize("first", ["Reference ID", "Ref #", "Reference, Name", "ids"])
def test_a_plain_list_whose_first_line_is_header_words_skips_and_reports_it(first):
    pasted = parse_paste(f"\n{first}\nappt-1\nappt-2", "reference")
    assert pasted.values == ("appt-1", "appt-2") and pasted.columns is None
    assert pasted.header is not None
    assert (pasted.header.position, pasted.header.line, pasted.header.text) == (0, 2, first)
    assert pasted.header.reason == "Looks like a header."
    assert pasted.header_note == f"Line 2 looks like a header ({first}) and was skipped."
    assert pasted.summary == f"2 reference IDs ready. Line 2 looks like a header ({first}) and was skipped."


def test_a_lone_word_above_valid_values_is_a_header_but_not_above_invalid_ones():
    words = parse_paste("Bookings\n4093250\n4093251", "queue")
    assert words.header is not None and words.header.text == "Bookings" and words.values == ("4093250", "4093251")
    mixed = parse_paste("Bookings\n4093250\nnot one", "queue")
    assert mixed.header is None
    assert [(r.line, r.text) for r in mixed.invalid] == [(1, "Bookings"), (3, "not one")]


def test_two_words_on_the_first_line_that_are_not_header_words_are_values():
    pasted = parse_paste("appt-a, appt-b\nappt-c", "reference")
    assert pasted.header is None and pasted.values == ("appt-a", "appt-b", "appt-c")


def test_a_first_value_with_a_digit_is_never_taken_for_a_header():
    pasted = parse_paste("abc1\n4093250", "queue")
    assert pasted.header is None and [r.text for r in pasted.invalid] == ["abc1"]


@pytest.mark.parametrize("first", [",,", " ; ", ";,;"])
def test_a_first_line_of_only_separators_is_not_a_header(first):
    pasted = parse_paste(f"{first}\n4093250\n4093251", "queue")
    assert pasted.header is None and pasted.values == ("4093250", "4093251")
    assert pasted.summary == "2 QueueIDs ready."


def test_a_lone_word_alone_in_the_paste_is_a_value_not_a_header():
    pasted = parse_paste("appt", "reference")
    assert pasted.header is None and pasted.values == ("appt",)
    assert parse_paste("Bookings", "queue").header is None


def test_without_a_header_every_line_of_a_plain_list_is_read():
    pasted = parse_paste("4093250\n4093251", "queue")
    assert pasted.header is None and pasted.header_note == ""
    assert pasted.values == ("4093250", "4093251") and pasted.summary == "2 QueueIDs ready."


# -- a table ----------------------------------------------------------------------------------------

SHEET = "Name\tReference ID\tPhone\nAnn\tappt-1\t757-555-0101\n\nBob\tappt-2\t757-555-0102\nCid\tappt 3\n"


def test_a_spreadsheet_paste_takes_the_column_its_header_names_and_keeps_the_pasted_line_numbers():
    pasted = parse_paste(SHEET, "reference")
    assert pasted.columns == Columns("tabs", ("Name", "Reference ID", "Phone"), 1)
    assert pasted.values == ("appt-1", "appt-2")
    assert fields(pasted.invalid) == [(3, 5, "appt 3", SPACE)]
    assert (pasted.header.position, pasted.header.line, pasted.header.text) == (0, 1, "Reference ID")


def test_a_chosen_column_is_taken_and_a_row_without_it_is_left_out():
    pasted = parse_paste(SHEET, "reference", column=2)
    assert pasted.columns.chosen == 2
    assert pasted.values == ("757-555-0101", "757-555-0102")
    assert pasted.invalid == () and pasted.header.text == "Phone"


@pytest.mark.parametrize("column", [-1, 3, 99])
def test_a_chosen_column_that_does_not_exist_falls_back_to_the_named_one(column):
    assert parse_paste(SHEET, "reference", column=column).columns.chosen == 1


def test_the_queue_column_is_found_by_its_header_whatever_its_place():
    pasted = parse_paste("Ref\tQueue ID\tRefID\nr-1\t4093250\tx\nr-2\t4093251\ty", "queue")
    assert pasted.columns.chosen == 1 and pasted.values == ("4093250", "4093251")
    first_word = parse_paste("Reference\tRef\nr-1\ts-1\nr-2\ts-2", "reference")
    assert first_word.columns.chosen == 0  # "referenceid" is looked for first, then "reference", then "ref"
    later_word = parse_paste("Ref\tReference\nr-1\ts-1\nr-2\ts-2", "reference")
    assert later_word.columns.chosen == 1


def test_a_header_without_a_word_for_this_kind_takes_the_first_column():
    pasted = parse_paste("Booking\tName\n4093250\tAnn\n4093251\tBob", "queue")
    assert pasted.columns == Columns("tabs", ("Booking", "Name"), 0)
    assert pasted.values == ("4093250", "4093251") and pasted.header.text == "Booking"


def test_a_table_without_a_header_names_its_columns_by_number_and_reads_every_row():
    pasted = parse_paste("4093250\tAnn\n4093251\tBob\n", "queue")
    assert pasted.header is None
    assert pasted.columns == Columns("tabs", ("Column 1", "Column 2"), 0)
    assert pasted.values == ("4093250", "4093251")


def test_a_header_found_by_its_words_in_another_column_skips_the_first_row():
    pasted = parse_paste("4093250\tWho\n4093251\t4093260\n4093252\t4093261", "queue", column=0)
    assert pasted.header is not None and (pasted.header.line, pasted.header.text) == (1, "4093250")
    assert pasted.values == ("4093251", "4093252")


def test_a_column_of_words_under_a_word_is_not_a_header():
    pasted = parse_paste("4093250\tPatient\n4093251\tann\n4093252\tbob", "queue", column=0)
    assert pasted.header is None and pasted.values == ("4093250", "4093251", "4093252")


def test_a_header_words_cell_over_a_column_of_valid_values_marks_the_header():
    pasted = parse_paste("Booking\tWho\n4093250\tAnn\n4093251\tBob", "queue", column=1)
    assert pasted.header is not None and pasted.header.text == "Who"
    assert pasted.columns.names == ("Booking", "Who")
    assert [r.text for r in pasted.invalid] == ["Ann", "Bob"]


def test_a_header_with_an_empty_cell_in_the_chosen_column_is_shown_by_its_other_cells():
    pasted = parse_paste("Name\t\tPhone\nAnn\t4093250\t757\nBob\t4093251\t757", "queue", column=1)
    assert pasted.header.text == "Name, Phone"
    assert pasted.columns.names == ("Name", "Column 2", "Phone")
    assert pasted.values == ("4093250", "4093251")


def test_a_header_shown_is_cut_to_80_characters_and_a_column_name_to_40():
    long_name = "Notes " + "n" * 100
    pasted = parse_paste(f"Queue ID\t{long_name}\n4093250\tx\n4093251\ty", "queue", column=1)
    assert pasted.header.text == long_name[:80]
    assert pasted.columns.names == ("Queue ID", long_name[:40])


def test_a_ragged_table_names_every_column_of_its_widest_row():
    pasted = parse_paste("Queue ID\tName\n4093250\n4093251\tBob\textra", "queue")
    assert pasted.columns.names == ("Queue ID", "Name", "Column 3")
    assert pasted.values == ("4093250", "4093251")


# -- comma rows: a CSV table or a list written several to a line ------------------------------------


def test_comma_rows_with_a_header_word_are_a_table():
    pasted = parse_paste("Name,Queue ID\nAnn,4093250\nBob,4093251", "queue")
    assert pasted.columns == Columns("commas", ("Name", "Queue ID"), 1)
    assert pasted.values == ("4093250", "4093251")


def test_comma_rows_with_a_cell_that_is_not_a_value_are_a_table():
    pasted = parse_paste("4093250,Ann\n4093251,Bob", "queue")
    assert pasted.columns == Columns("commas", ("Column 1", "Column 2"), 0)
    assert pasted.values == ("4093250", "4093251") and pasted.invalid == ()


def test_a_quoted_csv_cell_with_a_comma_stays_one_cell():
    pasted = parse_paste('Name,Queue ID\n"Smith, Ann",4093250\n"Jones, Bob",4093251', "queue")
    assert pasted.values == ("4093250", "4093251")
    assert pasted.columns.names == ("Name", "Queue ID")


@pytest.mark.parametrize(
    ("text", "values", "invalid"),
    [
        ("4093250, 4093251\n4093252, 4093253", ("4093250", "4093251", "4093252", "4093253"), []),
        ("4093250, 4093251\n4093252", ("4093250", "4093251", "4093252"), []),  # rows of different lengths
        ("4093250, Ann; 4093251\n4093252, Bob", ("4093250", "4093251", "4093252"), [(1, "Ann"), (2, "Bob")]),
        ("4093250, Ann", ("4093250",), [(1, "Ann")]),  # one line
    ],
)
def test_comma_rows_that_are_not_a_table_are_read_as_a_plain_list(text, values, invalid):
    pasted = parse_paste(text, "queue")
    assert pasted.columns is None and pasted.header is None
    assert pasted.values == values and [(r.line, r.text) for r in pasted.invalid] == invalid


def test_valid_values_two_to_a_line_are_all_sent():
    pasted = parse_paste("4093250, 4093251\n4093252, 4093253", "queue")
    assert pasted.values == ("4093250", "4093251", "4093252", "4093253") and pasted.header is None


def test_a_line_of_one_cell_among_comma_lines_is_a_plain_list():
    pasted = parse_paste("4093250\n4093251, Ann", "queue")
    assert pasted.columns is None
    assert pasted.values == ("4093250", "4093251") and [r.text for r in pasted.invalid] == ["Ann"]


def test_a_tab_anywhere_makes_a_table_even_with_one_line():
    pasted = parse_paste("4093250\tAnn", "queue")
    assert pasted.columns == Columns("tabs", ("Column 1", "Column 2"), 0)
    assert pasted.values == ("4093250",)


def test_a_field_too_large_for_the_csv_reader_is_split_plainly():
    huge = "x" * 140_000
    pasted = parse_paste(f"{huge},Queue ID\ny,4093250\nz,4093251", "queue")
    assert pasted.columns.names == ("x" * 40, "Queue ID")
    assert pasted.values == ("4093250", "4093251")


# -- CSV files --------------------------------------------------------------------------------------


def test_a_csv_whose_first_header_cell_follows_a_byte_order_mark_is_read_by_its_name():
    assert csv_to_text("\ufeffReference ID,name\nappt-1,Ann\nappt-2,Bob\n", "reference") == "appt-1\nappt-2"
    assert csv_to_text("\ufeffQueueID,name\n4093250,Ann\n", "queue") == "4093250"


def test_a_csv_row_too_short_for_the_named_column_is_skipped():
    assert csv_to_text("name,queue_id\nAnn,4093250\nBob\nCid,4093251\n", "queue") == "4093250\n4093251"


def test_a_csv_of_blank_rows_gives_no_text():
    assert csv_to_text(" , \n\n", "queue") == ""


# -- totals of a finished list ----------------------------------------------------------------------


def test_totals_count_waiting_rows_as_not_sent_and_count_not_found_rows():
    items = [
        BulkItem(1, "1", state="waiting"),
        BulkItem(2, "2", state="not sent"),
        BulkItem(3, "3", state="not found"),
        BulkItem(4, "4", state="cancelled", count=2),
    ]
    summary = totals(items)
    assert (summary.total, summary.done, summary.not_sent, summary.not_found_rows) == (4, 2, 2, 1)
    assert summary.calls_cancelled == 2


def test_each_value_keeps_the_pasted_line_it_came_from():
    plain = parse_paste("a-1\n\na-2, a-1\nbad one\na-3", "reference")
    assert (plain.values, plain.lines) == (("a-1", "a-2", "a-3"), (1, 3, 5))
    table = parse_paste("Name\tReference ID\nAnn\tappt-1\n\nBob\tappt-2\n", "reference")
    assert (table.values, table.lines) == (("appt-1", "appt-2"), (2, 4))


def test_a_lone_header_above_reference_ids_is_checked_as_a_reference_id():
    pasted = parse_paste("Booking list\nappt-1\nappt-2", "reference")
    assert pasted.header is not None and pasted.header.text == "Booking list"
    assert pasted.values == ("appt-1", "appt-2")


def test_comma_rows_whose_first_row_has_a_header_word_are_a_table_even_when_every_cell_is_a_valid_value():
    pasted = parse_paste("Reference,Name\nappt-1,Ann\nappt-2,Bob", "reference")
    assert pasted.columns == Columns("commas", ("Reference", "Name"), 0)
    assert pasted.values == ("appt-1", "appt-2") and pasted.header.text == "Reference"


def test_a_word_that_is_itself_a_valid_reference_id_is_a_value_not_a_header():
    pasted = parse_paste("Bookings\nappt-1\nappt-2", "reference")
    assert pasted.header is None and pasted.values == ("Bookings", "appt-1", "appt-2")


def test_a_table_header_over_reference_ids_is_found_by_reference_id_rules():
    pasted = parse_paste("Booked by\tAnn\nappt-1\tBob\nappt-2\tCid", "reference")
    assert pasted.header == Rejected(0, "Booked by", "Looks like a header.", 1)
    assert pasted.values == ("appt-1", "appt-2") and pasted.kind == "reference"
    assert pasted.summary == "2 reference IDs ready. Line 1 looks like a header (Booked by) and was skipped."


def test_reference_ids_two_to_a_line_stay_a_list():
    pasted = parse_paste("appt-1,appt-2\nappt-3,appt-4", "reference")
    assert pasted.columns is None and pasted.values == ("appt-1", "appt-2", "appt-3", "appt-4")


def test_a_header_cell_is_judged_against_every_later_row_including_short_ones():
    short = parse_paste("4093250\tWho\n4093251\n4093252\t4093261", "queue")
    assert short.header == Rejected(0, "4093250", "Looks like a header.", 1)
    assert short.values == ("4093251", "4093252")
    second_row_decides = parse_paste("4093250\tWho\n4093251\tAnn\n4093252\t4093261", "queue")
    assert second_row_decides.header is None
    assert second_row_decides.values == ("4093250", "4093251", "4093252")


def test_column_0_chosen_is_taken_even_when_the_header_names_another():
    pasted = parse_paste(SHEET, "reference", column=0)
    assert pasted.columns.chosen == 0 and pasted.header.text == "Name"
    assert pasted.values == ("Ann", "Bob", "Cid")


def test_a_plain_header_line_is_shown_cut_to_80_characters():
    line = ", ".join(["Reference"] * 10)
    pasted = parse_paste(line + "\nappt-1", "reference")
    assert pasted.header == Rejected(0, line[:80], "Looks like a header.", 1) and len(line) > 81


def test_a_header_cell_keeps_capital_letters_at_its_ends_before_it_is_compared():
    assert header_key("INDEX") == "index"
    assert header_key('"XID"') == "xid"


def test_a_csv_file_keeps_a_leading_capital_x():
    assert csv_to_text("X-1\nX-2", "reference") == "X-1\nX-2"
