"""The registry of importers: ``python -m geo import SOURCE ...`` and the app loop over it.

Built-in importers are registered exactly like an extension would be: one module per
source, one line here (``name`` -> "module:Class"), imported only when used.
"""

from __future__ import annotations

import importlib

from geo.importers.base import FileResult, Importer, Options, run_file
from geo.model import DataError

BUILTIN: dict[str, str] = {
    "deepstate": "geo.importers.deepstate:DeepStateImporter",
    "deepstate-mirror": "geo.importers.deepstate_mirror:DeepStateMirrorImporter",
    "isw": "geo.importers.isw:ISWImporter",
    "geonames": "geo.importers.geonames:GeoNamesImporter",
    "wikipedia-towns": "geo.importers.wikipedia_towns:WikipediaTownsImporter",
    "cir": "geo.importers.cir:CIRImporter",
    "bellingcat": "geo.importers.bellingcat:BellingcatImporter",
    "ucdp": "geo.importers.ucdp:UCDPImporter",
    "missiles": "geo.importers.missiles:MissilesImporter",
    "alerts": "geo.importers.alerts:AlertsImporter",
    "boundaries": "geo.importers.boundaries:BoundariesImporter",
    "generic": "geo.importers.generic:GenericImporter",
}


def get(name: str) -> Importer:
    """The importer registered as ``name``; DataError listing the choices otherwise."""
    if name not in BUILTIN:
        raise DataError(f"unknown source '{name}'; choose from {', '.join(BUILTIN)}")
    module, cls = BUILTIN[name].split(":")
    return getattr(importlib.import_module(module), cls)()


__all__ = ["BUILTIN", "FileResult", "Importer", "Options", "get", "run_file"]
