"""Dates the way the portal writes them: ISO-8601 with the portal's UTC offset. Pure."""

from __future__ import annotations

import datetime as dt
import re

# The emulated portal's time zone (Bitrix24 answers in the portal's zone, not UTC).
PORTAL_TZ = dt.timezone(dt.timedelta(hours=3))
PORTAL_OFFSET_SECONDS = 3 * 3600

_RU_DATE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})(?:\s+(\d{2}):(\d{2})(?::(\d{2}))?)?\Z")


def iso(moment: float | dt.datetime) -> str:
    """``2024-05-01T10:30:00+03:00`` (seconds precision, portal offset)."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.fromtimestamp(moment, PORTAL_TZ)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=PORTAL_TZ)
    return moment.astimezone(PORTAL_TZ).replace(microsecond=0).isoformat()


_OFFSET_TEXT = dt.datetime(2000, 1, 1, tzinfo=PORTAL_TZ).isoformat()[-6:]  # "+03:00"


def iso_date(day: dt.date) -> str:
    """A date field as the portal returns it: midnight in the portal's zone."""
    return f"{day.isoformat()}T00:00:00{_OFFSET_TEXT}"


def parse_moment(text: str) -> dt.datetime | None:
    """Read a date or date-time a client may send: ISO-8601 (date only, naive or with an
    offset, ``Z``) or the portal's ``dd.mm.yyyy [hh:mm[:ss]]``. None when unreadable."""
    text = text.strip()
    match = _RU_DATE.match(text)
    try:
        if match:
            day, month, year, hour, minute, second = match.groups()
            moment = dt.datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
            )
        else:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PORTAL_TZ)
    return moment
