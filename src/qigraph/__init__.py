"""qigraph: a knowledge graph of Shanghai's quality infrastructure and the policies that govern it."""

__version__ = "0.1.0"
