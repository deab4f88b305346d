from django.core.management.base import BaseCommand
from django.urls import reverse

from citehack import demo


class Command(BaseCommand):
    help = "Load the reference day (Journée Créativité Citoyenne, Amiens, 8 October 2018) and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Delete the demo events and load them again.")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, reset=False, base_url="http://127.0.0.1:8000", **options):
        from citehack.events.models import Event
        from citehack.live.models import LiveState

        reference = demo.load(reset=reset)
        base = base_url.rstrip("/")
        self.stdout.write(self.style.SUCCESS("Démo / demo:"))
        self.stdout.write(f"  La journée de référence (8 octobre 2018, résultats publiés) : {base}{reference.get_absolute_url()}")
        replay = Event.objects.filter(slug=demo.REPLAY_SLUG).first()
        if replay is not None:
            live, _ = LiveState.objects.get_or_create(event=replay)
            self.stdout.write(f"  La même journée rejouée en direct (sprint en cours) : {base}{replay.get_absolute_url()}")
            self.stdout.write(f"    régie / control room : {base}{reverse('live:control', args=[replay.slug])}")
            self.stdout.write(f"    écran / screen       : {base}{reverse('live:screen', args=[live.screen_token])}")
            self.stdout.write(f"    téléphone / phone    : {base}{reverse('live:phone', args=[replay.slug])}")
        following = Event.objects.filter(slug=demo.NEXT_SLUG).first()
        if following is not None:
            self.stdout.write(f"  Prochaine édition (inscriptions ouvertes, complet) : {base}{following.get_absolute_url()}")
        self.stdout.write("Comptes de démonstration / demo accounts:")
        for account in demo.ACCOUNTS:
            if account.password:
                how = f"mot de passe / password: {account.password}  ({base}/accounts/sign-in/password/)"
            else:
                how = f"lien personnel à usage unique / single-use link: {base}{demo.sign_in_link(account.email)}"
            self.stdout.write(f"  {account.role:<12} {account.email:<38} {how}")
        self.stdout.write(
            "Les liens envoyés par e-mail s'affichent dans ce terminal / mail is printed in this terminal."
        )
