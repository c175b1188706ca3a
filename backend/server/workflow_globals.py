"""Template globals that come from the workflow tables: the state labels of each lifecycle.

Templates never hold their own state-label dicts; badges and filters read ``WORKFLOW_STATES``.
"""

from __future__ import annotations

from jinja2 import Environment

from backend.domain.incoming.workflow import TABLE as INCOMING
from backend.domain.outgoing.workflow import TABLE as OUTGOING

__all__ = ["install_workflow_globals"]


def install_workflow_globals(env: Environment) -> None:
    """``WORKFLOW_STATES[lifecycle][state]`` is the Vietnamese label of the table (idempotent)."""
    env.globals.setdefault("WORKFLOW_STATES", {
        "incoming": {state.value: label for state, label in INCOMING.state_labels.items()},
        "outgoing": {state.value: label for state, label in OUTGOING.state_labels.items()},
    })
