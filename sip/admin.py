"""Django admin in Polish with map widgets, scoped by gmina through sip.tenancy."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.models import InlineForeignKeyField
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from . import services, tenancy
from .models import (
    AddressPoint,
    AuditLog,
    Building,
    Gmina,
    LandCover,
    Membership,
    Obreb,
    Parcel,
    Street,
    Unit,
)
from .urls_public import site_path


class ScopedModelForm(forms.ModelForm):
    """A model form that refuses a related object of another gmina (sip.tenancy.check_relations)
    with a message on the field, whatever the widget (select, raw id, autocomplete, plain id)."""

    def _post_clean(self):
        super()._post_clean()
        for name, field in self.fields.items():
            # An inline's parent: known to the formset, not yet on the instance when it is new.
            if isinstance(field, InlineForeignKeyField) and field.parent_instance is not None:
                setattr(self.instance, name, field.parent_instance)
        # Relations whose field already failed (e.g. not among the offered choices) keep that error.
        names = {r.name for r in tenancy.scoped_relations(type(self.instance))} - set(self.errors)
        try:
            tenancy.check_relations(self.instance, only=names)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)


class ScopedRelationsMixin:
    """Offers in every relation field (select, raw id, autocomplete, many-to-many) only the
    objects of the caller's gmina (and shared ones); the form refuses the others on POST."""

    form = ScopedModelForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Gmina:
            kwargs["queryset"] = tenancy.scoped_gminas(request.user)
        elif tenancy.gmina_path(db_field.related_model) and "queryset" not in kwargs:
            queryset = self.get_field_queryset(None, db_field, request)
            if queryset is None:
                queryset = db_field.related_model._default_manager.all()
            kwargs["queryset"] = tenancy.scope_choices(queryset, request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if tenancy.gmina_path(db_field.related_model) and "queryset" not in kwargs:
            queryset = self.get_field_queryset(None, db_field, request)
            if queryset is None:
                queryset = db_field.related_model._default_manager.all()
            kwargs["queryset"] = tenancy.scope_choices(queryset, request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedTabularInline(ScopedRelationsMixin, admin.TabularInline):
    pass


class ScopedStackedInline(ScopedRelationsMixin, admin.StackedInline):
    pass


class GminaScopedAdmin(ScopedRelationsMixin, LeafletGeoAdmin):
    """Lists only the caller's gminas; every save and delete goes through services."""

    gmina_field = "gmina"

    def get_queryset(self, request):
        return tenancy.scope_queryset(super().get_queryset(request), request.user, self.gmina_field)

    def get_object(self, request, object_id, from_field=None):
        # Look the object up among all gminas, so that touching another gmina's object is
        # refused with 403 by the permission checks below instead of looking like a 404.
        model = self.model
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            return model._default_manager.get(**{field.name: field.to_python(object_id)})
        except (model.DoesNotExist, ValueError):
            return None

    def _gmina_id(self, obj):
        return getattr(obj, f"{self.gmina_field}_id")

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or tenancy.in_scope(request.user, self._gmina_id(obj)))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or tenancy.in_scope(request.user, self._gmina_id(obj)))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or tenancy.in_scope(request.user, self._gmina_id(obj)))

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete of another admin's relation field searches here: only the caller's gminas.
        queryset = tenancy.scope_choices(queryset, request.user)
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        services.save_scoped(actor=request.user, obj=obj, gmina_field=self.gmina_field)

    def delete_model(self, request, obj):
        services.delete_scoped(actor=request.user, obj=obj, gmina_field=self.gmina_field)

    def save_formset(self, request, form, formset, change):
        # Inline rows (e.g. a plan's amendments) go through the same checked services.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.delete_scoped(actor=request.user, obj=obj)
        for obj in instances:
            services.save_scoped(actor=request.user, obj=obj)
        formset.save_m2m()

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Gmina)
class GminaAdmin(LeafletGeoAdmin):
    list_display = ("name", "teryt", "kind", "slug")
    search_fields = ("name", "teryt")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "gmina", "email", "receives")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ("kind", "receives", "gmina")
    search_fields = ("name",)


@admin.register(Obreb)
class ObrebAdmin(GminaScopedAdmin):
    list_display = ("code", "name", "gmina")
    list_filter = ("gmina",)
    search_fields = ("code", "name")

    # Through the obręby's own services: the stored obręb keys of register rows follow a
    # boundary that moves (sip.obreb_keys).
    def save_model(self, request, obj, form, change):
        services.save_obreb(actor=request.user, obreb=obj)

    def delete_model(self, request, obj):
        services.delete_obreb(actor=request.user, obreb=obj)


