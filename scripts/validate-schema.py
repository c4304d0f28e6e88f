#!/usr/bin/env python3
"""Validates JSON files against a JSON Schema with Python's `jsonschema`
(draft 2020-12), the standard validator editors' schemas are checked with.

    validate-schema.py SCHEMA [--valid] FILE... [--invalid FILE...]

Files after --valid (the default) must be valid, files after --invalid must
not be. Checks the schema itself against the draft's meta-schema first.
Prints one line per file that breaks its expectation, with the first
errors; exits 1 if any does, 0 otherwise. Used by scripts/check-schema.sh
and tests/it/schema.rs.
"""

import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    expect_valid, checked, wrong = True, 0, 0
    for arg in argv[2:]:
        if arg in ("--valid", "--invalid"):
            expect_valid = arg == "--valid"
            continue
        with open(arg, encoding="utf-8") as f:
            document = json.load(f)
        errors = list(validator.iter_errors(document))
        checked += 1
        if expect_valid and errors:
            wrong += 1
            print(f"{arg}: invalid against the schema:")
            for error in errors[:3]:
                where = "/".join(str(p) for p in error.absolute_path)
                print(f"  at /{where}: {error.message[:300]}")
        elif not expect_valid and not errors:
            wrong += 1
            print(f"{arg}: valid against the schema, but simbench rejects it")
    print(f"{checked} files checked against {argv[1]}, {wrong} not as expected")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
