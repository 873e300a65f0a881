"""The OWL 2 ontology of qigraph, as Turtle files (read through qigraph.catalog)."""
