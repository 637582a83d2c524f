import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CTX, classifyLine } from './harness.js';
import type { Class } from '../../lib/classify/types.js';

// Whole lines through the real parser and the built-in policy: each
// ecosystem's installs, the commands that run the repository's code, the
// wrappers and obfuscations around them, and what must stay `unknown`.
// Each row: line, expected class, expected rule of the first reason, and
// for installs the ecosystem that reason carries.

type Row = [line: string, cls: Class, rule: string, ecosystem?: string];

function check(rows: Row[]): string[] {
  const wrong: string[] = [];
  for (const [line, cls, rule, eco] of rows) {
    const c = classifyLine(line);
    const first = c.reasons[0];
    const got = `${c.class} ${first?.rule}${first?.ecosystem ? ` (${first.ecosystem})` : ''}`;
    const want = `${cls} ${rule}${eco ? ` (${eco})` : ''}`;
    if (got !== want) wrong.push(`${line}\n    want ${want}, got ${got}   [${c.reasons.map((r) => `${r.rule}:${r.class}`).join(' ')}]`);
  }
  return wrong;
}

function table(name: string, rows: Row[]): void {
  test(name, () => {
    const wrong = check(rows);
    assert.is(wrong.length, 0, `\n  ${wrong.join('\n  ')}`);
  });
}

table('installs, for every ecosystem', [
  ['npm install', 'install', 'npm-install', 'npm'],
  ['npm i', 'install', 'npm-install', 'npm'],
  ['npm ci', 'install', 'npm-install', 'npm'],
  ['npm add lodash', 'install', 'npm-install', 'npm'],
  ['npm install -D typescript', 'install', 'npm-install', 'npm'],
  ['npm --prefix web install', 'install', 'npm-install', 'npm'],
  ['npm -w packages/a install', 'install', 'npm-install', 'npm'],
  ['npm --loglevel silent ci', 'install', 'npm-install', 'npm'],
  ['npm update', 'install', 'npm-install', 'npm'],
  ['npm uninstall left-pad', 'install', 'npm-install', 'npm'],
  ['npm audit fix', 'install', 'npm-install', 'npm'],
  ['npm init vite@latest', 'install', 'npm-install', 'npm'],
  ['npm exec cowsay hi', 'install', 'npm-install', 'npm'],
  ['pnpm install', 'install', 'pnpm-install', 'npm'],
  ['pnpm i --frozen-lockfile', 'install', 'pnpm-install', 'npm'],
  ['pnpm add -D vitest', 'install', 'pnpm-install', 'npm'],
  ['pnpm -C web install', 'install', 'pnpm-install', 'npm'],
  ['yarn', 'install', 'yarn-install', 'npm'],
  ['yarn install --immutable', 'install', 'yarn-install', 'npm'],
  ['yarn add react', 'install', 'yarn-install', 'npm'],
  ['bun install', 'install', 'bun-install', 'npm'],
  ['bun add zod', 'install', 'bun-install', 'npm'],
  ['npx tsc --init', 'install', 'npx', 'npm'],
  ['npx -y create-react-app x', 'install', 'npx', 'npm'],
  ['pnpm dlx create-vite', 'install', 'pnpm-install', 'npm'],
  ['yarn dlx create-next-app', 'install', 'yarn-install', 'npm'],
  ['bunx cowsay', 'install', 'npx', 'npm'],
  ['bun x cowsay', 'install', 'bun-install', 'npm'],
  ['pip install requests', 'install', 'pip', 'pypi'],
  ['pip install -r requirements.txt', 'install', 'pip', 'pypi'],
  ['pip3 install -e .', 'install', 'pip', 'pypi'],
  ['pip3.12 install x', 'install', 'pip', 'pypi'],
  ['python -m pip install x', 'install', 'python-pip', 'pypi'],
  ['python3 -m pip install -U pip', 'install', 'python-pip', 'pypi'],
  ['python3 -m pip --disable-pip-version-check install x', 'install', 'python-pip', 'pypi'],
  ['python3 -m venv .venv', 'install', 'python-venv', 'pypi'],
  ['uv pip install x', 'install', 'uv', 'pypi'],
  ['uv sync', 'install', 'uv', 'pypi'],
  ['uv add httpx', 'install', 'uv', 'pypi'],
  ['uvx ruff check', 'install', 'uv', 'pypi'],
  ['poetry install', 'install', 'poetry-install', 'pypi'],
  ['poetry add x', 'install', 'poetry-install', 'pypi'],
  ['pipenv install', 'install', 'poetry-install', 'pypi'],
  ['pipx install black', 'install', 'pipx', 'pypi'],
  ['conda install numpy', 'install', 'conda', 'conda'],
  ['cargo fetch', 'install', 'cargo-install', 'cargo'],
  ['cargo install ripgrep', 'install', 'cargo-install', 'cargo'],
  ['cargo add serde --features derive', 'install', 'cargo-install', 'cargo'],
  ['cargo --manifest-path x/Cargo.toml fetch', 'install', 'cargo-install', 'cargo'],
  ['go get github.com/x/y', 'install', 'go-install', 'go'],
  ['go mod download', 'install', 'go-install', 'go'],
  ['go mod tidy', 'install', 'go-install', 'go'],
  ['go install golang.org/x/tools/gopls@latest', 'install', 'go-install', 'go'],
  ['go -C sub mod download', 'install', 'go-install', 'go'],
  ['gem install rails', 'install', 'gem', 'rubygems'],
  ['bundle install', 'install', 'bundle-install', 'rubygems'],
  ['bundle', 'install', 'bundle-install', 'rubygems'],
  ['composer install', 'install', 'composer-install', 'composer'],
  ['composer require monolog/monolog', 'install', 'composer-install', 'composer'],
  ['composer update', 'install', 'composer-install', 'composer'],
  ['mvn dependency:go-offline', 'install', 'maven-resolve', 'maven'],
  ['gradle dependencies', 'install', 'gradle-resolve', 'gradle'],
  ['./gradlew dependencies', 'install', 'gradle-wrapper-resolve', 'gradle'],
  ['dotnet restore', 'install', 'dotnet-restore', 'nuget'],
  ['mix deps.get', 'install', 'mix-deps', 'hex'],
  ['pre-commit run --all-files', 'install', 'pre-commit-run', 'pypi'],
]);

