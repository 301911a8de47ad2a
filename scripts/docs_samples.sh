#!/bin/sh
# Checks (--check) or rewrites (--update) the sample outputs in docs/ from real
# runs; see scripts/docs_samples.py. Usage: scripts/docs_samples.sh --update build
exec python3 "$(dirname "$0")/docs_samples.py" "$@"
