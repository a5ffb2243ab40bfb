"""SLD for QGIS users: export of a layer's style (SLD 1.0.0) and import of SLD 1.0/SE 1.1.

Import understands what the style model can hold: one fill/outline/point symbol, labels from
an attribute, and classes filtered by equality or by a numeric range or not filtered, each with
its scales (Min/MaxScaleDenominator), line width and labels; anything else is refused with a
message naming it, never half-imported. A style whose classes alone draw (Style.rules_only)
has no catch-all rule (ElseFilter) in its SLD, and an SLD without one imports as such.
DTDs and entities are refused (defusedxml).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from lxml import etree

SLD = "http://www.opengis.net/sld"
OGC = "http://www.opengis.net/ogc"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SYMBOLS = ("circle", "square", "triangle")


class SLDError(ValueError):
    """An SLD document SIP cannot take; the message is Polish and meant for the user."""


# --- export -----------------------------------------------------------------------------


def _el(parent, tag, text=None, ns=SLD, **attrs):
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", **attrs)
    if text is not None:
        element.text = str(text)
    return element


def _param(parent, name, value):
    _el(parent, "CssParameter", value, name=name)


def _symbolizer(rule_el, kind: str, style, fill: str, stroke: str, width: float | None = None) -> None:
    width = style.stroke_width if width is None else width
    if kind == "point":
        sym = _el(rule_el, "PointSymbolizer")
        graphic = _el(sym, "Graphic")
        mark = _el(graphic, "Mark")
        _el(mark, "WellKnownName", style.symbol)
        if fill:
            _param(_el(mark, "Fill"), "fill", fill)
        if stroke:
            s = _el(mark, "Stroke")
            _param(s, "stroke", stroke)
            _param(s, "stroke-width", f"{width:g}")
        _el(graphic, "Size", f"{style.symbol_size:g}")
    elif kind == "line":
        s = _el(_el(rule_el, "LineSymbolizer"), "Stroke")
        _param(s, "stroke", stroke or fill or "#000000")
        _param(s, "stroke-width", f"{width:g}")
    else:
        sym = _el(rule_el, "PolygonSymbolizer")
        if fill:
            f = _el(sym, "Fill")
            _param(f, "fill", fill)
            _param(f, "fill-opacity", f"{style.fill_opacity / 100:g}")
        if stroke and width > 0:
            s = _el(sym, "Stroke")
            _param(s, "stroke", stroke)
            _param(s, "stroke-width", f"{width:g}")


def _text_symbolizer(rule_el, field_name: str, colour: str, size: float) -> None:
    text = _el(rule_el, "TextSymbolizer")
    _el(_el(text, "Label"), "PropertyName", field_name, ns=OGC)
    font = _el(text, "Font")
    _param(font, "font-family", "DejaVu Sans")
    _param(font, "font-size", f"{size:g}")
    _param(_el(text, "Fill"), "fill", colour)


def _filter(rule_el, rule) -> None:
    flt = _el(rule_el, "Filter", ns=OGC)

    def comparison(parent, op, value):
        c = _el(parent, op, ns=OGC)
        _el(c, "PropertyName", rule.field, ns=OGC)
        _el(c, "Literal", value, ns=OGC)

    if rule.value:
        comparison(flt, "PropertyIsEqualTo", rule.value)
        return
    parts = []
    if rule.min_value is not None:
        parts.append(("PropertyIsGreaterThanOrEqualTo", f"{rule.min_value:g}"))
    if rule.max_value is not None:
        parts.append(("PropertyIsLessThan", f"{rule.max_value:g}"))
    parent = _el(flt, "And", ns=OGC) if len(parts) > 1 else flt
    for op, value in parts:
        comparison(parent, op, value)


def style_to_sld(layer_name: str, kind: str, style) -> bytes:
    """Return an SLD 1.0.0 document of a style as drawn for a layer of this geometry kind."""
    root = etree.Element(
        f"{{{SLD}}}StyledLayerDescriptor",
        nsmap={None: SLD, "ogc": OGC, "xlink": XLINK, "xsi": XSI},
        version="1.0.0",
    )
    root.set(
        f"{{{XSI}}}schemaLocation", f"{SLD} http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd"
    )
    named = _el(root, "NamedLayer")
    _el(named, "Name", layer_name)
    user_style = _el(named, "UserStyle")
    _el(user_style, "Name", "default")
    _el(user_style, "Title", style.name)
    fts = _el(user_style, "FeatureTypeStyle")
    rules = list(style.rules.all())
    for rule in rules:
        r = _el(fts, "Rule")
        _el(r, "Name", rule.title)
        _el(r, "Title", rule.title)
        if rule.field:
            _filter(r, rule)
        if rule.min_scale:
            _el(r, "MinScaleDenominator", rule.min_scale)
        if rule.max_scale:
            _el(r, "MaxScaleDenominator", rule.max_scale)
        _symbolizer(
            r,
            kind,
            style,
            rule.fill_colour or style.fill_colour,
            rule.stroke_colour or style.stroke_colour,
            rule.stroke_width,
        )
        if rule.label_field:
            _text_symbolizer(
                r,
                rule.label_field,
                rule.label_colour or style.label_colour,
                rule.label_size or style.label_size,
            )
    if not (style.rules_only and rules):
        default = _el(fts, "Rule")
        _el(default, "Name", "default")
        _el(default, "Title", style.name)
        if rules:
            _el(default, "ElseFilter")
        _symbolizer(default, kind, style, style.fill_colour, style.stroke_colour)
    if style.label_field:
        labels = _el(fts, "Rule")
        _el(labels, "Name", "etykiety")
        if style.label_max_scale:
            _el(labels, "MaxScaleDenominator", style.label_max_scale)
        _text_symbolizer(labels, style.label_field, style.label_colour, style.label_size)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- import -----------------------------------------------------------------------------


@dataclass
class ParsedRule:
    title: str
    field: str
    value: str = ""
    min_value: float | None = None
    max_value: float | None = None
    fill_colour: str = ""
    stroke_colour: str = ""
    min_scale: int | None = None
    max_scale: int | None = None
    stroke_width: float | None = None
    label_field: str = ""
    label_colour: str = ""
    label_size: float | None = None


@dataclass
class ParsedStyle:
    attrs: dict = field(default_factory=dict)
    rules: list[ParsedRule] = field(default_factory=list)


def _local(element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _children(element, name):
    return [c for c in element if _local(c) == name]


def _first(element, name):
    found = _children(element, name)
    return found[0] if found else None


def _either(a, b):
    # ElementTree elements without children are falsy: never combine them with `or`.
    return a if a is not None else b


def _descendant(element, name):
    for e in element.iter():
        if _local(e) == name:
            return e
    return None


def _params(element) -> dict[str, str]:
    if element is None:
        return {}
    return {
        p.get("name"): (p.text or "").strip()
        for p in element
        if _local(p) in ("CssParameter", "SvgParameter") and p.get("name")
    }


def _colour(value: str | None) -> str:
    if not value:
        return ""
    value = value.strip()
    if len(value) == 7 and value.startswith("#"):
        try:
            int(value[1:], 16)
        except ValueError:
            pass
        else:
            return value.lower()
    raise SLDError(f"Nieobsługiwany zapis koloru „{value}” (oczekiwano #rrggbb).")


def _number(text: str | None, what: str) -> float:
    try:
        return float((text or "").strip())
    except ValueError:
        raise SLDError(f"{what}: oczekiwano liczby, otrzymano „{text}”.") from None


def _symbolizer_colours(rule_el) -> dict:
    """fill, stroke, width, opacity, symbol, size from the rule's first geometric symbolizer."""
    for sym in rule_el:
        name = _local(sym)
        if name == "PolygonSymbolizer":
            fill, stroke = _params(_first(sym, "Fill")), _params(_first(sym, "Stroke"))
            out = {"fill_colour": _colour(fill.get("fill")), "stroke_colour": _colour(stroke.get("stroke"))}
            if "fill-opacity" in fill:
                out["fill_opacity"] = round(_number(fill["fill-opacity"], "fill-opacity") * 100)
            if "stroke-width" in stroke:
                out["stroke_width"] = _number(stroke["stroke-width"], "stroke-width")
            return out
        if name == "LineSymbolizer":
            stroke = _params(_first(sym, "Stroke"))
            out = {"stroke_colour": _colour(stroke.get("stroke")), "fill_colour": ""}
            if "stroke-width" in stroke:
                out["stroke_width"] = _number(stroke["stroke-width"], "stroke-width")
            return out
        if name == "PointSymbolizer":
            mark = _descendant(sym, "Mark")
            out = {}
            if mark is not None:
                wkn = (
                    (_first(mark, "WellKnownName").text or "").strip().lower()
                    if _first(mark, "WellKnownName") is not None
                    else "circle"
                )
                if wkn not in SYMBOLS:
                    raise SLDError(f"Nieobsługiwany symbol punktu „{wkn}” (dostępne: {', '.join(SYMBOLS)}).")
                out["symbol"] = wkn
                out["fill_colour"] = _colour(_params(_first(mark, "Fill")).get("fill"))
                stroke = _params(_first(mark, "Stroke"))
                out["stroke_colour"] = _colour(stroke.get("stroke"))
                if "stroke-width" in stroke:
                    out["stroke_width"] = _number(stroke["stroke-width"], "stroke-width")
            size = _descendant(sym, "Size")
            if size is not None:
                out["symbol_size"] = _number(size.text, "Size")
            return out
    return {}


