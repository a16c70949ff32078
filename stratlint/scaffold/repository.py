"""The files around the strategy that ``stratlint init`` writes: pre-commit's configuration
and the CI workflows.

The workflows are the ones docs/ci.md describes (a test keeps them equal): on every pull or
merge request that touches the strategy, ``stratlint check --diff`` against the base, with the
findings in code scanning and a comment (GitHub), or in the Code Quality and Tests widgets
(GitLab). They install stratlint from its repository at the commit in ``STRATLINT_REV``, a
placeholder to replace until a release is on the package index.
"""

from __future__ import annotations

PRE_COMMIT_CONFIG = r"""# pre-commit runs these hooks before each commit: run 'pre-commit install' once.
#
# They run the stratlint installed where you commit (language: system). To have pre-commit
# install stratlint itself instead, use the hooks stratlint publishes, pinned to a commit
# (no release is tagged yet):
#
#   repos:
#     - repo: https://github.com/stratlint/stratlint
#       rev: <the full 40-character commit id>
#       hooks:
#         - id: stratlint-format
#           files: ^strategy/
#         - id: stratlint-lock
#           files: ^strategy/
#         - id: stratlint
#           files: ^strategy/
repos:
  - repo: local
    hooks:
      # Writes the staged strategy files one way. A file it rewrites stops the commit:
      # stage it and commit again.
      - id: stratlint-format
        name: stratlint format
        entry: stratlint format
        language: system
        files: ^strategy/.*\.ya?ml$
      # Stamps new references in strategy/stratlint.lock, and stages it.
      - id: stratlint-lock
        name: stratlint lock
        entry: stratlint lock --stage
        language: system
        files: ^strategy/.*\.ya?ml$
        pass_filenames: false
        require_serial: true
      # Checks the whole strategy, and says which staged change a finding follows from.
      - id: stratlint
        name: stratlint
        entry: stratlint check --staged
        language: system
        files: ^strategy/.*\.ya?ml$
        pass_filenames: false
"""

_HEADER = """# Written by 'stratlint init'. Replace STRATLINT_REV below with the stratlint commit to run
# ('git ls-remote https://github.com/stratlint/stratlint HEAD' prints the newest).
"""

GITHUB_WORKFLOW = (
    _HEADER
    + r"""# .github/workflows/strategy.yml
name: strategy

on:
  pull_request:
    paths: ["strategy/**"]

permissions:
  contents: read
  security-events: write   # upload SARIF to code scanning
  pull-requests: write     # comment on the pull request

jobs:
  stratlint:
    runs-on: ubuntu-latest
    steps:
      # Checks out the pull request merged into the tip of its base branch, at depth 1.
      - uses: actions/checkout@v4

      - name: Fetch the base branch
        run: git fetch --depth=1 origin "$BASE_REF"
        env:
          BASE_REF: ${{ github.base_ref }}

      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"

      # No release is on the package index yet: install from the repository at a pinned commit.
      - run: pip install "stratlint @ git+https://github.com/stratlint/stratlint@${STRATLINT_REV}"
        env:
          STRATLINT_REV: 0123456789abcdef0123456789abcdef01234567  # the commit to run: see above

      - name: Check what this pull request changes
        id: stratlint
        env:
          BASE: origin/${{ github.base_ref }}
        run: |
          status=0
          stratlint check --diff "$BASE" --format sarif --output stratlint.sarif || status=$?
          stratlint check --diff "$BASE" --format markdown --output stratlint.md > /dev/null || true
          cat stratlint.md >> "$GITHUB_STEP_SUMMARY" || true
          echo "status=$status" >> "$GITHUB_OUTPUT"

      - name: Upload to code scanning
        if: always() && hashFiles('stratlint.sarif') != ''
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: stratlint.sarif
          category: stratlint

      - name: Comment on the pull request
        if: always() && hashFiles('stratlint.md') != ''
        env:
          GH_TOKEN: ${{ github.token }}
          PR: ${{ github.event.pull_request.number }}
        run: |
          gh pr comment "$PR" --body-file stratlint.md --edit-last \
            || gh pr comment "$PR" --body-file stratlint.md

      - name: Fail on new errors
        if: steps.stratlint.outputs.status != '0'
        run: |
          echo "This change adds strategy errors (or stratlint could not run): see the log above."
          exit 1
"""
)
"""docs/ci.md's GitHub Actions workflow, as .github/workflows/strategy.yml."""

GITLAB_CI = (
    _HEADER
    + r"""# .gitlab-ci.yml
stratlint:
  stage: test
  image: python:3.12
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      changes: ["strategy/**/*"]
  variables:
    GIT_DEPTH: "1"
    STRATLINT_REV: 0123456789abcdef0123456789abcdef01234567  # the commit to run: see above
  script:
    - pip install "stratlint @ git+https://github.com/stratlint/stratlint@${STRATLINT_REV}"
    - TARGET="$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    - git fetch --depth=1 origin "+$TARGET:refs/remotes/origin/$TARGET"
    - status=0
    - stratlint check --diff "origin/$TARGET" --format gitlab --output gl-code-quality-report.json || status=$?
    - stratlint check --diff "origin/$TARGET" --format junit --output stratlint-junit.xml > /dev/null || true
    - exit $status
  artifacts:
    when: always
    reports:
      codequality: gl-code-quality-report.json
      junit: stratlint-junit.xml
"""
)
"""docs/ci.md's GitLab CI job, as .gitlab-ci.yml."""


def repository_files() -> dict[str, str]:
    """pre-commit's configuration and the CI workflows, by their paths in the repository."""
    return {
        ".pre-commit-config.yaml": PRE_COMMIT_CONFIG,
        ".github/workflows/strategy.yml": GITHUB_WORKFLOW,
        ".gitlab-ci.yml": GITLAB_CI,
    }
