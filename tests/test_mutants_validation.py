"""Input validation, pinned down to the exact messages people see and the exact boundaries (written
to kill the mutants mutmut left alive in desktop_app/service/validation.py; see docs/testing.md).
No Qt, no network."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

from desktop_app.service import InvalidInput
from desktop_app.service import validation as check

KEY = "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d"
KEY_SHAPE = "A key looks like 00000000-0000-0000-0000-000000000000."


def refused(function, *args) -> InvalidInput:
    with pytest.raises(InvalidInput) as error:
        function(*args)
    return error.value


def message(function, *args) -> str:
    return str(refused(function, *args))


@pytest.fixture
def tokyo(monkeypatch):
    """The machine's local time zone is Tokyo, so a time converted to local time shows it. Only POSIX
    can change a running process's zone (TZ and time.tzset); on Windows the machine's own zone stays,
    and the tests check the same answers (a mistake through local time shows only in some zones)."""
    if not hasattr(time, "tzset"):
        yield
        return
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# -- license keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (KEY, KEY),
        (KEY.upper(), KEY.upper()),  # the capitals are kept as typed
        (KEY.replace("-", ""), KEY),
        (KEY.replace("-", "").upper(), KEY.upper()),
        ("{" + KEY + "}", KEY),
        (" { " + KEY + " } ", KEY),
    ],
)
def test_a_license_key_is_returned_with_its_dashes_in_the_capitals_it_was_typed_in(typed, kept):
    assert check.license_key(typed) == kept


@pytest.mark.parametrize("typed", [None, "", "   ", "{}", "{ }"])
def test_an_empty_license_key_asks_for_the_key(typed):
    error = refused(check.license_key, typed)
    assert (error.field, str(error)) == ("license_key", "Enter the license key for this account.")


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (KEY[:8] + " " + KEY[9:], "a space"),
        (KEY[:8] + "\u00a0" + KEY[9:], "a space"),
        ("g" + KEY[1:], "“g”"),
        (KEY[:8] + "\u200b" + KEY[9:], "an invisible character"),
    ],
)
def test_a_license_key_with_a_wrong_character_names_it(typed, shown):
    assert message(check.license_key, typed) == (
        f"The key contains {shown}. A license key has only the digits 0-9, the letters a-f and dashes."
    )


@pytest.mark.parametrize(
    ("typed", "ordinal", "has", "should"),
    [
        ("3f2b8c1-5d4a-4b6f-9e7d-2a1c0b9f8e7d", "first", 7, 8),
        ("3f2b8c1e-5d4-4b6f-9e7d-2a1c0b9f8e7d", "second", 3, 4),
        ("3f2b8c1e-5d4a-4b6-9e7d-2a1c0b9f8e7d", "third", 3, 4),
        ("3f2b8c1e-5d4a-4b6f-9e7-2a1c0b9f8e7d", "fourth", 3, 4),
        ("3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7", "fifth", 11, 12),
        ("3f2b8c1e5d4a-4b6f-9e7d-2a1c-0b9f8e7d", "first", 12, 8),
    ],
)
def test_a_license_key_in_five_groups_names_the_first_group_of_the_wrong_size(typed, ordinal, has, should):
    assert message(check.license_key, typed) == (
        f"The {ordinal} group has {has} characters; it should have {should}. {KEY_SHAPE}"
    )


@pytest.mark.parametrize(
    ("typed", "count"),
    [
        (KEY.replace("-", "")[:31], 31),
        (KEY.replace("-", "") + "a", 33),
        ("3f2b8c1e-5d4a-4b6f-9e7d", 20),  # four groups
        ("3f2b8c1e-5d4a-4b6f-9e7d-2a1c-0b9f8e7d-1", 33),  # six groups
        ("3f2b8c1e-5d4a4b6f9e7d2a1c0b9f8e7", 31),  # one dash, a digit short
    ],
)
def test_a_license_key_of_the_wrong_length_or_shape_says_how_many_digits_it_has(typed, count):
    assert len(typed.replace("-", "")) == count
    assert message(check.license_key, typed) == (
        f"The key has {count} letters and digits; a license key has 32, usually in five groups separated by "
        "dashes, like 00000000-0000-0000-0000-000000000000."
    )


@pytest.mark.parametrize(
    "typed",
    [
        "3f2b8c1e-5d4a-4b6f-9e7d-2a1c-0b9f8e7d",  # six groups
        "3f2b8c1e-5d4a4b6f9e7d2a1c0b9f8e7d",  # one dash
        "3f2b8c1e5d4a-4b6f-9e7d-2a1c0b9f8e7d",  # four groups
    ],
)
def test_a_license_key_with_all_32_digits_but_misplaced_dashes_says_so(typed):
    assert len(typed.replace("-", "")) == 32
    assert message(check.license_key, typed) == (
        "The key has its 32 letters and digits, but its dashes are in the wrong places. A key looks like "
        "00000000-0000-0000-0000-000000000000; it may also be typed without dashes."
    )


# -- phone numbers --------------------------------------------------------------------------------


def test_a_missing_phone_number_is_asked_for_with_the_fields_own_label():
    error = refused(check.phone_number, "  ", "transfer_number", "transfer number")
    assert (error.field, str(error)) == ("transfer_number", "Enter a transfer number.")
    assert message(check.phone_number, None) == "Enter a phone number."


def test_a_phone_number_may_be_40_characters_long_but_not_41():
    forty = "757" + " " * 30 + "5551230"
    assert len(forty) == 40 and check.phone_number(forty) == "7575551230"
    assert message(check.phone_number, forty[:3] + " " + forty[3:]) == (
        "That phone number is not valid. Use 10 digits, like 757-555-9999."
    )


def test_a_phone_number_with_a_control_character_is_not_valid():
    error = refused(check.phone_number, "757\x00555-1230", "caller_id_number", "caller ID number")
    assert (error.field, str(error)) == (
        "caller_id_number",
        "That caller ID number is not valid. Use 10 digits, like 757-555-9999.",
    )


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("757-555-1230 x12", "7575551230x12"),
        ("757-555-1230x12345678", "7575551230x12345678"),
        ("757-555-1230 EXT 5", "7575551230x5"),
        ("757-555-1230 ext.5", "7575551230x5"),
        ("757-555-1230 Extension 77 ", "7575551230x77"),
        ("+1 (757) 555-1230", "7575551230"),
        ("1 757 555 1230", "7575551230"),
        ("757/555/1230", "7575551230"),
    ],
)
def test_phone_numbers_with_extensions_and_punctuation_are_normalised(typed, normal):
    assert check.phone_number(typed) == normal


@pytest.mark.parametrize("typed", ["757-555-1230 x123456789", "757-555-1230 y12", "757-555-1230 x", "٧٥٧5551230"])
def test_a_phone_number_with_other_characters_says_which_are_allowed(typed):
    error = refused(check.phone_number, typed, "transfer_number", "transfer number")
    assert (error.field, str(error)) == (
        "transfer_number",
        "The transfer number may contain only digits, spaces and ( ) - . + (and an extension written as x123).",
    )


@pytest.mark.parametrize(("typed", "count"), [("757-555-123", 9), ("2757-555-1230", 11), ("1-757-555-12301", 12)])
def test_a_phone_number_with_the_wrong_number_of_digits_says_how_many_it_has(typed, count):
    assert message(check.phone_number, typed) == (
        f"A phone number needs 10 digits (US/Canada), like 757-555-9999. This one has {count}."
    )


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("023-555-0123", "The area code 023 does not exist."),
        ("911-555-0123", "The area code 911 does not exist."),
        ("299-555-0123", "The area code 299 does not exist."),
        ("757-055-1230", "The exchange 055 (the three digits after the area code) does not exist."),
        ("757-123-1234", "The exchange 123 (the three digits after the area code) does not exist."),
        ("242-211-1234", "The exchange 211 (the three digits after the area code) does not exist."),
        ("242-555-1234", "242-555-1234 is not a number in use in North America."),
    ],
)
def test_a_number_not_in_the_north_american_plan_says_which_part_is_wrong(typed, problem):
    error = refused(check.phone_number, typed, "transfer_number", "transfer number")
    assert (error.field, str(error)) == ("transfer_number", f"{problem} Check the transfer number.")
    assert check.north_american_problem(typed.replace("-", "")) == problem


def test_a_valid_north_american_number_has_no_problem():
    assert check.north_american_problem("7575551230") is None
    assert check.north_american_problem("6135550123") is None


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("7575550046", "757-555-0046"),
        ("7575550046x12", "757-555-0046 x12"),
        ("7575550046x1x2", "757-555-0046 x1x2"),  # everything after the first x is the extension
        ("7575550046X12", "7575550046X12"),
        ("12345", "12345"),
        ("12345x6", "12345x6"),
        ("757555004a", "757555004a"),
        ("", ""),
    ],
)
def test_phone_text_groups_ten_digits_and_shows_anything_else_as_it_is(stored, shown):
    assert check.phone_text(stored) == shown


def test_an_optional_phone_number_may_be_left_empty_but_not_wrong():
    assert check.optional_phone_number("  ", "transfer_number", "transfer number") == ""
    assert check.optional_phone_number(None, "transfer_number", "transfer number") == ""
    assert check.optional_phone_number("757.555.1230", "transfer_number", "transfer number") == "7575551230"
    error = refused(check.optional_phone_number, "555-0199", "transfer_number", "transfer number")
    assert (error.field, str(error)) == (
        "transfer_number",
        "A transfer number needs 10 digits (US/Canada), like 757-555-9999. This one has 7.",
    )


# -- reference IDs and QueueIDs ---------------------------------------------------------------------


def test_a_reference_id_of_every_allowed_character_is_kept_as_typed():
    assert check.reference_id("  aZ09_.:/#-  ") == "aZ09_.:/#-"


def test_a_reference_id_may_be_50_characters_long_but_not_51():
    assert check.reference_id("r" * 50) == "r" * 50
    error = refused(check.reference_id, "r" * 51)
    assert (error.field, str(error)) == (
        "reference_id",
        "A reference ID can be at most 50 characters; this one has 51.",
    )


def test_a_missing_reference_id_is_asked_for():
    error = refused(check.reference_id, " ")
    assert (error.field, str(error)) == ("reference_id", "Enter a reference ID.")


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("two words", "It contains a space."),
        ("tab\tinside", "It contains a space."),
        ("a,b", "Commas and semicolons separate several IDs; enter one ID here."),
        ("a;b", "Commas and semicolons separate several IDs; enter one ID here."),
        ("a, b", "It contains a space."),
        ("café", "It contains a character that is not allowed."),
    ],
)
def test_a_reference_id_with_a_character_not_allowed_says_which_kind(typed, hint):
    error = refused(check.reference_id, typed)
    assert (error.field, str(error)) == (
        "reference_id",
        f"A reference ID may contain only letters, digits and - _ . : / #. {hint}",
    )


@pytest.mark.parametrize(("typed", "number"), [(" 4093249 ", 4093249), ("1", 1), (str(2**63 - 1), 2**63 - 1)])
def test_a_queue_id_is_a_positive_whole_number_up_to_the_largest_64_bit_one(typed, number):
    assert check.queue_id(typed) == number


@pytest.mark.parametrize("typed", ["", "abc", "-1", "1.5", "١٢٣", "4093249x"])
def test_a_queue_id_that_is_not_a_whole_number_says_so(typed):
    error = refused(check.queue_id, typed)
    assert (error.field, str(error)) == ("queue_id", "A QueueID is a whole number, like 4093249.")


@pytest.mark.parametrize("typed", ["0", "000", str(2**63)])
def test_a_queue_id_of_zero_or_too_large_asks_for_a_positive_number(typed):
    error = refused(check.queue_id, typed)
    assert (error.field, str(error)) == ("queue_id", "A QueueID is a positive whole number, like 4093249.")


# -- numbers in a range, texts --------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "number"), [(0, 0), (3, 3), ("2", 2), (" 1 ", 1)])
def test_a_number_in_range_is_accepted_at_both_ends(typed, number):
    assert check.int_in_range(typed, "try_count", "Tries", 0, 3) == number


@pytest.mark.parametrize("typed", [-1, 4, "4", "x", "", None, True, 2.0])
def test_a_number_out_of_range_or_not_whole_names_the_range(typed):
    error = refused(check.int_in_range, typed, "try_count", "Tries", 0, 3)
    assert (error.field, str(error)) == ("try_count", "Tries must be a whole number from 0 to 3.")


def test_text_to_say_may_be_4000_characters_with_new_lines_and_tabs_but_not_4001():
    text = ("Line one.\r\n\tLine two." * 200)[:3999] + "!"
    assert len(text) == 4000 and check.text_to_say(text) == text
    assert check.text_to_say("x" * 4000) == "x" * 4000
    assert check.text_to_say("Hello\r\n\tthere") == "Hello\r\n\tthere"
    error = refused(check.text_to_say, "x" * 4001)
    assert (error.field, str(error)) == ("text_to_say", "The text can be at most 4000 characters; this one has 4001.")


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_missing_text_to_say_is_asked_for(typed):
    error = refused(check.text_to_say, typed)
    assert (error.field, str(error)) == ("text_to_say", "Enter the text the call should say.")


@pytest.mark.parametrize("typed", ["Hello\x07there", "Hello\u200bthere", "Hello\ud800there"])
def test_text_to_say_with_an_invisible_character_is_refused(typed):
    error = refused(check.text_to_say, typed)
    assert (error.field, str(error)) == (
        "text_to_say",
        "The text contains invisible control characters. Please retype it.",
    )


def test_a_caller_id_name_may_be_empty_or_50_characters_but_not_51():
    assert check.caller_id_name(None) == "" and check.caller_id_name("  Clinic  ") == "Clinic"
    assert check.caller_id_name("n" * 50) == "n" * 50
    error = refused(check.caller_id_name, "n" * 51)
    assert (error.field, str(error)) == ("caller_id_name", "The caller ID name can be at most 50 characters.")


@pytest.mark.parametrize("typed", ["Clinic\nTwo", "Clinic\tTwo", "Clinic\x00"])
def test_a_caller_id_name_with_a_control_character_even_a_new_line_is_refused(typed):
    error = refused(check.caller_id_name, typed)
    assert (error.field, str(error)) == (
        "caller_id_name",
        "The caller ID name contains invisible control characters.",
    )


# -- times ------------------------------------------------------------------------------------------

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


class NoOffset(tzinfo):
    def utcoffset(self, dt):
        return None


def test_a_scheduled_time_is_returned_in_utc():
    result = check.scheduled_time(datetime(2030, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))), NOW)
    assert result == NOW and result.tzinfo is UTC


def test_a_scheduled_time_exactly_a_day_ago_is_still_accepted_but_not_a_moment_earlier():
    assert check.scheduled_time(NOW - timedelta(days=1), NOW) == NOW - timedelta(days=1)
    error = refused(check.scheduled_time, NOW - timedelta(days=1, microseconds=1), NOW)
    assert (error.field, str(error)) == (
        "scheduled_time",
        "That time is more than a day in the past. Choose a time from now on.",
    )


def test_a_scheduled_time_is_checked_against_the_real_clock_by_default():
    now = datetime.now(UTC)
    assert check.scheduled_time(now - timedelta(hours=23)) == now - timedelta(hours=23)
    assert str(refused(check.scheduled_time, now - timedelta(days=2))) == check.PAST_TIME_MESSAGE


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2030-01-01T12:00Z", "Choose a date and time for the call."),
        (None, "Choose a date and time for the call."),
        (datetime(2030, 1, 1, 12, 0), "The date and time need a time zone."),
        (datetime(2030, 1, 1, 12, 0, tzinfo=NoOffset()), "The date and time need a time zone."),
    ],
)
def test_a_scheduled_time_must_be_a_date_and_time_with_a_zone(value, words):
    error = refused(check.scheduled_time, value, NOW)
    assert (error.field, str(error)) == ("scheduled_time", words)


LONDON = ZoneInfo("Europe/London")


def test_a_time_in_the_spring_gap_does_not_exist(tokyo):
    assert check.local_time_note(datetime(2027, 3, 28, 1, 30), LONDON) == (
        "01:30 does not exist on 28 March (the clocks go forward): "
        "choose another time, or the call is placed an hour later."
    )


def test_a_time_in_the_autumn_overlap_happens_twice_and_the_first_one_is_used(tokyo):
    assert check.local_time_note(datetime(2027, 10, 31, 1, 30, tzinfo=UTC), LONDON) == (
        "01:30 happens twice on 31 October (the clocks go back). The call is placed the first time, at 00:30 UTC."
    )


def test_an_ordinary_time_needs_no_note(tokyo):
    assert check.local_time_note(datetime(2027, 6, 1, 1, 30), LONDON) == ""


# -- the service address ----------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "[::1]", "::1", "127.0.0.1", "127.1.2.3"])
def test_loopback_hosts(host):
    assert check.is_loopback_host(host) is True


@pytest.mark.parametrize("host", ["example.com", "10.0.0.1", "[2001:db8::1]", "localhost.example.com", ""])
def test_other_hosts_are_not_loopback(host):
    assert check.is_loopback_host(host) is False


@pytest.mark.parametrize(
    "url",
    [
        " https://ws.esendex.us/NotifyWS/PhoneNotify.asmx ",
        "http://127.0.0.1:8080/PhoneNotify.asmx",
        "http://localhost/x",
        "http://[::1]:9000/",
    ],
)
def test_an_https_address_or_a_local_http_address_is_accepted(url):
    assert check.endpoint(url) == url.strip()


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ws.esendex.us/NotifyWS/PhoneNotify.asmx",
        "ftp://ws.esendex.us/",
        "https://",
        "https:///path",
        "https://ws.esendex.us/Notify WS",
        "https://ws.esendex.us/\x00",
    ],
)
def test_an_address_that_is_not_an_http_url_shows_an_example(url):
    error = refused(check.endpoint, url)
    assert (error.field, str(error)) == (
        "endpoint",
        "Enter the service address, like https://ws.esendex.us/NotifyWS/PhoneNotify.asmx",
    )


def test_a_plain_http_address_elsewhere_than_this_machine_is_refused():
    error = refused(check.endpoint, "http://ws.esendex.us/NotifyWS/PhoneNotify.asmx")
    assert (error.field, str(error)) == (
        "endpoint",
        "The address must start with https:// (only a local test server may use http://).",
    )


# -- mutants that survived the first run ------------------------------------------------------------


@pytest.mark.parametrize(("typed", "brace"), [("{" + KEY, "{"), (KEY + "}", "}")])
def test_a_license_key_with_only_one_brace_names_the_brace(typed, brace):
    assert message(check.license_key, typed) == (
        f"The key contains “{brace}”. A license key has only the digits 0-9, the letters a-f and dashes."
    )


@pytest.mark.parametrize("digits", ["2010551234", "2101231234"])
def test_an_area_code_with_0_or_1_as_its_middle_digit_is_fine_and_the_exchange_is_named(digits):
    assert check.north_american_problem(digits) == (
        f"The exchange {digits[3:6]} (the three digits after the area code) does not exist."
    )


def test_a_reference_id_with_a_capital_x_and_a_character_not_allowed_is_not_taken_for_a_list():
    assert message(check.reference_id, "X+1") == (
        "A reference ID may contain only letters, digits and - _ . : / #. It contains a character that is not allowed."
    )


def test_a_host_that_only_contains_localhost_is_not_loopback():
    assert check.is_loopback_host("XLOCALHOST") is False
    assert check.is_loopback_host("[127.0.0.1]") is True
