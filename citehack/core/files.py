"""Checks on uploaded files by their content, not their name."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

SIGNATURES = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "pdf": (b"%PDF-",),
}
LABELS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WebP", "pdf": "PDF"}


def sniff(head):
    """The kind of file `head` (its first bytes) starts, or None."""
    for kind, prefixes in SIGNATURES.items():
        if any(head.startswith(prefix) for prefix in prefixes):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def check_upload(upload, *, kinds, max_bytes):
    """Raise ValidationError unless `upload` is one of `kinds` (by content) and small enough.

    Returns the detected kind.
    """
    if upload.size > max_bytes:
        raise ValidationError(
            _("This file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)}
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    kind = sniff(head)
    if kind not in kinds:
        raise ValidationError(
            _("This file is not of an accepted type. Accepted: %(kinds)s.")
            % {"kinds": ", ".join(LABELS[k] for k in kinds)}
        )
    return kind
