"""Screen 2: the forward pass, neuron by neuron (or layer by layer in the matrix view), on the stage:
the browser steps, plays and animates every step (app/walkthrough/stage.py)."""

from app.walkthrough import quiz, stage, ui

ui.page_start("2 · Forward pass", "From the input to the cost: every neuron weighs its inputs, adds its bias "
              "and applies its activation. Step with Next or →, or press Play; the drawing shows every z and a "
              "computed so far.")
if not quiz.screen("forward"):  # in quiz mode the quiz is the screen
    view = ui.view_toggle("forward")
    if view == "graph":
        from app.graph import graph_ui  # the graph view (and the SymPy it builds on) loads only when shown

        graph_ui.step_screen("forward")  # draws the rest of the screen and stops
    stage.screen("forward", view)
    ui.notation_expander()
