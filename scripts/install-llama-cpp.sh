#!/usr/bin/env bash
# Build and install llama-cpp-python portably into a virtualenv (docs/models.md, "The llama.cpp
# build"). Usage: scripts/install-llama-cpp.sh VENV
#
# Why: pip builds llama-cpp-python from source, and llama.cpp's default is -march=native. Such a
# binary uses whatever the build machine's CPU has (AVX-512, Intel AMX) and is then cached by pip
# under the same name for any other machine. On CPUs with AMX the AMX weight-repacking path
# crashes (segfault in decode); on an older CPU a native binary from the cache dies with an
# illegal instruction.
#
# What, on x86-64: llama.cpp's CPU backend is built as loadable variants (GGML_BACKEND_DL) and
# llama.cpp picks the best one for the CPU it runs on, at run time, from a list reduced to three:
#   haswell   AVX2 FMA F16C BMI2                 every x86-64 CPU with AVX2 (2013/2015 on)
#   skylakex  + AVX-512                          Skylake-SP/X, Cascade Lake
#   icelake   + AVX-512 VBMI and VNNI            Ice Lake, Sapphire Rapids and later, Zen 4/5
# None of them contains AMX code (llama.cpp's own list ends with a Sapphire Rapids variant with
# AMX; it is left out). llama.cpp's weight repacking for AVX2/AVX-512 (REPACK) stays on. The
# variants are loaded by assistant/llama_backends.py. On other architectures (aarch64) the
# build has no -march=native and uses the architecture's baseline.
#
# The build never reads or writes pip's cache, so no other machine's binary is ever reused.
set -euo pipefail

venv=${1:?usage: scripts/install-llama-cpp.sh VENV}
version=0.3.36
stamp="$venv/.llama-cpp-$version-portable-2"

if [ -f "$stamp" ]; then
  exit 0
fi

common=(
  -DGGML_NATIVE=OFF
  -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
  -DGGML_CPU_REPACK=ON
  # only the libraries the Python package loads
  -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF
  -DLLAMA_BUILD_SERVER=OFF
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "install-llama-cpp: building llama-cpp-python $version portably (about 5 minutes on 2 cores)"
"$venv/bin/pip" download --quiet --no-cache-dir --no-deps --no-binary llama-cpp-python \
  --dest "$work" "llama-cpp-python==$version"
tar -xzf "$work"/llama_cpp_python-"$version".tar.gz -C "$work"
src="$work/llama_cpp_python-$version"

case "$(uname -m)" in
  x86_64 | amd64)
    "$venv/bin/python" "$(dirname "$0")/llama_cpu_variants.py" "$src" haswell skylakex icelake
    flags=("${common[@]}" -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON)
    ;;
  *)
    flags=("${common[@]}")
    ;;
esac

# A build made elsewhere (or with other flags) goes first; its dependencies stay, and the
# project's own install (pip install -e .) adds any that are missing.
"$venv/bin/pip" uninstall --quiet --yes llama-cpp-python >/dev/null 2>&1 || true
rm -f "$venv"/.llama-cpp-*
CMAKE_ARGS="${flags[*]}" FORCE_CMAKE=1 "$venv/bin/pip" install --quiet --no-cache-dir \
  --no-deps "$src"
touch "$stamp"
