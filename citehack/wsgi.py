"""WSGI entry point: the pages and forms are served through WSGI (see docs/architecture.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citehack.settings")
application = get_wsgi_application()
