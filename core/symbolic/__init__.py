"""The symbolic layer: typed formulas (a whitelisted parser into SymPy, prepared within a CPU deadline),
notation and number formats, the LaTeX of every step's equation and of the matrix form, the optimizer's
equations, and the computational graph of scalar operations (from an expression or a network).

May import: core.engine, SymPy."""
