"""Tools for the analyst writing a memo: ``memo new`` (a memo that builds at once) and ``memo
preview`` (a live page that re-renders on every save). They sit on top of the stages, like the
workflow and the command line, and no stage imports them."""
