from hypothesis import HealthCheck, settings

pytest_plugins = ["modgate.testing.pytest_plugin"]

# Property tests assert behaviour, not speed: timing is the benchmarks' job (bench/). On a loaded
# 2-core CI machine a per-example deadline only produces flakes, so it is off for every test.
settings.register_profile("modgate", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("modgate")


def pytest_configure(config: object) -> None:
    """Big rule sets loaded by tests cache their compile in a folder of this run, not ~/.cache."""
    import os
    import tempfile

    os.environ.setdefault("MODGATE_CACHE_DIR", tempfile.mkdtemp(prefix="modgate-test-cache-"))
