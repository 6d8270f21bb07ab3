"""A realistic synthetic data directory at full scale, for the benchmarks.

    python bench/generate.py [--out DIR] [--quick] [--snapshots 1500] [--strikes 100000]
                             [--towns 30000] [--vertices 25000] [--seed 1]

Writes the store format the importers write (``Atlas(...).save``: control.parquet sorted by
source/as_of, towns.parquet, strikes.parquet, atlas.json). One control snapshot a day (source
``synthetic``): a long front from the north-east border to the south coast moves a little each
day (seeded random walk of local pushes along its normal, plus a slow drift around Donetsk); a
parallel line west of it bounds the grey zone; ~150 grey pockets drift with the front. Each
day's zones are the faces of ONE noded linework (country border, both lines, pockets, the
fixed pre-2022 and liberated areas), dissolved per status, so neighbouring zones share their
edges exactly. The lines are densified so that a snapshot holds about ``--vertices`` vertices.
Strikes cluster near that day's front and in cities; towns are random points inside Ukraine
with Zipf-like populations. Same seed and parameters: identical files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Polygon

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import model  # noqa: E402
from geo.admin import THEATRE  # noqa: E402
from geo.atlas import MANIFEST, Atlas  # noqa: E402

SOURCE = "synthetic"
START = dt.datetime(2022, 4, 3, tzinfo=dt.UTC)  # DeepStateMap's history starts here
KX, KY = 74.5, 111.2  # km per degree of lon/lat at ~48N (local equirectangular frame)
# The front from inside Russia (north-east) to the Black Sea, through Kupiansk, Bakhmut, Pokrovsk, Orikhiv, Kherson.
FRONT = [(37.9, 50.7), (37.65, 50.1), (37.6, 49.7), (37.75, 49.3), (37.9, 49.0), (37.95, 48.6), (37.6, 48.45),
         (37.2, 48.25), (37.3, 47.95), (37.2, 47.75), (36.6, 47.7), (35.8, 47.55), (35.2, 47.5), (34.5, 47.45),
         (33.9, 47.1), (33.35, 46.78), (32.6, 46.62), (32.0, 46.5), (31.5, 46.25)]
DONBAS_2014 = [(39.9, 49.6), (39.5, 48.75), (38.4, 48.35), (38.05, 48.3), (37.7, 48.05), (37.6, 47.7), (37.75, 47.05),
               (37.8, 46.8), (41.0, 46.8), (41.0, 49.6)]
CRIMEA = [(32.0, 46.12), (34.0, 46.12), (35.0, 45.6), (36.9, 45.5), (37.0, 44.0), (32.0, 44.0)]
NORTH_2022 = [(29.3, 50.2), (30.5, 50.0), (32.0, 50.6), (33.5, 50.9), (34.5, 51.5), (33.0, 52.5), (29.5, 51.6)]
STATUS_ORDER = ("occupied_before", "occupied", "contested", "liberated")
KINDS_FRONT = (("artillery", .45), ("glide_bomb", .15), ("drone", .2), ("ground", .12), ("airstrike", .05),
               ("other", .03))
KINDS_CITY = (("missile", .35), ("drone", .45), ("airstrike", .05), ("glide_bomb", .05), ("artillery", .05),
              ("other", .05))
WEAPONS = {"missile": ("Kh-101", "Iskander-M", "Kalibr", "S-300", "Kh-22"),
           "drone": ("Shahed-136", "Geran-2", "Lancet"),
           "artillery": ("152 mm howitzer", "MLRS Grad", "MLRS Uragan", "mortar"), "airstrike": ("FAB-500", "KAB"),
           "glide_bomb": ("KAB-500", "UMPK FAB-1500"), "ground": ("assault", "armoured assault"), "other": ("",)}
TARGETS = ("residential building", "energy infrastructure", "railway", "industrial site", "military position",
           "port", "school", "hospital", "warehouse", "road", "farm", "")
# Syllables for town names (Latin and Ukrainian spellings in parallel).
PRE = (("Novo", "Ново"), ("Staro", "Старо"), ("Velyka ", "Велика "), ("Mala ", "Мала "), ("", ""), ("", ""),
       ("Verkhnio", "Верхньо"), ("Nyzhnio", "Нижньо"))
ROOTS = (("pokrov", "покров"), ("mykhail", "михайл"), ("oleksandr", "олександр"), ("ivan", "іван"),
         ("petr", "петр"), ("bohdan", "богдан"), ("kamian", "кам'ян"), ("bilo", "біло"), ("chorno", "чорно"),
         ("zelen", "зелен"), ("sokil", "сокіль"), ("dub", "дуб"), ("berez", "берез"), ("vyshn", "вишн"),
         ("hrushev", "грушев"), ("lypov", "липов"), ("sosniv", "соснів"), ("tern", "терн"), ("yablun", "яблун"))
SUFFIX = (("ivka", "івка"), ("ivske", "івське"), ("ka", "ка"), ("e", "е"), ("ohrad", "оград"), ("opil", "опіль"),
          ("ytsia", "иця"), ("yne", "ине"), ("ove", "ове"), ("any", "ани"))


@dataclass(frozen=True)
class Params:
    """What a generated set is made of; stored in atlas.json so a reused set can be checked."""

    snapshots: int = 1500
    strikes: int = 100_000
    towns: int = 30_000
    vertices: int = 25_000
    seed: int = 1


QUICK = Params(snapshots=60, strikes=5_000, towns=3_000, vertices=8_000)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---- geometry ------------------------------------------------------------------------------
def chaikin(points: np.ndarray, rounds: int = 4) -> np.ndarray:
    """Corner-cut a polyline ``rounds`` times (a smooth curve through the same region)."""
    p = np.asarray(points, float)
    for _ in range(rounds):
        q, r = p[:-1] * 0.75 + p[1:] * 0.25, p[:-1] * 0.25 + p[1:] * 0.75
        p = np.vstack([p[:1], np.column_stack([q, r]).reshape(-1, 2), p[-1:]])
    return p


def resample(points: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` equally spaced points along a polyline, and their arc length."""
    s = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    t = np.linspace(0, s[-1], n)
    return np.column_stack([np.interp(t, s, points[:, 0]), np.interp(t, s, points[:, 1])]), t


