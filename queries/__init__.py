"""The named SPARQL query catalog, one .rq file per query (read through qigraph.catalog)."""
