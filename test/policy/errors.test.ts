import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicyFresh } from '../../lib/policy/load.js';
import { PolicyError } from '../../lib/policy/errors.js';
import { fixturesDir, makeTmpEnv, type TmpEnv } from './tmp-env.js';

// Every bad fixture, loaded as the user's policy over the test base policy,
// must fail with exactly this message (after `<file>:`), and as a PolicyError
// whose fields agree with it.

const BUILTIN = join(fixturesDir(), 'builtin');

const CASES: Array<[fixture: string, line: number, col: number, key: string, detail: string]> = [
  ['bad-enum.yaml', 5, 13, 'profiles.install.network.mode', 'expected one of "off" | "allow", got "open"'],
  ['unknown-key.yaml', 3, 5, 'profiles.install.netwrok', 'unknown key; did you mean "network"?'],
  ['misplaced-key.yaml', 5, 5, 'profiles.install.exclude_paths', 'unknown key; it belongs under "workspace": move it to profiles.install.workspace.exclude_paths'],
  ['misspelt-rule-key.yaml', 3, 57, 'classify.rules[0].comand', 'unknown key; did you mean "command"?'],
  ['prefix-key.yaml', 3, 15, 'profiles.build.limits.memory', 'unknown key; did you mean "memory_mb"?'],
  ['unknown-top-key.yaml', 2, 1, 'sandbox_everything', 'unknown key; expected one of: version, extends, classify, rules, profiles, ecosystems, guard'],
  ['unknown-class.yaml', 3, 3, 'rules.risky', 'unknown key; expected one of: host-safe, unknown, build, install, dangerous'],
  ['wrong-type.yaml', 4, 13, 'profiles.build.limits.pids', 'expected a number, got "many"'],
  ['not-whole.yaml', 4, 18, 'profiles.build.limits.memory_mb', 'expected a whole number, got 1.5'],
  ['not-positive.yaml', 4, 21, 'profiles.build.limits.wall_seconds', 'expected a number > 0, got 0'],
  ['wrong-version.yaml', 1, 10, 'version', 'expected 1, got 2'],
  ['list-at-top.yaml', 1, 1, '(top level)', 'expected a mapping (key: value), got a list'],
  ['null-section.yaml', 3, 13, 'profiles.build.network', 'expected a mapping (key: value), got nothing (null)'],
  ['missing-action.yaml', 3, 5, 'rules.build.action', 'missing required key "action"; add `action:` (one of "host" | "sandbox" | "deny")'],
  ['bad-command-type.yaml', 6, 16, 'classify.rules[0].command', 'expected a string or a list, got 42'],
  ['bad-rule-id.yaml', 3, 11, 'classify.rules[0].id', 'rule ids are lower-case words joined by - . or _, got "Make Things"'],
  ['duplicate-rule-id.yaml', 4, 13, 'classify.rules[1].id', 'duplicate rule id "make" (also classify.rules[0]); give each rule its own id'],
  ['bad-argv-regex.yaml', 3, 78, 'classify.rules[0].argv', 'expected a regular expression, got "(unclosed" (Invalid regular expression: /(unclosed/: Unterminated group)'],
  ['syntax-error.yaml', 4, 1, '', 'YAML error: Missing closing "quote; close the quote or bracket that was opened before this point'],
  ['tab-indent.yaml', 2, 1, '', 'YAML error: Tabs are not allowed as indentation; indent with spaces, not tabs'],
  ['duplicate-key.yaml', 5, 7, 'profiles.install.network.mode', 'duplicate key; a key may appear once per mapping, remove one of them or merge their values'],
  ['two-documents.yaml', 2, 1, '', 'more than one YAML document; a policy file holds one, remove the `---` separator'],
  ['alias-bomb.yaml', 1, 1, '', 'YAML error: Excessive alias count indicates a resource exhaustion attack; use fewer aliases (*name) or write the values out'],
  ['extends-file.yaml', 1, 10, 'extends', 'expected one of "default" | "strict" | "ci" | "demo", got "./my-policy.yaml"; extends names a built-in policy, not a file'],
  ['bad-domain.yaml', 7, 11, 'profiles.install.network.domains[1]', 'expected "host", "host:port", "*.suffix" or "*.suffix:port", got "https://evil.example/"'],
  ['bad-port.yaml', 3, 15, 'ecosystems.npm.domains[0]', 'expected "host", "host:port", "*.suffix" or "*.suffix:port", got "registry.npmjs.org:99999"'],
  ['relative-mask.yaml', 3, 18, 'profiles.install.mask_paths[0]', 'expected an absolute path or one starting with ~/, got ".ssh"'],
  ['absolute-exclude.yaml', 4, 31, 'profiles.install.workspace.exclude_paths[1]', 'expected a glob relative to the workspace root (no leading / and no ..), got "/etc/shadow"'],
  ['sandbox-without-profile.yaml', 3, 5, 'rules.host-safe', 'a sandbox rule needs a profile; add `profile: <name>` (one of: install, build)'],
  ['sandbox-unknown-profile.yaml', 2, 38, 'rules.build.profile', 'profile "biuld" is not defined; define profiles.biuld or use one of: install, build'],
];

