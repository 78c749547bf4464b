pytest_plugins = ["tests.workspace", "tests.browser"]
