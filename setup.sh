#!/usr/bin/env bash
# Set up DeepCISO in ./.venv (or the active virtual environment).
#   ./setup.sh         the app
#   ./setup.sh --dev   the app plus the test and lint tools (and peft, for train --lora-rank)
# On a machine without an NVIDIA GPU it installs a CPU build of torch, never the multi-GB CUDA one.
set -euo pipefail
cd "$(dirname "$0")"

TORCH_VERSION="2.13.0"
extras=""
[ "${1:-}" = "--dev" ] && extras="[dev]"

if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  py=.venv/bin/python
else
  py="$VIRTUAL_ENV/bin/python"
fi
pip() { "$py" -m pip --quiet "$@"; }

if ! "$py" -c "import torch" 2>/dev/null; then
  if command -v nvidia-smi >/dev/null 2>&1; then
    echo "setup: NVIDIA GPU found, installing torch ${TORCH_VERSION} (CUDA build)"
    pip install "torch==${TORCH_VERSION}"
  else
    echo "setup: no NVIDIA GPU, installing torch ${TORCH_VERSION} (CPU build)"
    pip install "torch==${TORCH_VERSION}+cpu" 2>/dev/null \
      || pip install "torch==${TORCH_VERSION}" --index-url https://download.pytorch.org/whl/cpu
  fi
fi
pip install -e ".${extras}"
echo "setup: ready ($("$py" -c 'import torch; print("torch", torch.__version__)'))"