table('builds and anything that runs the repository\'s code', [
  ['npm run build', 'build', 'npm', 'npm'],
  ['npm test', 'build', 'npm', 'npm'],
  ['npm start', 'build', 'npm', 'npm'],
  ['npm run-script lint', 'build', 'npm', 'npm'],
  ['npm pack', 'build', 'npm', 'npm'],
  ['npm version patch', 'build', 'npm', 'npm'],
  ['yarn build', 'build', 'yarn', 'npm'],
  ['yarn test --watch', 'build', 'yarn', 'npm'],
  ['yarn --version', 'build', 'repository-loaded-even-for-version'],
  ['pnpm run build', 'build', 'pnpm', 'npm'],
  ['pnpm test', 'build', 'pnpm', 'npm'],
  ['pnpm exec eslint .', 'build', 'pnpm', 'npm'],
  ['bun run dev', 'build', 'bun', 'npm'],
  ['bun test', 'build', 'bun', 'npm'],
  ['node index.js', 'build', 'javascript-runtime'],
  ['node', 'build', 'javascript-runtime'],
  ['node -e "console.log(1)"', 'build', 'javascript-runtime'],
  ['deno run main.ts', 'build', 'javascript-runtime'],
  ['tsx script.ts', 'build', 'javascript-runtime'],
  ['tsc', 'build', 'javascript-tool'],
  ['tsc -p tsconfig.json', 'build', 'javascript-tool'],
  ['vite build', 'build', 'javascript-tool'],
  ['jest --coverage', 'build', 'javascript-tool'],
  ['vitest run', 'build', 'javascript-tool'],
  ['eslint .', 'build', 'javascript-tool'],
  ['prettier --write .', 'build', 'javascript-tool'],
  ['./node_modules/.bin/jest', 'build', 'repository-executable'],
  ['node_modules/.bin/tsc', 'build', 'repository-executable'],
  ['make', 'build', 'c-build'],
  ['make -j4 all', 'build', 'c-build'],
  ['make -C sub test', 'build', 'c-build'],
  ['make help', 'build', 'c-build'],
  ['cmake -S . -B build', 'build', 'c-build'],
  ['cmake --build build', 'build', 'c-build'],
  ['ninja -C build', 'build', 'c-build'],
  ['gcc -o hello hello.c', 'build', 'c-build'],
  ['./configure', 'build', 'repository-executable'],
  ['./configure --help', 'build', 'repository-executable'],
  ['./configure --prefix=/usr', 'build', 'repository-executable'],
  ['cargo build --release', 'build', 'cargo', 'cargo'],
  ['cargo test', 'build', 'cargo', 'cargo'],
  ['cargo run -- --help', 'build', 'cargo', 'cargo'],
  ['cargo +nightly build', 'build', 'cargo', 'cargo'],
  ['cargo check', 'build', 'cargo', 'cargo'],
  ['cargo clippy', 'build', 'cargo', 'cargo'],
  ['go build ./...', 'build', 'go', 'go'],
  ['go test ./...', 'build', 'go', 'go'],
  ['go run .', 'build', 'go', 'go'],
  ['go generate ./...', 'build', 'go', 'go'],
  ['go vet ./...', 'build', 'go', 'go'],
  ['./gradlew build', 'build', 'gradle-wrapper', 'gradle'],
  ['gradle test', 'build', 'gradle', 'gradle'],
  ['mvn package', 'build', 'maven', 'maven'],
  ['mvn --version', 'build', 'repository-loaded-even-for-version'],
  ['./mvnw verify', 'build', 'gradle-wrapper', 'gradle'],
  ['java -jar app.jar', 'build', 'jvm', 'maven'],
  ['pytest', 'build', 'python', 'pypi'],
  ['pytest -x tests/', 'build', 'python', 'pypi'],
  ['pytest --version', 'build', 'repository-loaded-even-for-version'],
  ['tox -e py311', 'build', 'python', 'pypi'],
  ['nox', 'build', 'python', 'pypi'],
  ['python x.py', 'build', 'python', 'pypi'],
  ['python3 setup.py build', 'build', 'python', 'pypi'],
  ['python', 'build', 'python', 'pypi'],
  ['python -m http.server', 'build', 'python', 'pypi'],
  ['python3 -c "import json"', 'build', 'python', 'pypi'],
  ['./manage.py migrate', 'build', 'repository-executable'],
  ['poetry run pytest', 'build', 'poetry', 'pypi'],
  ['uv run pytest', 'install', 'uv', 'pypi'],
  ['mypy src', 'build', 'python', 'pypi'],
  ['bundle exec rspec', 'build', 'ruby', 'rubygems'],
  ['rake test', 'build', 'ruby', 'rubygems'],
  ['rails server', 'build', 'ruby', 'rubygems'],
  ['ruby x.rb', 'build', 'ruby', 'rubygems'],
  ['php artisan migrate', 'build', 'php', 'composer'],
  ['composer run test', 'build', 'php', 'composer'],
  ['dotnet build', 'build', 'dotnet', 'nuget'],
  ['mix test', 'build', 'elixir', 'hex'],
  ['swift build', 'build', 'other-language'],
  ['perl -e 1', 'build', 'other-language'],
  ['bash x.sh', 'build', 'shell-script'],
  ['sh ./x', 'build', 'shell-script'],
  ['bash scripts/setup.sh --fast', 'build', 'shell-script'],
  ['source ./x.sh', 'build', 'source'],
  ['. x', 'build', 'source'],
  ['source .venv/bin/activate', 'build', 'source'],
  ['./x', 'build', 'repository-executable'],
  ['bin/x', 'build', 'repository-executable'],
  ['scripts/build.sh', 'build', 'repository-executable'],
  ['./npm install', 'build', 'repository-executable'],
  ['docker build -t app .', 'build', 'container-build'],
  ['docker compose up', 'build', 'container-build'],
  ['docker-compose up -d', 'build', 'compose'],
  ['awk -f prog.awk data', 'build', 'awk-program-file'],
  ['sed -f script.sed in', 'build', 'awk-program-file'],
  ['git submodule foreach "npm ci"', 'build', 'git-runs-commands'],
  ['git bisect run make test', 'build', 'git-runs-commands'],
  ['git rebase -x "npm test" main', 'build', 'git-rebase-exec'],
  ['LD_PRELOAD=./hook.so ls', 'build', 'guard.env-loads-code'],
  ['PATH=./bin:$PATH ls', 'build', 'guard.env-loads-code'],
  ['PATH=bin:$PATH ls', 'build', 'guard.env-loads-code'],
  ['export PATH=$PWD/node_modules/.bin:$PATH', 'build', 'guard.env-loads-code'],
  ['export PATH=":$PATH"', 'build', 'guard.env-loads-code'],
  ['NODE_OPTIONS="--require ./x.js" npm ls', 'build', 'guard.env-loads-code'],
  ['PYTHONPATH=. pip list', 'build', 'guard.env-loads-code'],
  ['BASH_ENV=x.sh bash -c ls', 'build', 'guard.env-loads-code'],
  ['curl -s https://x | python3 -m json.tool', 'build', 'python', 'pypi'],
  // host-safe tools told to run a program or configuration the repository may supply
  ['tar -I ./zstd-wrapper -xf x.tar', 'build', 'tool-runs-program'],
  ['tar xf x.tar --to-command=./handle', 'build', 'tool-runs-program'],
  ['sort --compress-program=./x big.txt', 'build', 'tool-runs-program'],
  ['rsync -e ./my-ssh src host:dst', 'build', 'tool-runs-program'],
  ['ssh -F ./ssh_config host', 'build', 'tool-runs-program'],
  ['ssh -o ProxyCommand="./proxy %h" host', 'build', 'tool-runs-program'],
  ['vim -S Session.vim', 'build', 'editor-script'],
  ['vim -u .vimrc x', 'build', 'editor-script'],
  ['git -c core.pager=./pager log', 'build', 'guard.git-runs-program'],
  ['git -c core.sshCommand="./ssh" fetch', 'build', 'guard.git-runs-program'],
  ['git -c alias.x="!./run" x', 'build', 'guard.git-runs-program'],
  ['git clone -u ./upload x y', 'build', 'guard.git-runs-program'],
  ['git difftool -x ./differ', 'build', 'guard.git-runs-program'],
  ['git push --receive-pack=./x origin', 'build', 'guard.git-runs-program'],
  ['zip -T -TT ./check out.zip f', 'build', 'tool-runs-program'],
  ['LESSOPEN="|./pre %s" less f', 'build', 'guard.env-loads-code'],
  ['npm docs', 'build', 'npm', 'npm'],
  ['npm outdated', 'build', 'npm', 'npm'],
]);

