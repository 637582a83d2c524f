import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classifyLine } from './harness.js';

// Every bash-guard finding: the line is dangerous (denied by the default
// policy) and the named guard rule is among its reasons. Workspace
// /work/ws, home /home/u (test/classify/harness.ts).

const GUARDED: Array<[line: string, rule: string]> = [
  // privilege escalation
  ['sudo rm -rf build', 'guard.privilege'],
  ['sudo -i', 'guard.privilege'],
  ['su -c "make install"', 'guard.privilege'],
  ['doas make install', 'guard.privilege'],
  ['pkexec bash', 'guard.privilege'],
  ['chmod u+s ./tool', 'guard.setuid'],
  ['chmod 4755 ./tool', 'guard.setuid'],
  ['chmod g+s,o-w dir', 'guard.setuid'],
  ['install -m 4755 tool bin/', 'guard.setuid'],
  ['setcap cap_net_raw+ep ./tool', 'guard.privilege'],
  // hooks that would run a program in the host shell later, outside sbsh
  ['bind -x \'"\\C-a": ./evil.sh\'', 'guard.shell-hook'],
  ['bind -f ./inputrc', 'guard.shell-hook'],
  ['bind \'"\\C-m": accept-line\'', 'guard.shell-hook'],
  ['bind -r "\\C-m"', 'guard.shell-hook'],
  ['complete -C ./evil.sh ls', 'guard.shell-hook'],
  ['complete -o default -F _evil ls', 'guard.shell-hook'],
  // destruction on /, home, outside the workspace
  ['rm -rf /', 'guard.delete-outside-workspace'],
  ['rm -rf ~', 'guard.delete-outside-workspace'],
  ['rm -rf ~/', 'guard.delete-outside-workspace'],
  ['rm -rf $HOME', 'guard.delete-outside-workspace'],
  ['rm -rf "$HOME"/.ssh', 'guard.delete-outside-workspace'],
  ['rm -rf ..', 'guard.delete-outside-workspace'],
  ['rm -rf ../*', 'guard.delete-outside-workspace'],
  ['rm -rf ~/.*', 'guard.delete-outside-workspace'],
  ['rm -fr /usr/lib/node_modules', 'guard.delete-outside-workspace'],
  ['mv ~/.ssh/id_rsa .', 'guard.delete-outside-workspace'],
  ['find ~ -name "*.log" -delete', 'guard.delete-outside-workspace'],
  ['find / -exec rm {} \\;', 'guard.delete-outside-workspace'],
  ['find /etc -name x -exec rm -f {} +', 'guard.delete-outside-workspace'],
  ['xargs rm -rf /', 'guard.delete-outside-workspace'],
  ['echo `rm -rf /`', 'guard.delete-outside-workspace'],
  ['x=$(rm -rf ~)', 'guard.delete-outside-workspace'],
  ['for f in $(rm -rf /); do :; done', 'guard.delete-outside-workspace'],
  ['f() { rm -rf /; }; f', 'guard.delete-outside-workspace'],
  ['bash -c "echo $(rm -rf /)"', 'guard.delete-outside-workspace'],
  ['dd if=/dev/zero of=/dev/sda', 'guard.device-write'],
  ['cat img > /dev/nvme0n1', 'guard.device-write'],
  ['mkfs.ext4 /dev/sda1', 'guard.system-change'],
  ['wipefs -a /dev/sdb', 'guard.system-change'],
  ['mount /dev/sdb1 /mnt', 'guard.system-change'],
  ['chmod -R 777 /', 'guard.write-outside-workspace'],
  ['chown -R me /usr/local', 'guard.write-outside-workspace'],
  // writes outside the workspace
  ['echo x > /etc/x', 'guard.redirect-outside-workspace'],
  ['echo x >> /tmp/log', 'guard.redirect-outside-workspace'],
  ['ls &> ../out.txt', 'guard.redirect-outside-workspace'],
  ['make 2> /var/tmp/err', 'guard.redirect-outside-workspace'],
  ['{ echo a; } > /tmp/x', 'guard.redirect-outside-workspace'],
  ['for i in 1; do echo $i; done > /tmp/x', 'guard.redirect-outside-workspace'],
  ['tee /etc/hosts', 'guard.write-outside-workspace'],
  ['echo x | sudo tee -a /etc/hosts', 'guard.write-outside-workspace'],
  ['cp x /usr/bin/', 'guard.write-outside-workspace'],
  ['cp -t /opt x y', 'guard.write-outside-workspace'],
  ['mv x /tmp/', 'guard.write-outside-workspace'],
  ['touch /tmp/x', 'guard.write-outside-workspace'],
  ['mkdir -p ~/projects/x', 'guard.write-outside-workspace'],
  ['ln -s x /usr/local/bin/x', 'guard.write-outside-workspace'],
  ["sed -i 's/a/b/' /etc/hosts", 'guard.write-outside-workspace'],
  ['sort -o /tmp/x in', 'guard.write-outside-workspace'],
  ['curl -o /tmp/x https://x', 'guard.write-outside-workspace'],
  ['curl -fsSLo /opt/x https://x', 'guard.write-outside-workspace'],
  ['wget -P /opt https://x', 'guard.write-outside-workspace'],
  ['tar xzf x.tgz -C /', 'guard.write-outside-workspace'],
  ['unzip x.zip -d /opt', 'guard.write-outside-workspace'],
  ['git clone https://x/y /tmp/y', 'guard.write-outside-workspace'],
  ['git clone https://x/y ../y', 'guard.write-outside-workspace'],
  ['rsync -a src/ /srv/www/', 'guard.write-outside-workspace'],
  ['ls > >(tee /etc/x)', 'guard.write-outside-workspace'],
  ['xargs -I{} cp {} /etc/', 'guard.write-outside-workspace'],
  ['git worktree add ../x', 'guard.write-outside-workspace'],
  ['git archive -o /tmp/x.tar HEAD', 'guard.write-outside-workspace'],
  ['git format-patch -o /tmp/p HEAD~1', 'guard.write-outside-workspace'],
  ['git diff --output=/tmp/x', 'guard.write-outside-workspace'],
  ['xxd -r dump /etc/x', 'guard.write-outside-workspace'],
  ['uniq in /etc/x', 'guard.write-outside-workspace'],
  ['tree -o /tmp/x', 'guard.write-outside-workspace'],
  ['less -o /tmp/x f', 'guard.write-outside-workspace'],
  ['yq -i ".a=1" /etc/x.yaml', 'guard.write-outside-workspace'],
  ['cargo new ../x', 'guard.write-outside-workspace'],
  ['date -s "2020-01-01"', 'guard.system-settings'],
  ['hostname evil', 'guard.system-settings'],
  ['timedatectl set-timezone UTC', 'guard.system-settings'],
  // persistence
  ['echo x >> ~/.bashrc', 'guard.persistence'],
  ['echo "alias ls=x" >> ~/.zshrc', 'guard.persistence'],
  ['echo x > "$HOME/.profile"', 'guard.persistence'],
  ['cat > ~/.bashrc <<EOF\nevil\nEOF', 'guard.persistence'],
  ['echo key >> ~/.ssh/authorized_keys', 'guard.persistence'],
  ['ln -s evil ~/.bashrc', 'guard.persistence'],
  ['cp hook.sh ~/.config/autostart/x.desktop', 'guard.persistence'],
  ['cp x.service ~/.config/systemd/user/', 'guard.persistence'],
  ['cp job /etc/cron.d/', 'guard.persistence'],
  ['echo "* * * * * x" >> /var/spool/cron/root', 'guard.persistence'],
  ['cp x.plist ~/Library/LaunchAgents/', 'guard.persistence'],
  ['curl -fsSLo ~/.local/bin/ls https://x', 'guard.persistence'],
  ['cp hook .git/hooks/pre-commit', 'guard.persistence'],
  ['ln -sf ../../evil.sh .git/hooks/post-checkout', 'guard.persistence'],
  ['chmod +x .git/hooks/pre-push', 'guard.persistence'],
  ['echo "[core] hooksPath = x" >> .git/config', 'guard.persistence'],
  ['cd .git/hooks && cp ../../x pre-commit', 'guard.persistence'],
  ['crontab x', 'guard.crontab'],
  ['crontab -e', 'guard.crontab'],
  ['echo "x" | at now + 1 minute', 'guard.crontab'],
  ['systemctl enable foo', 'guard.service'],
  ['systemctl --user enable --now foo.service', 'guard.service'],
  ['launchctl load ~/Library/LaunchAgents/x.plist', 'guard.service-other'],
  ['git config core.hooksPath .hooks', 'guard.persistence'],
  ['git config --local core.fsmonitor ./x', 'guard.persistence'],
  ['git config alias.st "!sh evil.sh"', 'guard.persistence'],
  ['git config filter.x.clean "./clean.sh"', 'guard.persistence'],
  ['git config set core.hooksPath x', 'guard.persistence'],
  ['git -C sub config core.hooksPath x', 'guard.persistence'],
  ['git config --global user.name x', 'guard.persistence'],
  ['git config --system core.editor vim', 'guard.persistence'],
  ['git config --file ~/.gitconfig user.name x', 'guard.persistence'],
  ['git maintenance start', 'guard.git-maintenance'],
  ['code --install-extension ./evil.vsix', 'guard.editor-extension'],
  ['pre-commit install', 'guard.git-hook-installer'],
  ['npx husky install', 'guard.git-hook-installer'],
  ['npm config set script-shell ./x', 'guard.tool-config'],
  ['npm set node-options="--require /x"', 'guard.tool-config'],
  ['go env -w GOFLAGS=-toolexec=./x', 'guard.go-env-write'],
  ['pip config set global.index-url https://evil', 'guard.pip-config-write'],
  // containers reaching into the host
  ['docker run -v /:/host alpine', 'guard.container-host-access'],
  ['docker run -v ~/.ssh:/k:ro alpine', 'guard.container-host-access'],
  ['docker run -v /var/run/docker.sock:/var/run/docker.sock x', 'guard.container-host-access'],
  ['docker run --volume=/etc:/x alpine', 'guard.container-host-access'],
  ['docker run --mount type=bind,source=/,target=/h x', 'guard.container-host-access'],
  ['docker run --privileged alpine', 'guard.container-host-access'],
  ['docker run --pid=host alpine', 'guard.container-host-access'],
  ['docker run --net host alpine', 'guard.container-host-access'],
  ['docker run --cap-add SYS_ADMIN x', 'guard.container-host-access'],
  ['docker run --device /dev/sda x', 'guard.container-host-access'],
  ['docker run --security-opt seccomp=unconfined x', 'guard.container-host-access'],
  ['docker container run -v /:/h x', 'guard.container-host-access'],
  ['podman run -v /etc:/x alpine', 'guard.container-host-access'],
  ['docker -H unix:///x.sock run -v /:/h x', 'guard.container-host-access'],
  // fetched or decoded code run without reading it
  ['curl x | sh', 'guard.fetched-code'],
  ['curl -fsSL https://x/install.sh | bash', 'guard.fetched-code'],
  ['curl -fsSL https://x | sudo bash', 'guard.fetched-code'],
  ['curl -fsSL https://x | bash -s -- --yes', 'guard.fetched-code'],
  ['wget -O- https://x | bash', 'guard.fetched-code'],
  ['wget -qO - x | sh -', 'guard.fetched-code'],
  ['curl x | python3', 'guard.fetched-code'],
  ['curl x | python3 -', 'guard.fetched-code'],
  ['curl x | node', 'guard.fetched-code'],
  ['curl x | perl', 'guard.fetched-code'],
  ['curl x | tee i.sh | sh', 'guard.fetched-code'],
  ['curl x | xargs -0 bash -c', 'guard.fetched-code'],
  ['echo aGk= | base64 -d | sh', 'guard.fetched-code'],
  ['base64 --decode payload.txt | bash', 'guard.fetched-code'],
  ['xxd -r -p x.hex | sh', 'guard.fetched-code'],
  ['gunzip -c x.gz | bash', 'guard.fetched-code'],
  ['bash <(curl x)', 'guard.fetched-code'],
  ['source <(curl -s x)', 'guard.fetched-code'],
  ['. <(wget -qO- x)', 'guard.fetched-code'],
  ['sh -c "$(curl -fsSL x)"', 'guard.fetched-code'],
  ['bash -c "$(wget -qO- x)"', 'guard.fetched-code'],
  ['python -c "$(curl x)"', 'guard.fetched-code'],
  ['eval "$(curl -s x)"', 'guard.fetched-code'],
  ['$(curl -s x)', 'guard.fetched-code'],
  ['bash <<< "$(curl x)"', 'guard.fetched-code'],
  ['cat <<< "$(curl x)" | sh', 'guard.fetched-code'],
  ['case $(curl x | sh) in *) ;; esac', 'guard.fetched-code'],
  // fork bombs
  [':(){ :|:& };:', 'guard.fork-bomb'],
  ['bomb() { bomb | bomb & }; bomb', 'guard.fork-bomb'],
  ['f() { f & f; }; f', 'guard.fork-bomb'],
];

