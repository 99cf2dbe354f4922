"""Places, names, postal addresses and phone numbers of data subjects in many jurisdictions.

Addresses follow each country's usual layout; phone numbers are generated from real area codes or
``phonenumbers`` example numbers and kept only if ``phonenumbers`` says they are valid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import phonenumbers

_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
         "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Daniel", "Karen",
         "Maria", "Carlos", "Aisha", "Wei", "Priya", "Omar", "Grace", "Ethan", "Chloe", "Noah"),
        ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
         "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
         "Nguyen", "Patel", "Kim", "O'Brien", "Walker", "Young", "Allen", "King", "Wright", "Scott"),
    ),
    "de": (
        ("Lukas", "Anna", "Leon", "Lea", "Finn", "Hannah", "Jonas", "Mia", "Paul", "Lena", "Felix", "Sophie"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
         "Koch", "Richter"),
    ),
    "fr": (
        ("Louis", "Emma", "Gabriel", "Jade", "Arthur", "Louise", "Jules", "Alice", "Hugo", "Chloé", "Léa", "Raphaël"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
         "Lefèvre", "Girard"),
    ),
    "es": (
        ("Hugo", "Lucía", "Martín", "Sofía", "Pablo", "Martina", "Alejandro", "Paula", "Daniel", "Valeria"),
        ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Ruiz"),
    ),
    "it": (
        ("Leonardo", "Sofia", "Francesco", "Giulia", "Alessandro", "Aurora", "Lorenzo", "Alice", "Mattia", "Ginevra"),
        ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco"),
    ),
    "nl": (
        ("Daan", "Emma", "Sem", "Julia", "Lucas", "Mila", "Levi", "Tess", "Finn", "Sophie"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer"),
    ),
    "sv": (
        ("William", "Alice", "Liam", "Maja", "Noah", "Elsa", "Hugo", "Astrid", "Oscar", "Wilma"),
        ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"),
    ),
    "pl": (
        ("Jakub", "Zuzanna", "Antoni", "Julia", "Jan", "Zofia", "Szymon", "Hanna", "Filip", "Maja"),
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński"),
    ),
    "pt": (
        ("Miguel", "Helena", "Arthur", "Alice", "Gael", "Laura", "Heitor", "Maria", "Theo", "Valentina"),
        ("Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes"),
    ),
    "in": (
        ("Aarav", "Ananya", "Vivaan", "Diya", "Aditya", "Isha", "Arjun", "Saanvi", "Rohan", "Priya"),
        ("Sharma", "Verma", "Iyer", "Reddy", "Nair", "Gupta", "Singh", "Kumar", "Patel", "Mehta"),
    ),
    "ja": (
        ("Haruto", "Yui", "Sota", "Hina", "Yuto", "Aoi", "Riku", "Sakura", "Ren", "Mei"),
        ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato"),
    ),
}


@dataclass(frozen=True)
class Country:
    """A country: ISO code, display name, name locale, street layout, phone style."""

    code: str
    name: str
    locale: str
    streets: tuple[str, ...]
    street_layout: str  # "num_first", "num_last", "comma", "jp"
    weight: float
    subdivisions_in_jurisdiction: bool = False


@dataclass(frozen=True)
class Place:
    """A city with its subdivision, postal code pattern and phone area codes."""

    country: str
    state_code: str
    state_name: str
    city: str
    postal: str  # pattern: 9 = digit, A = letter, other chars literal
    area_codes: tuple[str, ...] = ()
    tz: str = "UTC"

    @property
    def jurisdiction(self) -> str:
        """ISO 3166-2 subdivision for US and Canada (state/provincial laws), else the country."""
        if COUNTRIES[self.country].subdivisions_in_jurisdiction and self.state_code:
            return f"{self.country}-{self.state_code}"
        return self.country


COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        Country("US", "United States", "en", ("Oak", "Maple", "Main", "Cedar", "Pine", "Washington", "Lake", "Hill",
                                               "Park", "Elm", "Sunset", "Market"), "num_first", 44.0, True),
        Country("CA", "Canada", "en", ("King", "Queen", "Yonge", "Bay", "Granville", "Robson", "Sherbrooke"),
                "num_first", 6.0, True),
        Country("GB", "United Kingdom", "en", ("High", "Station", "Church", "Victoria", "Baker", "Mill"),
                "num_first", 7.0),
        Country("IE", "Ireland", "en", ("Grafton", "O'Connell", "Patrick", "Dame"), "num_first", 2.0),
        Country("DE", "Germany", "de", ("Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schillerstraße",
                                        "Goethestraße", "Lindenweg"), "num_last", 7.0),
        Country("FR", "France", "fr", ("rue de Rivoli", "rue Victor Hugo", "avenue Jean Jaurès", "rue de la Paix",
                                       "boulevard Voltaire"), "num_first", 5.0),
        Country("ES", "Spain", "es", ("Calle Mayor", "Calle de Alcalá", "Gran Vía", "Calle Real"), "comma", 3.0),
        Country("IT", "Italy", "it", ("Via Roma", "Via Garibaldi", "Corso Italia", "Via Dante"), "num_last", 3.0),
        Country("NL", "Netherlands", "nl", ("Kerkstraat", "Dorpsstraat", "Stationsweg", "Prinsengracht"),
                "num_last", 3.0),
        Country("SE", "Sweden", "sv", ("Storgatan", "Drottninggatan", "Kungsgatan"), "num_last", 1.5),
        Country("PL", "Poland", "pl", ("ul. Długa", "ul. Marszałkowska", "ul. Piękna"), "num_last", 1.5),
        Country("AU", "Australia", "en", ("George", "Collins", "Queen", "Hay", "Pitt"), "num_first", 5.0),
        Country("BR", "Brazil", "pt", ("Rua Augusta", "Avenida Paulista", "Rua das Flores", "Rua XV de Novembro"),
                "comma", 4.0),
        Country("IN", "India", "in", ("MG Road", "Brigade Road", "Linking Road", "Park Street"), "num_first", 4.0),
        Country("JP", "Japan", "ja", ("Marunouchi", "Shibuya", "Umeda", "Shinjuku"), "jp", 3.0),
    )
}

PLACES: tuple[Place, ...] = (
    Place("US", "CA", "California", "Los Angeles", "900AA", ("213", "310"), "America/Los_Angeles"),
    Place("US", "CA", "California", "San Francisco", "941AA", ("415",), "America/Los_Angeles"),
    Place("US", "CA", "California", "San Diego", "921AA", ("619",), "America/Los_Angeles"),
    Place("US", "NY", "New York", "New York", "100AA", ("212", "646"), "America/New_York"),
    Place("US", "NY", "New York", "Buffalo", "142AA", ("716",), "America/New_York"),
    Place("US", "TX", "Texas", "Austin", "787AA", ("512",), "America/Chicago"),
    Place("US", "TX", "Texas", "Dallas", "752AA", ("214",), "America/Chicago"),
    Place("US", "TX", "Texas", "Houston", "770AA", ("713",), "America/Chicago"),
    Place("US", "FL", "Florida", "Miami", "331AA", ("305",), "America/New_York"),
    Place("US", "FL", "Florida", "Orlando", "328AA", ("407",), "America/New_York"),
    Place("US", "IL", "Illinois", "Chicago", "606AA", ("312", "773"), "America/Chicago"),
    Place("US", "WA", "Washington", "Seattle", "981AA", ("206",), "America/Los_Angeles"),
    Place("US", "MA", "Massachusetts", "Boston", "021AA", ("617",), "America/New_York"),
    Place("US", "GA", "Georgia", "Atlanta", "303AA", ("404",), "America/New_York"),
    Place("US", "CO", "Colorado", "Denver", "802AA", ("303",), "America/Denver"),
    Place("US", "NJ", "New Jersey", "Newark", "071AA", ("973",), "America/New_York"),
    Place("US", "PA", "Pennsylvania", "Philadelphia", "191AA", ("215",), "America/New_York"),
    Place("US", "OR", "Oregon", "Portland", "972AA", ("503",), "America/Los_Angeles"),
    Place("US", "AZ", "Arizona", "Phoenix", "850AA", ("602",), "America/Phoenix"),
    Place("US", "VA", "Virginia", "Richmond", "232AA", ("804",), "America/New_York"),
    Place("US", "NC", "North Carolina", "Charlotte", "282AA", ("704",), "America/New_York"),
    Place("US", "MN", "Minnesota", "Minneapolis", "554AA", ("612",), "America/Chicago"),
    Place("US", "MI", "Michigan", "Detroit", "482AA", ("313",), "America/Detroit"),
    Place("US", "OH", "Ohio", "Columbus", "432AA", ("614",), "America/New_York"),
    Place("US", "TN", "Tennessee", "Nashville", "372AA", ("615",), "America/Chicago"),
    Place("US", "NV", "Nevada", "Las Vegas", "891AA", ("702",), "America/Los_Angeles"),
    Place("US", "UT", "Utah", "Salt Lake City", "841AA", ("801",), "America/Denver"),
    Place("US", "MD", "Maryland", "Baltimore", "212AA", ("410",), "America/New_York"),
    Place("US", "CT", "Connecticut", "Hartford", "061AA", ("860",), "America/New_York"),
    Place("CA", "ON", "Ontario", "Toronto", "M5H 9Z9", ("416", "647"), "America/Toronto"),
    Place("CA", "QC", "Quebec", "Montreal", "H2Y 9Z9", ("514",), "America/Toronto"),
    Place("CA", "BC", "British Columbia", "Vancouver", "V6B 9Z9", ("604",), "America/Vancouver"),
    Place("CA", "AB", "Alberta", "Calgary", "T2P 9Z9", ("403",), "America/Edmonton"),
    Place("GB", "", "", "London", "EC1A 9ZZ", (), "Europe/London"),
    Place("GB", "", "", "Manchester", "M1 9ZZ", (), "Europe/London"),
    Place("GB", "", "", "Edinburgh", "EH1 9ZZ", (), "Europe/London"),
    Place("IE", "", "", "Dublin", "D02 Z999", (), "Europe/Dublin"),
    Place("DE", "", "", "Berlin", "101AA", (), "Europe/Berlin"),
    Place("DE", "", "", "München", "803AA", (), "Europe/Berlin"),
    Place("DE", "", "", "Hamburg", "203AA", (), "Europe/Berlin"),
    Place("FR", "", "", "Paris", "7500A", (), "Europe/Paris"),
    Place("FR", "", "", "Lyon", "6900A", (), "Europe/Paris"),
    Place("ES", "", "", "Madrid", "280AA", (), "Europe/Madrid"),
    Place("ES", "", "", "Barcelona", "080AA", (), "Europe/Madrid"),
    Place("IT", "", "", "Milano", "201AA", (), "Europe/Rome"),
    Place("IT", "", "", "Roma", "001AA", (), "Europe/Rome"),
    Place("NL", "", "", "Amsterdam", "101A ZZ", (), "Europe/Amsterdam"),
    Place("SE", "", "", "Stockholm", "111 AA", (), "Europe/Stockholm"),
    Place("PL", "", "", "Warszawa", "00-AAA", (), "Europe/Warsaw"),
    Place("AU", "NSW", "New South Wales", "Sydney", "2000", (), "Australia/Sydney"),
    Place("AU", "VIC", "Victoria", "Melbourne", "3000", (), "Australia/Melbourne"),
    Place("AU", "QLD", "Queensland", "Brisbane", "4000", (), "Australia/Brisbane"),
    Place("BR", "SP", "São Paulo", "São Paulo", "013AA-AAA", (), "America/Sao_Paulo"),
    Place("BR", "RJ", "Rio de Janeiro", "Rio de Janeiro", "200AA-AAA", (), "America/Sao_Paulo"),
    Place("IN", "MH", "Maharashtra", "Mumbai", "4000AA", (), "Asia/Kolkata"),
    Place("IN", "KA", "Karnataka", "Bengaluru", "5600AA", (), "Asia/Kolkata"),
    Place("IN", "DL", "Delhi", "New Delhi", "1100AA", (), "Asia/Kolkata"),
    Place("JP", "13", "Tokyo", "Chiyoda-ku, Tokyo", "100-00AA", (), "Asia/Tokyo"),
    Place("JP", "27", "Osaka", "Kita-ku, Osaka", "530-00AA", (), "Asia/Tokyo"),
)


def _place_weights() -> np.ndarray:
    per_country: dict[str, int] = {}
    for place in PLACES:
        per_country[place.country] = per_country.get(place.country, 0) + 1
    weights = np.array([COUNTRIES[p.country].weight / per_country[p.country] for p in PLACES])
    normalised: np.ndarray = weights / weights.sum()
    return normalised


PLACE_WEIGHTS = _place_weights()
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXY"


def _postal(pattern: str, rng: np.random.Generator) -> str:
    # "A" = random digit, "Z" = random letter; everything else is literal (fixed city prefix).
    out = []
    for ch in pattern:
        if ch == "A":
            out.append(str(int(rng.integers(0, 10))))
        elif ch == "Z":
            out.append(_LETTERS[int(rng.integers(0, len(_LETTERS)))])
        elif ch == "9":
            out.append(str(int(rng.integers(1, 10))))
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class Address:
    """A postal address as Salesforce compound address fields hold it."""

    street: str
    city: str
    state: str
    state_code: str
    postal_code: str
    country: str
    country_code: str


class PlaceData:
    """Seeded pools of names, addresses and valid phone numbers per place (built once per run)."""

    def __init__(self, rng: np.random.Generator, pool: int = 64) -> None:
        self.rng = rng
        self._phones: dict[int, list[str]] = {}
        self._pool = pool

    def pick_places(self, count: int) -> np.ndarray:
        """Indexes into ``PLACES`` for ``count`` subjects, weighted by country."""
        return self.rng.choice(len(PLACES), size=count, p=PLACE_WEIGHTS)

    def name(self, place_idx: int) -> tuple[str, str]:
        """(first, last) name typical of the place."""
        firsts, lasts = _NAMES[COUNTRIES[PLACES[place_idx].country].locale]
        return firsts[int(self.rng.integers(0, len(firsts)))], lasts[int(self.rng.integers(0, len(lasts)))]

    def address(self, place_idx: int) -> Address:
        """A street address in the place, laid out as the country writes it."""
        place = PLACES[place_idx]
        country = COUNTRIES[place.country]
        street = country.streets[int(self.rng.integers(0, len(country.streets)))]
        num = int(self.rng.integers(1, 2400 if country.street_layout == "num_first" else 180))
        if country.code == "US":
            street = f"{num} {street} {('St', 'Ave', 'Blvd', 'Dr', 'Rd')[num % 5]}"
        elif country.street_layout == "num_first":
            street = f"{num} {street}" + (" Street" if country.code in ("GB", "IE", "CA", "AU") else "")
        elif country.street_layout == "num_last":
            street = f"{street} {num}"
        elif country.street_layout == "comma":
            street = f"{street}, {num}"
        else:
            street = f"{1 + num % 9}-{1 + num % 7}-{1 + num % 30} {street}"
        return Address(
            street=street,
            city=place.city,
            state=place.state_name,
            state_code=place.state_code,
            postal_code=_postal(place.postal, self.rng),
            country=country.name,
            country_code=country.code,
        )

    def phone(self, place_idx: int) -> str:
        """A valid phone number (``phonenumbers``), national format in the US, international elsewhere."""
        pool = self._phones.get(place_idx)
        if pool is None:
            pool = self._build_phone_pool(place_idx)
            self._phones[place_idx] = pool
        return pool[int(self.rng.integers(0, len(pool)))]

    def _build_phone_pool(self, place_idx: int) -> list[str]:
        place = PLACES[place_idx]
        fmt = (
            phonenumbers.PhoneNumberFormat.NATIONAL
            if place.country == "US"
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        out: list[str] = []
        example = phonenumbers.example_number_for_type(place.country, phonenumbers.PhoneNumberType.MOBILE)
        base = str(example.national_number) if example else ""
        attempts = 0
        while len(out) < self._pool and attempts < self._pool * 20:
            attempts += 1
            if place.area_codes:
                area = place.area_codes[int(self.rng.integers(0, len(place.area_codes)))]
                exchange = int(self.rng.integers(200, 1000))
                if exchange % 100 == 11 or exchange == 555:
                    continue
                national = f"{area}{exchange}{int(self.rng.integers(0, 10000)):04d}"
            else:
                keep = max(len(base) - 5, 2)
                national = base[:keep] + "".join(str(int(d)) for d in self.rng.integers(0, 10, len(base) - keep))
            try:
                parsed = phonenumbers.parse(national, place.country)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(parsed):
                out.append(phonenumbers.format_number(parsed, fmt))
        if not out and example is not None:
            out.append(phonenumbers.format_number(example, fmt))
        return out


@dataclass
class People:
    """Columns describing ``n`` generated people (one entry per person)."""

    place: list[int]
    first: list[str]
    last: list[str]
    street: list[str]
    city: list[str]
    state: list[str]
    state_code: list[str]
    postal: list[str]
    country: list[str]
    country_code: list[str]
    phone: list[str]
    mobile: list[str]
    jurisdiction: list[str]


def people(data: PlaceData, count: int) -> People:
    """Generate ``count`` people in bulk (random draws are made in arrays, not per person)."""
    rng = data.rng
    places = data.pick_places(count)
    r_first = rng.integers(0, 1 << 30, count)
    r_last = rng.integers(0, 1 << 30, count)
    r_street = rng.integers(0, 1 << 30, count)
    r_num = rng.integers(1, 2400, count)
    r_digits = rng.integers(0, 10, (count, 8))
    r_letters = rng.integers(0, len(_LETTERS), (count, 8))
    r_phone = rng.integers(0, 1 << 30, (count, 2))
    out = People([], [], [], [], [], [], [], [], [], [], [], [], [])
    for i in range(count):
        pi = int(places[i])
        place = PLACES[pi]
        country = COUNTRIES[place.country]
        firsts, lasts = _NAMES[country.locale]
        num = int(r_num[i]) if country.street_layout == "num_first" else 1 + int(r_num[i]) % 180
        street = country.streets[int(r_street[i]) % len(country.streets)]
        if country.code == "US":
            street = f"{num} {street} {('St', 'Ave', 'Blvd', 'Dr', 'Rd')[num % 5]}"
        elif country.street_layout == "num_first":
            street = f"{num} {street}" + (" Street" if country.code in ("GB", "IE", "CA", "AU") else "")
        elif country.street_layout == "num_last":
            street = f"{street} {num}"
        elif country.street_layout == "comma":
            street = f"{street}, {num}"
        else:
            street = f"{1 + num % 9}-{1 + num % 7}-{1 + num % 30} {street}"
        chars = []
        di = li = 0
        for ch in place.postal:
            if ch == "A":
                chars.append(str(int(r_digits[i, di % 8])))
                di += 1
            elif ch == "9":
                chars.append(str(1 + int(r_digits[i, di % 8]) % 9))
                di += 1
            elif ch == "Z":
                chars.append(_LETTERS[int(r_letters[i, li % 8])])
                li += 1
            else:
                chars.append(ch)
        pool = data._phones.get(pi)
        if pool is None:
            pool = data._build_phone_pool(pi)
            data._phones[pi] = pool
        out.place.append(pi)
        out.first.append(firsts[int(r_first[i]) % len(firsts)])
        out.last.append(lasts[int(r_last[i]) % len(lasts)])
        out.street.append(street)
        out.city.append(place.city)
        out.state.append(place.state_name)
        out.state_code.append(place.state_code)
        out.postal.append("".join(chars))
        out.country.append(country.name)
        out.country_code.append(country.code)
        out.phone.append(pool[int(r_phone[i, 0]) % len(pool)])
        out.mobile.append(pool[int(r_phone[i, 1]) % len(pool)])
        out.jurisdiction.append(place.jurisdiction)
    return out
