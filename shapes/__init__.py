"""SHACL shapes for integrity, eligibility and reporting, as Turtle files (read through qigraph.catalog)."""
