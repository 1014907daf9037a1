"""The version of facilitation (a leaf: imported by modules that write it into files)."""

__all__ = ["__version__"]

__version__ = "0.1.0"
