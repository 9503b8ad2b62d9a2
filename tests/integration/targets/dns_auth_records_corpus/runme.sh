#!/usr/bin/env bash
# The SPF/DMARC audit against checkdmarc on the corpus of corpus.py, served by a BIND started in the test
# (setup_bind/bind_server.py). checkdmarc is a test dependency (requirements-dev.txt).
set -eux

python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
"$python" -m pytest -p no:cacheprovider -q test_corpus.py "$@"
