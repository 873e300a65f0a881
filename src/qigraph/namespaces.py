"""The namespaces qigraph mints and reuses, and the SPARQL prefixes built from them."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

QI = Namespace("https://w3id.org/qigraph/ontology#")
QID = Namespace("https://w3id.org/qigraph/id/")
ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
CCCEV = Namespace("http://data.europa.eu/m8g/")

PREFIXES: dict[str, str] = {
    "qi": str(QI),
    "qid": str(QID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "time": str(TIME),
    "org": str(ORG),
    "eli": str(ELI),
    "cccev": str(CCCEV),
}


def bind_all(graph) -> None:
    """Bind every qigraph prefix on an rdflib graph, so serialisations read well."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True)


def sparql_prologue() -> str:
    """The PREFIX lines for all qigraph prefixes, for queries written without them."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
