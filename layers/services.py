"""Writes of the layer registry. Each checks tenancy, leaves an audit entry and bumps the
registry version so that every worker rebuilds its map objects."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from sip import audit, tenancy
from sip.geometry import ACCEPTED_SRIDS
from sip.models import Gmina
from sip.text import plain_int

from .models import (
    AccessToken,
    ExternalLayer,
    ExternalService,
    Layer,
    PublishedSource,
    RegistryVersion,
    Style,
    StyleRule,
)
from .registry import get_source, sources

# The editable look of a style: what staff set in the admin and apps pass to register(style=…).
STYLE_FIELDS = (
    "fill_colour",
    "fill_opacity",
    "stroke_colour",
    "stroke_width",
    "symbol",
    "symbol_size",
    "label_field",
    "label_colour",
    "label_size",
    "label_max_scale",
    "rules_only",
)


def bump_version() -> int:
    """Increase the registry version; return the new value."""
    updated = RegistryVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        RegistryVersion.objects.get_or_create(pk=1, defaults={"version": 1})
    return RegistryVersion.objects.values_list("version", flat=True).get(pk=1)


def _require_central(actor) -> None:
    if not tenancy.is_central_admin(actor):
        raise PermissionDenied("Warstwami zarządza jednostka centralna.")


def _check_style(style: Style, source_name: str) -> None:
    if not source_name:
        return  # an external layer: drawn by its own service
    source = get_source(source_name)
    attrs = source.labels if source else {}
    used = [style.label_field] if style.label_field else []
    rules = style.rules.all() if style.pk else []
    used += [a for r in rules for a in (r.field, r.label_field) if a]
    for attr in used:
        if attr not in attrs:
            raise ValidationError(f"Atrybut „{attr}” nie należy do źródła „{source_name}”.")


def _english_rule_titles(source) -> None:
    """The registry's English legend keys reach the classes of the source's style made before
    they had one, unless staff have retitled the class since (its Polish title is no longer the
    registry's)."""
    for rule in source.style.get("rules", []):
        if not rule.get("title_en"):
            continue
        rows = StyleRule.objects.filter(style__name=source.name, title=rule["title"], title_en="")
        for row in rows.select_related("style"):
            row.title_en = rule["title_en"]
            row.save(update_fields=["title_en"])
            audit.record(
                actor=None,
                action="update",
                obj=row.style,
                changes={"rule": row.title, "title_en": row.title_en, "by": "registry"},
            )


@transaction.atomic
def sync_registered_layers() -> list[Layer]:
    """Create the layer row (and its style) of every registered source published for the first
    time; return them. A source is published once: a layer staff deleted is not recreated."""
    created = []
    for source in sources():
        if source.title_en:
            # The registry's English title reaches rows made before it had one, unless staff
            # have retitled the layer since (its Polish title is no longer the registry's).
            for layer in Layer.objects.filter(source=source.name, title=source.title, title_en=""):
                layer.title_en = source.title_en
                layer.save(update_fields=["title_en"])
                audit.record(
                    actor=None,
                    action="update",
                    obj=layer,
                    gmina=layer.gmina,
                    changes={"title_en": source.title_en, "by": "registry"},
                )
        _english_rule_titles(source)
        _, first_time = PublishedSource.objects.get_or_create(name=source.name)
        if not first_time:
            continue
        if Layer.objects.filter(name=source.name).exists():
            continue
        style, style_created = Style.objects.get_or_create(
            name=source.name, defaults={k: v for k, v in source.style.items() if k in STYLE_FIELDS}
        )
        if style_created:
            # Classes by attribute value or range: style={"rules": [{"title": "MN – zabudowa
            # mieszkaniowa jednorodzinna", "field": "purpose", "value": "MN", "fill_colour": …}]}
            for order, rule in enumerate(source.style.get("rules", [])):
                StyleRule.objects.create(
                    style=style, order=order, **{k: v for k, v in rule.items() if v is not None}
                )
        layer = Layer.objects.create(
            name=source.name,
            source=source.name,
            title=source.title,
            title_en=source.title_en,
            abstract=source.abstract,
            style=style,
            group=source.group,
            order=source.order,
            min_scale=source.min_scale,
            max_scale=source.max_scale,
            queryable=source.queryable,
            visibility=source.visibility,
            base_map=source.base_map,
        )
        # A module registered the source (no user did this); the entry says so.
        audit.record(
            actor=None, action="create", obj=layer, changes={"source": source.name, "by": "registry"}
        )
        created.append(layer)
    return created


@transaction.atomic
def create_layer(
    *,
    actor,
    name: str,
    title: str,
    title_en: str = "",
    source: str = "",
    external: ExternalLayer | None = None,
    raster=None,
    gmina: Gmina | None = None,
    style: Style | None = None,
    visibility: str = Layer.Visibility.PUBLIC,
    abstract: str = "",
    group: str = "",
    order: int = 100,
    queryable: bool = True,
    min_scale: int | None = None,
    max_scale: int | None = None,
) -> Layer:
    """Publish a registered source or an external service's layer as a new layer; return it.

    `source` names a registered source (its rows of `gmina` only, when given); `external` a
    harvested layer of an outside WMS, cascaded by MapServer (not queryable, no WFS)."""
    _require_central(actor)
    if style is None:
        base = Layer.objects.filter(name=source).select_related("style").first() if source else None
        style = base.style if base else Style.objects.get_or_create(name=source or "zewnetrzne")[0]
    layer = Layer(
        name=name,
        source=source,
        external=external,
        raster=raster or "",
        title=title,
        title_en=title_en,
        gmina=gmina,
        style=style,
        visibility=visibility,
        abstract=abstract,
        group=group,
        order=order,
        queryable=queryable and bool(source),
        min_scale=min_scale,
        max_scale=max_scale,
    )
    layer.full_clean()
    _check_style(style, source)
    layer.save()
    audit.record(
        actor=actor,
        action="create",
        obj=layer,
        gmina=gmina,
        changes={"source": source}
        if source
        else {"external": f"{external.service.url} {external.name}"}
        if external
        else {"raster": layer.raster.name},
    )
    return layer


@transaction.atomic
def update_layer(*, actor, layer: Layer, **changes) -> Layer:
    """Change a layer's attributes (title, style, visibility, scales…); return the layer."""
    _require_central(actor)
    before = {k: getattr(layer, k) for k in changes}
    for key, value in changes.items():
        setattr(layer, key, value)
    layer.full_clean()
    _check_style(layer.style, layer.source)
    layer.save()
    audit.record(
        actor=actor, action="update", obj=layer, gmina=layer.gmina, changes=audit.diff(before, changes)
    )
    return layer


@transaction.atomic
def update_style(*, actor, style: Style, **changes) -> Style:
    """Change a style's drawing attributes; return the style."""
    _require_central(actor)
    unknown = set(changes) - set(STYLE_FIELDS)
    if unknown:
        raise ValidationError(f"Nieznane pola stylu: {', '.join(sorted(unknown))}.")
    before = {k: getattr(style, k) for k in changes}
    for key, value in changes.items():
        setattr(style, key, value)
    style.full_clean()
    for layer in style.layer_set.all():
        _check_style(style, layer.source)
    style.save()
    audit.record(actor=actor, action="update", obj=style, changes=audit.diff(before, changes))
    return style


@transaction.atomic
def save_edited(*, actor, obj: Layer | Style, changed: list[str], created: bool) -> Layer | Style:
    """Save a layer or style edited in a form (the admin); return it."""
    _require_central(actor)
    obj.full_clean()
    if isinstance(obj, Layer):
        _check_style(obj.style, obj.source)
    else:
        for layer in obj.layer_set.all() if obj.pk else []:
            _check_style(obj, layer.source)
    obj.save()
    gmina = obj.gmina if isinstance(obj, Layer) else None
    audit.record(
        actor=actor,
        action="create" if created else "update",
        obj=obj,
        gmina=gmina,
        changes={"fields": sorted(changed)} if changed else {},
    )
    return obj


@transaction.atomic
def publish_to_gminas(*, actor, layer: Layer, gminas) -> list[Layer]:
    """Publish a layer separately for each gmina (name `<layer>-<gmina slug>`); return the new layers."""
    _require_central(actor)
    created = []
    for gmina in gminas:
        name = f"{layer.name}-{gmina.slug}"[:63]
        if Layer.objects.filter(name=name).exists():
            continue
        created.append(
            create_layer(
                actor=actor,
                name=name,
                source=layer.source,
                external=layer.external,
                raster=layer.raster,
                title=f"{layer.title} – {gmina.name}",
                gmina=gmina,
                style=layer.style,
                visibility=layer.visibility,
                abstract=layer.abstract,
                group=layer.group,
                order=layer.order,
                queryable=layer.queryable,
                min_scale=layer.min_scale,
                max_scale=layer.max_scale,
            )
        )
    return created


@transaction.atomic
def delete_layer(*, actor, layer: Layer) -> None:
    """Withdraw a layer from the services."""
    _require_central(actor)
    audit.record(actor=actor, action="delete", obj=layer, gmina=layer.gmina)
    layer.delete()


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# How often a token's "last used" date is written: at most once a minute, not once a tile.
TOKEN_LAST_USED_RESOLUTION = timedelta(minutes=1)


def default_token_expiry():
    """Return when a token issued now expires unless its owner chooses otherwise."""
    return timezone.now() + timedelta(days=settings.SIP_TOKEN_VALID_DAYS)


def validate_token_expiry(expires_at) -> None:
    """Raise ValidationError unless a token may be valid until expires_at."""
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError("Data ważności tokenu musi być w przyszłości.")
    if expires_at > now + timedelta(days=settings.SIP_TOKEN_MAX_DAYS):
        raise ValidationError(f"Token może być ważny najdłużej {settings.SIP_TOKEN_MAX_DAYS} dni.")


@transaction.atomic
def create_access_token(*, actor, user, label: str, expires_at=None) -> tuple[AccessToken, str]:
    """Issue a personal token for QGIS; return the token row and the secret (shown once)."""
    if actor != user and not tenancy.is_central_admin(actor):
        raise PermissionDenied("Token można wystawić tylko sobie.")
    expires_at = expires_at or default_token_expiry()
    validate_token_expiry(expires_at)
    key = secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        user=user, key_hash=hash_token(key), label=label, expires_at=expires_at
    )
    audit.record(actor=actor, action="create", obj=token, changes={"expires_at": expires_at.isoformat()})
    return token, key


