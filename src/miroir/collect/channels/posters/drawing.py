"""QR posters: a printable page per unit (and journey moment) leading to a wave's open link.

The code carries a short address, ``/q/<wave code>/<unit id>/[<moment>/]``, which
redirects to the open link ``/o/<wave public id>/<unit id>/?m=<moment>``; the same short
address is printed under the code for people who type it. A4 portrait, in PDF (fpdf2)
and PNG (Pillow), black on white so it prints on any office printer.
"""

from __future__ import annotations

import base64
import io
import uuid
from dataclasses import dataclass

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from miroir.collect.models import Wave
from miroir.core.fonts import BOLD_CANDIDATES, FONT_CANDIDATES, font_path, latin1
from miroir.org.models import Unit

# Medium error correction: survives a crease or a smudge and keeps the code sparse.
QR_ERROR = "m"
QR_BORDER = 4
# The PNG is an A4 page at 150 dpi; the code sits in a square box of this geometry.
PNG_SIZE = (1240, 1754)
PNG_QR_TOP = 620
PNG_QR_BOX = 760


def wave_short_code(public_id: uuid.UUID) -> str:
    """Return the 22-character form of a wave's public id used in short addresses."""
    return base64.urlsafe_b64encode(public_id.bytes).decode("ascii").rstrip("=")


def wave_public_id_from_code(code: str) -> uuid.UUID | None:
    """Return the public id a short code stands for, or None for a malformed one."""
    if len(code) != 22:
        return None
    try:
        return uuid.UUID(bytes=base64.urlsafe_b64decode(code + "=="))
    except (ValueError, TypeError):
        return None


def poster_url(wave: Wave, unit: Unit, *, moment: str | None, language: str) -> str:
    """Return the short absolute address a poster carries (language only if not the wave's)."""
    args = [wave_short_code(wave.public_id), unit.pk]
    if moment:
        path = reverse("collect:poster_link_moment", args=[*args, moment])
    else:
        path = reverse("collect:poster_link", args=args)
    query = f"?lang={language}" if language != wave.language else ""
    return f"{settings.SITE_URL}{path}{query}"


@dataclass(frozen=True)
class PosterText:
    """The words of a poster, in its language."""

    headline: str
    unit: str
    moment: str
    invitation: str
    hint: str
    footer: str


def poster_text(wave: Wave, unit: Unit, *, moment_name: str | None, language: str) -> PosterText:
    """Return the poster's words in ``language``, for customers or for the organisation."""
    with translation.override(language):
        if wave.protects_identity:
            invitation = _("Scan the code to answer a short survey. It takes two minutes.")
            footer = _(
                "Your answers are anonymous: they are kept with your unit and the day, never "
                "with your name."
            )
        else:
            invitation = _("Scan the code and tell us how it went. It takes one minute.")
            footer = _("No account, no personal details asked.")
        return PosterText(
            headline=_("Your opinion matters"),
            unit=unit.name,
            moment=(_("About: %(moment)s") % {"moment": moment_name}) if moment_name else "",
            invitation=invitation,
            hint=_("or type this address:"),
            footer=footer,
        )


def _qr(url: str) -> segno.QRCode:
    return segno.make(url, error=QR_ERROR, micro=False)


def _qr_png(url: str, *, scale: int) -> bytes:
    buffer = io.BytesIO()
    _qr(url).save(buffer, kind="png", scale=scale, border=QR_BORDER)
    return buffer.getvalue()


