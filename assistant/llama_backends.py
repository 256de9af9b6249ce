"""Loading llama.cpp's CPU backend: the best of the variants built for this machine's CPU.

``scripts/install-llama-cpp.sh`` builds llama.cpp's CPU backend as loadable variants
(``libggml-cpu-haswell.so``, ``-skylakex``, ``-icelake`` beside ``libllama.so``; see
docs/models.md). llama.cpp scores each variant against the CPU it runs on (a variant needing an
instruction the CPU lacks scores 0) and loads the best one. It would look for them only beside
the Python executable and in the working directory, so the worker process points it at the
package's library directory before it loads a model: :func:`load_cpu_backend`.

A build without variants (one CPU backend linked in, e.g. on aarch64) needs nothing; then this
does nothing.
"""

from __future__ import annotations

import ctypes
import threading
from pathlib import Path
from typing import Any

__all__ = ["cpu_variants", "library_dir", "load_cpu_backend"]

_lock = threading.Lock()


def library_dir() -> Path:
    """Where llama-cpp-python keeps its shared libraries."""
    import llama_cpp

    return Path(llama_cpp.__file__).resolve().parent / "lib"


def cpu_variants(directory: Path | None = None) -> list[str]:
    """The CPU backend variants built (``["haswell", "icelake", "skylakex"]``), or ``[]``."""
    found = (directory or library_dir()).glob("libggml-cpu-*.so")
    return sorted(p.name.removeprefix("libggml-cpu-").removesuffix(".so") for p in found)


def load_cpu_backend() -> bool:
    """Register the best CPU backend variant for this CPU, once per process (idempotent).

    Must run before llama.cpp loads a model (it registers its backends on first use and would
    find none of the variants). Returns False when no variant can run on this CPU (an x86-64
    CPU without AVX2)."""
    with _lock:
        directory = library_dir()
        if not cpu_variants(directory):
            return True
        # ggml's functions through llama-cpp-python's own handle of libllama: the symbol
        # lookup reaches the libggml that libllama loaded (opening libggml.so by another name
        # would load a second copy with a registry of its own, which llama.cpp never sees)
        import llama_cpp.llama_cpp as bindings

        lib: Any = bindings._lib
        lib.ggml_backend_reg_count.restype = ctypes.c_size_t
        if lib.ggml_backend_reg_count() == 0:
            lib.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
            lib.ggml_backend_load_all_from_path(str(directory).encode())
        lib.ggml_backend_reg_by_name.restype = ctypes.c_void_p
        lib.ggml_backend_reg_by_name.argtypes = [ctypes.c_char_p]
        return bool(lib.ggml_backend_reg_by_name(b"CPU"))
