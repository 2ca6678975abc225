"""The README's scene reference names every component, field, trigger and action there is."""

from engine.scene.schema import ACTIONS, COMPONENTS, TRIGGERS
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_component_and_field_is_documented():
    for component, schema in COMPONENTS.items():
        assert f"`{component}`" in README, component
        for field in schema.fields:
            assert f"`{field}`" in README, f"{component}.{field}"


def test_every_trigger_and_action_is_documented():
    for name in (*TRIGGERS, *ACTIONS):
        assert f"`{name}`" in README, name
    for action in ACTIONS.values():
        for field in action.table.fields:
            assert f"`{field}`" in README, field


def test_readme_shows_the_two_commands():
    assert "make demo" in README and "make test" in README
