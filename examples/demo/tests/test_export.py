from demo.legacy.export import to_csv


def test_rows_become_csv_lines():
    assert to_csv([("apple", 2), ("pear", 1)]) == "apple,2\npear,1"
