"""The pages of a workshop, as ipywidgets apps.

A page notebook imports one function from here and displays what it returns;
the apps call the store and the logic modules and hold no rules of their own.
"""

from ._pages import facilitator_app, participant_app, projector_app

__all__ = ["facilitator_app", "participant_app", "projector_app"]
