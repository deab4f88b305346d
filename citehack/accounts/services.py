"""Writes for accounts: sign-in links."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from citehack.core.tasks import send_mail_after_commit

from .models import SignInLink, User, hash_token  # noqa: F401 (hash_token is used by views)


class RateLimited(Exception):
    pass


def hit_rate_limit(key, *, limit, window):
    """Count one hit on `key`; return True when the limit for the window is passed."""
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > limit


def absolute_url(path, request=None):
    """Prefer the configured SITE_URL: the Host header is chosen by whoever sends the request,
    and a sign-in link mailed to someone else must not point at a host an attacker picked.
    """
    if settings.SITE_URL:
        return f"{settings.SITE_URL}{path}"
    if request is not None:
        return request.build_absolute_uri(path)
    return f"http://127.0.0.1:8000{path}"


def create_sign_in_link(*, user, next_url="", max_age=None):
    """Create a link for `user` and return the raw token (shown once, stored hashed)."""
    token = secrets.token_urlsafe(32)  # 256 bits
    if next_url and not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        next_url = ""
    SignInLink.objects.create(
        user=user,
        token_hash=hash_token(token),
        next_url=next_url,
        expires_at=timezone.now() + timedelta(seconds=max_age or settings.SIGN_IN_LINK_MAX_AGE),
    )
    return token


def sign_in_path(token):
    return reverse("accounts:use_link", kwargs={"token": token})


def language_for(user):
    """The language to write to `user` in when someone else acts for them (an invitation, a
    team published): theirs if they chose one, else the site's, never the sender's."""
    return user.language or settings.LANGUAGE_CODE


def send_sign_in_link(*, user, request=None, next_url="", subject=None, intro=""):
    """Mail `user` a personal sign-in link, after the transaction commits."""
    token = create_sign_in_link(user=user, next_url=next_url)
    url = absolute_url(sign_in_path(token), request)
    language = user.language or translation.get_language()
    with translation.override(language):
        body = render_to_string(
            "accounts/mail/sign_in_link.txt",
            {"user": user, "url": url, "intro": intro, "hours": settings.SIGN_IN_LINK_MAX_AGE // 3600},
        )
        subject = str(subject or _("Your personal link to citehack"))
    send_mail_after_commit(subject=subject, body=body, to=[user.email])
    return token


def request_sign_in_link(*, email, address, request=None, next_url=""):
    """Send a link if the address belongs to someone; rate-limited per e-mail and per address.

    Answers the same whether or not the address is known, so the form does not reveal who
    is registered.
    """
    limit, window = settings.SIGN_IN_LINK_RATE
    email = email.strip().lower()
    if hit_rate_limit(f"signin:email:{hash_token(email)}", limit=limit, window=window):
        raise RateLimited
    # A whole venue shares one address: allow it more.
    if hit_rate_limit(f"signin:ip:{address}", limit=limit * 20, window=window):
        raise RateLimited
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return None
    with transaction.atomic():
        return send_sign_in_link(user=user, request=request, next_url=next_url)


def use_sign_in_link(*, token):
    """Consume a link; return (user, next_url) or None if unknown, used or expired."""
    with transaction.atomic():
        link = (
            SignInLink.objects.select_for_update()
            .select_related("user")
            .filter(token_hash=hash_token(token))
            .first()
        )
        if link is None or not link.is_usable or not link.user.is_active:
            return None
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    return link.user, link.next_url


def get_or_create_user(*, email, name):
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, name=name.strip())
    return user
