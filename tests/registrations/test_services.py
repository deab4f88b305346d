from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from citehack.core.models import AuditEntry
from citehack.events.models import Membership, Phase, Role
from citehack.registrations import services
from citehack.registrations.models import Registration, WorkshopSignup
from tests.factories import EventFactory, ProgrammeItemFactory, WorkshopFactory, WorkshopSignupFactory

from .conftest import PROFILE, confirmed_registration, link_in, waitlisted_registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def register(event, email, **kwargs):
    return services.register_participant(event=event, email=email, name=email.split("@")[0].title(), **{**PROFILE, **kwargs})


def is_participant(registration):
    return Membership.objects.filter(event=registration.event, user=registration.user, role=Role.PARTICIPANT).exists()


# Confirm or wait -----------------------------------------------------------------------------


def test_people_are_confirmed_while_places_are_free_then_waitlisted():
    event = EventFactory(capacity=2)
    first, second, third = (register(event, f"p{n}@example.org") for n in range(3))
    assert [r.state for r in (first, second, third)] == ["confirmed", "confirmed", "waitlisted"]
    assert first.waitlisted_at is None
    assert third.waitlisted_at is not None
    assert services.waitlist_position(third) == 1
    assert services.waitlist_position(first) is None


def test_register_stores_profile_and_consent(settings):
    event = EventFactory()
    registration = register(event, "Ada@Example.org", phone=" 06 12 34 56 78 ")
    registration.refresh_from_db()
    assert registration.user.email == "ada@example.org"
    assert registration.phone == "06 12 34 56 78"
    assert registration.skills == ["digital", "field"]
    assert registration.themes == ["employment"]
    assert registration.consent_version == settings.PRIVACY_NOTICE_VERSION
    assert timezone.now() - registration.consent_at < timedelta(seconds=5)
    assert registration.source == "form"


def test_only_confirmed_people_get_the_participant_role():
    event = EventFactory(capacity=1)
    confirmed = register(event, "a@example.org")
    waiting = register(event, "b@example.org")
    assert is_participant(confirmed)
    assert not is_participant(waiting)


def test_unlimited_capacity_confirms_everyone():
    event = EventFactory(capacity=None)
    registrations = [register(event, f"p{n}@example.org") for n in range(5)]
    assert {r.state for r in registrations} == {"confirmed"}


def test_register_writes_an_audit_row():
    event = EventFactory()
    registration = register(event, "a@example.org")
    entry = AuditEntry.objects.get(action="registration.create")
    assert entry.event == event
    assert entry.object_id == str(registration.pk)
    assert entry.after == {"state": "confirmed", "source": "form"}


def test_confirmation_mail_goes_out_only_after_commit(django_capture_on_commit_callbacks):
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        register(event, "a@example.org")
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_confirmation_mail_holds_a_working_personal_link(client, django_capture_on_commit_callbacks):
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        register(event, "a@example.org")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["a@example.org"]
    assert "is confirmed" in message.subject
    assert event.title in message.subject
    response = client.post(link_in(message))
    assert response.status_code == 302
    assert response["Location"] == reverse("registrations:mine", kwargs={"slug": event.slug})
    client.cookies["django_language"] = "en"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Confirmed" in page.content.decode()


def test_waitlisted_mail_says_waiting_list_and_position(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    register(event, "a@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        register(event, "b@example.org")
    message = mail.outbox[-1]
    assert "waiting list" in message.subject
    assert "position 1" in message.body


def test_registering_twice_is_refused_and_creates_nothing():
    event = EventFactory()
    first = register(event, "a@example.org")
    with pytest.raises(services.AlreadyRegistered) as raised:
        register(event, "A@example.org")
    assert raised.value.registration == first
    assert Registration.objects.count() == 1


def test_a_cancelled_person_registering_again_goes_through_the_capacity_again():
    event = EventFactory(capacity=1)
    first = register(event, "a@example.org")
    services.cancel_registration(actor=first.user, registration=first)
    register(event, "b@example.org")
    again = register(event, "a@example.org", neighbourhood="Saint-Leu")
    assert again.pk == first.pk
    assert again.state == "waitlisted"
    assert again.cancelled_at is None
    assert again.neighbourhood == "Saint-Leu"
    assert AuditEntry.objects.filter(action="registration.reactivate", object_id=str(first.pk)).count() == 1
    assert Registration.objects.filter(event=event).count() == 2


def test_a_cancelled_person_registering_again_with_a_free_place_is_confirmed():
    event = EventFactory(capacity=2)
    first = register(event, "a@example.org")
    services.cancel_registration(actor=first.user, registration=first)
    again = register(event, "a@example.org")
    assert again.state == "confirmed"
    assert is_participant(again)


def test_unknown_profile_codes_are_refused():
    event = EventFactory()
    with pytest.raises(ValidationError):
        register(event, "a@example.org", skills=["juggling"])
    with pytest.raises(ValidationError):
        register(event, "a@example.org", status="astronaut")
    assert Registration.objects.count() == 0


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.CHALLENGE_VOTE, Phase.LIVE])
def test_the_public_form_cannot_register_outside_the_registration_phase(phase):
    event = EventFactory(phase=phase)
    with pytest.raises(ValidationError):
        register(event, "a@example.org")
    assert Registration.objects.count() == 0


