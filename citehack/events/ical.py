"""iCalendar (RFC 5545) export of an event's programme, written by hand: it is small."""

from datetime import timezone as dt_timezone

from django.utils import timezone


def _escape(text):
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")  # a lone CR would end the content line
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line):
    """Fold a content line at 75 octets, as the RFC asks, without cutting a UTF-8 character."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(data[start:end].decode())
        start, limit = end, 74
    return "\r\n ".join(parts)


def _utc(value):
    return value.astimezone(dt_timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def programme_calendar(event, items, *, host="citehack"):
    """Return the programme as an iCalendar document (str with CRLF line ends)."""
    stamp = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//citehack//programme//FR",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(event.title)}",
    ]
    location = ", ".join(part for part in [event.venue, event.address] if part)
    for item in items:
        description = item.description
        if item.speakers:
            description = f"{item.speakers}\n{description}".strip()
        lines += [
            "BEGIN:VEVENT",
            f"UID:item-{item.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(item.starts_at)}",
            f"DTEND:{_utc(item.ends_at)}",
            f"SUMMARY:{_escape(item.title)}",
        ]
        if description:
            lines.append(f"DESCRIPTION:{_escape(description)}")
        where = ", ".join(part for part in [item.room, location] if part)
        if where:
            lines.append(f"LOCATION:{_escape(where)}")
        lines += [f"CATEGORIES:{_escape(item.get_kind_display())}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
