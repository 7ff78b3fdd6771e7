"""A kill at a known point of publishing, for ``test_faults`` (not part of memo).

The killed build's processes find this module on ``PYTHONPATH``; Python imports it as they start.
When ``MEMO_TEST_KILL_STAGED`` is N, the process about to open the Nth file for writing in a
``.reports/.staging-*`` folder (publish, in the render server's child or a ``memo publish`` of its
own) writes the staged names to ``MEMO_TEST_KILL_RECORD`` and sends SIGKILL to its whole process
group: Snakemake, its jobs and the render server die with the edition half copied. Watching the
folder from outside missed it: publishing takes a few milliseconds when the memos are unchanged.
"""

import os
import signal
import sys

_AT = int(os.environ.get("MEMO_TEST_KILL_STAGED") or 0)
_RECORD = os.environ.get("MEMO_TEST_KILL_RECORD", "")
_opened: list[str] = []


def _staged(event: str, args: tuple) -> None:
    if event != "open" or not isinstance(args[1], str) or "w" not in args[1]:
        return
    try:
        path = os.fsdecode(args[0])
    except TypeError:  # a file descriptor
        return
    folder, name = os.path.split(path)
    parent, staging = os.path.split(folder)
    if os.path.basename(parent) != ".reports" or not staging.startswith(".staging-"):
        return
    _opened.append(name)
    if len(_opened) == _AT:
        with open(_RECORD, "w", encoding="utf-8") as record:
            record.write("\n".join([folder, *_opened]) + "\n")
        os.killpg(os.getpgrp(), signal.SIGKILL)


if _AT and _RECORD:
    sys.addaudithook(_staged)
