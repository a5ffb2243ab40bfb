"""SLD export and import of styles (QGIS exchanges styles as SLD)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from layers import services
from layers.models import Style, StyleRule
from layers.registry.sld import SLDError, parse_sld, style_to_sld
from sip.models import AuditLog

QGIS_SE = b"""<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc"
  xmlns:se="http://www.opengis.net/se" version="1.1.0">
  <NamedLayer><se:Name>dzialki</se:Name>
    <UserStyle><se:Name>dzialki</se:Name>
      <se:FeatureTypeStyle>
        <se:Rule>
          <se:Name>male</se:Name><se:Description><se:Title>do 1000 m2</se:Title></se:Description>
          <ogc:Filter><ogc:PropertyIsLessThan><ogc:PropertyName>registered_area_m2</ogc:PropertyName>
            <ogc:Literal>1000</ogc:Literal></ogc:PropertyIsLessThan></ogc:Filter>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#1a9850</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter>
              <se:SvgParameter name="stroke-width">0.5</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:Name>inne</se:Name>
          <se:ElseFilter/>
          <se:PolygonSymbolizer>
            <se:Fill><se:SvgParameter name="fill">#d73027</se:SvgParameter>
              <se:SvgParameter name="fill-opacity">0.5</se:SvgParameter></se:Fill>
            <se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter>
              <se:SvgParameter name="stroke-width">1.5</se:SvgParameter></se:Stroke>
          </se:PolygonSymbolizer>
        </se:Rule>
        <se:Rule>
          <se:MaxScaleDenominator>2000</se:MaxScaleDenominator>
          <se:TextSymbolizer><se:Label><ogc:PropertyName>number</ogc:PropertyName></se:Label>
            <se:Font><se:SvgParameter name="font-size">9</se:SvgParameter></se:Font>
            <se:Fill><se:SvgParameter name="fill">#000000</se:SvgParameter></se:Fill>
          </se:TextSymbolizer>
        </se:Rule>
      </se:FeatureTypeStyle>
    </UserStyle>
  </NamedLayer>
