"""No object of one gmina may point at another gmina's object, whatever the way in.

The relations are read from the models (the Django apps registry), so that a relation added
later is tested without anyone remembering to: every foreign key, many-to-many and generic
relation of a gmina-scoped model to another gmina-scoped model is either checked by
sip.tenancy.check_relations (before every save), decides the object's own gmina (its owner,
checked by the services' tenancy.require), or is listed in EXEMPT with the reason.
Objects of the two gminas come from the demo data: Bolesławiec (A, the editor's) and
Nowogrodziec (B)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ForeignObjectRel
from django.db.models.fields.files import FieldFile
from django.test import RequestFactory

from sip import tenancy
from sip.models import Gmina
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

# Relations between gmina-scoped models that check_relations does not check, with the reason.
EXEMPT = {
    "planning.Plan.amends": "many-to-many through planning.Amendment, whose keys are checked",
}

# Keys that save() derives from the object's own data, whatever the caller set: a foreign value is
# refused by check_relations like any other, and save() replaces it (tests/reporting/test_counts).
DERIVED = {
    f"inventory.{m}.obreb": "the obręb containing the point, set by PointItem.save"
    for m in ("Tree", "Lamp", "SmallArchitecture")
} | {"sip.AddressPoint.parcel": "the gmina's parcel under the point, set by a database trigger"}

# A generic relation may point at any model; these are the ones the registers attach
# inspections and photos to.
GENERIC_TARGETS = (
    "inventory.LightingLine",
    "inventory.Lamp",
    "inventory.SmallArchitecture",
    "inventory.Tree",
)


def all_relations():
    """(model, field) for every relation of a gmina-scoped model to another gmina-scoped model,
    read from the models independently of the list sip.tenancy keeps."""
    found = []
    for model in apps.get_models():
        if tenancy.gmina_path(model) is None:
            continue
        for f in model._meta.get_fields():
            if isinstance(f, ForeignObjectRel):
                continue
            if isinstance(f, GenericForeignKey):
                found.append((model, f))
            elif f.is_relation and f.related_model is not Gmina and tenancy.gmina_path(f.related_model):
                found.append((model, f))
    return found


def label(model, field) -> str:
    return f"{model._meta.label}.{field.name}"


CHECKED = [
    pytest.param(rel, id=f"{rel.model._meta.label}.{rel.name}")
    for model in apps.get_models()
    for rel in tenancy.scoped_relations(model)
]


def test_every_relation_is_checked_owned_or_exempt():
    """The guard: a new relation fails here until it is checked or exempted with a reason."""
    uncovered = []
    for model, field in all_relations():
        name = label(model, field)
        checked = any(r.name == field.name for r in tenancy.scoped_relations(model))
        owner = field.name == tenancy.owner_field(model)
        if checked + owner + (name in EXEMPT) != 1:
            uncovered.append(name)
    assert not uncovered, f"relations neither checked, owner nor exempt (with a reason): {uncovered}"
    assert all(reason.strip() for reason in EXEMPT.values())
    assert {label(m, f) for m, f in all_relations()} >= set(EXEMPT), "stale entries in EXEMPT"


def test_every_model_with_a_gmina_field_is_scoped():
    for model in apps.get_models():
        if any(f.name == "gmina" for f in model._meta.concrete_fields):
            assert tenancy.gmina_path(model) == "gmina", model


@pytest.fixture
def gminas(demo_data):
    return Gmina.objects.get(slug="boleslawiec"), Gmina.objects.get(slug="nowogrodziec")


def object_in(model, gmina):
    """An object of the model in the gmina, from the demo data."""
    obj = model._default_manager.filter(**{tenancy.gmina_path(model): gmina}).order_by("pk").first()
    if obj is None:
        pytest.fail(
            f"the demo data has no {model._meta.label} in {gmina.name}: add one to test this relation"
        )
    return obj


def new_in(model, gmina):
    """An unsaved object of the model that belongs to the gmina (only its owner set)."""
    owner = model._meta.get_field(tenancy.owner_field(model))
    value = gmina if owner.related_model is Gmina else object_in(owner.related_model, gmina)
    return model(**{owner.name: value})


def _extract_case(gmina):
    from planning.models import ExtractCase

    return ExtractCase.objects.create(
        gmina=gmina,
        year=2999,
        number=1,
        case_number="TEST.1.2999",
        applicant="Test",
        application_date="2026-01-01",
        kind="wypis",
    )


# Many-to-many relations are checked when rows are added: a saved object of the gmina to add to.
M2M_SOURCES = {"planning.ExtractCase": _extract_case}


def generic_targets():
    return [apps.get_model(name) for name in GENERIC_TARGETS]


@pytest.mark.parametrize("rel", CHECKED)
def test_model_validation_refuses_a_related_object_of_another_gmina(rel, gminas):
    """Whatever writes the object (admin, API, import, staff page, service), the save is refused."""
    own, other = gminas
    obj = new_in(rel.model, own)
    cases = []
    if rel.kind == "generic":
        gfk = rel.model._meta.get_field(rel.name)
        for target_model in generic_targets():
            ct = ContentType.objects.get_for_model(target_model)
            cases.append(
                (
                    {gfk.ct_field: ct, gfk.fk_field: object_in(target_model, other).pk},
                    {gfk.ct_field: ct, gfk.fk_field: object_in(target_model, own).pk},
                    gfk.fk_field,
                )
            )
    elif rel.kind == "fk":
        cases.append(
            ({rel.name: object_in(rel.target, other)}, {rel.name: object_in(rel.target, own)}, rel.name)
        )
    else:  # many-to-many: checked when rows are added
        label = rel.model._meta.label
        if label not in M2M_SOURCES:
            pytest.fail(f"add a saved {label} of a gmina to M2M_SOURCES to test {rel.name}")
        saved = M2M_SOURCES[label](own)
        manager = getattr(saved, rel.name)
        with pytest.raises(ValidationError) as refused, transaction.atomic():
            manager.add(object_in(rel.target, other))
        assert rel.name in refused.value.message_dict
        assert not manager.filter(**{tenancy.gmina_path(rel.target): other}).exists()
        manager.add(object_in(rel.target, own))
        return
    for foreign, same, key in cases:
        for name, value in foreign.items():
            setattr(obj, name, value)
        with pytest.raises(ValidationError) as refused:
            tenancy.check_relations(obj)
        assert key in refused.value.message_dict and "innej gminy" in str(refused.value)
        if f"{rel.model._meta.label}.{rel.name}" not in DERIVED:
            count = rel.model._default_manager.count()
            with pytest.raises(ValidationError):
                obj.save()
            assert rel.model._default_manager.count() == count
        for name, value in same.items():
            setattr(obj, name, value)
        tenancy.check_relations(obj)  # the object of its own gmina is accepted


def admin_forms(request):
    """(model, form class, label) of every admin page and inline, as the editor sees them."""
    for model, model_admin in admin.site._registry.items():
        yield model, model_admin.get_form(request), type(model_admin).__name__
        for inline in model_admin.get_inline_instances(request):
            formset = inline.get_formset(request)
            yield inline.model, formset.form, type(inline).__name__


def test_admin_forms_neither_offer_nor_accept_another_gminas_objects(gminas):
    """Every relation field of every admin form and inline, as an editor of gmina A: B's objects
    are not among the choices (select, raw id, autocomplete) and a POST of one is refused."""
    own, other = gminas
    editor = make_user("redaktor-relacje", tenancy.EDITOR, own)
    request = RequestFactory().get("/admin/")
    request.user = editor
    checked = []
    for model, form_class, where in admin_forms(request):
        relations = [(m, f) for m, f in all_relations() if m is model._meta.concrete_model]
        for _, field in relations:
            if isinstance(field, GenericForeignKey):
                if {field.ct_field, field.fk_field} - set(form_class.base_fields):
                    continue
                for target_model in generic_targets():
                    data = {
                        "gmina": own.pk,
                        field.ct_field: ContentType.objects.get_for_model(target_model).pk,
                        field.fk_field: object_in(target_model, other).pk,
                    }
                    form = form_class(data=data)
                    assert not form.is_valid()
                    assert field.fk_field in form.errors, (where, field.name, form.errors)
                checked.append(f"{where}.{field.name}")
                continue
            if field.name not in form_class.base_fields:
                continue  # not editable on this page (read-only or excluded)
            formfield = form_class.base_fields[field.name]
            foreign, mine = object_in(field.related_model, other), object_in(field.related_model, own)
            assert not formfield.queryset.filter(pk=foreign.pk).exists(), (where, field.name)
            assert formfield.queryset.filter(pk=mine.pk).exists(), (where, field.name)
            value = [foreign.pk] if field.many_to_many else foreign.pk
            form = form_class(data={field.name: value})
            assert not form.is_valid() and field.name in form.errors, (where, field.name)
            checked.append(f"{where}.{field.name}")
    # The reported holes are among the checked fields.
    for expected in ("LampAdmin.line", "InspectionAdmin.item", "AmendmentInline.amended", "ZoneAdmin.plan"):
        assert expected in checked, checked


# --- the reported cases, through the admin pages as the other gmina's editor -----------------
def form_data(model_admin, request, obj) -> dict:
    """The POST body of the admin change form of `obj` as it stands."""
    form = model_admin.get_form(request, obj)(instance=obj)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False or (isinstance(value, FieldFile) and not value):
            continue
        if hasattr(value, "geojson"):
            value = value.transform(4326, clone=True).json
        data[name] = "on" if value is True else value
    for inline in model_admin.get_inline_instances(request, obj):
        prefix = inline.get_formset(request, obj).get_default_prefix()
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data


@pytest.fixture
def nowogrodziec_editor(gminas):
    return make_user("redaktor-nowogrodziec-test", tenancy.EDITOR, gminas[1])


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_admin_refuses_a_lamp_on_another_gminas_line(client, gminas, nowogrodziec_editor):
    from inventory.models import Lamp, LightingLine

    own_line = object_in(LightingLine, gminas[0])
    lamp = object_in(Lamp, gminas[1])
    data = form_data(admin.site._registry[Lamp], _request(nowogrodziec_editor), lamp)
    data["line"] = own_line.pk
    client.force_login(nowogrodziec_editor)
    resp = client.post(f"/admin/inventory/lamp/{lamp.pk}/change/", data)
    assert resp.status_code == 200
    assert "line" in resp.context["adminform"].form.errors
    lamp.refresh_from_db()
    assert lamp.line_id != own_line.pk


def test_admin_refuses_an_inspection_of_another_gminas_item(client, gminas, nowogrodziec_editor):
    from inventory.models import Inspection, LightingLine

    line = object_in(LightingLine, gminas[0])
    client.force_login(nowogrodziec_editor)
    before = Inspection.objects.count()
    resp = client.post(
        "/admin/inventory/inspection/add/",
        {
            "gmina": gminas[1].pk,
            "content_type": ContentType.objects.get_for_model(LightingLine).pk,
            "object_id": line.pk,
            "inspected_on": "2026-05-04",
            "inspector": "Jan Kowalski",
            "result": "ok",
        },
    )
    assert resp.status_code == 200
    errors = resp.context["adminform"].form.errors
    assert "object_id" in errors and "innej gminy" in str(errors)
    assert Inspection.objects.count() == before


def test_admin_refuses_a_plan_amending_another_gminas_plan(client, gminas, nowogrodziec_editor):
    from planning.models import Amendment, Plan

    own_plan, foreign_plan = object_in(Plan, gminas[1]), object_in(Plan, gminas[0])
    data = form_data(admin.site._registry[Plan], _request(nowogrodziec_editor), own_plan)
    prefix = "amendments_made"
    data[f"{prefix}-INITIAL_FORMS"] = Amendment.objects.filter(amending=own_plan).count()
    for i, amendment in enumerate(Amendment.objects.filter(amending=own_plan).order_by("pk")):
        data.update(
            {
                f"{prefix}-{i}-id": amendment.pk,
                f"{prefix}-{i}-amending": own_plan.pk,
                f"{prefix}-{i}-amended": amendment.amended_id,
                f"{prefix}-{i}-kind": amendment.kind,
            }
        )
    new = data[f"{prefix}-INITIAL_FORMS"]
    data[f"{prefix}-TOTAL_FORMS"] = new + 1
    data.update({f"{prefix}-{new}-amended": foreign_plan.pk, f"{prefix}-{new}-kind": "change"})
    client.force_login(nowogrodziec_editor)
    resp = client.post(f"/admin/planning/plan/{own_plan.pk}/change/", data)
    assert resp.status_code == 200, resp.content.decode()[:500]
    assert not Amendment.objects.filter(amending=own_plan, amended=foreign_plan).exists()
    assert "amended" in str(resp.context["inline_admin_formsets"][0].formset.errors)


def test_services_refuse_a_cross_gmina_amendment_even_for_the_central_unit(gminas):
    """The rule holds for every account: the central unit cannot record it either."""
    from planning.models import Amendment, Plan

    with pytest.raises(ValidationError, match="innej gminy"):
        Amendment.objects.create(amending=object_in(Plan, gminas[1]), amended=object_in(Plan, gminas[0]))
