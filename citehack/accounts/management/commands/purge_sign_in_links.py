from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from citehack.accounts.models import SignInLink


class Command(BaseCommand):
    help = "Delete sign-in links that were used or have expired (run it daily, e.g. from cron)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than-days", type=int, default=1, help="Keep links used or expired more recently.")

    def handle(self, *args, older_than_days=1, **options):
        cutoff = timezone.now() - timedelta(days=older_than_days)
        deleted, _ = SignInLink.objects.filter(Q(used_at__lt=cutoff) | Q(expires_at__lt=cutoff)).delete()
        self.stdout.write(f"{deleted} sign-in link(s) deleted.")
