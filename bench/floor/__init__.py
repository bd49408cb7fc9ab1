"""The floor: a minimal Django project the benchmarks measure Plumbers against (DESIGN.md
convention 12). Not part of the product. See settings.py."""