def _property(comparison) -> tuple[str, str]:
    prop = _either(_first(comparison, "PropertyName"), _first(comparison, "ValueReference"))
    literal = _first(comparison, "Literal")
    if prop is None or literal is None:
        raise SLDError(f"Filtr {_local(comparison)} bez nazwy atrybutu lub wartości.")
    return (prop.text or "").strip(), (literal.text or "").strip()


def _parse_filter(flt) -> dict:
    body = list(flt)
    if len(body) != 1:
        raise SLDError("Filtr reguły musi mieć jeden warunek.")
    cond = body[0]
    ops = {"PropertyIsGreaterThanOrEqualTo": "min_value", "PropertyIsLessThan": "max_value"}
    if _local(cond) == "PropertyIsEqualTo":
        attr, value = _property(cond)
        return {"field": attr, "value": value}
    if _local(cond) in ops:
        attr, value = _property(cond)
        return {"field": attr, ops[_local(cond)]: _number(value, _local(cond))}
    if _local(cond) == "And":
        out = {}
        for part in cond:
            if _local(part) not in ops:
                raise SLDError(
                    f"Nieobsługiwany warunek „{_local(part)}” (dozwolone: równość albo zakres od–do)."
                )
            attr, value = _property(part)
            if out.get("field", attr) != attr:
                raise SLDError("Zakres w regule musi dotyczyć jednego atrybutu.")
            out["field"] = attr
            out[ops[_local(part)]] = _number(value, _local(part))
        return out
    raise SLDError(f"Nieobsługiwany warunek „{_local(cond)}” (dozwolone: równość albo zakres od–do).")


