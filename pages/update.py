"""Screen 4: the update w ← w − η ∂C/∂w for every parameter, and the cost before and after."""

import pandas as pd
import streamlit as st

from app.session import model, state
from app.walkthrough import equations, optim_ui, quiz, stage, ui
from core.symbolic.notation import weight_name

ui.page_start("4 · Update", "Every weight moves against its gradient: new = old − η · ∂C/∂w. All gradients "
              "were computed with the old weights, and only then are the weights changed.")
t, key, n = state.current_trace(), state.scenario_key(), state.example()
if not quiz.screen("update"):  # in quiz mode the quiz is the screen
    s = t.scenario
    L = len(s.layers)
    after = model.trace_after_update(key)  # cached, keyed on the network before the update

    c1, c2, c3 = st.columns(3)
    c1.metric("Cost before the update", f"{t.cost:.9g}")
    c2.metric("Cost after the update", f"{after.cost:.9g}", delta=f"{after.cost - t.cost:.3g}", delta_color="inverse")
    c3.metric("Learning rate η", f"{s.learning_rate:g}")
    if t.N > 1:
        st.caption(f"The batch has {t.N} examples: the update uses the mean gradient over all of them, and the "
                   f"costs above are means. Example {n + 1} alone: {t.costs[n]:.9g} before, "
                   f"{after.costs[n]:.9g} after.")

    rows = []
    for l in range(2, L + 1):
        for j in range(s.layers[l - 1]):
            for k in [*range(s.layers[l - 2]), None]:
                old, new = (s.weights[l - 2][j, k], t.weights_new[l - 2][j, k]) if k is not None else (
                    s.biases[l - 2][j], t.biases_new[l - 2][j])
                grad = t.dC_dW[l - 2][j, k] if k is not None else t.dC_db[l - 2][j]
                rows.append({"parameter": weight_name(l, j, k), "old": old, "∂C/∂(param)": grad,
                             "η": s.learning_rate if (k is not None or s.train_biases) else 0.0, "new": new,
                             "change": new - old})
    stage.screen("update")  # every parameter's update, one step each, edges moving from old to new

    with st.expander("Every parameter's update in one table"):
        if not s.train_biases:
            st.caption("This scenario holds the biases fixed (η = 0 for them in the table).")
        st.dataframe(pd.DataFrame(rows), hide_index=True, height=min(600, 38 + 35 * len(rows)),
                     column_config={c: st.column_config.NumberColumn(format="%.9g") for c in
                                    ("old", "∂C/∂(param)", "new", "change")})

    optim_ui.update_section(t)
    st.subheader("Every gradient uses the old weights")
    wrong = ui.bound_toggle("Show what happens if the hidden gradients used the already-updated weights (a mistake)",
                            state.MISTAKE, "mistake_toggle",
                            help="A loop that updates W^L before computing δ^{L−1} sends δ back through the "
                                 "new weights. Article 001 warns against exactly this.")
    if wrong and L > 2:
        m = model.mistake_of(key)
        cmp = [{"parameter": weight_name(l, j, k), "correct ∂C/∂w (old weights)": t.dC_dW[l - 2][j, k],
                "mistaken ∂C/∂w (updated weights)": m.dC_dW[l - 2][j, k],
                "difference": m.dC_dW[l - 2][j, k] - t.dC_dW[l - 2][j, k]}
               for l in range(2, L) for j in range(s.layers[l - 1]) for k in range(s.layers[l - 2])]
        st.dataframe(pd.DataFrame(cmp), hide_index=True,
                     column_config={c: st.column_config.NumberColumn(format="%.9g") for c in list(cmp[0])[1:]})
        d1, d2 = st.columns(2)
        d1.metric("Cost after the correct update", f"{after.cost:.9g}")
        d2.metric("Cost after the mistaken update", f"{m.cost_after:.9g}", delta=f"{m.cost_after - after.cost:.3g}",
                  delta_color="inverse")
        st.caption("The output layer's gradients are the same either way; every hidden gradient changes, because "
                   "δ is sent back through weights the forward pass never used.")
    elif wrong:
        st.info("This network has no hidden layer, so there is no hidden gradient the mistake could change.")

    with st.expander("The update in matrix form, layer by layer"):
        for l in range(2, L + 1):
            for eq in equations.matrix_equations(key, l, "update", n):
                ui.equation_card(eq)
    ui.notation_expander()
