"""What time it is where a call rings: the recipient's local time, from the number's area code.

No Qt here. The zones come from libphonenumber's time-zone data (`phonenumbers.timezone`), which
maps a North American number's area code (and, where an area code is split, its exchange) to one
or more IANA zones. An area code that spans several zones gives a range ("06:00 in Los Angeles
(Pacific) to 07:00 in Boise (Mountain)"): which side of the line the person is on is not known.

The calling window is the hours a call may ring for the person who answers, in *their* time:
08:00 to 21:00 by default, the hours the US rule for telemarketing calls allows (47 CFR
64.1200(c)(1): no calls "before the hour of 8 a.m. or after 9 p.m." at the called party's
location). It is a warning, not a block: the user can book anyway, and an administrator can change
or lock the window in the site file (`calling_window`, "08:00-21:00").

Choices (documented constants, marked "chosen"):

- `DEFAULT_WINDOW` 08:00-21:00, both ends included: 21:00 itself is not "after 9 p.m." (chosen).
- A number whose zone is not known (no time-zone data in this build, a toll-free or other
  non-geographic number) gets no recipient's time and no warning; the form says the time there is
  not known (chosen).
- A zone is named by its city and its North American zone name ("Los Angeles (Pacific)"); the
  name comes from the zone's standard UTC offset at that moment (`ZONE_NAMES`; chosen).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# chosen: the US telemarketing window (47 CFR 64.1200(c)(1)), both ends included.
DEFAULT_WINDOW_TEXT = "08:00-21:00"
WINDOW_PATTERN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})\s*$")
# chosen: North American zone names by standard offset from UTC (hours).
ZONE_NAMES: dict[float, str] = {
    -3.5: "Newfoundland",
    -4: "Atlantic",
    -5: "Eastern",
    -6: "Central",
    -7: "Mountain",
    -8: "Pacific",
    -9: "Alaska",
    -10: "Hawaii",
    -11: "Samoa",
    10: "Chamorro",
}
UNKNOWN_ZONE = "Etc/Unknown"  # libphonenumber's answer for a number it cannot place
NOT_KNOWN = "The time there is not known (the area code gives no time zone)."
NO_DATA = "The time there is not known: this installation has no time-zone data for phone numbers."


def not_known() -> str:
    """Why a number has no recipient's time, in plain words."""
    return NOT_KNOWN if time_zone_data_available() else NO_DATA


@dataclass(frozen=True)
class CallingWindow:
    """The hours a call may ring, in the recipient's time: `start` to `end`, both included."""

    start: time = time(8, 0)
    end: time = time(21, 0)

    def allows(self, local: datetime | time) -> bool:
        moment = local.time() if isinstance(local, datetime) else local
        moment = moment.replace(second=0, microsecond=0, tzinfo=None)
        return self.start <= moment <= self.end

    @property
    def text(self) -> str:
        """The window for people: the two times joined by an en dash."""
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def setting(self) -> str:
        """ "08:00-21:00", as the settings and the site file keep it."""
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


DEFAULT_WINDOW = CallingWindow()


def parse_window(text: object) -> CallingWindow:
    """ "08:00-21:00" (a hyphen or a dash; spaces allowed) as a window. Raises ValueError with a
    plain message: the start must come before the end, both in 24-hour time."""
    if not isinstance(text, str):
        raise ValueError('the calling window must be text like "08:00-21:00"')
    match = WINDOW_PATTERN.match(text)
    if match is None:
        raise ValueError('the calling window must be two 24-hour times like "08:00-21:00"')
    sh, sm, eh, em = (int(part) for part in match.groups())
    if sh > 23 or eh > 23 or sm > 59 or em > 59:
        raise ValueError("the calling window's times must be from 00:00 to 23:59")
    start, end = time(sh, sm), time(eh, em)
    if start >= end:
        raise ValueError("the calling window must start before it ends (on the same day)")
    return CallingWindow(start, end)


def window_or_default(text: object) -> CallingWindow:
    """The window a setting holds; the default when it cannot be read (a damaged user file)."""
    try:
        return parse_window(text)
    except ValueError:
        return DEFAULT_WINDOW


