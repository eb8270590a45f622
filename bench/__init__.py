"""Performance at national scale: a data generator and the harness that measures the app on it.

`python -m bench` measures; `python -m bench.generate` only builds the datasets.
"""
