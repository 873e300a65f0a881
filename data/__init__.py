"""The curated data and policy documents qigraph builds from (read through qigraph.catalog)."""
