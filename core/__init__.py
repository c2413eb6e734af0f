"""Backprop Stepper's engine: pure NumPy (and SymPy for formulas), no UI imports."""

from core.engine.backprop import Trace, TrainResult, forward, loss_and_gradients, trace, train
from core.engine.scenario import Scenario, ScenarioError, load_preset, load_scenario, preset_names
from core.teaching.explain import explain

__all__ = ["Scenario", "ScenarioError", "Trace", "TrainResult", "explain", "forward", "load_preset", "load_scenario",
           "loss_and_gradients", "preset_names", "trace", "train"]
