#!/usr/bin/env python3
"""Print docs/validation.md's table: simulate every scenarios/validation/<id>.json with `ibmig simulate --json` and
compare the figure its <id>.expect.json names with the published one. The test tests/sim/test_validation.cpp checks
the same cases against their tolerances.

    python3 scenarios/validation/table.py build-val/ibmig
"""
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

WITHIN_PCT = 15
UNITS = {"Bps": 1, "kBps": 1e3, "KBps": 1e3, "MBps": 1e6, "GBps": 1e9, "MiBps": 2**20, "GiBps": 2**30,
         "bps": 1 / 8, "kbps": 1e3 / 8, "Kbps": 1e3 / 8, "Mbps": 1e6 / 8, "Gbps": 1e9 / 8}


def published_value(text, metric):
    if metric == "small_files_per_s":
        m = re.fullmatch(r"([0-9.]+) files/s", text)
        return float(m.group(1))
    m = re.fullmatch(r"([0-9.]+)([A-Za-z]+)", text)
    return float(m.group(1)) * UNITS[m.group(2)] / 1e6  # MB/s, MB = 10^6 B


def main():
    ibmig = sys.argv[1] if len(sys.argv) > 1 else "build-val/ibmig"
    here = Path(__file__).resolve().parent
    print("| id | setup | published | predicted | error | within/explained | model's limit |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for scen in sorted(p for p in here.glob("*.json") if not p.name.endswith(".expect.json")):
        exp = json.loads(scen.with_name(scen.stem + ".expect.json").read_text())
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run([ibmig, "simulate", str(scen), "--json", out.name], check=True, stdout=subprocess.DEVNULL)
            report = json.load(open(out.name))
        phase = next(p for p in report["phases"] if p["name"] == exp["phase"])
        client = next(c for c in phase["clients"] if c["name"] == exp["vm"])
        predicted = client[exp["metric"]]
        published = published_value(exp["published"], exp["metric"])
        err = 100 * (predicted - published) / published
        unit = "files/s" if exp["metric"] == "small_files_per_s" else "MB/s"
        status = "explained" if "explained" in exp else ("within" if abs(err) <= WITHIN_PCT else "OUT")
        print(f"| {scen.stem} | {exp['setup']} | {exp['published']} | {predicted:.1f} {unit} | {err:+.1f}% | "
              f"{status} | {client['bottleneck']} |")


if __name__ == "__main__":
    main()
