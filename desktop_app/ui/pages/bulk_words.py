"""What the Bulk cancel page says: the result of a run and the hints about a checked list, in
plain words. "Cancelled" always counts calls; rows are counted by what they are (reference IDs or
QueueIDs), so one sentence never uses the word for two things."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...bulk import BulkTotals, Kind, PastedList
from ...service import InvalidInput
from ...service import validation as check
from ..widgets import Tone

if TYPE_CHECKING:
    from ...desk import ListKnowledge

NOUNS: dict[Kind, tuple[str, str]] = {"reference": ("reference ID", "reference IDs"), "queue": ("QueueID", "QueueIDs")}
SWITCH_HINT = "These look like reference IDs: switch to Reference IDs?"
CONCURRENCY_TIP = (
    "How many cancel requests go to the service at the same time. More is faster; "
    "fewer is gentler on a slow connection. From 1 to {most}."
)


def noun(kind: Kind, count: int) -> str:
    one, many = NOUNS[kind]
    return f"{count} {one if count == 1 else many}"


def calls(count: int) -> str:
    return f"{count} call{'' if count == 1 else 's'}"


def summary_words(summary: BulkTotals, kind: Kind) -> tuple[Tone, str, str]:
    """(kind, headline, body) of a finished run's result panel, e.g. "6 calls cancelled across
    3 reference IDs" and "3 reference IDs had nothing to cancel. Your account is credited…"."""
    headline = f"{calls(summary.calls_cancelled)} cancelled"
    if summary.calls_cancelled:
        headline += f" across {noun(kind, summary.cancelled_rows)}"
    parts = []
    if summary.nothing_rows:
        parts.append(f"{noun(kind, summary.nothing_rows)} had nothing to cancel")
    if summary.not_found_rows:
        parts.append(f"{noun(kind, summary.not_found_rows)} not found in any account")
    if summary.failed_rows:
        parts.append(f"{noun(kind, summary.failed_rows)} failed (the Details column says why)")
    if summary.not_sent:
        parts.append(f"{summary.not_sent} not sent (stopped)")
    body = ("; ".join(parts) + ". " if parts else "") + summary.credit_notice
    body = body[:1].upper() + body[1:]
    result = Tone.ERROR if summary.failed_rows else (Tone.SUCCESS if summary.calls_cancelled else Tone.INFO)
    return result, headline, body


def looks_like_references(parsed: PastedList) -> bool:
    """In QueueID mode: most rejected entries are valid reference IDs (someone pasted reference
    IDs with the wrong choice)."""
    if parsed.kind != "queue" or not parsed.invalid:
        return False
    valid = 0
    for entry in parsed.invalid:
        try:
            check.reference_id(entry.text)
        except InvalidInput:
            continue
        valid += 1
    return valid * 2 > len(parsed.invalid) and valid >= len(parsed.values)


def problems_title(parsed: PastedList) -> str:
    count = len(parsed.invalid) + len(parsed.duplicates)
    return f"Not sent ({count} {'entry' if count == 1 else 'entries'}):"


NEAR_SHOWN = 5  # reference IDs in other capitals named in the question; the rest are counted


def list_knowledge_words(knowledge: ListKnowledge | None) -> str:
    """What the bulk question says about this desk's own bookings of the listed reference IDs."""
    if knowledge is None or knowledge.problem:
        return "This desk's history could not be read, so it cannot say which of these it booked."
    total, known = knowledge.total, knowledge.known
    if known == total:
        text = (
            "This desk booked calls under it." if total == 1 else f"This desk booked calls under all {total} of them."
        )
    elif known:
        others = "other desks or programs may have booked the others"
        text = f"This desk booked calls under {known} of these {total}; {others}."
    else:
        text = "This desk has not booked calls under any of them; other desks or programs may have."
    near = knowledge.near
    if near:
        named = ", ".join(f"{typed} (booked here as {booked})" for typed, booked in near[:NEAR_SHOWN])
        more = f" and {len(near) - NEAR_SHOWN} more" if len(near) > NEAR_SHOWN else ""
        text += (
            f" {len(near)} {'differs' if len(near) == 1 else 'differ'} only in capitals or spaces from reference IDs"
            f" this desk booked: {named}{more}."
            " The service may match them exactly: correct them if you mean those calls."
        )
    return text
