"""Request helpers shared by several apps."""

from django.conf import settings


def client_address(request):
    """The address of the person's device, for rate limits.

    Behind the reverse proxy of docs/deploy.md every request comes from the proxy; the proxy
    appends the address it saw to X-Forwarded-For, so the last entry is the one to trust
    (entries before it are whatever the client sent).
    """
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
