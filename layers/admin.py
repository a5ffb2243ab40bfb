"""Central-unit pages for the layer registry: layers, styles with a live preview, tokens."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from sip import tenancy
from sip.admin import RoleChoiceField
from sip.models import Gmina
from sip.uploads import PrivateFileInput, check_upload_size, validate_new_upload
from sip.urls_public import public_url

from . import services
from .models import AccessToken, ExternalLayer, ExternalService, Layer, Style, StyleRule
from .registry import get_source, sources
from .selectors import forget_catalogue

# An SLD from QGIS is a few kilobytes; a larger one is refused rather than cut short.
SLD_MAX_BYTES = 1024 * 1024


def _preview_url(layer: Layer, width: int = 512, height: int = 384) -> str:
    boundary = (
        layer.gmina.boundary
        if layer.gmina_id
        else Gmina.objects.order_by("pk").values_list("boundary", flat=True).first()
    )
    if boundary is None:
        return ""
    minx, miny, maxx, maxy = boundary.extent
    # Keep the image's aspect ratio: widen the shorter side of the gmina's extent.
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half_w = max((maxx - minx) / 2, (maxy - miny) / 2 * width / height)
    half_h = half_w * height / width
    params = {
        "SERVICE": "WMS",
        "VERSION": "1.1.1",
        "REQUEST": "GetMap",
        "LAYERS": layer.name,
        "STYLES": "",
        "SRS": "EPSG:2180",
        "BBOX": f"{cx - half_w:.0f},{cy - half_h:.0f},{cx + half_w:.0f},{cy + half_h:.0f}",
        "WIDTH": width,
        "HEIGHT": height,
        "FORMAT": "image/png",
        "TRANSPARENT": "TRUE",
        "v": layer.updated_at.timestamp() if layer.updated_at else 0,
    }
    return f"{reverse('ows-wms')}?{urlencode(params)}"


class CentralOnlyAdmin(admin.ModelAdmin):
    """Layers and styles are managed by the central unit; every save goes through services."""

    def has_module_permission(self, request):
        return tenancy.is_central_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return tenancy.is_central_admin(request.user)

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None):
        return tenancy.is_central_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return tenancy.is_central_admin(request.user)

    def save_model(self, request, obj, form, change):
        services.save_edited(actor=request.user, obj=obj, changed=form.changed_data, created=not change)
        forget_catalogue()


class StyleRuleInline(admin.TabularInline):
    model = StyleRule
    extra = 0
    fields = (
        "order",
        "title",
        "title_en",
        "field",
        "value",
        "min_value",
        "max_value",
        "min_scale",
        "max_scale",
        "fill_colour",
        "stroke_colour",
        "stroke_width",
        "label_field",
        "label_colour",
        "label_size",
    )


class StyleForm(forms.ModelForm):
    sld_file = forms.FileField(
        label="import z pliku SLD",
        required=False,
        help_text="SLD 1.0 lub SE 1.1 (np. eksport z QGIS): zastępuje wygląd i klasy tego stylu.",
    )

    class Meta:
        model = Style
        fields = ("name", *services.STYLE_FIELDS)

    def clean_sld_file(self):
        upload = self.cleaned_data.get("sld_file")
        check_upload_size(upload, limit=SLD_MAX_BYTES)
        return upload


@admin.register(Style)
class StyleAdmin(CentralOnlyAdmin):
    form = StyleForm
    list_display = ("name", "fill_colour", "stroke_colour", "stroke_width", "label_field", "updated_at")
    search_fields = ("name",)
    inlines = [StyleRuleInline]
    fieldsets = (
        (None, {"fields": ("name",)}),
        (
            "Powierzchnie i linie",
            {"fields": ("fill_colour", "fill_opacity", "stroke_colour", "stroke_width")},
        ),
        ("Punkty", {"fields": ("symbol", "symbol_size")}),
        ("Etykiety", {"fields": ("label_field", "label_colour", "label_size", "label_max_scale")}),
        ("Klasy", {"fields": ("rules_only",)}),
        ("Podgląd warstw z tym stylem", {"fields": ("preview",)}),
        ("SLD (QGIS)", {"fields": ("sld_file", "sld_export")}),
    )

    def get_readonly_fields(self, request, obj=None):
        return ("preview", "sld_export")

    @admin.display(description="eksport SLD")
    def sld_export(self, obj):
        layer = obj.layer_set.filter(external__isnull=True).first() if obj and obj.pk else None
        if layer is None:
            return "—"
        query = urlencode(
            {"SERVICE": "WMS", "VERSION": "1.1.1", "REQUEST": "GetStyles", "LAYERS": layer.name}
        )
        url = f"{reverse('ows-wms')}?{query}"
        return format_html('<a href="{}" download="{}.sld">Pobierz SLD ({})</a>', url, layer.name, layer.name)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        upload = form.cleaned_data.get("sld_file")
        if upload:
            try:
                services.import_sld(actor=request.user, style=obj, sld=upload.read(SLD_MAX_BYTES))
            except ValidationError as exc:
                messages.error(request, "Nie zaimportowano SLD: " + "; ".join(exc.messages))
            else:
                messages.success(request, "Zaimportowano styl z pliku SLD.")
            forget_catalogue()

    @admin.display(description="podgląd")
    def preview(self, obj):
        if not obj.pk:
            return "Zapisz styl, aby zobaczyć podgląd."
        layers = list(obj.layer_set.select_related("gmina")[:3])
        if not layers:
            return "Żadna warstwa nie używa jeszcze tego stylu."
        return format_html_join(
            "",
            '<figure style="display:inline-block;margin:0 1em 1em 0"><img src="{}" width="384" height="288" '
            'alt="{}" style="border:1px solid #ccc;background:#fff"><figcaption>{}</figcaption></figure>',
            ((_preview_url(layer, 384, 288), layer.title, layer.title) for layer in layers),
        )

    def save_formset(self, request, form, formset, change):
        for rule in formset.save(commit=False):
            rule.full_clean()
        try:
            formset.save()
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        services.save_edited(
            actor=request.user,
            obj=form.instance,
            changed=["rules"] if formset.has_changed() else [],
            created=False,
        )
        forget_catalogue()


@admin.register(Layer)
class LayerAdmin(CentralOnlyAdmin):
    list_display = ("name", "title", "gmina", "source", "visibility", "published", "group", "order")
    list_filter = ("visibility", "published", "gmina", "group", "source")
    search_fields = ("name", "title")
    autocomplete_fields = ("style",)
    filter_horizontal = ("roles",)
    raw_id_fields = ("external",)
    readonly_fields = ("preview", "attributes")
    actions = ["publish_for_every_gmina"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "title",
                    "title_en",
                    "abstract",
                    "source",
                    "external",
                    "raster",
                    "attributes",
                    "gmina",
                )
            },
        ),
        ("Wygląd", {"fields": ("style", "group", "order", "min_scale", "max_scale", "base_map", "preview")}),
        ("Udostępnianie", {"fields": ("published", "queryable", "visibility", "roles")}),
    )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "roles":
            kwargs["form_class"] = RoleChoiceField  # roles by their display names, not codes
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "source":
            from django import forms

            return forms.ChoiceField(
                label=db_field.verbose_name,
                choices=[("", "— warstwa zewnętrzna —")]
                + [(s.name, f"{s.title} ({s.name})") for s in sources()],
                help_text=db_field.help_text,
                required=False,
            )
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "raster" and field is not None:
            field.validators.append(validate_new_upload)
            field.widget = PrivateFileInput()
        return field

    @admin.display(description="atrybuty źródła")
    def attributes(self, obj):
        source = get_source(obj.source) if obj and obj.source else None
        if source is None:
            return "—"
        return format_html_join(", ", "{} <code>{}</code>", ((label, attr) for attr, label in source.fields))

    @admin.display(description="podgląd (WMS)")
    def preview(self, obj):
        if not obj or not obj.pk:
            return "Zapisz warstwę, aby zobaczyć podgląd."
        url = _preview_url(obj)
        return format_html(
            '<img src="{}" width="512" height="384" alt="{}" style="border:1px solid #ccc;background:#fff">',
            url,
            obj.title,
        )

    @admin.action(description="Opublikuj osobno dla każdej gminy partnerskiej")
    def publish_for_every_gmina(self, request, queryset):
        created = []
        for layer in queryset.filter(gmina__isnull=True):
            created += services.publish_to_gminas(actor=request.user, layer=layer, gminas=Gmina.objects.all())
        forget_catalogue()
        self.message_user(request, f"Utworzono warstw: {len(created)}.", messages.SUCCESS)


class AccessTokenForm(forms.ModelForm):
    class Meta:
        model = AccessToken
        fields = ("label", "expires_at")

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        services.validate_token_expiry(expires_at)
        return expires_at


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    form = AccessTokenForm
    list_display = ("user", "label", "created_at", "expires_at", "last_used_at")
    readonly_fields = ("created_at", "last_used_at")
    fields = ("label", "expires_at", "created_at", "last_used_at")

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("user")
        return qs if tenancy.is_central_admin(request.user) else qs.filter(user=request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or obj.user_id == request.user.pk or tenancy.is_central_admin(request.user)
        )

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        return {"expires_at": services.default_token_expiry()}

    def save_model(self, request, obj, form, change):
        token, key = services.create_access_token(
            actor=request.user, user=request.user, label=obj.label, expires_at=obj.expires_at
        )
        # The admin goes on with the form's unsaved object (its log entry names it): make it the
        # saved row, owner included.
        for field in AccessToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(token, field.attname))
        obj._state.adding = False
        obj.raw_key = key

    def response_add(self, request, obj, post_url_continue=None):
        # The secret is shown on this page only: not in a message (kept in a cookie or the
        # session until shown), not after a redirect; admin pages are never cached.
        return TemplateResponse(
            request,
            "admin/layers/accesstoken/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Nowy token dostępu",
                "token": obj,
                "key": obj.raw_key,
                "wms_url": public_url("ows-wms", request=request),
            },
        )


class ExternalLayerInline(admin.TabularInline):
    model = ExternalLayer
    extra = 0
    can_delete = False
    fields = ("name", "title", "srids", "extent_4326", "queryable")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ExternalService)
class ExternalServiceAdmin(CentralOnlyAdmin):
    list_display = ("title", "kind", "url", "version", "harvested_at", "last_error")
    readonly_fields = ("service_title", "harvested_at", "last_error")
    inlines = [ExternalLayerInline]
    actions = ["harvest"]

    @admin.action(description="Odczytaj warstwy z usługi (GetCapabilities)")
    def harvest(self, request, queryset):
        for service in queryset:
            try:
                found = services.harvest_service(actor=request.user, service=service)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(
                    request, f"{service.title}: odczytano warstw: {len(found)}.", messages.SUCCESS
                )


@admin.register(ExternalLayer)
class ExternalLayerAdmin(CentralOnlyAdmin):
    list_display = ("title", "name", "service", "srids")
    list_filter = ("service",)
    search_fields = ("title", "name")
    readonly_fields = (
        "service",
        "name",
        "title",
        "abstract",
        "srids",
        "extent_4326",
        "queryable",
        "tile_matrix_sets",
        "image_format",
    )
    actions = ["publish"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Opublikuj jako warstwę SIP (publiczną, kaskadowo przez WMS)")
    def publish(self, request, queryset):
        import re

        created = 0
        for ext in queryset.select_related("service"):
            base = re.sub(r"[^a-z0-9_-]+", "-", f"zew-{ext.service_id}-{ext.name}".lower()).strip("-")[:63]
            if Layer.objects.filter(name=base).exists():
                continue
            try:
                services.create_layer(
                    actor=request.user,
                    name=base,
                    title=ext.title[:200],
                    external=ext,
                    group="Usługi zewnętrzne",
                )
            except ValidationError as exc:
                self.message_user(request, f"{ext.title}: {'; '.join(exc.messages)}", messages.ERROR)
            else:
                created += 1
        forget_catalogue()
        self.message_user(request, f"Opublikowano warstw: {created}.", messages.SUCCESS)
