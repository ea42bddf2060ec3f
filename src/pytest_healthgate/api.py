"""What a plugin imports: the names of the plugin API, in one place (docs/plugins.md).

A plugin implements ``pytest_healthgate_register(catalogue)`` and adds its
``CollectorSpec`` and ``MetricSpec`` entries; its collector subclasses
``Collector`` and returns ``Measurement`` objects. The built-in gates use
exactly these names.
"""

from __future__ import annotations

from pytest_healthgate.catalogue import Catalogue, CollectorSpec, MetricSpec
from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.config import HealthgateConfig
from pytest_healthgate.model import Bounds, Detail, Direction, Measurement
from pytest_healthgate.schema import Option, boolean, regex, strings, text, unit, whole_number
from pytest_healthgate.units import Unit

__all__ = [
    "Bounds",
    "Catalogue",
    "Collector",
    "CollectorContext",
    "CollectorSpec",
    "Detail",
    "Direction",
    "HealthgateConfig",
    "Measurement",
    "MetricSpec",
    "Option",
    "Role",
    "Unit",
    "boolean",
    "regex",
    "strings",
    "text",
    "unit",
    "whole_number",
]
