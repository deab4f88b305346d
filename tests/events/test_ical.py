"""The programme as iCalendar: parsed back here by unfolding, as a calendar application would."""

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.urls import reverse

from citehack.events.ical import _fold, programme_calendar
from citehack.events.models import ItemKind
from tests.factories import EventFactory, ProgrammeItemFactory

UTC = dt_timezone.utc
LONG_TITLE = "Atelier « Démocratisation du numérique » : créer ensemble des outils accessibles à tous les habitants"


def physical_lines(body):
    assert body.endswith("\r\n")
    lines = body.encode().split(b"\r\n")[:-1]
    for line in lines:
        assert b"\r" not in line and b"\n" not in line
        assert len(line) <= 75, line
        line.decode()  # a fold never cuts a UTF-8 character in two
    return lines


def unfold(body):
    physical_lines(body)
    return body.replace("\r\n ", "").split("\r\n")[:-1]


def unescape(value):
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append("\n" if following in "nN" else following)
        else:
            out.append(char)
    return "".join(out)


def parse(body):
    """Return the calendar's properties and one dict per VEVENT, values unescaped."""
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    calendar, events, current = {}, [], None
    for line in lines[1:-1]:
        name, value = line.split(":", 1)
        if (name, value) == ("BEGIN", "VEVENT"):
            assert current is None
            current = {}
        elif (name, value) == ("END", "VEVENT"):
            events.append(current)
            current = None
        else:
            target = calendar if current is None else current
            assert name not in target
            target[name] = value if name in {"DTSTART", "DTEND", "DTSTAMP", "UID"} else unescape(value)
    assert current is None
    return calendar, events


@pytest.fixture
def programme(db):
    event = EventFactory(
        title="Journée, citoyenne; d'Amiens", venue="L'Odyssée", address="12 rue de l'Église, Amiens",
        starts_at=datetime(2031, 10, 8, 7, 0, tzinfo=UTC), ends_at=datetime(2031, 10, 8, 16, 0, tzinfo=UTC),
    )
    welcome = ProgrammeItemFactory(
        event=event, kind=ItemKind.WELCOME, title="Accueil, café; croissants", room="Hall",
        starts_at=event.starts_at, ends_at=event.starts_at + timedelta(minutes=30),
        description="Ligne 1\nLigne 2\r\nLigne 3 \\ fin",
    )
    workshop = ProgrammeItemFactory(
        event=event, kind=ItemKind.WORKSHOP, title=LONG_TITLE, capacity=12, speakers="Léa Fontaine, Éric Dupré",
        starts_at=event.starts_at + timedelta(hours=1), ends_at=event.starts_at + timedelta(hours=2),
        description="é" * 100,
    )
    return event, [welcome, workshop]


def test_calendar_has_one_event_per_item_with_exact_values(programme):
    event, (welcome, workshop) = programme

    calendar, vevents = parse(programme_calendar(event, event.programme.all(), host="citehack.example"))

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//citehack//programme//FR"
    assert calendar["X-WR-CALNAME"] == "Journée, citoyenne; d'Amiens"
    assert len(vevents) == 2
    first, second = vevents
    assert first["UID"] == f"item-{welcome.pk}@citehack.example"
    assert (first["DTSTART"], first["DTEND"]) == ("20311008T070000Z", "20311008T073000Z")
    assert first["SUMMARY"] == "Accueil, café; croissants"
    assert first["DESCRIPTION"] == "Ligne 1\nLigne 2\nLigne 3 \\ fin"
    assert first["LOCATION"] == "Hall, L'Odyssée, 12 rue de l'Église, Amiens"
    assert second["SUMMARY"] == LONG_TITLE
    assert second["DESCRIPTION"] == "Léa Fontaine, Éric Dupré\n" + "é" * 100
    assert (second["DTSTART"], second["DTEND"]) == ("20311008T080000Z", "20311008T090000Z")
    assert {first["UID"], second["UID"]} != {first["UID"]}
    assert all(v["DTSTAMP"].endswith("Z") and len(v["DTSTAMP"]) == 16 for v in vevents)


def test_times_are_written_in_utc_whatever_the_local_zone(db):
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    event = EventFactory(starts_at=datetime(2031, 7, 1, 9, tzinfo=paris), ends_at=datetime(2031, 7, 1, 18, tzinfo=paris))
    ProgrammeItemFactory(event=event, starts_at=event.starts_at, ends_at=datetime(2031, 7, 1, 10, 15, tzinfo=paris))

    _, (vevent,) = parse(programme_calendar(event, event.programme.all()))

    assert (vevent["DTSTART"], vevent["DTEND"]) == ("20310701T070000Z", "20310701T081500Z")


def test_lone_carriage_return_cannot_break_a_line(db):
    event = EventFactory()
    ProgrammeItemFactory(event=event, title="Avant\rAprès", description="un\rdeux")

    _, (vevent,) = parse(programme_calendar(event, event.programme.all()))

    assert (vevent["SUMMARY"], vevent["DESCRIPTION"]) == ("Avant\nAprès", "un\ndeux")


@pytest.mark.parametrize("padding", range(6))
@pytest.mark.parametrize("char", ["é", "€", "🎉", "a"])
def test_folding_keeps_every_character_whole_at_any_offset(char, padding):
    line = "DESCRIPTION:" + "x" * padding + char * 120

    folded = _fold(line)

    parts = folded.encode().split(b"\r\n")
    assert all(len(part) <= 75 for part in parts)
    assert all(part.startswith(b" ") for part in parts[1:])
    assert all(len(part) >= 72 for part in parts[:-1])  # folds as late as the character allows
    assert folded.replace("\r\n ", "") == line


def test_short_lines_are_not_folded():
    line = "SUMMARY:" + "é" * 33  # 8 + 66 = 74 octets

    assert _fold(line) == line
    assert _fold(line + "a") == line + "a"
    assert _fold(line + "éa") != line + "éa"


def test_download_is_a_calendar_file(client, programme):
    event, _ = programme

    response = client.get(reverse("events:programme_ics", args=[event.slug]), HTTP_HOST="citehack.example:8443")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    _, vevents = parse(response.content.decode())
    assert [v["UID"].split("@")[1] for v in vevents] == ["citehack.example", "citehack.example"]


def test_download_from_an_ipv6_address_keeps_the_whole_host(client, programme):
    event, (welcome, _) = programme

    response = client.get(reverse("events:programme_ics", args=[event.slug]), HTTP_HOST="[::1]:8000")

    _, vevents = parse(response.content.decode())
    assert vevents[0]["UID"] == f"item-{welcome.pk}@[::1]"


def test_empty_programme_is_a_valid_calendar(db):
    event = EventFactory()

    calendar, vevents = parse(programme_calendar(event, []))

    assert vevents == []
    assert calendar["VERSION"] == "2.0"
