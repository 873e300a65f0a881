"""Loaders: one module per source, each turning its source into RDF triples."""