@lru_cache(maxsize=1)
def _time_zones() -> object | None:
    """libphonenumber's time-zone lookup, or None when this build has no time-zone data."""
    try:
        from phonenumbers import timezone
    except ImportError:
        return None
    return timezone


def time_zone_data_available() -> bool:
    return _time_zones() is not None


@lru_cache(maxsize=512)
def zones_for_number(number: str) -> tuple[str, ...]:
    """The IANA zones of a North American number (10 digits, perhaps "x" and an extension), in the
    data's order; () when not known."""
    lookup = _time_zones()
    digits = number.partition("x")[0]
    if lookup is None or len(digits) != 10 or not digits.isdigit():
        return ()
    import phonenumbers

    try:
        parsed = phonenumbers.parse("+1" + digits)
    except phonenumbers.NumberParseException:
        return ()
    if not phonenumbers.is_number_geographical(parsed):
        return ()  # toll-free, premium, personal numbers: they ring anywhere
    found = lookup.time_zones_for_number(parsed)  # type: ignore[attr-defined]
    zones = []
    for name in found:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue  # "Etc/Unknown", or a zone this computer's database lacks
        zones.append(name)
    return tuple(zones)


def place_name(zone: str) -> str:
    """ "America/Los_Angeles" -> "Los Angeles"; "America/North_Dakota/Center" -> "Center, North Dakota"."""
    parts = [part.replace("_", " ") for part in zone.split("/")[1:]] or [zone]
    return ", ".join(reversed(parts))


def zone_name(zone: str, moment: datetime) -> str:
    """ "Pacific", "Eastern", … by the zone's standard offset at `moment`; "UTC-3" otherwise."""
    local = moment.astimezone(ZoneInfo(zone))
    offset = (local.utcoffset() or timedelta(0)) - (local.dst() or timedelta(0))
    hours = offset.total_seconds() / 3600
    if hours in ZONE_NAMES:
        return ZONE_NAMES[hours]
    whole = int(hours) if hours == int(hours) else hours
    return f"UTC{'+' if hours >= 0 else ''}{whole}"


@dataclass(frozen=True)
class ZoneTime:
    zone: str  # IANA name
    local: datetime  # the moment, in that zone

    @property
    def label(self) -> str:
        """ "Los Angeles (Pacific)"."""
        return f"{place_name(self.zone)} ({zone_name(self.zone, self.local)})"

    @property
    def clock(self) -> str:
        return f"{self.local:%H:%M}"


@dataclass(frozen=True)
class RecipientTime:
    """When a call to `number` rings for the person who answers: one zone, several (an area code
    split between zones), or none (not known)."""

    number: str  # 10 digits (maybe "x" and an extension)
    moment_utc: datetime
    zones: tuple[ZoneTime, ...]  # earliest local clock first; () when not known
    window: CallingWindow = DEFAULT_WINDOW

    @property
    def known(self) -> bool:
        return bool(self.zones)

    @property
    def outside(self) -> tuple[ZoneTime, ...]:
        """The zones where the call rings outside the calling window."""
        return tuple(z for z in self.zones if not self.window.allows(z.local))

    @property
    def outside_window(self) -> bool:
        return bool(self.outside)

    def there(self, yours: datetime | None = None) -> str:
        """ "06:00 in Los Angeles (Pacific)"; a range for several zones; "" when not known.
        `yours`: the user's own wall time, to say when the day differs there."""
        groups = _grouped(self.zones)
        if not groups:
            return ""
        first, last = groups[0], groups[-1]
        text = _group_words(first, yours)
        if len(groups) > 1:
            text += f" to {_group_words(last, yours)}"
        return text

    def line(self, yours: datetime) -> str:
        """ "09:00 your time = 06:00 in Los Angeles (Pacific)"; NOT_KNOWN's words when not known."""
        if not self.known:
            return not_known()
        return f"{yours:%H:%M} your time = {self.there(yours)}"

    def warning(self) -> str:
        """Plain words when the call rings outside the window ("" otherwise)."""
        if not self.outside_window:
            return ""
        where = self.there()
        if len(self.outside) < len(self.zones):
            where += f" (outside the hours in {_places(self.outside)})"
        return (
            f"This call rings at {where}: outside {self.window.text}, the hours for calls where it rings. "
            "You can book it anyway."
        )