def poster_pdf(text: PosterText, url: str) -> bytes:
    """Return the poster as an A4 PDF whose code (and a link on it) lead to ``url``."""
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(f"{text.headline} - {text.unit}")
    pdf.set_creator("Miroir")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    regular, bold = font_path(FONT_CANDIDATES), font_path(BOLD_CANDIDATES)
    if regular:
        pdf.add_font("poster", "", regular)
        pdf.add_font("poster", "B", bold or regular)
        family, clean = "poster", str
    else:
        family, clean = "helvetica", latin1
    width = pdf.w - 40

    def line(size: float, content: str, *, style: str = "", height: float = 0) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(width, height or size * 0.5, clean(content), align="C", new_x="LMARGIN")

    pdf.set_y(22)
    line(30, text.headline, style="B", height=14)
    pdf.ln(3)
    line(22, text.unit, style="B", height=11)
    if text.moment:
        line(15, text.moment, height=8)
    pdf.ln(4)
    line(15, text.invitation, height=8)
    size = 110
    top = max(pdf.get_y() + 6, 100)
    code = io.BytesIO(_qr_png(url, scale=10))
    pdf.image(code, x=(pdf.w - size) / 2, y=top, w=size, h=size, link=url)
    pdf.set_y(top + size + 4)
    line(11, text.hint, height=6)
    size = 12.0
    pdf.set_font(family, "B", size)
    while size > 7 and pdf.get_string_width(clean(url)) > width:
        size -= 0.5
        pdf.set_font(family, "B", size)
    pdf.multi_cell(width, 6, clean(url), align="C", new_x="LMARGIN", link=url)
    pdf.set_y(pdf.h - 32)
    pdf.set_text_color(60, 60, 60)
    line(10, text.footer, height=5)
    return bytes(pdf.output())


def png_qr_geometry(url: str) -> tuple[int, int, int]:
    """Return (left, top, module size in pixels) of the code drawn on the PNG poster.

    The left and top are those of the code's first module, inside its quiet zone.
    """
    modules = _qr(url).symbol_size(scale=1, border=QR_BORDER)[0]
    scale = PNG_QR_BOX // modules
    offset = (PNG_QR_BOX - modules * scale) // 2
    left = (PNG_SIZE[0] - PNG_QR_BOX) // 2 + offset + QR_BORDER * scale
    return left, PNG_QR_TOP + offset + QR_BORDER * scale, scale


def _wrap(draw: object, text: str, font: object, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and draw.textlength(candidate, font=font) > width:  # type: ignore[attr-defined]
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def poster_png(text: PosterText, url: str) -> bytes:
    """Return the poster as an A4 PNG at 150 dpi whose code leads to ``url``."""
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("RGB", PNG_SIZE, "white")
    draw = ImageDraw.Draw(page)
    regular, bold = font_path(FONT_CANDIDATES), font_path(BOLD_CANDIDATES)

    def font(size: int, *, strong: bool = False) -> object:
        path = (bold or regular) if strong else regular
        return ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)

    margin = 110
    width = PNG_SIZE[0] - 2 * margin

    def block(y: int, content: str, size: int, *, strong: bool = False, fill: str = "black") -> int:
        face = font(size, strong=strong)
        for row in _wrap(draw, content, face, width):
            row_width = draw.textlength(row, font=face)
            draw.text(((PNG_SIZE[0] - row_width) / 2, y), row, font=face, fill=fill)
            y += int(size * 1.3)
        return y

    y = block(110, text.headline, 84, strong=True) + 20
    y = block(y, text.unit, 62, strong=True)
    if text.moment:
        y = block(y, text.moment, 44)
    block(y + 20, text.invitation, 42)
    modules = _qr(url).symbol_size(scale=1, border=QR_BORDER)[0]
    scale = PNG_QR_BOX // modules
    code = Image.open(io.BytesIO(_qr_png(url, scale=scale))).convert("RGB")
    offset = (PNG_QR_BOX - code.width) // 2
    page.paste(code, ((PNG_SIZE[0] - PNG_QR_BOX) // 2 + offset, PNG_QR_TOP + offset))
    y = PNG_QR_TOP + PNG_QR_BOX + 20
    y = block(y, text.hint, 34)
    # The address has no space to wrap at: a smaller size keeps it on one line.
    size = 34
    while size > 18 and draw.textlength(url, font=font(size, strong=True)) > width:
        size -= 2
    block(y, url, size, strong=True)
    block(PNG_SIZE[1] - 160, text.footer, 30, fill="#3c3c3c")
    buffer = io.BytesIO()
    page.save(buffer, format="PNG", optimize=True, dpi=(150, 150))
    return buffer.getvalue()
