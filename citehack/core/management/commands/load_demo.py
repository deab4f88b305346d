from django.core.management.base import BaseCommand

from citehack import demo


class Command(BaseCommand):
    help = "Load the reference day (Journée Créativité Citoyenne, Amiens, 8 October 2018) and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Delete the demo event and load it again.")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, reset=False, base_url="http://127.0.0.1:8000", **options):
        event = demo.load(reset=reset)
        base = base_url.rstrip("/")
        self.stdout.write(self.style.SUCCESS(f"Démo : {event.title} — {base}{event.get_absolute_url()}"))
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
