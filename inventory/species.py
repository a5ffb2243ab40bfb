"""The tree species dictionary shipped with SIP (loaded by a migration; offices may add more).

Thresholds: trunk circumference at 5 cm above ground up to which felling needs no permit
(ustawa o ochronie przyrody, art. 83f ust. 1 pkt 3a): 80 cm for poplars, willows, ash-leaved
and silver maple; 65 cm for horse chestnut, black locust and plane trees; 50 cm for the rest.
"""

_80 = ("Populus", "Salix", "Acer negundo", "Acer saccharinum")
_65 = ("Aesculus hippocastanum", "Robinia pseudoacacia", "Platanus")

SPECIES = [
    ("Acer platanoides", "klon pospolity"),
    ("Acer pseudoplatanus", "klon jawor"),
    ("Acer campestre", "klon polny"),
    ("Acer negundo", "klon jesionolistny"),
    ("Acer saccharinum", "klon srebrzysty"),
    ("Aesculus hippocastanum", "kasztanowiec zwyczajny"),
    ("Alnus glutinosa", "olsza czarna"),
    ("Betula pendula", "brzoza brodawkowata"),
    ("Carpinus betulus", "grab pospolity"),
    ("Fagus sylvatica", "buk zwyczajny"),
    ("Fraxinus excelsior", "jesion wyniosły"),
    ("Larix decidua", "modrzew europejski"),
    ("Picea abies", "świerk pospolity"),
    ("Pinus sylvestris", "sosna zwyczajna"),
    ("Platanus × hispanica", "platan klonolistny"),
    ("Populus alba", "topola biała"),
    ("Populus nigra", "topola czarna"),
    ("Populus nigra 'Italica'", "topola włoska"),
    ("Populus tremula", "topola osika"),
    ("Prunus avium", "czereśnia ptasia"),
    ("Prunus cerasifera", "śliwa wiśniowa (ałycza)"),
    ("Quercus robur", "dąb szypułkowy"),
    ("Quercus petraea", "dąb bezszypułkowy"),
    ("Quercus rubra", "dąb czerwony"),
    ("Robinia pseudoacacia", "robinia akacjowa"),
    ("Salix alba", "wierzba biała"),
    ("Salix fragilis", "wierzba krucha"),
    ("Salix babylonica", "wierzba płacząca"),
    ("Sorbus aucuparia", "jarząb pospolity"),
    ("Tilia cordata", "lipa drobnolistna"),
    ("Tilia platyphyllos", "lipa szerokolistna"),
    ("Tilia × europaea", "lipa holenderska"),
    ("Ulmus laevis", "wiąz szypułkowy"),
    ("Ulmus glabra", "wiąz górski"),
    ("Juglans regia", "orzech włoski"),
    ("Malus domestica", "jabłoń domowa"),
    ("Pyrus communis", "grusza pospolita"),
    ("Taxus baccata", "cis pospolity"),
    ("Thuja occidentalis", "żywotnik zachodni"),
    ("Gleditsia triacanthos", "glediczja trójcierniowa"),
]


def felling_threshold_cm(latin_name: str) -> int:
    """Return the permit-free circumference threshold (cm at 5 cm above ground) for a species."""
    if any(latin_name == g or latin_name.startswith(g + " ") for g in _80):
        return 80
    if any(latin_name == g or latin_name.startswith(g + " ") for g in _65):
        return 65
    return 50
