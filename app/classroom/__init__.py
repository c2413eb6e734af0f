"""Class mode: the teacher drives a room, every student follows and predicts (see ``ui``).

Hooks for the rest of the app: ``render(name, pages)`` before every screen, ``teacher_moved(screen, step)``
when a teacher's step changes outside the app's own buttons (a client-side step player), ``join_screen()``.
"""

from app.classroom.ui import join_screen, render, role, teacher_moved

__all__ = ["join_screen", "render", "role", "teacher_moved"]
