"""factory_boy factories shared by every app's tests."""

from datetime import timedelta

import factory
from django.utils import timezone

from citehack.accounts.models import User
from citehack.events.models import Event, ItemKind, Membership, Organisation, Phase, ProgrammeItem, Role
from citehack.registrations.models import Registration, RegistrationState


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name", locale="fr_FR")
    password = factory.django.Password("correct horse battery staple")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Association {n}")
    slug = factory.Sequence(lambda n: f"association-{n}")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Journée citoyenne {n}")
    slug = factory.Sequence(lambda n: f"journee-{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=9))
    venue = "L'Odyssée"
    capacity = 60
    phase = Phase.REGISTRATION


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ORGANISER


class ProgrammeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeItem

    event = factory.SubFactory(EventFactory)
    kind = ItemKind.TALK
    title = factory.Sequence(lambda n: f"Item {n}")
    starts_at = factory.LazyAttribute(lambda o: o.event.starts_at)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    state = RegistrationState.CONFIRMED
    status = "resident"
    skills = factory.LazyFunction(lambda: ["field"])
    neighbourhood = "Etouvie"
    age_band = "26-35"
    consent_at = factory.LazyFunction(timezone.now)
    consent_version = "2026-11"


class WaitlistedRegistrationFactory(RegistrationFactory):
    state = RegistrationState.WAITLISTED
    waitlisted_at = factory.LazyFunction(timezone.now)


class WorkshopFactory(ProgrammeItemFactory):
    kind = ItemKind.WORKSHOP
    title = factory.Sequence(lambda n: f"Atelier {n}")
    capacity = 10


class WorkshopSignupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registrations.WorkshopSignup"

    item = factory.SubFactory(WorkshopFactory)
    registration = factory.SubFactory(RegistrationFactory, event=factory.SelfAttribute("..item.event"))
