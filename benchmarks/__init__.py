"""Benchmarks of qigraph against the engines a user would pick instead (not shipped in the wheel).

``python -m benchmarks.generate`` makes a synthetic graph of the real graph's shape at a chosen
scale; ``python -m benchmarks.run`` measures qigraph and the alternatives on it and writes
docs/benchmarks.md.
"""
