"""Files attached to project sheets: what is accepted, checked on the content, and where it is kept.

The type is read from the first bytes of the file (its "magic number"), never from the name
or from what the browser says: a page or a program renamed `slides.pdf` is refused. Images
are also opened with Pillow, so that a truncated or forged file is refused too.

Files are kept outside MEDIA_ROOT, whose folder the application serves to anyone: a team's
slides are only for its members, the mentors, the jury and the organisers, and go out
through a view that checks this.
"""

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_SHEET = 20
# Pillow's own guard is 89 million pixels; a phone photo is about 12.
MAX_PIXELS = 40_000_000

# kind -> (content type, extensions a file of that kind may be named with)
KINDS = {
    "pdf": ("application/pdf", {".pdf"}),
    "png": ("image/png", {".png"}),
    "jpeg": ("image/jpeg", {".jpg", ".jpeg"}),
    "webp": ("image/webp", {".webp"}),
}
IMAGE_KINDS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}


def sniff(head):
    """The kind of a file from its first bytes ("pdf", "png", "jpeg", "webp"), or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _size_text(size):
    return _("%(size).1f MB") % {"size": size / (1024 * 1024)}


def check_upload(upload):
    """Return the kind of an uploaded file, or raise ValidationError saying what is wrong.

    Checks, in order: not empty, at most MAX_BYTES, content of an accepted type, a name that
    agrees with the content, and for images that Pillow can read them whole.
    """
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s: the limit is %(limit)s. Make it smaller (export the slides as PDF, or "
              "resize the photo) and try again.") % {"size": _size_text(size), "limit": _size_text(MAX_BYTES)},
            code="too_big",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None:
        raise ValidationError(
            _("This file is not a PDF, PNG, JPEG or WebP file (its content was checked, not only its name). "
              "Slides: export them as PDF. Images: PNG, JPEG or WebP."),
            code="bad_type",
        )
    extension = os.path.splitext(upload.name or "")[1].lower()
    if extension not in KINDS[kind][1]:
        raise ValidationError(
            _("The file's name ends in “%(extension)s” but its content is %(kind)s: rename it or choose "
              "the right file.") % {"extension": extension or _("(nothing)"), "kind": kind.upper()},
            code="name_mismatch",
        )
    if kind in IMAGE_KINDS:
        _check_image(upload, IMAGE_KINDS[kind])
    upload.seek(0)
    return kind


def _check_image(upload, expected_format):
    from PIL import Image

    try:
        with Image.open(upload) as image:
            width, height = image.size
            if image.format != expected_format:
                raise ValueError(image.format)
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("The image is %(width)d × %(height)d pixels: too large. Resize it and try again.")
                    % {"width": width, "height": height},
                    code="too_many_pixels",
                )
            image.verify()
    except ValidationError:
        raise
    except Exception:  # Pillow raises many kinds of errors on a broken file
        raise ValidationError(_("This image cannot be read: the file may be damaged."), code="broken_image") from None
    finally:
        upload.seek(0)


def too_big_message():
    return _("The file is larger than %(limit)s, the limit. Make it smaller (export the slides as PDF, or resize "
             "the photo) and try again.") % {"limit": _size_text(MAX_BYTES)}


class SizeLimitUploadHandler(FileUploadHandler):
    """Stop storing an upload as soon as it passes MAX_BYTES, rather than writing it all to disk first.

    The rest of the request is read and dropped; `request.upload_too_big` tells the view.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > MAX_BYTES:
            self.request.upload_too_big = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def too_many_files_message(count):
    return ngettext(
        "A sheet holds at most %(max)d file; remove one before adding another.",
        "A sheet holds at most %(max)d files; remove one before adding another.",
        MAX_FILES_PER_SHEET,
    ) % {"max": MAX_FILES_PER_SHEET, "count": count}


class PrivateStorage(FileSystemStorage):
    """Files under `<MEDIA_ROOT's parent>/private`, a folder no URL maps to.

    The location follows MEDIA_ROOT when tests or deployments change it (FileSystemStorage
    drops these cached values when the setting changes).
    """

    @cached_property
    def base_location(self):
        configured = getattr(settings, "PRIVATE_MEDIA_ROOT", None)
        return str(configured or Path(settings.MEDIA_ROOT).parent / "private")

    @cached_property
    def base_url(self):
        return None


private_storage = PrivateStorage()


def get_private_storage():
    return private_storage


def sheet_file_path(instance, filename):
    """A random name with the extension of the checked content: the person's name is kept apart."""
    extension = sorted(KINDS[instance.kind][1])[0] if instance.kind in KINDS else ""
    return f"teams/{instance.sheet.team.event_id}/{uuid.uuid4().hex}{extension}"
