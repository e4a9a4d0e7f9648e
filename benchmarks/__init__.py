"""Benchmarks: measured quality of the pipeline stages (run as `python -m benchmarks.<name>`)."""
