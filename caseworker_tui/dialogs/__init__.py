"""Modal dialogs: below the screens that push them, above the widgets; they ask, services decide.

`common` holds the general ones (text, confirm, choice, problem, triage); `case` the forms a
case's steps ask for.
"""
