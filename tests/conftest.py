pytest_plugins = ["tests.workspace"]
