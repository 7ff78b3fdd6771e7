"""WeasyPrint, imported without running the compiler to look for its libraries.

WeasyPrint opens GObject, Pango, HarfBuzz and fontconfig through cffi, trying several names for
each (``libgobject-2.0-0``, ``gobject-2.0-0``, ``gobject-2.0``, … ``libgobject-2.0.so.0``). cffi
passes each name the loader cannot open as written to ``ctypes.util.find_library``, which on Linux
asks the linker cache (``ldconfig -p``) and, for a name the cache does not hold, runs gcc and then
ld when they are installed: 16 gcc and 32 ld runs an import on a machine with them, about 0.17 s
of its 0.7 s of CPU, in every process that renders (the render server, ``memo render``, ``memo preview``). Here the import asks
the cache alone. It finds the same libraries: the cache holds every library the distribution
installed, and each of WeasyPrint's lists also holds the library's soname, which the loader opens
itself (from the cache or ``LD_LIBRARY_PATH``). Where there is no linker cache to ask (macOS,
Windows), the import is WeasyPrint's own.
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
