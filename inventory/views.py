"""Staff pages of the registers: per gmina, a table with filters beside a map, add and edit on
the map, history, inspections, exports, overdue inspections and lighting circuits."""

from __future__ import annotations

import json
import tempfile
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from sip import tenancy
from sip.models import Gmina

from . import exporting, selectors, services
from .forms import InspectionForm, PhotoForm, filter_fields, item_form_class
from .models import Photo
from .registers import REGISTERS, UnknownRegister, get_register

PAGE_SIZE = 50


def staff_page(view):
    """A staff page: login required; a refusal is a Polish page saying why, with status 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            reason = str(exc) or "Nie masz uprawnień do tej strony."
            return render(request, "inventory/forbidden.html", {"reason": reason}, status=403)

    return login_required(wrapper)


def staff_gmina(request, slug: str) -> Gmina:
    """The gmina of a staff page, or 403 for anyone outside it."""
    gmina = get_object_or_404(Gmina, slug=slug)
    if not tenancy.in_scope(request.user, gmina):
        raise PermissionDenied("Nie masz uprawnień do danych tej gminy.")
    return gmina


def gmina_outline(gmina: Gmina) -> dict:
    """The gmina boundary in EPSG:4326, simplified to 5 m, as GeoJSON for the page's map."""
    outline = gmina.boundary.simplify(5, preserve_topology=True).transform(4326, clone=True)
    return json.loads(outline.geojson)


def _register(slug: str):
    try:
        return get_register(slug)
    except UnknownRegister as exc:
        raise Http404(str(exc)) from exc


def _require_view(request, register, gmina) -> None:
    if not selectors.can_view(request.user, register, gmina):
        raise PermissionDenied("Twoja rola nie pozwala oglądać tego rejestru.")


@staff_page
def index(request, gmina: str):
    gmina = staff_gmina(request, gmina)
    if request.method == "POST":
        register = _register(request.POST.get("register", ""))
        services.set_register_public(
            actor=request.user, register=register, gmina=gmina, is_public=request.POST.get("public") == "1"
        )
        messages.success(request, f"Zapisano widoczność rejestru „{register.title}”.")
        return redirect("inventory:index", gmina=gmina.slug)
    can_inspect = tenancy.can(request.user, "inventory.view_inspection", gmina)
    return render(
        request,
        "inventory/index.html",
        {
            "gmina": gmina,
            "registers": selectors.registers_of(request.user, gmina),
            "overdue": len(selectors.overdue_inspections(gmina)) if can_inspect else None,
            "can_publish": tenancy.can(request.user, "inventory.change_registervisibility", gmina),
        },
    )


def _filtered(request, register, gmina):
    qs = selectors.items(request.user, register, gmina=gmina)
    try:
        return selectors.filter_items(register, qs, request.GET, user=request.user), None
    except selectors.FilterError as exc:
        return qs, str(exc)