table('wrappers are transparent: the payload decides', [
  ['sudo npm i', 'dangerous', 'guard.privilege'],
  ["bash -c 'npm i'", 'install', 'npm-install', 'npm'],
  ["sh -c 'make && npm test'", 'build', 'c-build'],
  ["bash -lc 'npm ci'", 'install', 'npm-install', 'npm'],
  ['env X=1 make', 'build', 'c-build'],
  ['env -i PATH=/usr/bin npm ci', 'install', 'npm-install', 'npm'],
  ["env -S 'npm i'", 'install', 'npm-install', 'npm'],
  ['timeout 600 npm ci', 'install', 'npm-install', 'npm'],
  ['nice -n 10 make', 'build', 'c-build'],
  ['nohup npm start &', 'build', 'npm', 'npm'],
  ['time npm test', 'build', 'npm', 'npm'],
  ['command npm i', 'install', 'npm-install', 'npm'],
  ['exec npm start', 'build', 'npm', 'npm'],
  ['eval "npm i"', 'install', 'npm-install', 'npm'],
  ['eval npm i', 'install', 'npm-install', 'npm'],
  ['stdbuf -oL npm test', 'build', 'npm', 'npm'],
  ["bash <<< 'npm i'", 'install', 'npm-install', 'npm'],
  ['find . -name "*.sh" -exec sh {} \\;', 'build', 'shell-script'],
  ['find . -name package.json -execdir npm ci \\;', 'install', 'npm-install', 'npm'],
  ['ls | xargs -n1 make', 'build', 'c-build'],
  ['xargs npm install < deps.txt', 'install', 'npm-install', 'npm'],
  ['npx tsc', 'install', 'npx', 'npm'],
  ['timeout 5 sudo -u nobody make', 'dangerous', 'guard.privilege'],
  ['echo $(npm i)', 'install', 'npm-install', 'npm'],
  ['cat <(npm test)', 'build', 'npm', 'npm'],
  ['x=$(make -s version)', 'build', 'c-build'],
  ['for f in $(./list.sh); do echo $f; done', 'build', 'repository-executable'],
  ['f() { npm ci; }; f', 'install', 'npm-install', 'npm'],
  ['(npm ci)', 'install', 'npm-install', 'npm'],
  ['{ npm ci; } > log', 'install', 'npm-install', 'npm'],
  ['if npm test; then echo ok; fi', 'build', 'npm', 'npm'],
  ['while true; do npm test; sleep 1; done', 'build', 'npm', 'npm'],
  ['! npm test', 'build', 'npm', 'npm'],
  ['npm test || echo failed', 'build', 'npm', 'npm'],
  ['npm ci && npm test', 'install', 'npm-install', 'npm'],
  ['git status && make', 'build', 'c-build'],
]);

