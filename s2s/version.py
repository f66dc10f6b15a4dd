"""The s2s version (`s2s.__version__`); the disk cache keys its entries by it."""
__version__ = "0.1.0"
