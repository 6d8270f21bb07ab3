"""Ukraine: recognised area, bounding box, and the admin-1 crosswalk (oblasts, Crimea, two cities).

Each unit: canonical short name, ISO 3166-2 code, GeoNames admin1 code, administrative
centre (lon, lat; from data/towns.csv), and name variants seen in sources (English,
transliterated adjective forms, Russian-based spellings, Ukrainian).
"""

from __future__ import annotations

NAME = "Ukraine"
AREA_KM2 = 603_628.0  # within internationally recognised borders (State Statistics Service of Ukraine)
BBOX = (22.0, 44.0, 40.5, 52.5)  # lon/lat box of the theatre, with a margin

# canonical: (ISO 3166-2, GeoNames admin1, centre lon, centre lat, variants)
ADMIN1: dict[str, tuple[str, str, float, float, tuple[str, ...]]] = {
    "Cherkasy": ("UA-71", "UA.01", 32.05738, 49.44452, ("Cherkaska", "Cherkassy", "Черкаська")),
    "Chernihiv": ("UA-74", "UA.02", 31.28656, 51.50541, ("Chernihivska", "Chernigov", "Чернігівська")),
    "Chernivtsi": ("UA-77", "UA.03", 25.93241, 48.29045, ("Chernivetska", "Chernovtsy", "Чернівецька")),
    "Dnipropetrovsk": ("UA-12", "UA.04", 35.04066, 48.46664,
                       ("Dnipropetrovska", "Dnepropetrovsk", "Dnipro", "Дніпропетровська")),
    "Donetsk": ("UA-14", "UA.05", 37.80224, 48.02300, ("Donetska", "Донецька")),
    "Ivano-Frankivsk": ("UA-26", "UA.06", 24.71248, 48.92312,
                        ("Ivano-Frankivska", "Ivano Frankivsk", "Ivano-Frankovsk", "Івано-Франківська")),
    "Kharkiv": ("UA-63", "UA.07", 36.25475, 49.98177, ("Kharkivska", "Kharkivs'ka", "Kharkov", "Харківська")),
    "Kherson": ("UA-65", "UA.08", 32.61458, 46.63695, ("Khersonska", "Херсонська")),
    "Khmelnytskyi": ("UA-68", "UA.09", 26.97936, 49.41835,
                     ("Khmelnytska", "Khmelnytskyy", "Khmelnitsky", "Khmelnytsky", "Хмельницька")),
    "Kirovohrad": ("UA-35", "UA.10", 32.26618, 48.50834,
                   ("Kirovohradska", "Kirovograd", "Kropyvnytskyi", "Кіровоградська")),
    "Kyiv": ("UA-32", "UA.13", 30.52380, 50.45466, ("Kyivska", "Kiev", "Kyiv Oblast", "Київська")),
    "Kyiv City": ("UA-30", "UA.12", 30.52380, 50.45466, ("Kyiv city", "Kiev City", "м. Київ", "Київ")),
    "Luhansk": ("UA-09", "UA.14", 39.30553, 48.56814, ("Luhanska", "Lugansk", "Луганська")),
    "Lviv": ("UA-46", "UA.15", 24.02324, 49.83826, ("Lvivska", "Lvov", "Львівська")),
    "Mykolaiv": ("UA-48", "UA.16", 31.99296, 46.97625, ("Mykolaivska", "Nikolaev", "Nikolayev", "Миколаївська")),
    "Odesa": ("UA-51", "UA.17", 30.74383, 46.48572, ("Odeska", "Odessa", "Одеська")),
    "Poltava": ("UA-53", "UA.18", 34.55367, 49.58925, ("Poltavska", "Полтавська")),
    "Rivne": ("UA-56", "UA.19", 26.23695, 50.62036, ("Rivnenska", "Rovno", "Рівненська")),
    "Sevastopol": ("UA-40", "UA.20", 33.52134, 44.60795, ("Sevastopol City", "Sevastopol city", "м. Севастополь")),
    "Sumy": ("UA-59", "UA.21", 34.79906, 50.91741, ("Sumska", "Сумська")),
    "Ternopil": ("UA-61", "UA.22", 25.59067, 49.55404, ("Ternopilska", "Ternopol", "Тернопільська")),
    "Vinnytsia": ("UA-05", "UA.23", 28.46871, 49.23220, ("Vinnytska", "Vinnitsa", "Vinnytsya", "Вінницька")),
    "Volyn": ("UA-07", "UA.24", 25.35024, 50.75784, ("Volynska", "Volhynia", "Волинська")),
    "Zakarpattia": ("UA-21", "UA.25", 22.29470, 48.62420,
                    ("Zakarpatska", "Transcarpathia", "Zakarpattya", "Закарпатська")),
    "Zaporizhzhia": ("UA-23", "UA.26", 35.11714, 47.85167,
                     ("Zaporizka", "Zaporizhia", "Zaporizhzhya", "Zaporozhye", "Zaporizhzhe", "Запорізька")),
    "Zhytomyr": ("UA-18", "UA.27", 28.67913, 50.26235, ("Zhytomyrska", "Zhitomir", "Житомирська")),
    "Crimea": ("UA-43", "UA.11", 34.11079, 44.95719,
               ("Autonomous Republic of Crimea", "Republic of Crimea", "Krym", "АР Крим", "Крим")),
}
