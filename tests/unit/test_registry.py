"""The registry (inspector/services.py): every service has each layer it claims, and every layer takes its
services from the registry, so adding a service is a module per layer and one row."""

from __future__ import annotations

import inspect

import pytest

from inspector import services
from inspector.cli.commands import COMMANDS
from inspector.core.services.api import ServiceClient
from inspector.services import SERVICES, load


@pytest.mark.parametrize("key", SERVICES)
def test_every_service_has_a_core_client_with_its_capabilities(key: str) -> None:
    service = SERVICES[key]
    assert service.key == key
    client = load(service.client)
    assert inspect.isclass(client)
    assert issubclass(client, ServiceClient)
    assert client.__module__ == f"inspector.core.services.{key}"


@pytest.mark.parametrize("key", SERVICES)
def test_every_service_has_cli_commands_in_the_command_table(key: str) -> None:
    service = SERVICES[key]
    assert service.commands, f"{key} has no command"
    for name, path in service.commands.items():
        assert COMMANDS[name] == (path, service.command_help[name])
        assert callable(load(path))


@pytest.mark.parametrize("key", SERVICES)
def test_every_service_has_emulator_routes(key: str) -> None:
    path = SERVICES[key].emulator
    assert path.startswith(f"inspector.emulator.services.{key}:")
    assert callable(load(path))
    assert isinstance(load(path.partition(":")[0] + ":INDEX"), dict)


@pytest.mark.parametrize("key", SERVICES)
def test_every_panel_is_one_of_the_services_capabilities_with_a_label(key: str) -> None:
    service = SERVICES[key]
    assert set(service.panels) <= service.capabilities
    assert set(service.panel_labels) == set(service.panels)
    for path in service.panels.values():
        assert path.startswith(f"inspector.ui.services.{key}")  # loaded by the window's test, which has Qt


def test_the_layers_read_the_registry() -> None:
    assert services.service_commands().items() <= COMMANDS.items()
    assert len(services.panels()) == sum(len(s.panels) for s in SERVICES.values())
    assert len(services.emulator_routes()) == len(SERVICES)
