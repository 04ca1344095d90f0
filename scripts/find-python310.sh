#!/usr/bin/env sh
# Prints the path of a Python 3.10 interpreter (rasa 3.6.21 needs >=3.8,<3.11), or explains how to get one.
for candidate in "${PYTHON310:-}" python3.10; do
  [ -n "$candidate" ] || continue
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    command -v "$candidate"; exit 0
  fi
done
if command -v pyenv >/dev/null 2>&1; then
  for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | sort -t. -k3 -n -r); do
    path="$(pyenv prefix "$version" 2>/dev/null)/bin/python3.10"
    [ -x "$path" ] && { echo "$path"; exit 0; }
  done
fi
cat >&2 <<'MSG'
error: Python 3.10 not found. rasa 3.6.21 runs only on Python 3.8-3.10.
  Install it with pyenv:   pyenv install 3.10.13
  or your package manager (e.g. apt install python3.10 python3.10-venv),
  or point to one:         make PYTHON310=/path/to/python3.10 ...
MSG
exit 1