@admin.register(Parcel)
class ParcelAdmin(GminaScopedAdmin):
    list_display = ("identifier", "obreb", "registered_area_m2", "gmina")
    list_filter = ("gmina",)
    search_fields = ("identifier",)
    list_select_related = ("obreb", "gmina")
    readonly_fields = ("updated_at",)
    raw_id_fields = ("obreb",)

    def get_readonly_fields(self, request, obj=None):
        # The identifier names gmina, obręb and number; it is fixed once the parcel exists.
        if obj is not None:
            return ("identifier", "gmina", "obreb", "number", "updated_at")
        return ("gmina", "obreb", "number", "updated_at")

    def save_model(self, request, obj, form, change):
        if change:
            services.update_parcel(
                actor=request.user,
                parcel=obj,
                registered_area_m2=obj.registered_area_m2,
                geom=obj.geom,
            )
        else:
            created = services.create_parcel(
                actor=request.user,
                identifier=obj.identifier,
                geom=obj.geom,
                registered_area_m2=obj.registered_area_m2,
            )
            obj.pk = created.pk

    def delete_model(self, request, obj):
        services.delete_parcel(actor=request.user, parcel=obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and tenancy.scoped_gminas(request.user).exists()


@admin.register(Street)
class StreetAdmin(GminaScopedAdmin):
    list_display = ("name", "road_category", "road_number", "road_manager", "gmina")
    list_filter = ("gmina", "road_category")
    search_fields = ("name",)


@admin.register(AddressPoint)
class AddressPointAdmin(GminaScopedAdmin):
    list_display = ("__str__", "postcode", "gmina")
    list_filter = ("gmina",)
    search_fields = ("search_text",)
    list_select_related = ("street",)
    raw_id_fields = ("street",)


@admin.register(Building)
class BuildingAdmin(GminaScopedAdmin):
    list_display = ("__str__", "kind", "storeys", "gmina")
    list_filter = ("gmina", "kind")


@admin.register(LandCover)
class LandCoverAdmin(GminaScopedAdmin):
    list_display = ("__str__", "kind", "name", "gmina")
    list_filter = ("gmina", "kind")
    search_fields = ("name",)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "action", "model", "object_repr", "gmina")
    list_filter = ("action", "model", "gmina")
    search_fields = ("object_repr", "user__username")
    date_hierarchy = "at"

    def get_queryset(self, request):
        return tenancy.scope_queryset(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(ScopedStackedInline):
    model = Membership
    can_delete = False


class RoleChoiceField(forms.ModelMultipleChoiceField):
    """Groups offered by their role's display name: a role's group is named by its code."""

    def label_from_instance(self, obj):
        return tenancy.role_label(obj.name)


admin.site.unregister(User)
admin.site.unregister(Group)
_django_admin_login = admin.site.login


def _admin_login(request, extra_context=None):
    """The admin's login page: its form posts to the page's path as the browser knows it, under
    the proxy prefix (Django writes request.get_full_path(), the path the proxy passed on)."""
    context = {"app_path": site_path(request.get_full_path(), request), **(extra_context or {})}
    return _django_admin_login(request, extra_context=context)


admin.site.login = _admin_login
_django_each_context = admin.site.each_context


def _each_context(request):
    """The admin's context, its "view site" link under the proxy prefix: Django writes it from
    the request's SCRIPT_NAME, which the proxy's prefix is not part of."""
    context = _django_each_context(request)
    if context.get("site_url"):
        context["site_url"] = site_path(context["site_url"], request)
    return context


admin.site.each_context = _each_context


@admin.register(Group)
class RoleGroupAdmin(GroupAdmin):
    list_display = ("name", "display_name")

    @admin.display(description=_("nazwa roli"))
    def display_name(self, obj):
        return tenancy.role_label(obj.name)


@admin.register(User)
class SipUserAdmin(UserAdmin):
    inlines = (MembershipInline,)
    list_display = ("username", "first_name", "last_name", "is_staff", "membership")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["form_class"] = RoleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return tenancy.is_central_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return tenancy.is_central_admin(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            raise PermissionDenied("Konto administratora może zmienić tylko administrator.")
        return tenancy.is_central_admin(request.user)