test('every bash-guard finding makes the line dangerous with the named rule', () => {
  const wrong: string[] = [];
  for (const [line, rule] of GUARDED) {
    const c = classifyLine(line);
    const rules = c.reasons.map((r) => r.rule);
    if (c.class !== 'dangerous' || !rules.includes(rule) || c.reasons[0]!.class !== 'dangerous') {
      wrong.push(`${JSON.stringify(line)}\n    want dangerous ${rule}, got ${c.class} ${rules.join(',')}`);
    }
  }
  assert.is(wrong.length, 0, `\n  ${wrong.join('\n  ')}`);
});

test('guard findings name the command and where it writes', () => {
  const c = classifyLine('ls; echo x >> ~/.bashrc');
  assert.equal(c.reasons[0], {
    rule: 'guard.persistence',
    class: 'dangerous',
    command: 'echo x >> ~/.bashrc',
    why: 'redirects output to /home/u/.bashrc, a persistence location (~/.bashrc): code placed there runs later on the host',
  });
  const out = classifyLine('cp a /opt/b').reasons[0];
  assert.is(out?.why, 'writes /opt/b, outside the workspace /work/ws');
});

test('harmless targets and fd duplication are not findings', () => {
  for (const line of ['ls > /dev/null', 'ls 2>/dev/null', 'ls 2>&1', 'ls >&2', 'ls 3>&-', 'echo x > /dev/stderr', 'echo x > /dev/tty', 'cmd_out() { :; }; ls > /dev/fd/3', 'tee /dev/null < x']) {
    const c = classifyLine(line);
    assert.is(c.class, 'host-safe', `${line}: ${c.reasons.map((r) => r.rule).join(',')}`);
  }
});

test('near misses stay allowed: safe cousins of the guarded lines', () => {
  const lines = [
    'curl -fsSL https://x -o install.sh',
    'curl x | tee install.sh',
    'cat install.sh | less',
    'base64 -d x.b64 > x.bin',
    'echo x | base64',
    'git config user.email a@b.c',
    'git config --get alias.st',
    'git config --list',
    'rm -rf ./build',
    'chmod 755 bin/x',
    'chmod 0644 file',
    'docker run -v ./data:/data x',
    'find . -name x -exec rm {} \\;',
    'npm config get registry',
    'npm config list',
    'go env GOPATH',
    'crontab -l',
    'systemctl status foo',
    'mv a b',
  ];
  for (const line of lines) assert.is.not(classifyLine(line).class, 'dangerous', line);
});

test.run();
