import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compilePathGlob, matchName, matchPathGlob, nameGlobCovers } from '../../lib/policy/globs.js';
import { domainCovers, normaliseDomain, normaliseDomains } from '../../lib/policy/domains.js';
import { normalisePolicyPath, pathCovers, resolvePolicyPath } from '../../lib/policy/paths.js';

// The small pure pieces merging and planning stand on, table-driven.

test('name globs', () => {
  const cases: Array<[string, string, boolean]> = [
    ['PATH', 'PATH', true], ['PATH', 'PATHX', false], ['LC_*', 'LC_ALL', true], ['LC_*', 'LANG', false],
    ['*TOKEN*', 'GITHUB_TOKEN', true], ['*TOKEN*', 'TOKEN', true], ['*TOKEN*', 'TOKE', false], ['A?C', 'ABC', true], ['A?C', 'AC', false],
    ['a.b', 'axb', false], ['python3*', 'python3.11', true],
  ];
  for (const [glob, name, want] of cases) assert.is(matchName(glob, name), want, `${glob} ~ ${name}`);
});

test('one name glob covering another (fail closed when unsure)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['NPM_CONFIG_*', 'NPM_CONFIG_REGISTRY', true], ['NPM_CONFIG_*', 'NPM_*', false], ['NPM_*', 'NPM_CONFIG_*', true],
    ['*', 'ANY_*', true], ['*TOKEN*', 'GH_*', false], ['LC_*', 'LC_*', true], ['A?', 'A*', false],
  ];
  for (const [outer, inner, want] of cases) assert.is(nameGlobCovers(outer, inner), want, `${outer} ⊇ ${inner}`);
});

test('workspace path globs (gitignore-like anchoring)', () => {
  const cases: Array<[string, string, boolean, boolean]> = [
    ['.env', '.env', false, true], ['.env', 'app/.env', false, true], ['.env', '.env.local', false, false],
    ['.env.*', 'app/.env.local', false, true], ['*.pem', 'certs/a.pem', false, true], ['*.pem', 'a.pem.txt', false, false],
    ['secrets/', 'secrets', true, true], ['secrets/', 'secrets', false, false], ['config/*.json', 'config/a.json', false, true],
    ['config/*.json', 'x/config/a.json', false, false], ['**/id_rsa', 'a/b/id_rsa', false, true], ['**/id_rsa', 'id_rsa', false, true],
    ['keys/**', 'keys/a/b', false, true], ['./top', 'top', false, true], ['./top', 'sub/top', false, false],
    ['[ab].txt', 'a.txt', false, true], ['[!ab].txt', 'a.txt', false, false], ['[!ab].txt', 'c.txt', false, true], ['?.txt', 'ab.txt', false, false],
  ];
  for (const [glob, path, isDir, want] of cases) assert.is(matchPathGlob(compilePathGlob(glob), path, isDir), want, `${glob} ~ ${path}`);
});

test('domain entries normalise to host:port', () => {
  assert.equal(normaliseDomain('Registry.NPMJS.org'), ['registry.npmjs.org:443', 'registry.npmjs.org:80']);
  assert.equal(normaliseDomain('example.com.:8443'), ['example.com:8443']);
  assert.equal(normaliseDomain('*.github.com'), ['*.github.com:443', '*.github.com:80']);
  for (const bad of ['https://x.com', 'x.com/path', '*', '*.', 'a..b', '-a.com', 'x.com:0', 'x.com:65536', 'user@x.com', '']) {
    assert.is(normaliseDomain(bad), null, bad);
  }
  assert.equal(normaliseDomains(['b.com:443', 'a.com', 'b.com']), ['a.com:443', 'a.com:80', 'b.com:443', 'b.com:80']);
});

test('one domain covering another', () => {
  const cases: Array<[string, string, boolean]> = [
    ['a.com:443', 'a.com:443', true], ['a.com:443', 'a.com:80', false], ['*.a.com:443', 'x.a.com:443', true],
    ['*.a.com:443', 'a.com:443', false], ['*.a.com:443', '*.x.a.com:443', true], ['*.a.com:443', 'xa.com:443', false],
    ['x.a.com:443', '*.a.com:443', false], ['*.a.com:443', 'x.a.com:80', false],
  ];
  for (const [outer, inner, want] of cases) assert.is(domainCovers(outer, inner), want, `${outer} ⊇ ${inner}`);
});

test('policy paths: normal form, containment, resolution', () => {
  assert.equal(['./dist/', '~', '~/', '~/.npm/', '/tmp//x/', 'a/../b', '.'].map(normalisePolicyPath), ['dist', '~', '~', '~/.npm', '/tmp/x', 'b', '.']);
  const cases: Array<[string, string, boolean]> = [
    ['.', 'node_modules', true], ['.', '../x', false], ['.', 'a/../../x', false], ['dist', 'dist/sub', true], ['dist', 'distx', false],
    ['~/.npm', '~/.npm/_cacache', true], ['~/.npm', '~/.ssh', false], ['~', '~/x/../..', false], ['.', '~/.npm', false],
    ['/tmp', '/tmp/a', true], ['/', '/etc', true], ['/tmp', '/tmpx', false], ['.', '/etc', false], ['~/.npm', '.npm', false],
  ];
  for (const [outer, inner, want] of cases) assert.is(pathCovers(outer, inner), want, `${outer} ⊇ ${inner}`);
  assert.is(resolvePolicyPath('.', '/w', '/h'), '/w');
  assert.is(resolvePolicyPath('dist/', '/w', '/h'), '/w/dist');
  assert.is(resolvePolicyPath('~/.npm', '/w', '/h'), '/h/.npm');
  assert.is(resolvePolicyPath('~', '/w', '/h'), '/h');
  assert.is(resolvePolicyPath('/tmp/c', '/w', '/h'), '/tmp/c');
  assert.is(resolvePolicyPath('../sib', '/w/ws', '/h'), '/w/sib');
});

test.run();
