"""Issue 25: the recipient's time. On the Schedule page (real widgets, real HTTP to the sandbox) each
number says when it rings where it is answered, from its area code; a call outside the calling
window (08:00-21:00 their time) is warned about before booking and can be booked anyway; a test
broadcast lists the numbers outside; an administrator's locked window is used and shown read-only.
Find calls and "Calls from this desk" give the recipient's time beside the user's own."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone

from desktop_app.service.models import CallStatus
from desktop_app.service.recipient_time import (
    DEFAULT_WINDOW,
    CallingWindow,
    broadcast_times,
    parse_window,
    recipient_time,
    window_or_default,
)
from desktop_app.storage.settings import LOCKED_NOTE, Settings
from desktop_app.storage.site_config import load_site_config
from desktop_app.ui.models.calls import CallsModel, FoundCall
from desktop_app.ui.models.watch import WatchModel
from desktop_app.ui.pages.schedule import SchedulePage
from desktop_app.watch import Watched
from tests.conftest import KEY_A, close_controller, close_window, make_controller

NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = "213-555-0142"  # area code 213: Los Angeles, one zone
IDAHO = "208-555-0100"  # area code 208: Boise (Mountain) and the panhandle (Pacific)
VIRGINIA = "757-555-1230"  # Eastern
HAWAII = "808-555-0100"


def tomorrow_at(hour: int, zone: ZoneInfo = NEW_YORK) -> datetime:
    day = datetime.now(zone).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=zone)


# -- the rules, without Qt --------------------------------------------------------------------------


def test_a_los_angeles_number_at_nine_in_new_york_rings_at_six_pacific():
    moment = tomorrow_at(9)
    found = recipient_time("2135550142", moment)
    assert found.line(moment.replace(tzinfo=None)) == "09:00 your time = 06:00 in Los Angeles (Pacific)"
    assert found.outside_window
    assert "outside 08:00–21:00" in found.warning()
    assert not recipient_time("7575551230", moment).outside_window  # 09:00 in Virginia


def test_a_multi_zone_area_code_gives_the_range():
    moment = tomorrow_at(9)
    found = recipient_time("2085550100", moment)
    assert [z.zone for z in found.zones] == ["America/Los_Angeles", "America/Boise"]
    assert found.there() == "06:00 in Los Angeles (Pacific) to 07:00 in Boise (Mountain)"


def test_the_window_includes_both_ends_and_reads_the_site_files_form():
    assert DEFAULT_WINDOW.allows(time(8, 0)) and DEFAULT_WINDOW.allows(time(21, 0))
    assert not DEFAULT_WINDOW.allows(time(7, 59)) and not DEFAULT_WINDOW.allows(time(21, 1))
    assert parse_window(" 9:30 - 17:00 ") == CallingWindow(time(9, 30), time(17, 0))
    for bad in ("21:00-08:00", "8-21", "25:00-26:00", 8):
        with pytest.raises(ValueError):
            parse_window(bad)
    assert window_or_default("nonsense") == DEFAULT_WINDOW


def test_a_toll_free_number_has_no_recipient_time():
    found = recipient_time("8005550100", tomorrow_at(9))
    assert not found.known and not found.outside_window and found.warning() == ""


def test_a_different_day_there_is_said():
    moment = tomorrow_at(1)  # 01:00 in New York is 22:00 the day before in Los Angeles
    assert recipient_time("2135550142", moment).there(moment.replace(tzinfo=None)) == (
        "22:00 the day before in Los Angeles (Pacific)"
    )


def test_a_broadcast_lists_the_numbers_outside_the_window():
    times = broadcast_times(["7575551230", "2135550142", "8085550100"], tomorrow_at(9))
    assert [t.number for t in times.outside] == ["2135550142", "8085550100"]
    warning = times.warning([VIRGINIA, LOS_ANGELES, HAWAII])
    assert warning.startswith("2 of 3 numbers ring outside 08:00–21:00 their time: ")
    assert f"{LOS_ANGELES} (06:00 in Los Angeles (Pacific))" in warning
    assert f"{HAWAII} (04:00 in Honolulu (Hawaii))" in warning and VIRGINIA not in warning


# -- the Schedule page ------------------------------------------------------------------------------


@pytest.fixture
def page(qtbot, controller):
    schedule = SchedulePage(controller)
    qtbot.addWidget(schedule)
    schedule.resize(860, 680)
    schedule.show()
    qtbot.waitExposed(schedule)
    return schedule


def at_nine_in_new_york(page: SchedulePage) -> None:
    """The desk is in New York (explicitly: the test machine's zone does not matter); 09:00 tomorrow."""
    zone = QTimeZone(b"America/New_York")
    page.set_time_zone(zone)
    day = tomorrow_at(9).date()
    page.when.setDateTime(QDateTime(QDate(day.year, day.month, day.day), QTime(9, 0), zone))


def fill(page: SchedulePage, numbers: str, reference: str = "tz-1") -> None:
    page.phone.setText(numbers)
    page.text.setPlainText("Your appointment is tomorrow.")
    page.reference.setText(reference)


def test_a_los_angeles_number_booked_from_new_york_at_nine_shows_six_pacific_and_warns(qtbot, page, app_sandbox):
    at_nine_in_new_york(page)
    fill(page, LOS_ANGELES)
    assert page.recipient_label.isVisible()
    assert page.recipient_label.text() == "09:00 your time = 06:00 in Los Angeles (Pacific)"
    assert page.hours_warning.isVisible()  # before booking, beside the Schedule button
    assert page.hours_warning.text() == (
        "⚠ This call rings at 06:00 in Los Angeles (Pacific): outside 08:00–21:00, the hours for calls "
        "where it rings. You can book it anyway."
    )
    with qtbot.waitSignal(page.scheduled, timeout=10_000) as booked:  # booking anyway: no question asked
        qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert booked.args[0].booked and app_sandbox.operations["NotifyPhoneAdvanced"] == 1
    assert page.result.body.text().endswith(
        "It rings at 06:00 in Los Angeles (Pacific) there: outside 08:00–21:00, the hours for calls there."
    )


def test_a_number_inside_the_window_shows_its_time_without_a_warning(qtbot, page):
    at_nine_in_new_york(page)
    fill(page, VIRGINIA)
    assert page.recipient_label.text() == "09:00 your time = 09:00 in New York (Eastern)"
    assert not page.hours_warning.isVisible()
    page.phone.setText(LOS_ANGELES)  # it follows what is typed
    assert page.hours_warning.isVisible()
    page.phone.setText("")
    assert not page.recipient_label.isVisible() and not page.hours_warning.isVisible()


def test_a_number_in_a_multi_zone_area_code_shows_the_range(qtbot, page):
    at_nine_in_new_york(page)
    fill(page, IDAHO)
    assert page.recipient_label.text() == (
        "09:00 your time = 06:00 in Los Angeles (Pacific) to 07:00 in Boise (Mountain)"
    )
    assert "outside 08:00–21:00" in page.hours_warning.text()


def test_a_test_broadcast_lists_the_numbers_outside_the_window(qtbot, page, app_sandbox):
    at_nine_in_new_york(page)
    fill(page, f"{VIRGINIA}\n{LOS_ANGELES}\n{HAWAII}", reference="tz-bc")
    assert page.recipient_label.text() == (
        "09:00 your time = 04:00 in Honolulu (Hawaii) to 09:00 in New York (Eastern)"
    )
    warning = page.hours_warning.text()
    assert warning.startswith("⚠ 2 of 3 numbers ring outside 08:00–21:00 their time: ")
    assert LOS_ANGELES in warning and HAWAII in warning and VIRGINIA not in warning
    with qtbot.waitSignal(page.broadcast, timeout=10_000):
        qtbot.mouseClick(page.schedule_button, Qt.MouseButton.LeftButton)
    assert app_sandbox.operations["NotifyMultiplePhoneAdvanced"] == 1
    body = page.result.body.text()
    assert "2 of 3 numbers ring outside 08:00–21:00 their time" in body and LOS_ANGELES in body


def test_the_user_can_change_the_window_in_more_options_and_it_is_kept(qtbot, page, controller):
    at_nine_in_new_york(page)
    fill(page, VIRGINIA)
    page.form.show_more(True)
    assert page.form.window_start.isEnabled() and not page.form.window_locked.isVisible()
    page.form.window_start.setTime(QTime(10, 0))  # 09:00 in Virginia is now too early
    assert "outside 10:00–21:00" in page.hours_warning.text()
    assert controller.settings.calling_window == "10:00-21:00"
    saved = json.loads(controller.context.profile.settings_file.read_text())
    assert saved["calling_window"] == "10:00-21:00"


def test_a_locked_window_from_the_site_file_is_used_and_shown_read_only(qtbot, tmp_path, app_sandbox, memory_keyring):
    site = tmp_path / "site-settings.json"
    site.write_text(json.dumps({"calling_window": {"value": "10:00-18:00", "locked": True}}))
    user = tmp_path / "user.json"
    user.write_text(json.dumps({"calling_window": "06:00-23:00"}))  # the user's own: overridden
    assert load_site_config(site).values == {"calling_window": "10:00-18:00"}
    controller = make_controller(tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    loaded = Settings.load(user, site_file=site)
    assert loaded.calling_window == "10:00-18:00" and loaded.is_locked("calling_window")
    controller.settings.calling_window, controller.settings.locked = loaded.calling_window, loaded.locked
    schedule = SchedulePage(controller)
    qtbot.addWidget(schedule)
    try:
        schedule.show()
        at_nine_in_new_york(schedule)
        fill(schedule, VIRGINIA)  # 09:00 in Virginia: inside 08:00-21:00, but before 10:00
        assert "outside 10:00–18:00" in schedule.hours_warning.text()
        schedule.form.show_more(True)
        form = schedule.form
        assert form.window_start.time() == QTime(10, 0) and form.window_end.time() == QTime(18, 0)
        assert not form.window_start.isEnabled() and not form.window_end.isEnabled()
        assert form.window_locked.isVisible() and form.window_locked.text() == LOCKED_NOTE
        assert "calling_window" not in loaded.to_user_file()  # a locked value is never saved
    finally:
        close_controller(controller)


def test_a_bad_window_in_the_site_file_is_reported_with_its_line(tmp_path):
    site = tmp_path / "site-settings.json"
    site.write_text('{\n  "calling_window": "21:00-08:00"\n}')
    loaded = load_site_config(site)
    assert "calling_window" not in loaded.values
    assert loaded.problems == (
        'line 2: "calling_window": the calling window must start before it ends (on the same day)',
    )


# -- Find calls and Calls from this desk ------------------------------------------------------------


def status(queue_id: int, variables: dict[str, str] | None = None) -> CallStatus:
    return CallStatus(queue_id, 0, "Queued", False, False, 0, False, 0, None, None, variables=variables or {})


def test_find_calls_shows_the_recipients_time_beside_yours(qtbot, monkeypatch):
    when = tomorrow_at(9).astimezone(UTC)
    model = CallsModel(lambda code: "")
    model.set_rows(
        [
            FoundCall(status(1), when, "Main office", "ref", phone_number="2135550142"),
            FoundCall(status(2, {"phonenumber": "8085550100"}), when, "Main office"),  # from the call's variables
            FoundCall(status(3), when, "Main office"),  # number not known: your time only
        ]
    )
    column = model.column_of("Scheduled")
    tips = [model.data(model.index(row, column), Qt.ItemDataRole.ToolTipRole) for row in range(3)]
    yours = when.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert tips[0] == f"{yours} your time\n= 06:00 in Los Angeles (Pacific) for the person called"
    assert tips[1].endswith("= 04:00 in Honolulu (Hawaii) for the person called")
    assert tips[2] == yours


def test_calls_from_this_desk_shows_the_recipients_time_beside_yours(qtbot):
    when = tomorrow_at(9).astimezone(UTC)
    model = WatchModel(lambda: datetime.now(UTC))
    model.set_rows([Watched(7, "Main office", "ref", "2135550142", when)])
    tip = model.data(model.index(0, model.column_of("Scheduled (local time)")), Qt.ItemDataRole.ToolTipRole)
    assert tip == (
        f"{when.astimezone():%Y-%m-%d %H:%M} your time\n= 06:00 in Los Angeles (Pacific) for the person called"
    )


def test_the_window_holds_in_the_window_of_the_app(qtbot, tmp_path, app_sandbox, memory_keyring):
    """The page in the whole window: the warning sits in the footer, on screen at 640x480."""
    from tests.conftest import make_window

    window = make_window(qtbot, tmp_path, app_sandbox, memory_keyring, {"Main office": KEY_A})
    try:
        window.resize(640, 480)
        window.tabs.setCurrentWidget(window.schedule_page)
        page = window.schedule_page
        at_nine_in_new_york(page)
        fill(page, LOS_ANGELES)
        qtbot.waitUntil(lambda: page.hours_warning.isVisible())
        assert not page.hours_warning.visibleRegion().isEmpty()
    finally:
        close_window(window)


def test_without_time_zone_data_the_line_says_so_and_nothing_warns(monkeypatch):
    from desktop_app.service import recipient_time as module

    monkeypatch.setattr(module, "time_zone_data_available", lambda: False)
    monkeypatch.setattr(module, "zones_for_number", lambda number: ())
    found = module.recipient_time("2135550142", tomorrow_at(9))
    assert found.line(tomorrow_at(9)) == module.NO_DATA and found.warning() == ""
