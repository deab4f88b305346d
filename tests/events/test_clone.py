from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from citehack.core.models import AuditEntry
from citehack.events import services
from citehack.events.models import Event, ItemKind, Phase, Role
from tests.factories import EventFactory, MembershipFactory, ProgrammeItemFactory, RegistrationFactory

from .helpers import database_state, fr

PARIS = ZoneInfo("Europe/Paris")


def amiens_day():
    event = EventFactory(
        title="Journée d'Amiens", slug="amiens-2018", description="Défis citoyens", capacity=120, phase=Phase.CLOSED,
        starts_at=datetime(2018, 10, 8, 9, tzinfo=PARIS), ends_at=datetime(2018, 10, 8, 18, tzinfo=PARIS),
    )
    ProgrammeItemFactory(event=event, kind=ItemKind.WELCOME, title="Accueil", starts_at=event.starts_at,
                         ends_at=event.starts_at + timedelta(minutes=30), room="Hall")
    ProgrammeItemFactory(event=event, kind=ItemKind.WORKSHOP, title="Atelier", capacity=15, speakers="Léa",
                         starts_at=event.starts_at + timedelta(hours=1), ends_at=event.starts_at + timedelta(hours=2))
    ProgrammeItemFactory(event=event, kind=ItemKind.AWARDS, title="Remise des prix",
                         starts_at=event.starts_at + timedelta(hours=8), ends_at=event.starts_at + timedelta(hours=9))
    event.partners.create(name="Région", order=1)
    RegistrationFactory(event=event)
    MembershipFactory(event=event, role=Role.JUROR)
    event.refresh_from_db()  # times in UTC: adding a timedelta to a Paris time would add wall-clock time
    return event


def test_clone_copies_the_programme_shifted_and_nothing_personal(client, db):
    source = amiens_day()
    organiser = MembershipFactory(event=source, role=Role.ORGANISER).user
    client.force_login(organiser)

    response = client.post(
        reverse("events:clone", args=[source.slug]),
        {"title": "Journée d'Amiens 2031", "slug": "amiens-2031", "starts_at": "2031-03-20T09:30"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("events:manage", args=["amiens-2031"])
    copy = Event.objects.get(slug="amiens-2031")
    # Absolute times: the source is in summer time, the copy in winter time.
    shift = datetime(2031, 3, 20, 9, 30, tzinfo=PARIS) - source.starts_at
    assert (copy.title, copy.phase, copy.organisation) == ("Journée d'Amiens 2031", Phase.DRAFT, source.organisation)
    assert (copy.description, copy.capacity, copy.venue) == ("Défis citoyens", 120, source.venue)
    assert (copy.starts_at, copy.ends_at) == (source.starts_at + shift, source.ends_at + shift)
    fields = ["kind", "title", "room", "speakers", "capacity", "description"]
    assert [
        (*(getattr(i, f) for f in fields), i.starts_at - shift, i.ends_at - shift) for i in copy.programme.all()
    ] == [(*(getattr(i, f) for f in fields), i.starts_at, i.ends_at) for i in source.programme.all()]
    assert [timezone.localtime(i.starts_at).strftime("%H:%M") for i in copy.programme.all()] == ["09:30", "10:30", "17:30"]
    assert [p.name for p in copy.partners.all()] == ["Région"]
    assert copy.registrations.count() == 0
    assert [(m.user, m.role) for m in copy.memberships.all()] == [(organiser, Role.ORGANISER)]
    assert source.programme.count() == 3 and source.registrations.count() == 1
    entry = AuditEntry.objects.get(action="event.clone")
    assert (entry.event, entry.actor, entry.before) == (copy, organiser, {"source": "amiens-2018"})


def test_clone_to_an_earlier_date_shifts_back(db):
    source = amiens_day()
    organiser = MembershipFactory(event=source, role=Role.ORGANISER).user
    new_start = source.starts_at - timedelta(days=400)

    copy = services.clone_event(actor=organiser, source=source, title="Avant", slug="avant", starts_at=new_start)

    assert [i.starts_at for i in copy.programme.all()] == [i.starts_at - timedelta(days=400) for i in source.programme.all()]


def test_clone_refuses_a_short_name_in_use(organiser_client, event):
    before = database_state()

    response = organiser_client.post(
        reverse("events:clone", args=[event.slug]), {"title": "Copie", "slug": event.slug, "starts_at": "2031-03-20T09:30"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == [fr("Another event already uses this short name.")]
    assert database_state() == before


def test_clone_form_starts_from_the_source(organiser_client, event):
    response = organiser_client.get(reverse("events:clone", args=[event.slug]))

    assert response.context["form"].initial == {"title": event.title, "starts_at": event.starts_at}
