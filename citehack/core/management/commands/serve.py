import os
import socket

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def lan_address():
    """The address other devices on the local network reach this machine by."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        # No packet is sent: connecting a UDP socket only picks the outgoing interface.
        sock.connect(("10.255.255.255", 1))
        return sock.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        sock.close()


class Command(BaseCommand):
    help = "Serve citehack with a production-grade server (granian, WSGI)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", "8")),
                            help="Blocking threads per worker for the WSGI application.")
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument(
            "--pages-only", action="store_true",
            help="Serve pages and forms through WSGI only (production web workers); the live stream "
            "is then served by another `citehack serve` process, with REDIS_URL set.",
        )
        parser.add_argument("--quiet", action="store_true", help="Do not print the addresses and QR code.")

    def handle(self, *args, **options):
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        host, port = options["host"], options["port"]
        if not options["quiet"]:
            self.print_addresses(host, port)
        if options["workers"] > 1 and not options["pages_only"] and not settings.REDIS_URL:
            raise CommandError(
                _("Several workers holding live streams need REDIS_URL to share live events; "
                  "use one worker, or set REDIS_URL, or --pages-only.")
            )
        from granian import Granian

        if options["pages_only"]:
            target, interface, threads = "citehack.wsgi:application", "wsgi", options["threads"]
        else:
            # One process serves both: the stream as raw ASGI, pages through WSGI in threads.
            os.environ.setdefault("THREADS", str(options["threads"]))
            target, interface, threads = "citehack.asgi:application", "asgi", 1
        Granian(
            target,
            address=host,
            port=port,
            interface=interface,
            workers=options["workers"],
            blocking_threads=threads,
            log_access=False,
            backlog=4096,
        ).serve()

    def print_addresses(self, host, port):
        from citehack.core.qr import qr_terminal

        local = f"http://127.0.0.1:{port}/"
        self.stdout.write(self.style.SUCCESS(_("citehack is served on %(url)s") % {"url": local}))
        if host in ("0.0.0.0", "::"):
            lan = f"http://{lan_address()}:{port}/"
            self.stdout.write(_("On the local network (phones, projector): %(url)s") % {"url": lan})
            self.stdout.write(qr_terminal(lan))
        self.stdout.write(_("Database: %(engine)s") % {"engine": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]})