def _grouped(zones: Sequence[ZoneTime]) -> list[list[ZoneTime]]:
    """Zones that show the same clock and zone name together, earliest first."""
    groups: dict[tuple[datetime, str], list[ZoneTime]] = {}
    for zone in zones:
        key = (zone.local.replace(tzinfo=None), zone_name(zone.zone, zone.local))
        groups.setdefault(key, []).append(zone)
    return [groups[key] for key in sorted(groups)]


def _group_words(group: Sequence[ZoneTime], yours: datetime | None) -> str:
    first = group[0]
    places = " or ".join(place_name(z.zone) for z in group)
    day = ""
    if yours is not None and first.local.date() != yours.date():
        day = " the next day" if first.local.date() > yours.date() else " the day before"
    return f"{first.clock}{day} in {places} ({zone_name(first.zone, first.local)})"


def _places(zones: Iterable[ZoneTime]) -> str:
    return " and ".join(place_name(z.zone) for z in zones)


def recipient_time(number: str, moment: datetime, window: CallingWindow = DEFAULT_WINDOW) -> RecipientTime:
    """The recipient's time for a call to `number` at `moment` (an aware datetime)."""
    utc = moment.astimezone(UTC)
    zones = [ZoneTime(name, utc.astimezone(ZoneInfo(name))) for name in zones_for_number(number)]
    zones.sort(key=lambda z: (z.local.replace(tzinfo=None), z.zone))
    return RecipientTime(number, utc, tuple(zones), window)


@dataclass(frozen=True)
class BroadcastTimes:
    """The recipients' times of a test broadcast: one call time, several numbers."""

    times: tuple[RecipientTime, ...]
    window: CallingWindow = DEFAULT_WINDOW

    @property
    def outside(self) -> tuple[RecipientTime, ...]:
        return tuple(t for t in self.times if t.outside_window)

    @property
    def unknown(self) -> tuple[RecipientTime, ...]:
        return tuple(t for t in self.times if not t.known)

    def summary(self, yours: datetime) -> str:
        """One line for the form: the range of local times over every number."""
        known = [z for t in self.times for z in t.zones]
        if not known:
            return not_known()
        earliest = min(known, key=lambda z: z.local.replace(tzinfo=None))
        latest = max(known, key=lambda z: z.local.replace(tzinfo=None))
        text = f"{yours:%H:%M} your time = {_group_words([earliest], yours)}"
        if (latest.local.replace(tzinfo=None), zone_name(latest.zone, latest.local)) != (
            earliest.local.replace(tzinfo=None),
            zone_name(earliest.zone, earliest.local),
        ):
            text += f" to {_group_words([latest], yours)}"
        if self.unknown:
            text += f" (not known for {len(self.unknown)} of {len(self.times)} numbers)"
        return text

    def warning(self, shown: Sequence[str] | None = None) -> str:
        """Which numbers ring outside the window ("" when none do). `shown`: the numbers as typed."""
        outside = self.outside
        if not outside:
            return ""
        names = dict(zip((t.number for t in self.times), shown or (), strict=False))
        listed = "; ".join(f"{names.get(t.number, _phone(t.number))} ({t.there()})" for t in outside)
        count = f"{len(outside)} of {len(self.times)} numbers ring"
        if len(outside) == 1 and len(self.times) == 1:
            count = "This number rings"
        return f"{count} outside {self.window.text} their time: {listed}. You can book anyway."


def broadcast_times(numbers: Sequence[str], moment: datetime, window: CallingWindow = DEFAULT_WINDOW) -> BroadcastTimes:
    return BroadcastTimes(tuple(recipient_time(n, moment, window) for n in numbers), window)


def _phone(number: str) -> str:
    from .validation import phone_text

    return phone_text(number)