def _text(text_sym) -> dict:
    """label_field, label_colour, label_size of a TextSymbolizer."""
    label = _either(_descendant(text_sym, "PropertyName"), _descendant(text_sym, "ValueReference"))
    if label is None:
        raise SLDError("Etykieta (TextSymbolizer) musi pochodzić z atrybutu.")
    out = {"label_field": (label.text or "").strip()}
    fill = _params(_first(text_sym, "Fill"))
    if fill.get("fill"):
        out["label_colour"] = _colour(fill["fill"])
    font = _params(_first(text_sym, "Font"))
    if font.get("font-size"):
        out["label_size"] = _number(font["font-size"], "font-size")
    return out


def parse_sld(text: bytes | str) -> ParsedStyle:
    """Return what an SLD document says, in the terms of the style model."""
    try:
        root = fromstring(text, forbid_dtd=True)
    except DefusedXmlException:
        raise SLDError("Plik SLD z deklaracją DTD lub encjami jest niedozwolony.") from None
    except Exception as exc:  # ElementTree.ParseError and friends
        raise SLDError(f"To nie jest poprawny dokument XML: {exc}") from None
    if _local(root) != "StyledLayerDescriptor":
        raise SLDError("To nie jest dokument SLD (brak StyledLayerDescriptor).")
    fts = _descendant(root, "FeatureTypeStyle")
    if fts is None:
        raise SLDError("Dokument SLD nie zawiera stylu (FeatureTypeStyle).")
    parsed = ParsedStyle()
    has_default = False
    for rule_el in _children(fts, "Rule"):
        description = _first(rule_el, "Description")  # SE 1.1 keeps the title there
        title_el = _either(
            _either(
                _first(rule_el, "Title"), _first(description, "Title") if description is not None else None
            ),
            _first(rule_el, "Name"),
        )
        title = (title_el.text or "").strip() if title_el is not None else ""
        scales = {}
        for tag, key in (("MinScaleDenominator", "min_scale"), ("MaxScaleDenominator", "max_scale")):
            el = _first(rule_el, tag)
            if el is not None:
                scales[key] = round(_number(el.text, tag))
        text_sym = _first(rule_el, "TextSymbolizer")
        label = _text(text_sym) if text_sym is not None else {}
        colours = _symbolizer_colours(rule_el)
        flt = _first(rule_el, "Filter")
        if flt is not None or (scales and colours):
            # A class: by attribute, or of all features within its scales.
            condition = _parse_filter(flt) if flt is not None else {"field": ""}
            parsed.rules.append(
                ParsedRule(
                    title=title or condition["field"] or "klasa",
                    fill_colour=colours.get("fill_colour", ""),
                    stroke_colour=colours.get("stroke_colour", ""),
                    stroke_width=colours.get("stroke_width"),
                    **condition,
                    **scales,
                    **label,
                )
            )
        elif colours:
            # The catch-all rule (ElseFilter, or neither filter nor scales): the style's own look.
            parsed.attrs.update(colours)
            parsed.attrs.update(label)
            has_default = True
        elif label:
            # Labels of the whole layer (a rule of a TextSymbolizer alone), up to a scale.
            parsed.attrs.update(label)
            if scales.get("max_scale"):
                parsed.attrs["label_max_scale"] = scales["max_scale"]
    if not parsed.attrs and not parsed.rules:
        raise SLDError("Dokument SLD nie zawiera żadnego obsługiwanego symbolu.")
    parsed.attrs["rules_only"] = bool(parsed.rules) and not has_default
    return parsed
