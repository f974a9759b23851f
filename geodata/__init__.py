"""geodata: find the places in news articles, resolve them with a local cached gazetteer, store them."""

__version__ = "0.1.0"
