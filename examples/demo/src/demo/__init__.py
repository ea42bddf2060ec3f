"""A tiny inventory library used to demonstrate pytest-healthgate."""

from demo.stock import Stock

__all__ = ["Stock"]