def smooth_noise(rng: np.random.Generator, s: np.ndarray, bands: list[tuple[float, float]]) -> np.ndarray:
    """Noise along arc length ``s``: per (wavelength km, amplitude km) band, linearly interpolated knots."""
    out = np.zeros_like(s)
    for wavelength, amplitude in bands:
        k = int(s[-1] / wavelength) + 2
        out += np.interp(s, np.linspace(0, s[-1], k), rng.normal(0, amplitude, k))
    return out


def to_deg(km: np.ndarray) -> np.ndarray:
    return km / [KX, KY]


class Front:
    """The front line and the grey-zone line west of it, moving by a seeded random walk."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.base, self.s = resample(chaikin(np.array(FRONT) * [KX, KY]), n)
        d = np.gradient(self.base, axis=0)
        d /= np.hypot(*d.T)[:, None]
        self.normal = np.column_stack([-d[:, 1], d[:, 0]])  # points east of the north-to-south line
        self.rough = smooth_noise(rng, self.s, [(1.5, 0.3), (6, 0.8), (25, 2.0)])
        self.width = 3 + np.abs(smooth_noise(rng, self.s, [(20, 2.5), (80, 2.0)]))
        pokrovsk = np.argmin(np.hypot(*(self.base - np.array([37.2 * KX, 48.25 * KY])).T))
        self.drift = -0.03 * np.exp(-0.5 * ((self.s - self.s[pokrovsk]) / 60) ** 2)  # km/day westward
        self.offset = np.zeros(n)

    def step(self, rng: np.random.Generator) -> None:
        """One day: a few local pushes (5-30 km wide, ~0.6 km deep), drift, weak pull back to the base."""
        for _ in range(rng.poisson(2)):
            centre, width, depth = rng.uniform(0, self.s[-1]), rng.uniform(5, 30), rng.normal(0, 0.6)
            self.offset += depth * np.exp(-0.5 * ((self.s - centre) / width) ** 2)
        self.offset += self.drift - 0.002 * self.offset

    def at(self, shift_km: np.ndarray | float = 0.0) -> np.ndarray:
        """The front (shifted east by ``shift_km``) as lon/lat points."""
        return to_deg(self.base + (self.offset + self.rough + shift_km)[:, None] * self.normal)


class Pockets:
    """Small grey-zone pockets on both sides of the front that drift with it; a few are replaced daily."""

    def __init__(self, rng: np.random.Generator, n_front: int, count: int = 150) -> None:
        self.n_front, self.count = n_front, count
        self.index, self.across, self.radius = self._new(rng, count)
        self.shape = rng.uniform(0.7, 1.3, (count, 12))

    def _new(self, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return rng.integers(0, self.n_front, k), rng.laplace(0, 8, k), rng.uniform(0.6, 2.5, k)

    def step(self, rng: np.random.Generator) -> None:
        gone = rng.random(self.count) < 0.05
        self.index[gone], self.across[gone], self.radius[gone] = self._new(rng, int(gone.sum()))
        self.shape[gone] = rng.uniform(0.7, 1.3, (int(gone.sum()), 12))

    def rings(self, front: Front) -> list[Polygon]:
        centre = front.base[self.index] + (front.offset + front.rough)[self.index, None] * front.normal[self.index]
        centre += self.across[:, None] * front.normal[self.index]
        angle = np.linspace(0, 2 * np.pi, 12, endpoint=False)
        r = (self.radius[:, None] * self.shape)[..., None]
        ring = centre[:, None, :] + r * np.stack([np.cos(angle), np.sin(angle)], axis=-1)[None]
        return [Polygon(to_deg(c)) for c in ring]


def fixed_areas(country: shapely.Geometry) -> tuple[shapely.Geometry, shapely.Geometry]:
    """(pre-2022 zone, area liberated in 2022): from data/control.geojson when present, else drawn here."""
    embedded = ROOT / "data" / "control.geojson"
    before = None
    if embedded.exists():
        zones = gpd.read_file(embedded)
        zones = zones[zones["status"] == "occupied_before"]
        if len(zones):
            times = pd.to_datetime(zones["as_of"], utc=True)
            before = shapely.union_all(zones.geometry[times == times.max()].values)
    if before is None:
        before = shapely.union(Polygon(DONBAS_2014), Polygon(CRIMEA))
    before = shapely.intersection(before, country)
    base = Polygon(FRONT + [(45, FRONT[-1][1]), (45, FRONT[0][1])])  # east of the base front
    near = shapely.difference(shapely.buffer(LineString(FRONT), 0.7), base)
    near = shapely.difference(near, shapely.box(0, 0, 50, 46.4))  # not south of the Dnipro's mouth
    kharkiv_kherson = shapely.difference(near, shapely.box(0, 47.2, 50, 48.8))  # not the Donbas/Zaporizhzhia part
    liberated = shapely.intersection(shapely.union(Polygon(NORTH_2022), kharkiv_kherson), country)
    return before, liberated


def zones_of_day(country, before, liberated, front: Front, pockets: Pockets) -> dict[str, shapely.Geometry]:
    """The day's zones per status, as the faces of one noded linework (shared edges are exact)."""
    line, grey = front.at(), front.at(-front.width)
    far = [(45, line[-1][1]), (45, line[0][1])]
    east, east_of_grey = Polygon(np.vstack([line, far])), Polygon(np.vstack([grey, far]))
    rings = pockets.rings(front)
    pocket_area = shapely.union_all(rings)
    edges = [shapely.boundary(country), LineString(line), LineString(grey), shapely.boundary(before),
             shapely.boundary(liberated), *[r.exterior for r in rings]]
    noded = shapely.union_all(np.concatenate([shapely.get_parts(e) for e in edges]))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    x, y = shapely.get_coordinates(shapely.point_on_surface(faces)).T
    status = np.full(len(faces), "", dtype=object)
    inside = shapely.contains_xy(country, x, y)
    for name, area in (("occupied_before", before), ("contested", pocket_area), ("occupied", east),
                       ("contested", east_of_grey), ("liberated", liberated)):
        shapely.prepare(area)
        hit = inside & (status == "") & shapely.contains_xy(area, x, y)
        status[hit] = name
    return {s: shapely.coverage_union_all(faces[status == s]) for s in STATUS_ORDER if (status == s).any()}


