"""Photos of a report: HEIC/HEIF converted to JPEG, then sip.images' rule (JPEG/PNG/WebP
re-encoded, at most 2048 px, EXIF and other metadata dropped); the EXIF GPS position read first,
for the resident who agrees to use it as the report's position."""

from __future__ import annotations

import io

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

from sip.images import MAX_PIXELS, sanitize_image

MAX_PHOTO_BYTES = 15 * 1024 * 1024
TOO_BIG = "Zdjęcie „{name}” jest większe niż 15 MB."
NOT_IMAGE = "Plik „{name}” nie jest zdjęciem w formacie JPEG, PNG, WebP ani HEIC albo jest uszkodzony."
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")


def _is_heif(head: bytes) -> bool:
    return len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS


def _open_heif(data: bytes) -> Image.Image:
    import pillow_heif

    heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
    if heif.size[0] * heif.size[1] > MAX_PIXELS:
        raise ValidationError("Zdjęcie ma za dużo pikseli.")
    image = heif.to_pillow()
    return image


def _gps_of(image: Image.Image) -> Point | None:
    try:
        gps = image.getexif().get_ifd(0x8825)
    except Exception:  # a broken EXIF block is no position, not an error
        return None
    try:
        lat = _degrees(gps[2], gps.get(1, "N"))
        lon = _degrees(gps[4], gps.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return Point(lon, lat, srid=4326)


def _degrees(dms, ref) -> float:
    d, m, s = (float(x) for x in dms)
    value = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    return -value if str(ref).strip().upper() in ("S", "W") else value


def prepare(upload) -> tuple[ContentFile, Point | None]:
    """Return the photo cleaned for storage and its EXIF GPS position (EPSG:4326) if it had one;
    ValidationError (Polish) for anything too big or not an image."""
    name = getattr(upload, "name", None) or "zdjecie"
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise ValidationError(TOO_BIG.format(name=name))
    upload.seek(0)
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError(TOO_BIG.format(name=name))
    position = None
    try:
        if _is_heif(data[:16]):
            image = _open_heif(data)
            position = _gps_of(image)
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=92)
            data = out.getvalue()
        else:
            with Image.open(io.BytesIO(data)) as probe:
                position = _gps_of(probe)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, RuntimeError) as exc:
        raise ValidationError(NOT_IMAGE.format(name=name)) from exc
    try:
        clean = sanitize_image(io.BytesIO(data), name=name)
    except ValidationError as exc:
        raise ValidationError(
            NOT_IMAGE.format(name=name) if exc.code == "invalid_image" else exc.messages[0]
        ) from exc
    return clean, position
