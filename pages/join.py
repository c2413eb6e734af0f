"""Join a class: the code from the projector (or the link's), an optional name; then follow the teacher."""

import streamlit as st

from app import classroom

st.title("Join a class")
classroom.join_screen()
