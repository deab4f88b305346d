from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from citehack.accounts.models import SignInLink
from citehack.accounts.services import create_sign_in_link


def test_purge_deletes_used_and_expired_links_and_keeps_live_ones(user):
    create_sign_in_link(user=user)  # fresh, unused
    create_sign_in_link(user=user)
    create_sign_in_link(user=user)
    fresh, used, expired = SignInLink.objects.order_by("pk")
    SignInLink.objects.filter(pk=used.pk).update(used_at=timezone.now() - timedelta(days=3))
    SignInLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=3))

    call_command("purge_sign_in_links")

    assert list(SignInLink.objects.values_list("pk", flat=True)) == [fresh.pk]
