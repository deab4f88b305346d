"""Who a voter is, without ever storing it.

A phone gets a voter token: 256 random bits from `secrets`, followed by a 128-bit HMAC tag
keyed from SECRET_KEY. The tag lets the server recognise a token it issued without a
database lookup, so a made-up or altered token is refused before anything is written. The
database holds only the voter key: a second HMAC-SHA256 of the token under another key,
from which the token cannot be recovered.

The token travels in a cookie. Over HTTPS it is named `__Host-citehack-voter`: the
browser then only accepts it with Secure, Path=/ and no Domain, so no other host or plain-
HTTP page can plant one. The `__Host-` prefix requires Secure, which a browser refuses on
plain HTTP, so a venue laptop serving the LAN over HTTP uses the plain name
`citehack-voter` (HttpOnly, SameSite=Lax) instead.

A checked-in participant signed in on their phone votes as themself: their voter key is the
HMAC of their registration, the same on every device they sign in from.

Changing SECRET_KEY while a vote is open invalidates every token (phones get a new one and
could vote again): do not rotate it during the day.
"""

import base64
import binascii
import hmac

from django.conf import settings
from django.utils.crypto import salted_hmac

COOKIE_NAME = "citehack-voter"
SECURE_COOKIE_NAME = "__Host-citehack-voter"
COOKIE_MAX_AGE = 60 * 60 * 24 * 7
TOKEN_BYTES = 32  # 256 bits; the issue asks for at least 128
TAG_BYTES = 16
_SIGN_SALT = "citehack.audience.token"
_VOTER_SALT = "citehack.audience.voter"
_BODY_LENGTH = len(base64.urlsafe_b64encode(bytes(TOKEN_BYTES)).rstrip(b"="))
_TAG_LENGTH = len(base64.urlsafe_b64encode(bytes(TAG_BYTES)).rstrip(b"="))


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _tag(body):
    return _b64(salted_hmac(_SIGN_SALT, body, algorithm="sha256").digest()[:TAG_BYTES])


def new_token():
    """A fresh voter token, `body.tag`, to give to a phone."""
    import secrets

    body = _b64(secrets.token_bytes(TOKEN_BYTES))
    return f"{body}.{_tag(body)}"


def device_key(token):
    """The voter key of a token this server issued; None for anything else."""
    if not token or len(token) != _BODY_LENGTH + 1 + _TAG_LENGTH:
        return None
    body, dot, tag = token.partition(".")
    if not dot or len(body) != _BODY_LENGTH:
        return None
    try:
        base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(tag, _tag(body)):
        return None
    return salted_hmac(_VOTER_SALT, f"device:{body}", algorithm="sha256").hexdigest()


def participant_key(registration_pk):
    """The voter key of a checked-in participant: the same on every phone they sign in from."""
    return salted_hmac(_VOTER_SALT, f"participant:{registration_pk}", algorithm="sha256").hexdigest()


def is_secure(request):
    return bool(settings.SESSION_COOKIE_SECURE or request.is_secure())


def cookie_name(request):
    return SECURE_COOKIE_NAME if is_secure(request) else COOKIE_NAME


def read_token(request):
    """The token the request carries under the name this scheme uses, or ""."""
    return request.COOKIES.get(cookie_name(request), "")


def set_token_cookie(response, request, token):
    # No Domain and Path=/: both required by the __Host- prefix, and right for the plain name too.
    response.set_cookie(
        cookie_name(request), token, max_age=COOKIE_MAX_AGE, path="/", secure=is_secure(request),
        httponly=True, samesite="Lax",
    )
