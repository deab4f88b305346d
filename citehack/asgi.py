"""ASGI entry point, kept for the live stream."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citehack.settings")
application = get_asgi_application()
