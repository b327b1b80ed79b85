"""The teacher's kit: the course's chapters as graded assignments on nbgrader, for one machine or a JupyterHub.

    kit.py                 writes an nbgrader course folder from the executed chapters of one edition
                           (`python3 course.py classroom DIR [--lang zh]`)
    jupyterhub_config.py   a JupyterHub for a class: every user gets the course's environment and nbgrader's
                           exchange; the teacher grades in the same hub
    hub_check.py           proves the hub: one teacher and two students on a local JupyterHub (CI runs it)

Nothing here grades by itself: nbgrader's own commands do (generate_assignment, release_assignment, collect,
autograde, generate_feedback), with the course's checkers as the autograded tests.
"""
