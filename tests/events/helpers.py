from django.contrib.messages import get_messages
from django.utils import translation

from citehack.core.models import AuditEntry
from citehack.events.models import Event, Membership, Organisation, Partner, ProgrammeItem


def fr(text, **values):
    """`text` as a French visitor reads it (the source string until it is translated)."""
    with translation.override("fr"):
        translated = translation.gettext(text)
    return translated % values if values else translated


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def template_names(response):
    return [template.name for template in response.templates]


def database_state():
    """Counts of everything an organiser page may write, to prove a refused request wrote nothing."""
    return {
        "events": list(Event.objects.order_by("pk").values_list("pk", "title", "phase", "slug")),
        "organisations": Organisation.objects.count(),
        "items": list(ProgrammeItem.objects.order_by("pk").values_list("pk", "title", "capacity")),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", "role")),
        "partners": Partner.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def sign_in_url(path):
    from django.urls import reverse

    return f"{reverse('accounts:sign_in')}?next={path}"
