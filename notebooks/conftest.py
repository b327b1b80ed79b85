"""pytest collects the executed chapters (*.ipynb, through nbval), never their sources: importing a chapter's
source for its docstring examples would run the whole chapter."""

collect_ignore = ["src"]
