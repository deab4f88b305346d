from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, load the reference day (Amiens, 8 October 2018) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="0.0.0.0")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--reset", action="store_true", help="Delete the demo event and load it again.")
        parser.add_argument("--no-serve", action="store_true", help="Load the demo and stop.")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        from .serve import lan_address

        host = lan_address() if options["host"] in ("0.0.0.0", "::") else options["host"]
        call_command("load_demo", reset=options["reset"], base_url=f"http://{host}:{options['port']}")
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"], workers=options["workers"])
