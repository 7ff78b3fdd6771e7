"""WeasyPrint, imported without running the compiler to look for its libraries.

WeasyPrint opens GObject, Pango, HarfBuzz and fontconfig through cffi, trying several names for
each (``libgobject-2.0-0``, ``gobject-2.0-0``, ``gobject-2.0``, … ``libgobject-2.0.so.0``). cffi
looks names up with ``ctypes.util.find_library`` (a name without a dot at once, others when the
loader cannot open them as written), which on Linux asks the linker cache (``ldconfig -p``) and,
for a name the cache does not hold, runs gcc and then ld when they are installed: 16 gcc and 32
ld runs an import on a machine with them, about 0.17 s of its 0.7 s of CPU, in every process that
renders (the render server, ``memo render``, ``memo preview``).

Here the import asks the cache alone. It loads the same libraries: what gcc and ld find, ctypes
returns as a soname (never a path), which cffi hands to the loader; and each of WeasyPrint's lists
holds the library's soname too, which the loader opens the same way (from its cache, the
``LD_LIBRARY_PATH`` or a conda environment's run path). Only a library whose soname WeasyPrint
does not list, outside the cache, would be missed. The replacement is process-wide for the
import's duration (nothing in memo calls ``find_library``). Where ctypes has no linker-cache
lookup (macOS, Windows, the BSDs), the import is WeasyPrint's own.
"""

from __future__ import annotations

import ctypes.util
from types import ModuleType


def _import() -> ModuleType:
    cache_only = getattr(ctypes.util, "_findSoname_ldconfig", None)  # Linux's first step
    stock = ctypes.util.find_library
    if cache_only is not None:
        ctypes.util.find_library = cache_only
    try:
        import weasyprint
    finally:
        ctypes.util.find_library = stock
    return weasyprint


weasyprint = _import()
