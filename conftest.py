"""Root conftest. The harness plugin itself is loaded through its pytest11 entry point, as in
any other repo; this only enables pytester for the plugin's own tests."""

pytest_plugins = ["pytester"]
