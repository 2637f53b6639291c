"""Language loaders. Each subpackage exposes `load(units, options) -> LoadResult` and is imported
only when a file of its language is present."""
