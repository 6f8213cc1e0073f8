from hypothesis import HealthCheck, settings

pytest_plugins = ["modgate.testing.pytest_plugin"]

# Property tests assert behaviour, not speed: timing is the benchmarks' job (bench/). On a loaded
# 2-core CI machine a per-example deadline only produces flakes, so it is off for every test.
settings.register_profile("modgate", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("modgate")
