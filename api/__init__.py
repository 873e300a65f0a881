"""The HTTP API: a FastAPI application over a qigraph store."""