function loadWithUserFixture(t: TmpEnv, fixture: string): unknown {
  t.write(t.userPolicy, '');
  copyFileSync(join(fixturesDir(), 'bad', fixture), t.userPolicy);
  try {
    loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN });
  } catch (err) {
    return err;
  }
  return null;
}

for (const [fixture, line, col, key, detail] of CASES) {
  test(`bad/${fixture}`, () => {
    const t = makeTmpEnv();
    try {
      const err = loadWithUserFixture(t, fixture);
      assert.instance(err, PolicyError, 'expected a PolicyError');
      const e = err as PolicyError;
      const where = `${t.userPolicy}:${line}:${col}: `;
      assert.is(e.message, key ? `${where}${key}: ${detail}` : `${where}${detail}`);
      assert.equal([e.file, e.line, e.col, e.key, e.detail], [t.userPolicy, line, col, key, detail]);
      assert.is(e.name, 'PolicyError');
    } finally {
      t.cleanup();
    }
  });
}

test('a merged-policy error points into the repository file that caused it', () => {
  const t = makeTmpEnv();
  try {
    t.write(t.repoPolicy, 'version: 1\nrules:\n  host-safe: { action: sandbox, profile: nowhere }\n');
    const err = (() => {
      try {
        loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN });
      } catch (e) {
        return e as PolicyError;
      }
      return null;
    })();
    assert.is(err?.message, `${t.repoPolicy}:3:42: rules.host-safe.profile: profile "nowhere" is not defined; define profiles.nowhere or use one of: install, build`);
  } finally {
    t.cleanup();
  }
});

test('a built-in that extends itself is a cycle, reported at its extends key', () => {
  const t = makeTmpEnv();
  try {
    assert.throws(
      () => loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN, base: 'demo' }),
      (e: Error) => e.message === `${join(BUILTIN, 'demo.yaml')}:1:10: extends: extends "demo", which extends this file again; remove one of the two extends`,
    );
  } finally {
    t.cleanup();
  }
});

test('an unknown base policy name names the choices', () => {
  const t = makeTmpEnv();
  try {
    assert.throws(
      () => loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN, base: 'lax' }),
      (e: Error) => e.message === `${join(BUILTIN, 'lax.yaml')}: no built-in policy named "lax"; use one of default, strict, ci, demo`,
    );
  } finally {
    t.cleanup();
  }
});

test('an unreadable policy file is a PolicyError naming the file', () => {
  const t = makeTmpEnv();
  try {
    t.write(join(t.userPolicy, 'not-a-file'), 'x');
    assert.throws(
      () => loadPolicyFresh({ workspace: t.workspace, env: t.env, builtinDir: BUILTIN }),
      (e: Error) => e instanceof PolicyError && e.message === `${t.userPolicy}: cannot read the policy file (EISDIR); check that it exists and is readable`,
    );
  } finally {
    t.cleanup();
  }
});

test('no HOME and no XDG_CONFIG_HOME: no config directory, and the error says so', () => {
  assert.throws(
    () => loadPolicyFresh({ workspace: '/nonexistent', env: { PATH: '/bin' }, builtinDir: BUILTIN }),
    (e: Error) => e instanceof PolicyError && /neither XDG_CONFIG_HOME nor HOME is an absolute path/.test(e.message),
  );
});

test.run();
