"""The NumPy maths of one network: the activation and cost registries (one record per idea), scenarios and
presets, forward/backward/update recorded as a trace of immutable step records, the update rules
(optimizers, penalties) and divergence, saturated and dead neurons, the "updated weights" mistake.

May import: NumPy only (SymPy lazily, and only for a typed formula)."""
