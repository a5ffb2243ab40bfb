"""Code lists of APP 2.0 that SIP shows to people: the value (the last segment of the code-list
URL an APP file carries in xlink:href) and its Polish title. Kept here so that a name shown in
SIP never is a URL, whether or not the file gives an xlink:title."""

CODELIST_BASE = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/codelist"
INSPIRE_CODELIST = "http://inspire.ec.europa.eu/codelist"

# RodzajStrefyPlanistycznejKod: kinds of planning zones of a plan ogólny (art. 13c ust. 2 upzp).
ZONE_KINDS = {
    "strefaWielofunkcyjnaZZabudowaMieszkaniowaWielorodzinna": (
        "strefa wielofunkcyjna z zabudową mieszkaniową wielorodzinną"
    ),
    "strefaWielofunkcyjnaZZabudowaMieszkaniowaJednorodzinna": (
        "strefa wielofunkcyjna z zabudową mieszkaniową jednorodzinną"
    ),
    "strefaWielofunkcyjnaZZabudowaZagrodowa": "strefa wielofunkcyjna z zabudową zagrodową",
    "strefaUslugowa": "strefa usługowa",
    "strefaHandluWielkopowierzchniowego": "strefa handlu wielkopowierzchniowego",
    "strefaGospodarcza": "strefa gospodarcza",
    "strefaProdukcjiRolniczej": "strefa produkcji rolniczej",
    "strefaInfrastrukturalna": "strefa infrastrukturalna",
    "strefaZieleniIRekreacji": "strefa zieleni i rekreacji",
    "strefaCmentarzy": "strefa cmentarzy",
    "strefaGornictwa": "strefa górnictwa",
    "strefaOtwarta": "strefa otwarta",
    "strefaKomunikacyjna": "strefa komunikacyjna",
}

# The zone kind of each symbol letter group of a plan ogólny (SW, SJ, …), for writing APP.
ZONE_KIND_OF_SYMBOL = {
    "SW": "strefaWielofunkcyjnaZZabudowaMieszkaniowaWielorodzinna",
    "SJ": "strefaWielofunkcyjnaZZabudowaMieszkaniowaJednorodzinna",
    "SZ": "strefaWielofunkcyjnaZZabudowaZagrodowa",
    "SU": "strefaUslugowa",
    "SH": "strefaHandluWielkopowierzchniowego",
    "SP": "strefaGospodarcza",
    "SR": "strefaProdukcjiRolniczej",
    "SI": "strefaInfrastrukturalna",
    "SN": "strefaZieleniIRekreacji",
    "SC": "strefaCmentarzy",
    "SG": "strefaGornictwa",
    "SO": "strefaOtwarta",
    "SL": "strefaOtwarta",  # SIP's older "strefa lasów"; forests belong to the open zone
    "SK": "strefaKomunikacyjna",
}

_VOIVODESHIPS = {
    "Dolnoslaskiego": "Dolnośląskiego",
    "KujawskoPomorskiego": "Kujawsko-Pomorskiego",
    "Lubelskiego": "Lubelskiego",
    "Lubuskiego": "Lubuskiego",
    "Lodzkiego": "Łódzkiego",
    "Malopolskiego": "Małopolskiego",
    "Mazowieckiego": "Mazowieckiego",
    "Opolskiego": "Opolskiego",
    "Podkarpackiego": "Podkarpackiego",
    "Podlaskiego": "Podlaskiego",
    "Pomorskiego": "Pomorskiego",
    "Slaskiego": "Śląskiego",
    "Swietokrzyskiego": "Świętokrzyskiego",
    "WarminskoMazurskiego": "Warmińsko-Mazurskiego",
    "Wielkopolskiego": "Wielkopolskiego",
    "Zachodniopomorskiego": "Zachodniopomorskiego",
}
# DziennikUrzedowyKod: the official journals in which acts are published.
JOURNALS = {f"dziennikUrzedowyWoj{k}": f"Dziennik Urzędowy Woj. {v}" for k, v in _VOIVODESHIPS.items()}


def journal_code(title: str) -> str:
    """The DziennikUrzedowyKod value of a journal named in a plan's journal entry ("" if none)."""
    lowered = title.lower()
    # Longest names first: "pomorskiego" is also the end of "zachodniopomorskiego".
    by_length = sorted(JOURNALS.items(), key=lambda item: -len(item[1]))
    return next((code for code, name in by_length if name.split("Woj. ")[1].lower() in lowered), "")