table('obfuscated command names resolve to the real command', [
  ['\\npm i', 'install', 'npm-install', 'npm'],
  ["np''m install", 'install', 'npm-install', 'npm'],
  ['"npm" i', 'install', 'npm-install', 'npm'],
  ["'npm' install", 'install', 'npm-install', 'npm'],
  ['n\\pm i', 'install', 'npm-install', 'npm'],
  ['/usr/bin/npm ci', 'install', 'npm-install', 'npm'],
  ['/usr/local/bin/pip install x', 'install', 'pip', 'pypi'],
  ['~/.cargo/bin/cargo install x', 'install', 'cargo-install', 'cargo'],
  ['"/usr/bin/sudo" ls', 'dangerous', 'guard.privilege'],
  ['/tmp/npm install', 'unknown', 'elsewhere-executable'],
  ['../other-repo/npm install', 'unknown', 'elsewhere-executable'],
]);

table('what sbsh cannot see into is unknown, never host-safe', [
  ['$CMD install', 'unknown', 'dynamic-command'],
  ['$(echo npm) install', 'unknown', 'dynamic-command'],
  ['NPM=npm; $NPM i', 'unknown', 'dynamic-command'],
  ['"$tool" build', 'unknown', 'dynamic-command'],
  ['bash -c "$X"', 'unknown', 'parse.dynamic-payload'],
  ['eval "$X"', 'unknown', 'parse.dynamic-payload'],
  ['echo "npm i" | bash', 'unknown', 'parse.dynamic-payload'],
  ['bash', 'unknown', 'parse.dynamic-payload'],
  ['echo "unterminated', 'unknown', 'parse.unterminated-quote'],
  ['frobnicate --all', 'unknown', 'no-rule'],
  ['watch make', 'unknown', 'no-rule'],
  ['strace ls', 'build', 'c-build'],
  ['tmux', 'unknown', 'nested-shell'],
  ["trap 'rm -rf x' EXIT", 'unknown', 'trap'],
  ['echo hi > $OUT', 'unknown', 'guard.dynamic-write-target'],
  ['echo hi > ~/$Y', 'unknown', 'guard.dynamic-write-target'],
  ['cp a "$DEST"', 'unknown', 'guard.dynamic-write-target'],
  ['rm -rf $BUILD_DIR', 'unknown', 'guard.dynamic-write-target'],
  ['cd "$X" && rm y', 'unknown', 'guard.dynamic-write-target'],
  ['cd $(mktemp -d) && rm x', 'unknown', 'guard.dynamic-write-target'],
  ['for d in a b; do cd $d; rm x; done', 'unknown', 'guard.dynamic-write-target'],
  ['find . -name "*.o" | xargs rm -f', 'unknown', 'guard.dynamic-write-target'],
  ['docker run -v "$SRC":/src x', 'unknown', 'guard.container-dynamic-mount'],
  ['gh extension install x/y', 'unknown', 'gh-extension'],
  ['fd -e o -x rm', 'unknown', 'search-runs-command'],
  ['rg --pre ./pdftotext foo', 'unknown', 'search-runs-command'],
  ['rustup update', 'unknown', 'rustup'],
  ['git maintenance run', 'unknown', 'git'],
  ['docker cp c:/etc/x .', 'unknown', 'container'],
  ['curl -K curl.cfg https://x', 'unknown', 'guard.dynamic-write-target'],
  ['wget -e output_document=x https://x', 'unknown', 'guard.dynamic-write-target'],
]);

