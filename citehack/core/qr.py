"""QR codes as inline SVG (no image library) and as terminal text."""

import io

import qrcode
import qrcode.image.svg


def qr_svg(data, *, title=""):
    """Return an SVG document for `data`, scalable, black on white."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    svg = svg[svg.index("<svg"):]
    from django.utils.html import escape
    from django.utils.translation import gettext

    svg = svg.replace(">", f' role="img" aria-label="{escape(title or gettext("QR code"))}">', 1)
    return svg


def qr_terminal(data):
    """Return the QR code as text for a terminal."""
    qr = qrcode.QRCode(border=1)
    qr.add_data(data)
    out = io.StringIO()
    qr.print_ascii(out=out, invert=True)
    return out.getvalue()