def test_an_import_may_register_outside_the_registration_phase():
    event = EventFactory(phase=Phase.TEAM_FORMATION)
    assert register(event, "a@example.org", source="import").state == "confirmed"


# Cancel and promote -------------------------------------------------------------------------


def test_cancel_promotes_the_earliest_waiting_person(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    leaving = confirmed_registration(event)
    now = timezone.now()
    later = waitlisted_registration(event, waitlisted_at=now)  # created first, queued later
    earlier = waitlisted_registration(event, waitlisted_at=now - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.cancel_registration(actor=leaving.user, registration=leaving)
    assert promoted == [earlier]
    earlier.refresh_from_db()
    later.refresh_from_db()
    assert earlier.state == "confirmed"
    assert earlier.promoted_at is not None
    assert later.state == "waitlisted"
    assert is_participant(earlier)
    assert AuditEntry.objects.filter(action="registration.promote", object_id=str(earlier.pk)).count() == 1
    assert [m.to for m in mail.outbox] == [[earlier.user.email]]
    # Someone else's cancellation: the person's own language, else the site's, whatever the page.
    assert mail.outbox[0].subject.startswith("Une place s'est libérée pour vous")


def test_the_promotion_mail_is_in_the_promoted_persons_language(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    leaving = confirmed_registration(event)
    waiting = waitlisted_registration(event)
    waiting.user.language = "en"
    waiting.user.save(update_fields=["language"])

    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(actor=leaving.user, registration=leaving)

    assert mail.outbox[-1].subject.startswith("A place is free for you")
    assert mail.outbox[-1].body.startswith("Hello")


def test_registering_remembers_the_language_of_the_form_and_writes_in_it(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(event, "ada@example.org")  # the page is in English (fixture)
    assert registration.user.language == "en"
    assert mail.outbox[-1].subject.startswith("Your place at")

    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        imported = register(event, "bob@example.org", source="import")  # an organiser's import
    assert imported.user.language == ""  # not chosen by the person
    assert mail.outbox[-1].to == ["bob@example.org"]

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        register(event, "cy@example.org", source="import")
    assert not mail.outbox[-1].subject.startswith("Your place at")  # the site's language, not the organiser's


def test_promotion_follows_queue_order_over_successive_cancellations():
    event = EventFactory(capacity=2)
    a, b = register(event, "a@example.org"), register(event, "b@example.org")
    c, d, e = (register(event, f"{x}@example.org") for x in "cde")
    services.cancel_registration(actor=None, registration=b)
    services.cancel_registration(actor=None, registration=a)
    states = {r.user.email[0]: r.state for r in Registration.objects.filter(event=event).select_related("user")}
    assert states == {"a": "cancelled", "b": "cancelled", "c": "confirmed", "d": "confirmed", "e": "waitlisted"}
    assert services.waitlist_position(Registration.objects.get(pk=e.pk)) == 1


def test_cancel_removes_the_participant_role_and_workshop_signups():
    event = EventFactory()
    registration = confirmed_registration(event)
    WorkshopSignupFactory(item=WorkshopFactory(event=event), registration=registration)
    services.cancel_registration(actor=registration.user, registration=registration)
    registration.refresh_from_db()
    assert registration.state == "cancelled"
    assert registration.cancelled_at is not None
    assert not is_participant(registration)
    assert not WorkshopSignup.objects.exists()
    entry = AuditEntry.objects.get(action="registration.cancel")
    assert entry.before == {"state": "confirmed"}
    assert entry.actor == registration.user


def test_cancelling_a_waiting_person_promotes_nobody():
    event = EventFactory(capacity=1)
    confirmed_registration(event)
    first, second = waitlisted_registration(event), waitlisted_registration(event)
    assert services.cancel_registration(actor=None, registration=first) == []
    second.refresh_from_db()
    assert second.state == "waitlisted"


def test_cancelling_twice_changes_nothing():
    event = EventFactory(capacity=1)
    registration = confirmed_registration(event)
    waitlisted_registration(event)
    services.cancel_registration(actor=None, registration=registration)
    assert services.cancel_registration(actor=None, registration=registration) == []
    assert AuditEntry.objects.filter(action="registration.cancel").count() == 1
    assert Registration.objects.filter(state="confirmed").count() == 1


def test_cancel_below_a_lowered_capacity_frees_no_place():
    event = EventFactory(capacity=3)
    registrations = [confirmed_registration(event) for _ in range(3)]
    waiting = waitlisted_registration(event)
    event.capacity = 1
    event.save()
    services.cancel_registration(actor=None, registration=registrations[0])
    waiting.refresh_from_db()
    assert waiting.state == "waitlisted"


def test_raising_the_capacity_promotes_waiting_people_in_order(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    confirmed_registration(event)
    now = timezone.now()
    queue = [waitlisted_registration(event, waitlisted_at=now + timedelta(seconds=n)) for n in range(3)]
    event.capacity = 3
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.promote_waiting(actor=None, event=event)
    assert promoted == queue[:2]
    assert [Registration.objects.get(pk=r.pk).state for r in queue] == ["confirmed", "confirmed", "waitlisted"]
    assert len(mail.outbox) == 2


def test_removing_the_capacity_promotes_everyone_waiting():
    event = EventFactory(capacity=1)
    confirmed_registration(event)
    queue = [waitlisted_registration(event) for _ in range(3)]
    event.capacity = None
    event.save()
    assert len(services.promote_waiting(actor=None, event=event)) == 3
    assert not Registration.objects.filter(state="waitlisted").exists()


def test_promote_waiting_with_no_free_place_promotes_nobody():
    event = EventFactory(capacity=1)
    confirmed_registration(event)
    waitlisted_registration(event)
    assert services.promote_waiting(actor=None, event=event) == []


def test_a_newcomer_never_jumps_the_queue_after_a_capacity_raise():
    event = EventFactory(capacity=1)
    confirmed_registration(event)
    waiting = waitlisted_registration(event)
    event.capacity = 2  # raised without promote_waiting: the next registration fills it first
    event.save()
    newcomer = register(event, "new@example.org")
    waiting.refresh_from_db()
    assert waiting.state == "confirmed"
    assert newcomer.state == "waitlisted"


# Check-in -------------------------------------------------------------------------------------


def test_check_in_is_idempotent_and_audited_once(organiser):
    registration = confirmed_registration(EventFactory())
    first, changed = services.check_in(actor=organiser, registration=registration)
    assert changed
    arrived = first.checked_in_at
    second, changed_again = services.check_in(actor=organiser, registration=registration)
    assert not changed_again
    assert second.checked_in_at == arrived
    assert AuditEntry.objects.filter(action="registration.check_in").count() == 1


def test_undo_check_in_clears_the_time(organiser):
    registration = confirmed_registration(EventFactory())
    services.check_in(actor=organiser, registration=registration)
    _registration, changed = services.undo_check_in(actor=organiser, registration=registration)
    assert changed
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert services.undo_check_in(actor=organiser, registration=registration)[1] is False
    assert AuditEntry.objects.filter(action="registration.undo_check_in").count() == 1


def test_a_waiting_person_cannot_be_checked_in(organiser):
    registration = waitlisted_registration(EventFactory())
    with pytest.raises(ValidationError):
        services.check_in(actor=organiser, registration=registration)
    registration.refresh_from_db()
    assert registration.checked_in_at is None


# Workshops ------------------------------------------------------------------------------------


def test_workshop_capacity_is_enforced():
    event = EventFactory()
    workshop = WorkshopFactory(event=event, capacity=1)
    first, second = confirmed_registration(event), confirmed_registration(event)
    _signup, created = services.sign_up_workshop(actor=first.user, registration=first, item=workshop)
    assert created
    with pytest.raises(services.WorkshopFull):
        services.sign_up_workshop(actor=second.user, registration=second, item=workshop)
    assert workshop.signups.count() == 1


def test_signing_up_twice_for_a_workshop_is_idempotent():
    event = EventFactory()
    workshop = WorkshopFactory(event=event, capacity=1)
    registration = confirmed_registration(event)
    first, _created = services.sign_up_workshop(actor=None, registration=registration, item=workshop)
    again, created = services.sign_up_workshop(actor=None, registration=registration, item=workshop)
    assert not created
    assert again == first
    assert AuditEntry.objects.filter(action="workshop.sign_up").count() == 1


def test_only_confirmed_participants_sign_up_for_workshops():
    event = EventFactory()
    workshop = WorkshopFactory(event=event)
    with pytest.raises(ValidationError):
        services.sign_up_workshop(actor=None, registration=waitlisted_registration(event), item=workshop)
    assert not WorkshopSignup.objects.exists()


@pytest.mark.parametrize(
    "make_item",
    [
        lambda event: WorkshopFactory(),  # another event's workshop
        lambda event: ProgrammeItemFactory(event=event),  # a talk: no sign-ups
        lambda event: WorkshopFactory(event=event, capacity=None),
        lambda event: WorkshopFactory(
            event=event, starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(hours=1)
        ),
    ],
    ids=["other-event", "not-a-workshop", "no-capacity", "over"],
)
def test_sign_up_is_refused_for_items_that_take_none(make_item):
    event = EventFactory()
    registration = confirmed_registration(event)
    with pytest.raises(ValidationError):
        services.sign_up_workshop(actor=None, registration=registration, item=make_item(event))
    assert not WorkshopSignup.objects.exists()


def test_leaving_a_workshop_frees_the_place():
    event = EventFactory()
    workshop = WorkshopFactory(event=event, capacity=1)
    first, second = confirmed_registration(event), confirmed_registration(event)
    services.sign_up_workshop(actor=None, registration=first, item=workshop)
    assert services.leave_workshop(actor=None, registration=first, item=workshop)
    assert not services.leave_workshop(actor=None, registration=first, item=workshop)
    assert services.sign_up_workshop(actor=None, registration=second, item=workshop)[1]