test('cd is followed: later commands are judged where they will run', () => {
  const rows: Row[] = [
    ['cd /tmp && rm -rf x', 'dangerous', 'guard.delete-outside-workspace'],
    ['cd /etc; echo x > passwd', 'dangerous', 'guard.persistence'],
    ['cd /tmp && wget https://x', 'dangerous', 'guard.write-outside-workspace'],
    ['cd; rm -rf *', 'dangerous', 'guard.delete-outside-workspace'],
    ['cd .. && rm -rf other', 'dangerous', 'guard.delete-outside-workspace'],
    ['builtin cd /tmp && rm x', 'dangerous', 'guard.delete-outside-workspace'],
    ['eval "cd /tmp"; rm x', 'dangerous', 'guard.delete-outside-workspace'],
    ['pushd /tmp && rm x', 'dangerous', 'guard.delete-outside-workspace'],
    // a failed `cd` leaves the shell where it was: both places are judged
    ['cd a/b/c; rm -rf ../../..', 'dangerous', 'guard.delete-outside-workspace'],
    ['cd /etc || cd /work/ws; rm passwd', 'dangerous', 'guard.delete-outside-workspace'],
    ['if cd /tmp; then :; fi; rm x', 'dangerous', 'guard.delete-outside-workspace'],
    // a subshell's cd does not leak out
    ['(cd /tmp); rm x', 'host-safe', 'shell-builtin'],
    ['cd src && rm -rf dist', 'host-safe', 'shell-builtin'],
    ['cd src; rm -rf dist', 'host-safe', 'shell-builtin'],
  ];
  const wrong = check(rows);
  assert.is(wrong.length, 0, `\n  ${wrong.join('\n  ')}`);
  // The same line started in a subdirectory.
  assert.is(classifyLine('rm -rf ../lib', undefined, { ...CTX, cwd: '/work/ws/src' }).class, 'host-safe');
  assert.is(classifyLine('rm -rf ../../x', undefined, { ...CTX, cwd: '/work/ws/src' }).class, 'dangerous');
});

