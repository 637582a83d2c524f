// The file `sbsh policy init` writes. Every active line is valid as an
// untrusted repository policy over each built-in policy (it only tightens);
// the commented examples show the rest of the format. Tests load it.
export const STARTER_POLICY = `# sbsh.yaml: this repository's sandbox policy for sbsh.
# It is merged over the built-in policy and your ~/.config/sbsh/policy.yaml.
# Until you run \`sbsh trust\`, sbsh applies only what makes the sandbox
# stricter (fewer writable paths, more hidden files, less network, lower
# limits) and reports the rest as ignored. \`sbsh policy show\` prints the
# merged result; \`sbsh policy schema\` prints the JSON Schema of this file.
version: 1

profiles:
  # Dependency installs (npm ci, pip install, cargo fetch, ...).
  install:
    workspace:
      # Globs relative to the repository root, hidden (empty) inside the
      # sandbox, added to the built-in list (.env, *.pem, .npmrc, ...).
      exclude_paths: &repo-secrets ["secrets/", "*.secret"]
    # network:
    #   domains: [registry.npmjs.org]   # an allowlist narrower than the one below
    # limits:
    #   memory_mb: 2048
    #   wall_seconds: 600
  # Builds, tests and anything sbsh cannot classify.
  build:
    workspace:
      exclude_paths: *repo-secrets
      # writable_paths: [dist]   # only these (a subset of the built-in list)

# How each class of command line runs: host, sandbox (with a profile) or deny.
# rules:
#   unknown: { action: deny }

# Commands this repository wants treated as riskier than sbsh would guess.
# classify:
#   rules:
#     - id: repo-codegen
#       class: build
#       why: runs this repository's code generator
#       command: codegen
#       where: [workspace]
`;
