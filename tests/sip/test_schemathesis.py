"""Schemathesis, with every check, against /api/schema/ of a live server: the schema tells the
truth about every request, response and error (issue 14, "The REST API's contract").

One anonymous run with a fixed seed and a bounded number of examples (about 1.5 minutes on two
cores); writes are checked to be refused before their bodies are read. Behaviour signed in is
covered by test_api_contract.py and the apps' API tests. A JUnit report goes to
var/schemathesis/.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261126
MAX_EXAMPLES = 5

# Rules the schema cannot state, so schema-valid requests may break them and get a 400: a
# route's start within reach of the cemetery and an existing gate name; a bbox with min < max
# inside Poland. Every other 400 to a schema-valid request is a failure.
DOMAIN_RULES = """
[[operations]]
include-path = "/api/inventory/{register}/"
include-method = "GET"
# A page of 5,000 features (the default) takes seconds to draw and to check: 50 are enough.
parameters = { "query.limit" = 50 }
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409"]

[[operations]]
include-path = "/api/cemetery/graves/{grave_id}/route/"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409"]

# A ballot must name projects on the edition's ballot, keep its rule and verify a resident;
# a repeated person is 409, repeated failures 429.
[[operations]]
include-path = "/api/participation/budgets/{id}/ballots/"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "403", "404", "409", "429"]
"""

COMMON = f"""
seed = {SEED}
continue-on-failure = true

[generation]
max-examples = {MAX_EXAMPLES}
# No parameter, body or credential of SIP may hold a NUL (PostgreSQL text cannot): the schema's
# strings exclude it; the refusal itself is tested in test_api_contract.py.
allow-x00 = false
database = "none"

[checks]
enabled = true

# Printing renders a PDF with MapServer for a second and is throttled to a few a minute;
# tests/geoportal/test_print.py covers it.
[[operations]]
include-path = "/api/geoportal/print/"
enabled = false
"""


def run_schemathesis(base_url: str, config: str, tmp_path: Path, name: str, *extra: str) -> None:
    config_file = tmp_path / f"{name}.toml"
    config_file.write_text(config)
    report_dir = ROOT / "var" / "schemathesis" / name
    cmd = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(config_file),
        "run",
        f"{base_url}/api/schema/",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir),
        *extra,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-12000:] + done.stderr[-3000:]


def test_schemathesis_anonymous(live_server_url, tmp_path):
    run_schemathesis(live_server_url, COMMON + DOMAIN_RULES, tmp_path, "anonymous")
