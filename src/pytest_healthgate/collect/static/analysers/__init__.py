"""The analysers the engine runs, one module each, behind ``protocol.Analyser``.

* ``ruff``      ruff check over the files, through its JSON output;
* ``mypy``      mypy over the whole program (opt-in), through its JSON output;
* ``per_file``  radon, debt markers and bandit on each file, across cores
  (the work on one file is in ``file_analyser``).
"""
