"""memo: a pipeline from validated policy indicators to cited HTML and PDF memos."""

__version__ = "0.1.0"
