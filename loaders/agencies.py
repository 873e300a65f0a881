"""The government agencies named in the documents: a registry that resolves the names the texts
use (市市场监管局, 市科委…) to one resource per agency, and writes those resources as RDF."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from qigraph.namespaces import ORG, QI, QID

from .rdfutil import add_labels
from .records import DataError, check_slug, read_yaml, require

LEVEL_CLASS = {"national": QI.NationalAgency, "municipal": QI.MunicipalAgency, "district": QI.DistrictAgency}


@dataclass
class Agency:
    """One agency record of data/agencies.yaml."""

    id: str
    name_zh: str
    short_names: list[str]
    name_en: str
    name_en_source: str
    level: str
    collective: bool = False
    parent: str | None = None
    name_en_alt: list[str] = field(default_factory=list)
    note: str | None = None

    @property
    def iri(self) -> URIRef:
        return QID[f"agency/{self.id}"]

    @property
    def names(self) -> list[str]:
        return [self.name_zh, *self.short_names]


class AgencyRegistry:
    """Resolves agency names as the documents write them to the agency records."""

    def __init__(self, agencies: list[Agency]):
        self.agencies = {a.id: a for a in agencies}
        self._by_name: dict[str, Agency] = {}
        for agency in agencies:
            for name in agency.names:
                other = self._by_name.get(name)
                if other and other.id != agency.id:
                    raise DataError(f"agencies.yaml: the name {name!r} is given to both {other.id} and {agency.id}")
                self._by_name[name] = agency
        # Longest names first, so 市市场监管局 is not found inside 各区市场监管局.
        names = sorted(self._by_name, key=len, reverse=True)
        self._mention = re.compile("|".join(re.escape(n) for n in names))

    def resolve(self, name: str) -> Agency:
        """The agency a name (full or short) refers to.

        Raises:
            DataError: the name is not known; add it to data/agencies.yaml.
        """
        agency = self._by_name.get(name.strip())
        if agency is None:
            raise DataError(f"unknown agency name {name!r}: add it (or a short name) to data/agencies.yaml")
        return agency

    def get(self, agency_id: str, where: str) -> Agency:
        if agency_id not in self.agencies:
            raise DataError(f"{where}: unknown agency id {agency_id!r} (see data/agencies.yaml)")
        return self.agencies[agency_id]

    def mentions(self, text: str) -> list[Agency]:
        """The agencies a text names, each once, in order of first mention."""
        seen: dict[str, Agency] = {}
        for m in self._mention.finditer(text):
            agency = self._by_name[m.group(0)]
            seen.setdefault(agency.id, agency)
        return list(seen.values())

    def is_signature_line(self, line: str) -> bool:
        """True for a line made only of agency names (the signature block of a document)."""
        tokens = [t for t in re.split(r"\s+", line.strip()) if t]
        return bool(tokens) and all(t in self._by_name for t in tokens)


def load_registry(path: Path) -> AgencyRegistry:
    """Read data/agencies.yaml into a registry, checking every record."""
    agencies = []
    for i, rec in enumerate(read_yaml(path, "agencies"), start=1):
        where = f"{path.name} record {i}"
        agency_id = check_slug(require(rec, "id", where), where)
        where = f"{path.name} agency {agency_id}"
        level = require(rec, "level", where)
        if level not in LEVEL_CLASS:
            raise DataError(f"{where}: level must be one of {sorted(LEVEL_CLASS)} (got {level!r})")
        agencies.append(Agency(
            id=agency_id,
            name_zh=require(rec, "name_zh", where),
            short_names=list(rec.get("short_names_zh") or []),
            name_en=require(rec, "name_en", where),
            name_en_source=require(rec, "name_en_source", where),
            level=level,
            collective=bool(rec.get("collective", False)),
            parent=rec.get("parent"),
            name_en_alt=list(rec.get("name_en_alt") or []),
            note=rec.get("note"),
        ))
    registry = AgencyRegistry(agencies)
    for agency in agencies:
        if agency.parent:
            registry.get(agency.parent, f"{path.name} agency {agency.id} parent")
    return registry


def agencies_graph(registry: AgencyRegistry) -> Graph:
    """The agencies as RDF: class by level, full and short names, English name with its source."""
    g = Graph()
    for a in registry.agencies.values():
        g.add((a.iri, RDF.type, QI.Agency))
        g.add((a.iri, RDF.type, LEVEL_CLASS[a.level]))
        if a.collective:
            g.add((a.iri, RDF.type, QI.AgencyCollective))
        add_labels(g, a.iri, a.name_zh, a.name_en, pref=True)
        for short in a.short_names:
            if short != a.name_zh:
                g.add((a.iri, QI.shortName, Literal(short, lang="zh")))
                g.add((a.iri, SKOS.altLabel, Literal(short, lang="zh")))
        for alt in a.name_en_alt:
            g.add((a.iri, SKOS.altLabel, Literal(alt, lang="en")))
        if a.name_en_source.startswith("http"):
            g.add((a.iri, QI.englishNameSource, URIRef(a.name_en_source)))
        else:
            g.add((a.iri, SKOS.editorialNote, Literal("English name is a descriptive translation; no official English name was found.", lang="en")))
            g.add((a.iri, SKOS.editorialNote, Literal("英文名称为描述性译名，未查到官方英文名称。", lang="zh")))
        if a.parent:
            g.add((a.iri, ORG.subOrganizationOf, registry.agencies[a.parent].iri))
        if a.note:
            g.add((a.iri, SKOS.editorialNote, Literal(a.note, lang="en")))
    return g
