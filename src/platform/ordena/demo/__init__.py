"""The demo: ``ordena demo`` (prepare), its firms' content (content) and bulk data for benchmarks (scale)."""
