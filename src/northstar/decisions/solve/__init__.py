"""Pure decision engines: each takes a validated problem dataclass and returns a result dataclass with a status.

Nothing here imports from northstar's web, CLI or storage layers, so benchmarks and tests use the engines directly.
"""
