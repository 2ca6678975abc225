"""Python behaviours: the base class scene scripts subclass and the facade they are given."""

from engine.scripting.behaviour import Behaviour
from engine.scripting.facade import SceneFacade

__all__ = ["Behaviour", "SceneFacade"]
