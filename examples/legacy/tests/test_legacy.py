import legacy.tables
from legacy.core import add, sub
from legacy.shapes import area, perimeter


def test_add():
    assert add(1, 2) == 3


def test_sub():
    assert sub(3, 2) == 1


def test_shapes():
    assert area(2, 3) == 6
    assert perimeter(2, 3) == 10


def test_tables():
    assert legacy.tables.SQUARE_3 == 9