def use_access_token(*, key: str) -> AccessToken | None:
    """Return the valid token with this secret (its owner active, not expired), noting when it
    was last used; None for an unknown, expired or disowned one."""
    now = timezone.now()
    token = (
        AccessToken.objects.filter(key_hash=hash_token(key), expires_at__gt=now, user__is_active=True)
        .select_related("user", "user__membership")
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_LAST_USED_RESOLUTION:
        # A conditional UPDATE: parallel tile requests of one QGIS write it once between them.
        AccessToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOKEN_LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


def harvest_service(*, actor, service: ExternalService, timeout: int = 20) -> list[ExternalLayer]:
    """Read an external WMS's or WMTS's capabilities with OWSLib; store and return its layers."""
    from django.utils import timezone

    _require_central(actor)
    try:
        if service.kind == ExternalService.Kind.WMTS:
            title, layers = _read_wmts(service, timeout)
        else:
            title, layers = _read_wms(service, timeout)
    except Exception as exc:  # OWSLib raises whatever requests, lxml or its parser raise
        service.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        service.save(update_fields=["last_error"])
        raise ValidationError(f"Nie udało się odczytać usługi {service.url}: {exc}") from exc
    found = []
    with transaction.atomic():
        for name, defaults in layers:
            row, _ = ExternalLayer.objects.update_or_create(service=service, name=name, defaults=defaults)
            found.append(row)
        ExternalLayer.objects.filter(service=service).exclude(pk__in=[r.pk for r in found]).delete()
        service.service_title = (title or "")[:300]
        service.harvested_at = timezone.now()
        service.last_error = ""
        service.save()
        audit.record(actor=actor, action="import", obj=service, changes={"layers": len(found)})
    return found


def _epsg(code) -> int | None:
    """The EPSG number of a CRS as capabilities write it (EPSG:2180, urn:ogc:def:crs:EPSG::2180,
    http://www.opengis.net/def/crs/EPSG/0/2180, …/epsg.xml#2180; CRS84 is EPSG:4326 with
    longitude first), if SIP accepts that CRS."""
    text = str(code).strip().upper()
    if text.endswith("CRS84"):
        srid = 4326
    else:
        tail = re.split(r"[:/#]", text)[-1]
        srid = plain_int(tail) if "EPSG" in text else None
    return srid if srid in ACCEPTED_SRIDS else None


def _layer_defaults(layer, name: str, srids, queryable: bool) -> dict:
    box = layer.boundingBoxWGS84
    return {
        "title": (layer.title or name)[:300],
        "abstract": layer.abstract or "",
        "srids": sorted(srids),
        "extent_4326": [float(v) for v in box[:4]] if box else None,
        "queryable": queryable,
    }


def _read_wms(service: ExternalService, timeout: int) -> tuple[str, list[tuple[str, dict]]]:
    from owslib.wms import WebMapService

    wms = WebMapService(service.url, version=service.version, timeout=timeout)
    layers = []
    for name, layer in wms.contents.items():
        if not name:
            continue
        codes = (crs if isinstance(crs, str) else crs[-1] for crs in layer.crsOptions or [])
        srids = {s for s in map(_epsg, codes) if s}
        layers.append((name, _layer_defaults(layer, name, srids, bool(layer.queryable))))
    return wms.identification.title, layers


def _read_wmts(service: ExternalService, timeout: int) -> tuple[str, list[tuple[str, dict]]]:
    """The layers of a WMTS with the tile matrix sets SIP can draw (in a CRS it accepts)."""
    from owslib.wmts import WebMapTileService

    wmts = WebMapTileService(service.url, version="1.0.0", timeout=timeout)
    sets = {key: _epsg(tms.crs) for key, tms in wmts.tilematrixsets.items()}
    layers = []
    for name, layer in wmts.contents.items():
        formats = list(layer.formats or [])
        # Tiles GDAL can draw; a layer with none (e.g. only vector tiles) cannot be shown.
        image_format = next((f for f in ("image/png", "image/jpeg") if f in formats), "")
        usable = {key: sets[key] for key in layer.tilematrixsetlinks if sets.get(key)} if image_format else {}
        defaults = _layer_defaults(layer, name, set(usable.values()), False)
        defaults.update(tile_matrix_sets=usable, image_format=image_format)
        layers.append((name, defaults))
    return wmts.identification.title, layers


@transaction.atomic
def import_sld(*, actor, style: Style, sld: bytes | str) -> Style:
    """Replace a style's drawing and classes with those of an SLD document; return the style."""
    from .models import StyleRule
    from .registry.sld import SLDError, parse_sld

    _require_central(actor)
    try:
        parsed = parse_sld(sld)
    except SLDError as exc:
        raise ValidationError(str(exc)) from None
    before = {k: getattr(style, k) for k in STYLE_FIELDS}
    for key, value in parsed.attrs.items():
        setattr(style, key, value)
    style.full_clean()
    style.save()
    style.rules.all().delete()
    for order, rule in enumerate(parsed.rules):
        row = StyleRule(style=style, order=order, **rule.__dict__)
        row.title = row.title[:100]
        row.full_clean()
        row.save()
    for layer in style.layer_set.all():
        _check_style(style, layer.source)
    after = {k: getattr(style, k) for k in STYLE_FIELDS}
    changes = audit.diff(before, after)
    changes["rules"] = len(parsed.rules)
    audit.record(actor=actor, action="import", obj=style, changes=changes)
    return style