@staff_page
def register_table(request, gmina: str, register: str):
    gmina = staff_gmina(request, gmina)
    register = _register(register)
    _require_view(request, register, gmina)
    qs, error = _filtered(request, register, gmina)
    page = Paginator(qs.order_by("external_id", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    names = [a.name for a in register.all_attrs if a.name != "notes"] + [c.name for c in register.computed]
    rows = [(obj, [selectors.display_value(register, obj, n) for n in names]) for obj in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inventory/table.html",
        {
            "gmina": gmina,
            "register": register,
            "labels": [register.label(n) for n in names],
            "rows": rows,
            "page": page,
            "filters": filter_fields(register, request.GET),
            "filter_error": error,
            "query": query.urlencode(),
            "can_add": tenancy.can(request.user, register.perm("add"), gmina),
            "formats": exporting.FORMATS,
            "outline": gmina_outline(gmina),
        },
    )


@staff_page
def item_edit(request, gmina: str, register: str, pk: int | None = None):
    gmina = staff_gmina(request, gmina)
    register = _register(register)
    _require_view(request, register, gmina)
    item = get_object_or_404(register.model, pk=pk, gmina=gmina) if pk is not None else None
    can_edit = tenancy.can(request.user, register.perm("change" if item else "add"), gmina)
    Form = item_form_class(register, gmina)
    form = Form(request.POST or None, instance=item)
    # django-leaflet's map widget is an inline script: it carries this response's CSP nonce.
    form.fields["geom"].widget.csp_nonce = getattr(request, "csp_nonce", None)
    if request.method == "POST" and "save" in request.POST:
        if not can_edit:
            raise PermissionDenied("Twoja rola nie pozwala zmieniać tego rejestru.")
        if form.is_valid():
            values = {a.name: form.cleaned_data.get(a.name) for a in register.all_attrs}
            try:
                if item is None:
                    item = services.create_item(
                        actor=request.user,
                        register=register,
                        gmina=gmina,
                        geom=form.cleaned_data["geom"],
                        values=values,
                    )
                    messages.success(request, f"Dodano: {item}.")
                else:
                    services.update_item(
                        actor=request.user,
                        register=register,
                        item=item,
                        values=values,
                        geom=form.cleaned_data["geom"],
                    )
                    messages.success(request, f"Zapisano zmiany: {item}.")
                return redirect("inventory:item", gmina=gmina.slug, register=register.slug, pk=item.pk)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
    context = {"gmina": gmina, "register": register, "item": item, "form": form, "can_edit": can_edit}
    if item is not None:
        context.update(
            history=selectors.history(register, item)[:50],
            inspections=selectors.inspections_of(register, item),
            photos=Photo.objects.filter(
                content_type__model=register.model._meta.model_name, object_id=item.pk
            ),
            inspection_form=InspectionForm(),
            photo_form=PhotoForm(),
            can_inspect=tenancy.can(request.user, "inventory.add_inspection", gmina),
        )
    return render(request, "inventory/item.html", context)


@staff_page
def item_inspect(request, gmina: str, register: str, pk: int):
    gmina = staff_gmina(request, gmina)
    register = _register(register)
    item = get_object_or_404(register.model, pk=pk, gmina=gmina)
    if request.method != "POST":
        return redirect("inventory:item", gmina=gmina.slug, register=register.slug, pk=pk)
    if "image" in request.FILES:
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            services.add_photo(
                actor=request.user,
                register=register,
                item=item,
                image=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
            messages.success(request, "Dodano zdjęcie.")
        else:
            messages.error(request, "Zdjęcie niezapisane: " + " ".join(form.errors.get("image", [])))
    else:
        form = InspectionForm(request.POST)
        if form.is_valid():
            try:
                services.record_inspection(
                    actor=request.user, register=register, item=item, **form.cleaned_data
                )
                messages.success(request, "Zapisano przegląd.")
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.error(
                request,
                "Przegląd niezapisany: "
                + " ".join(
                    f"{form.fields[f].label}: {' '.join(e)}" if f in form.fields else " ".join(e)
                    for f, e in form.errors.items()
                ),
            )
    return redirect("inventory:item", gmina=gmina.slug, register=register.slug, pk=pk)


@staff_page
def item_delete(request, gmina: str, register: str, pk: int):
    gmina = staff_gmina(request, gmina)
    register = _register(register)
    item = get_object_or_404(register.model, pk=pk, gmina=gmina)
    if request.method == "POST":
        label = str(item)
        services.delete_item(actor=request.user, register=register, item=item)
        messages.success(request, f"Usunięto: {label}.")
    return redirect("inventory:table", gmina=gmina.slug, register=register.slug)


@staff_page
def export(request, gmina: str, register: str, fmt: str):
    gmina = staff_gmina(request, gmina)
    register = _register(register)
    _require_view(request, register, gmina)
    if fmt not in exporting.FORMATS:
        raise Http404("Nieznany format eksportu.")
    qs, error = _filtered(request, register, gmina)
    if error:
        messages.error(request, error)
        return redirect(reverse("inventory:table", args=[gmina.slug, register.slug]))
    # The export holds register data: nothing of it stays on disk. The open handle keeps the
    # file readable for the response after its folder is gone (also when the export fails).
    with tempfile.TemporaryDirectory(prefix="sip-eksport-") as target:
        path = exporting.export(register, qs, fmt, target, title=f"{register.title} – {gmina.name}")
        handle = path.open("rb")
    name = f"{register.slug}-{gmina.slug}{path.suffix}"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=exporting.FORMATS[fmt][1])


@staff_page
def overdue(request, gmina: str):
    gmina = staff_gmina(request, gmina)
    tenancy.require(request.user, "inventory.view_inspection", gmina)
    return render(
        request, "inventory/overdue.html", {"gmina": gmina, "rows": selectors.overdue_inspections(gmina)}
    )


@staff_page
def circuits(request, gmina: str):
    gmina = staff_gmina(request, gmina)
    _require_view(request, REGISTERS["lamps"], gmina)
    totals = selectors.circuit_totals(gmina, user=request.user)
    summary = {
        "lamps": sum(c["lamps"] for c in totals),
        "power_w": sum(c["power_w"] for c in totals),
        "led_lamps": sum(c["led_lamps"] for c in totals),
        "line_length_m": (
            None
            if any(c["line_length_m"] is None for c in totals)
            else round(sum(c["line_length_m"] for c in totals), 1)
        ),
    }
    return render(request, "inventory/circuits.html", {"gmina": gmina, "totals": totals, "summary": summary})
