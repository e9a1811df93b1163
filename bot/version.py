"""The version of briefbot, one place for the package, the CLI and the User-Agent of ingestion."""

__version__ = "0.1.0"
