"""The training lab's maths: training sessions, data sets, cost landscapes, the gradient check, curvature
(λ_max and the η bound) and the initialization explorer.

May import: core.engine (and core.symbolic for notation)."""
