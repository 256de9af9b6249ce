"""Reduce llama.cpp's x86 CPU backend variants to the named ones, and install them.

Used by ``scripts/install-llama-cpp.sh`` on the unpacked llama-cpp-python source tree:

1. ``vendor/llama.cpp/ggml/src/CMakeLists.txt``: of the ``ggml_add_cpu_backend_variant(...)``
   lines for x86 (built with ``GGML_CPU_ALL_VARIANTS``), keep only the named variants. The
   others cost build time, and llama.cpp's list includes a Sapphire Rapids variant with Intel
   AMX, whose weight repacking crashes (issue 8).
2. ``CMakeLists.txt`` (llama-cpp-python's): install the kept variants' libraries beside the
   others in ``llama_cpp/lib`` (the package installs only a single ``ggml-cpu`` otherwise).

Usage: ``python scripts/llama_cpu_variants.py SOURCE_DIR VARIANT...``. Fails loudly when the
source does not look as expected, so a new llama-cpp-python version is noticed at once.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

X86_START = 'if (GGML_SYSTEM_ARCH STREQUAL "x86")'
VARIANT = re.compile(r"^\s*ggml_add_cpu_backend_variant\((\w+)[^)]*\)\s*$")


def reduce_variants(text: str, keep: set[str]) -> str:
    """The ggml CMakeLists with only the ``keep`` x86 variants (other architectures as they are)."""
    start = text.index("if (GGML_CPU_ALL_VARIANTS)")
    x86 = text.index(X86_START, start)
    end = text.index("elseif(GGML_SYSTEM_ARCH STREQUAL", x86)
    block = text[x86:end].splitlines(keepends=True)
    found: set[str] = set()
    kept: list[str] = []
    for line in block:
        match = VARIANT.match(line)
        if match:
            found.add(match.group(1))
            if match.group(1) in keep:
                kept.append(line.strip() + "\n")
    missing = keep - found
    if missing:
        raise SystemExit(f"llama_cpu_variants: unknown x86 variants {sorted(missing)}")
    new_block = block[0] + "".join("        " + line for line in kept)
    return text[:x86] + new_block + "    " + text[end:]


def install_variants(text: str, keep: list[str]) -> str:
    """llama-cpp-python's CMakeLists installing the kept variants' libraries too."""
    anchor = "    llama_cpp_python_install_target(ggml-cpu)\n"
    if anchor not in text:
        raise SystemExit("llama_cpu_variants: install anchor not found in CMakeLists.txt")
    extra = "".join(f"    llama_cpp_python_install_target(ggml-cpu-{name})\n" for name in keep)
    return text.replace(anchor, anchor + extra, 1)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        raise SystemExit("usage: llama_cpu_variants.py SOURCE_DIR VARIANT...")
    source, keep = Path(argv[0]), argv[1:]
    ggml = source / "vendor" / "llama.cpp" / "ggml" / "src" / "CMakeLists.txt"
    ggml.write_text(reduce_variants(ggml.read_text(encoding="utf-8"), set(keep)), encoding="utf-8")
    top = source / "CMakeLists.txt"
    top.write_text(install_variants(top.read_text(encoding="utf-8"), keep), encoding="utf-8")
    print(f"llama_cpu_variants: x86 CPU variants {', '.join(keep)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
