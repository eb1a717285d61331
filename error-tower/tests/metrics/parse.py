"""Parses Prometheus text exposition with the official Python client's parser, for
error-tower's metrics test (tests/metrics/main.rs): a peer nobody here wrote.

Usage: python parse.py < metrics.txt

Prints one line per family, `family NAME TYPE`, then one line per sample,
`  SAMPLE_NAME {k="v",...} VALUE`, labels sorted by name. Families are sorted by name and
samples by name and labels, so that the output does not depend on the order in which the
exporter rendered them (which comes from hash maps). Exits non-zero (with the parser's exception) on text it cannot parse.
"""

import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    text = sys.stdin.read()
    families = sorted(text_string_to_metric_families(text), key=lambda f: f.name)
    for family in families:
        print(f"family {family.name} {family.type}")
        samples = []
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples.append((sample.name, labels, sample.value))
        for name, labels, value in sorted(samples):
            print(f"  {name} {{{labels}}} {value!r}")


if __name__ == "__main__":
    main()
