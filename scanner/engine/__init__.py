"""The scan engine: the plan (which extractors run where), the runner, the worker pool."""
