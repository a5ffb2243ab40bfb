"""Uploaded images: decoded and written again by Pillow before they are stored.

A file is stored as an image only if Pillow reads it as JPEG, PNG or WebP; it is then
re-encoded in the same format, at most `max_side` pixels a side, with EXIF (GPS position,
camera), ICC and text chunks dropped, under a name whose extension says its format. HTML, SVG or
a polyglot cannot come out of this as anything but pixels. The model field does it on save, so
every entry point (admin, pages, services, API) gets the same rule; its form field does it on
validation, so a form shows the Polish message instead of failing on save.
"""

from __future__ import annotations

import io
import warnings
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from PIL import Image, ImageOps, UnidentifiedImageError

# HEIC is not here: pillow-heif is not installed; phones send JPEG when uploading to a form.
FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
ACCEPT = "image/jpeg,image/png,image/webp"
MAX_SIDE = 2048
# Decompression-bomb guard: a header declaring more pixels than this is refused before decoding
# (a 1 KB PNG can declare 100,000 × 100,000 pixels). 64 MP covers today's phone cameras.
MAX_PIXELS = 64_000_000

NOT_AN_IMAGE = "Plik nie jest zdjęciem w formacie JPEG, PNG ani WebP albo jest uszkodzony."
TOO_LARGE = "Zdjęcie ma za dużo pikseli (najwyżej {limit} mln); zmniejsz je przed wysłaniem."


def sanitize_image(upload, *, max_side: int = MAX_SIDE, name: str | None = None) -> ContentFile:
    """Return the image re-encoded (allowed format, bounded size, no metadata) as a named
    ContentFile; ValidationError in Polish for anything that is not such an image."""
    if getattr(upload, "sip_sanitized", False):
        return upload
    name = name or getattr(upload, "name", None) or "zdjecie"
    if hasattr(upload, "seek"):
        upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=list(FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(TOO_LARGE.format(limit=MAX_PIXELS // 1_000_000), code="too_large")
            source_format = image.format
            if source_format == "JPEG":
                image.draft("RGB", (max_side, max_side))  # decode at 1/2, 1/4, 1/8 when it can
            image.load()
            image = ImageOps.exif_transpose(image)  # keep the orientation the EXIF asked for
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(TOO_LARGE.format(limit=MAX_PIXELS // 1_000_000), code="too_large") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ValidationError(NOT_AN_IMAGE, code="invalid_image") from exc
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if source_format == "JPEG":
        image.convert("RGB" if image.mode not in ("L", "RGB") else image.mode).save(
            out, "JPEG", quality=88, optimize=True
        )
    elif source_format == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        keep = {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
        image.save(out, "PNG", optimize=True, **keep)
    else:
        image.convert("RGBA" if "A" in image.getbands() else "RGB").save(out, "WEBP", quality=85)
    stem = PurePath(str(name).replace("\\", "/")).stem[:80] or "zdjecie"
    clean = ContentFile(out.getvalue(), name=stem + FORMATS[source_format])
    clean.sip_sanitized = True
    clean.content_type = Image.MIME[source_format]
    return clean


class SanitizedImageFormField(forms.ImageField):
    """An image upload that is re-encoded while the form validates (see sanitize_image)."""

    default_error_messages = {"invalid_image": NOT_AN_IMAGE}

    def __init__(self, *, max_side: int = MAX_SIDE, **kwargs):
        self.max_side = max_side
        super().__init__(**kwargs)

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)  # the empty/size checks, not Pillow's verify
        if upload is None:
            return None
        return sanitize_image(upload, max_side=self.max_side)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ACCEPT
        return attrs


class SanitizedImageField(models.ImageField):
    """ImageField whose new files are re-encoded before they reach the storage."""

    def __init__(self, *args, max_side: int = MAX_SIDE, **kwargs):
        self.max_side = max_side
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.max_side != MAX_SIDE:
            kwargs["max_side"] = self.max_side
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(
            **{"form_class": SanitizedImageFormField, "max_side": self.max_side, **kwargs}
        )

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            clean = sanitize_image(file.file, max_side=self.max_side, name=file.name)
            file.save(clean.name, clean, save=False)
        return super().pre_save(model_instance, add)
