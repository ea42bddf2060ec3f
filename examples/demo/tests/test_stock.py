import time

import pytest

from demo import Stock


def test_added_items_are_counted():
    stock = Stock()
    stock.add("apple", 3)
    assert stock.count("apple") == 3


def test_removing_more_than_held_is_refused():
    stock = Stock()
    stock.add("pear")
    with pytest.raises(ValueError, match="only 1 of pear"):
        stock.remove("pear", 2)


def test_report_lists_items_in_order():
    stock = Stock()
    stock.add("pear")
    stock.add("apple", 2)
    assert stock.report() == "apple: 2\npear: 1"


def test_a_slow_stock_take():
    # Stands in for a slow integration test; it pushes the session past duration's warn bound.
    time.sleep(2.1)
    assert Stock().report() == "empty"
