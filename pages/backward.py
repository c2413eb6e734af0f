"""Placeholder: this screen is built in a later issue."""

import streamlit as st

st.title("backward")
st.info("This screen is coming soon.")