test('reasons: riskiest first, each with a why, no repeats, no host-safe noise', () => {
  const c = classifyLine('ls; npm ci; curl x | sh; make; ls; npm ci');
  assert.is(c.class, 'dangerous');
  const classes = c.reasons.map((r) => r.class);
  assert.equal(classes, [...classes].sort((a, b) => ['host-safe', 'unknown', 'build', 'install', 'dangerous'].indexOf(b) - ['host-safe', 'unknown', 'build', 'install', 'dangerous'].indexOf(a)));
  assert.is(c.reasons[0]!.rule, 'guard.fetched-code');
  assert.is(c.reasons[0]!.command, 'curl x | sh');
  assert.not.ok(c.reasons.some((r) => r.class === 'host-safe'));
  assert.is(c.reasons.filter((r) => r.rule === 'npm-install').length, 1);
  for (const r of c.reasons) assert.ok(r.why.length > 10 && r.command.length > 0, JSON.stringify(r));
});

test('every reason of every line in these tables has a rule, a command and a why', () => {
  const lines = ['sudo npm i', 'cd /tmp && rm -rf x', '$X y', 'echo "x', 'docker run -v /:/h x', 'git config core.hooksPath h', 'PATH=. ls', ':(){ :|:& };:'];
  for (const line of lines) {
    for (const r of classifyLine(line).reasons) {
      assert.ok(r.rule && r.command && r.why.length > 10, `${line}: ${JSON.stringify(r)}`);
    }
  }
});

test.run();