def snapshot_rows(zones: dict[str, shapely.Geometry], as_of: pd.Timestamp, rows: list, geoms: list) -> None:
    """Append one control snapshot to ``rows``/``geoms``: a row per polygon part (like DeepStateMap's many zones)."""
    for status, geom in zones.items():
        for i, part in enumerate(shapely.get_parts(geom)):
            rows.append((as_of, status, f"{status} {i + 1}"))
            geoms.append(part)


# ---- towns and strikes ---------------------------------------------------------------------
def nearest_admin1(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Canonical admin-1 name of the nearest administrative centre (synthetic, good enough)."""
    names = [n for n in THEATRE.ADMIN1 if n not in ("Kyiv City", "Sevastopol")]
    cx = np.array([THEATRE.ADMIN1[n][2] for n in names])
    cy = np.array([THEATRE.ADMIN1[n][3] for n in names])
    d = ((x[:, None] - cx) * KX) ** 2 + ((y[:, None] - cy) * KY) ** 2
    return np.array(names, dtype=object)[d.argmin(axis=1)]


def make_towns(rng: np.random.Generator, country: shapely.Geometry, n: int) -> gpd.GeoDataFrame:
    """``n`` towns at random points inside the country with Zipf-like populations."""
    x0, y0, x1, y1 = country.bounds
    shapely.prepare(country)
    xs, ys = np.empty(0), np.empty(0)
    while len(xs) < n:
        x, y = rng.uniform(x0, x1, 3 * n), rng.uniform(y0, y1, 3 * n)
        keep = shapely.contains_xy(country, x, y)
        xs, ys = np.concatenate([xs, x[keep]]), np.concatenate([ys, y[keep]])
    xs, ys = xs[:n], ys[:n]
    rank = np.arange(1, n + 1)
    population = np.maximum(50, 2_950_000 / rank**1.05 * rng.lognormal(0, 0.15, n)).astype(int)
    kind = np.select([rank == 1, rank <= 25, population >= 50_000, population >= 5_000],
                     ["capital", "oblast_centre", "city", "town"], "village")
    parts = [rng.integers(0, len(v), n) for v in (PRE, ROOTS, SUFFIX)]
    name = [f"{PRE[a][0]}{ROOTS[b][0]}{SUFFIX[c][0]}".title() for a, b, c in zip(*parts, strict=True)]
    name_uk = [f"{PRE[a][1]}{ROOTS[b][1]}{SUFFIX[c][1]}".capitalize() for a, b, c in zip(*parts, strict=True)]
    frame = gpd.GeoDataFrame({
        "town_id": [f"syn-t{i:06d}" for i in rank], "name": name, "name_uk": name_uk, "population": population,
        "admin1": nearest_admin1(xs, ys), "kind": kind, "source": SOURCE, "note": "",
    }, geometry=gpd.points_from_xy(xs, ys), crs=model.CRS)
    return model.normalize("towns", frame)[0]


def pick(rng: np.random.Generator, table: tuple[tuple[str, float], ...], k: int) -> np.ndarray:
    names, weights = zip(*table, strict=True)
    return rng.choice(np.array(names, dtype=object), k, p=np.array(weights) / sum(weights))


def day_strikes(rng: np.random.Generator, k: int, day: dt.datetime, front: np.ndarray, normal: np.ndarray,
                towns: gpd.GeoDataFrame, weights: np.ndarray) -> pd.DataFrame:
    """``k`` strikes of one day: two thirds within ~10 km of the front, the rest in cities."""
    near = rng.random(k) < 0.65
    i = rng.integers(0, len(front), k)
    across = rng.laplace(2, 8, k)[:, None] * normal[i] / [KX, KY]
    xy = front[i] + across
    town = rng.choice(len(towns), k, p=weights)
    tx, ty = towns.geometry.x.to_numpy()[town], towns.geometry.y.to_numpy()[town]
    jitter = rng.normal(0, 2, (k, 2)) / [KX, KY]
    xy = np.where(near[:, None], xy, np.column_stack([tx, ty]) + jitter)
    kind = np.where(near, pick(rng, KINDS_FRONT, k), pick(rng, KINDS_CITY, k))
    seconds = rng.integers(0, 86_400, k)
    precision = rng.choice(np.array(["minute", "hour", "day"], dtype=object), k, p=[0.7, 0.2, 0.1])
    seconds = np.select([precision == "hour", precision == "day"], [seconds // 3600 * 3600, 0], seconds)
    hurt = rng.random((k, 2)) < [0.12, 0.22]
    return pd.DataFrame({
        "x": xy[:, 0], "y": xy[:, 1], "near_town": np.where(near, -1, town),
        "time": [day + dt.timedelta(seconds=int(s)) for s in seconds], "time_precision": precision, "kind": kind,
        "weapon": [WEAPONS[kd][rng.integers(len(WEAPONS[kd]))] for kd in kind],
        "target": rng.choice(np.array(TARGETS, dtype=object), k),
        "killed": np.where(hurt[:, 0], rng.geometric(0.35, k), 0),
        "injured": np.where(hurt[:, 1], rng.geometric(0.2, k), 0),
    })


def finish_strikes(parts: list[pd.DataFrame], towns: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Name each strike's place (its town, or the nearest town) and give it ids and texts."""
    df = pd.concat(parts, ignore_index=True)
    points = gpd.points_from_xy(df["x"], df["y"])
    town = df["near_town"].to_numpy().copy()
    far = town < 0
    town[far] = shapely.STRtree(towns.geometry.values).query_nearest(points[far], all_matches=False)[1]
    place, admin1 = towns["name"].to_numpy()[town], towns["admin1"].to_numpy()[town]
    precision = rng.choice(np.array(["exact", "town", "admin1"], dtype=object), len(df), p=[0.9, 0.08, 0.02])
    centres = {n: THEATRE.ADMIN1[n][2:4] for n in THEATRE.ADMIN1}
    tx, ty = towns.geometry.x.to_numpy()[town], towns.geometry.y.to_numpy()[town]
    ax = np.array([centres[a][0] for a in admin1])
    ay = np.array([centres[a][1] for a in admin1])
    x = np.select([precision == "town", precision == "admin1"], [tx, ax], df["x"])
    y = np.select([precision == "town", precision == "admin1"], [ty, ay], df["y"])
    ids = [f"syn-s{i:07d}" for i in range(1, len(df) + 1)]
    frame = gpd.GeoDataFrame({
        "event_id": ids, "time": df["time"], "time_precision": df["time_precision"], "kind": df["kind"],
        "weapon": df["weapon"], "target": df["target"], "place": place, "admin1": admin1,
        "killed": df["killed"], "injured": df["injured"],
        "description": [f"Synthetic {k.replace('_', ' ')} strike near {p}." for k, p in zip(df["kind"], place,
                                                                                             strict=True)],
        "source": SOURCE, "source_url": [f"https://example.org/synthetic/{i}" for i in ids],
        "location_precision": precision,
    }, geometry=gpd.points_from_xy(x, y), crs=model.CRS)
    return model.normalize("strikes", frame)[0]


# ---- the whole set -------------------------------------------------------------------------
def calibrate(country, before, liberated, rng_seed: int, target: int) -> int:
    """Front resolution (points) that gives about ``target`` vertices per snapshot (linear fit on two trials)."""
    counts = []
    for n in (3000, 6000):
        rng = np.random.default_rng(rng_seed)
        front = Front(rng, n)
        zones = zones_of_day(country, before, liberated, front, Pockets(rng, n))
        counts.append(sum(shapely.get_num_coordinates(g) for g in zones.values()))
    slope = (counts[1] - counts[0]) / 3000
    return int(min(200_000, max(500, 3000 + (target - counts[0]) / slope)))


def generate(out: Path, params: Params = Params()) -> Path:
    """Write the synthetic data directory ``out``; returns it."""
    started = time.perf_counter()
    country = shapely.union_all(gpd.read_file(ROOT / "data" / "boundaries" / "ukraine.geojson").geometry.values)
    before, liberated = fixed_areas(country)
    n_front = calibrate(country, before, liberated, params.seed, params.vertices)
    rng = np.random.default_rng(params.seed)
    towns = make_towns(rng, country, params.towns)
    log(f"{len(towns):,} towns ({time.perf_counter() - started:.1f} s); front of {n_front:,} points")
    weights = towns["population"].to_numpy(float)
    weights /= weights.sum()
    day_weight = 1 + 2 * (rng.random(params.snapshots) < 0.08)  # occasional mass-attack days
    per_day = rng.multinomial(params.strikes, day_weight / day_weight.sum())
    front, pockets = Front(rng, n_front), Pockets(rng, n_front)
    rows, geoms, strikes, vertices = [], [], [], []
    for d in range(params.snapshots):
        front.step(rng)
        pockets.step(rng)
        day = START + dt.timedelta(days=d)
        as_of = pd.Timestamp(day + dt.timedelta(hours=18, minutes=int(rng.integers(0, 300))))
        zones = zones_of_day(country, before, liberated, front, pockets)
        vertices.append(sum(shapely.get_num_coordinates(g) for g in zones.values()))
        snapshot_rows(zones, as_of, rows, geoms)
        strikes.append(day_strikes(rng, int(per_day[d]), day, front.at(), front.normal, towns, weights))
        if (d + 1) % 100 == 0 or d + 1 == params.snapshots:
            log(f"snapshot {d + 1}/{params.snapshots} ({time.perf_counter() - started:.0f} s)")
    control = gpd.GeoDataFrame(pd.DataFrame(rows, columns=["as_of", "status", "label"]).assign(
        source=SOURCE, note="", source_url=""), geometry=geoms, crs=model.CRS)
    control = model.normalize("control", control)[0]
    manifest = {"name": "frontline synthetic benchmark data", "generator": "bench/generate.py",
                "params": asdict(params),
                "attribution": {SOURCE: "Synthetic data (bench/generate.py); borders: Natural Earth"}}
    atlas = Atlas(control, towns, finish_strikes(strikes, towns, rng), manifest=manifest)
    log(f"writing {out} ({len(control):,} zones, {len(atlas.strikes):,} strikes)")
    atlas.save(out)
    size = sum(f.stat().st_size for f in out.iterdir()) / 1e6
    log(f"done in {time.perf_counter() - started:.0f} s: {params.snapshots} snapshots, vertices per snapshot "
        f"{min(vertices):,}-{max(vertices):,} (median {int(np.median(vertices)):,}), {size:.0f} MB")
    return out


def stored_params(path: Path) -> Params | None:
    """The parameters a data directory was generated with (None when it is not a generated set)."""
    try:
        return Params(**json.loads((path / MANIFEST).read_text("utf-8"))["params"])
    except (OSError, KeyError, TypeError, ValueError):
        return None


def ensure(path: Path, params: Params) -> Path:
    """Generate ``path`` unless it already holds a set made with ``params``."""
    if stored_params(path) == params and (path / "control.parquet").exists():
        return path
    return generate(path, params)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=None, help="data directory (default /tmp/frontline-bench/full|quick)")
    ap.add_argument("--quick", action="store_true", help=f"a small set: {QUICK}")
    base = QUICK if "--quick" in (argv if argv is not None else sys.argv[1:]) else Params()
    for field, value in asdict(base).items():
        ap.add_argument(f"--{field}", type=int, default=value)
    args = ap.parse_args(argv)
    params = Params(**{f: getattr(args, f) for f in asdict(base)})
    out = args.out or Path("/tmp/frontline-bench") / ("quick" if args.quick else "full")
    generate(out, params)
    print(json.dumps({"out": str(out), **asdict(params)}))


if __name__ == "__main__":
    main()