</StyledLayerDescriptor>"""


def test_qgis_se_document_is_imported(db, central_admin):
    style = Style.objects.create(name="z-qgis")
    services.import_sld(actor=central_admin, style=style, sld=QGIS_SE)
    style.refresh_from_db()
    assert (style.fill_colour, style.fill_opacity, style.stroke_colour, style.stroke_width) == (
        "#d73027",
        50,
        "#232323",
        1.5,
    )
    assert (style.label_field, style.label_size, style.label_max_scale) == ("number", 9, 2000)
    [rule] = style.rules.all()
    assert (rule.title, rule.field, rule.max_value, rule.min_value, rule.fill_colour) == (
        "do 1000 m2",
        "registered_area_m2",
        1000,
        None,
        "#1a9850",
    )
    assert AuditLog.objects.filter(model="layers.style", object_id=str(style.pk), action="import").exists()


def test_export_then_import_gives_the_same_style(db, central_admin):
    original = Style.objects.create(
        name="oryginal",
        fill_colour="#fee8c8",
        fill_opacity=60,
        stroke_colour="#b35806",
        stroke_width=0.8,
        label_field="number",
        label_colour="#333333",
        label_size=10,
        label_max_scale=2500,
    )
    StyleRule.objects.create(
        style=original, order=0, title="MN", field="number", value="1", fill_colour="#ff0000"
    )
    StyleRule.objects.create(
        style=original, order=1, title="duże", field="registered_area_m2", min_value=5000, max_value=10000
    )
    document = style_to_sld("dzialki", "polygon", original)
    copy = Style.objects.create(name="kopia")
    services.import_sld(actor=central_admin, style=copy, sld=document)
    copy.refresh_from_db()
    for attr in (
        "fill_colour",
        "fill_opacity",
        "stroke_colour",
        "stroke_width",
        "label_field",
        "label_colour",
    ):
        assert getattr(copy, attr) == getattr(original, attr), attr
    assert copy.label_max_scale == 2500 and copy.label_size == 10
    rules = [(r.title, r.field, r.value, r.min_value, r.max_value, r.fill_colour) for r in copy.rules.all()]
    assert rules == [
        ("MN", "number", "1", None, None, "#ff0000"),
        ("duże", "registered_area_m2", "", 5000, 10000, "#fee8c8"),
    ]


@pytest.mark.parametrize(
    "document,message",
    [
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><StyledLayerDescriptor/>', "DTD"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY s SYSTEM "file:///etc/passwd">]>'
            b"<StyledLayerDescriptor><Name>&s;</Name></StyledLayerDescriptor>",
            "DTD",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;'
            b'&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><StyledLayerDescriptor>&c;'
            b"</StyledLayerDescriptor>",
            "DTD",
        ),
        (b"<nie-sld/>", "StyledLayerDescriptor"),
        (b"<StyledLayerDescriptor><NamedLayer>", "poprawny dokument XML"),
        (
            QGIS_SE.replace(b"PropertyIsLessThan>", b"PropertyIsLike>"),
            "Nieobsługiwany warunek",
        ),
        (QGIS_SE.replace(b"#1a9850", b"green"), "koloru"),
    ],
)
def test_documents_sip_cannot_hold_are_refused(document, message):
    with pytest.raises(SLDError, match=message):
        parse_sld(document)


def test_import_refuses_attributes_the_layer_does_not_have(db, central_admin):
    style = Style.objects.get(name="dzialki")
    label_before = style.label_field
    rules_before = list(style.rules.values_list("title", flat=True))
    with pytest.raises(ValidationError, match="nie należy do źródła"):
        services.import_sld(actor=central_admin, style=style, sld=QGIS_SE.replace(b">number<", b">haslo<"))
    stored = Style.objects.get(name="dzialki")
    # Rolled back: the label and the classes as they were.
    assert stored.label_field == label_before
    assert list(stored.rules.values_list("title", flat=True)) == rules_before


def test_admin_upload_and_export_link(client, central_admin):
    style = Style.objects.get(name="dzialki")
    client.force_login(central_admin)
    page = client.get(f"/admin/layers/style/{style.pk}/change/").content.decode()
    assert "REQUEST=GetStyles" in page
    data = {
        "name": "dzialki",
        "fill_colour": style.fill_colour,
        "fill_opacity": style.fill_opacity,
        "stroke_colour": style.stroke_colour,
        "stroke_width": style.stroke_width,
        "symbol": style.symbol,
        "symbol_size": style.symbol_size,
        "label_field": style.label_field,
        "label_colour": style.label_colour,
        "label_size": style.label_size,
        "label_max_scale": style.label_max_scale or "",
        "rules-TOTAL_FORMS": "0",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
        "sld_file": SimpleUploadedFile("dzialki.sld", QGIS_SE, content_type="application/xml"),
    }
    response = client.post(f"/admin/layers/style/{style.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    style.refresh_from_db()
    assert style.fill_colour == "#d73027" and style.rules.count() == 1
    # A file larger than an SLD ever is is refused by the form, not cut short and misread.
    big = QGIS_SE.replace(b"<se:Name>", b"<!--" + b" " * 1_100_000 + b"--><se:Name>", 1)
    data["sld_file"] = SimpleUploadedFile("duzy.sld", big, content_type="application/xml")
    response = client.post(f"/admin/layers/style/{style.pk}/change/", data)
    assert response.status_code == 200
    assert "a można przesłać najwyżej 1,0\u00a0MB" in response.content.decode()


RULE_FIELDS = (
    "title",
    "field",
    "value",
    "min_value",
    "max_value",
    "min_scale",
    "max_scale",
    "label_field",
)
# What a class draws: the rule's own value, else the style's (as layers.mapfile draws it).
DRAWN_FIELDS = ("fill_colour", "stroke_colour", "stroke_width")
LABEL_FIELDS = ("label_colour", "label_size")


def _drawn_rules(style):
    return [
        (
            *(getattr(r, a) for a in RULE_FIELDS),
            *((getattr(r, a) or getattr(style, a)) for a in DRAWN_FIELDS),
            *((getattr(r, a) or getattr(style, a)) if r.label_field else None for a in LABEL_FIELDS),
        )
        for r in style.rules.order_by("order", "id")
    ]


def test_scale_dependent_rules_round_trip_through_sld(db, central_admin):
    from lxml import etree

    original = Style.objects.create(
        name="skale", stroke_colour="#969696", stroke_width=1.2, label_size=8, rules_only=True
    )
    StyleRule.objects.create(
        style=original,
        order=0,
        title="droga krajowa z numerem",
        field="road_category",
        value="krajowa",
        stroke_colour="#d7301f",
        stroke_width=4.5,
        min_scale=13_000,
        max_scale=1_000_000,
        label_field="road_number",
        label_colour="#67000d",
    )
    StyleRule.objects.create(style=original, order=1, title="inne drogi", min_scale=13_000, max_scale=60_000)
    StyleRule.objects.create(
        style=original,
        order=2,
        title="ulica",
        stroke_width=3,
        max_scale=13_000,
        label_field="name",
        label_size=9,
    )
    document = style_to_sld("ulice", "line", original)
    root = etree.fromstring(document)
    ns = {"sld": "http://www.opengis.net/sld", "ogc": "http://www.opengis.net/ogc"}
    rules = root.findall(".//sld:Rule", ns)
    # One SLD Rule a class, with its scale band; no catch-all rule (the classes draw alone).
    assert [r.findtext("sld:Title", namespaces=ns) for r in rules] == [
        "droga krajowa z numerem",
        "inne drogi",
        "ulica",
    ]
    assert [
        (
            r.findtext("sld:MinScaleDenominator", namespaces=ns),
            r.findtext("sld:MaxScaleDenominator", namespaces=ns),
        )
        for r in rules
    ] == [("13000", "1000000"), ("13000", "60000"), (None, "13000")]
    assert root.find(".//sld:ElseFilter", ns) is None
    labels = [r.findtext("sld:TextSymbolizer/sld:Label/ogc:PropertyName", namespaces=ns) for r in rules]
    assert labels == ["road_number", None, "name"]

    copy = Style.objects.create(name="skale-kopia")
    services.import_sld(actor=central_admin, style=copy, sld=document)
    copy.refresh_from_db()
    assert copy.rules_only
    assert _drawn_rules(copy) == _drawn_rules(original)


@pytest.mark.parametrize("layer", ["ulice", "gminy", "obreby", "dzialki", "adresy"])
def test_the_base_map_styles_round_trip_through_sld(db, central_admin, layer):
    from layers.models import Layer

    row = Layer.objects.select_related("style").get(name=layer)
    kind = {"ulice": "line", "adresy": "point"}.get(layer, "polygon")
    copy = Style.objects.create(name=f"{layer}-kopia")
    services.import_sld(actor=central_admin, style=copy, sld=style_to_sld(layer, kind, row.style))
    copy.refresh_from_db()
    assert copy.rules_only == row.style.rules_only
    assert _drawn_rules(copy) == _drawn_rules(row.style)
