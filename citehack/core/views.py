"""Helpers every app's views use: load the event, then authorise."""

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render


def event_view(perm=None, *, login=True):
    """Load the event named by `slug` and check `perm` on it; pass it as `event`.

    Anonymous visitors are sent to sign in; a signed-in person without the right gets the
    403 page saying so.
    """
    from citehack.events.models import Event

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            event = get_object_or_404(Event.objects.select_related("organisation"), slug=slug)
            if perm is not None:
                if login and not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if not request.user.has_perm(perm, event):
                    raise PermissionDenied
            return view(request, event, *args, **kwargs)

        return wrapper

    return decorator


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def server_error(request):
    return render(request, "500.html", status=500)


def set_language(request):
    """Django's language switch (a cookie), also remembered on the signed-in person's account,
    so that mail sent to them when someone else acts is written in the language they chose."""
    from django.conf import settings
    from django.views.i18n import set_language as switch

    response = switch(request)
    code = request.POST.get("language", "") if request.method == "POST" else ""
    if (request.user.is_authenticated and code in dict(settings.LANGUAGES)
            and response.cookies.get(settings.LANGUAGE_COOKIE_NAME) and request.user.language != code):
        request.user.language = code
        request.user.save(update_fields=["language"])
    return response
