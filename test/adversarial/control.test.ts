import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCollected } from '../helpers/process.js';
import { skipWithReason } from '../helpers/skip.js';
import { testUser } from '../sandbox/harness.js';
import { buildExfilWorld } from '../../lib/demo/exfil-world.js';

// The control: the same malicious install with NO sandbox, as a normal user
// (so it cannot touch /etc). The host-side checks must catch it; otherwise
// the adversarial suites' "nothing got out" would prove nothing.

const s = suite('adversarial control: no sandbox');
const user = process.getuid?.() === 0 ? testUser() : null;

if (!user) {
  skipWithReason(s, 'unsandboxed install is caught by the host-side checks', 'needs root to create and switch to the test user');
} else {
  s('an unsandboxed npm install leaks, and the checks see it', async () => {
    const world = await buildExfilWorld(user);
    try {
      const r = await runCollected(['npm', 'install', '--no-audit', '--no-fund', '--offline', '--foreground-scripts'], { as: user, cwd: world.ws, env: world.env });
      assert.match(r.stdout, /evil-pkg postinstall: /, 'the attack ran');
      const leaks = await world.leaks(r);
      const expect = [/tcp 127\.0\.0\.1 got 1 connection/, /tcp ::1 got/, /abstract unix socket got/, /unix socket under HOME got/, /HOME (changed|gained) \.bashrc/, /HOME gained \.ssh\/authorized_keys/, /workspace .* changed package\.json/, /workspace .* gained \.npmrc|workspace .* changed \.npmrc/, /was created on the host/, /the host process was killed/, /daemon still running/, /output contains home_ssh_id_rsa/];
      for (const re of expect) assert.ok(leaks.some((l) => re.test(l)), `expected a leak matching ${re}; got:\n${leaks.join('\n')}`);
    } finally {
      world.cleanup();
    }
  });
}
s.run();
