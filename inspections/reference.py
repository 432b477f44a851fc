"""The seed of the joint risk assessment: the five industries Lägesbild 2021 found most at
risk of work-life crime causing the greatest harm, and the others the network's reports
name (beauty and nail salons, car washes and repair, retail, hotels, agriculture and forestry
with berry picking). The Lägesbild groups industries by this table (docs/reports.md).
Coordinators change the weights and add industries afterwards; the seed is only a start."""

SOURCE = "Lägesbild 2021 (myndighetsgemensam riskvärdering)"
INDUSTRY_RISKS = [
    # key, Swedish name, English name, SNI prefixes, weight 0–10
    ("construction", "Bygg", "Construction", ["41", "42", "43"], 10),
    ("restaurants", "Restaurang", "Restaurants", ["56"], 9),
    ("transport", "Transport", "Transport", ["49.3", "49.4", "52.2", "53.2"], 8),
    ("cleaning", "Städning", "Cleaning", ["81.2"], 8),
    (
        "care",
        "Vård, omsorg och sociala tjänster",
        "Health, care and social services",
        ["86", "87", "88"],
        7,
    ),
    ("beauty", "Skönhet och nagelsalonger", "Beauty and nail salons", ["96.02"], 6),
    ("car_care", "Biltvätt och bilverkstad", "Car washes and car repair", ["45.2"], 6),
    (
        "agriculture_forestry",
        "Jord- och skogsbruk, bärplockning",
        "Agriculture and forestry, berry picking",
        ["01", "02"],
        6,
    ),
    ("retail", "Detaljhandel", "Retail", ["47"], 5),
    ("hotels", "Hotell", "Hotels", ["55"], 5),
]
SOURCE_LATER = "Lägesbilder och myndigheternas rapporter 2019–2024"


def ensure_industry_risks(model) -> None:
    """Create the seed rows that are missing (never overwrites a coordinator's weights)."""
    for key, name_sv, name_en, prefixes, weight in INDUSTRY_RISKS:
        model.objects.get_or_create(
            key=key,
            defaults={
                "name_sv": name_sv,
                "name_en": name_en,
                "sni_prefixes": prefixes,
                "weight": weight,
                "source": SOURCE if weight >= 7 else SOURCE_LATER,
            },
        )
