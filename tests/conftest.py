pytest_plugins = ["modgate.testing.pytest_plugin"]
