"""Screen 7: any expression as a computational graph, forward then backward."""

from app.graph import graph_ui
from app.walkthrough import ui

graph_ui.read_url()  # a shared link's expression, before the notice is shown
ui.page_start("7 · Computational graph", "Type an expression in named variables and their values, then step "
              "through its graph: forward, every node's value from its inputs; backward, every node passes "
              "upstream × local gradient to its inputs. The same arithmetic autodiff libraries do.")
graph_ui.expression_screen()
