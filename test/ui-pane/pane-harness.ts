import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { runPane } from '../../lib/ui/pane/index.js';
import type { AuditInput } from '../../lib/audit/schema.js';
import { bashSession } from './pty-session.js';

// Entry the end-to-end tests run inside tmux: the real pane over a bash
// session. The test feeds audit events as JSON lines on the unix socket
// named by PANE_CONTROL; when bash exits the harness prints its status on
// the restored terminal and exits with it.

const control = process.env.PANE_CONTROL;
if (!control) throw new Error('pane-harness: set PANE_CONTROL to a unix socket path');

const session = bashSession({ cwd: process.cwd(), env: { ...process.env, PS1: '$ ' } });
const server = createServer((sock) => {
  createInterface({ input: sock }).on('line', (line) => {
    try {
      session.audit.emit(JSON.parse(line) as AuditInput);
      sock.write('ok\n');
    } catch (err) {
      sock.write(`error ${(err as Error).message}\n`);
    }
  });
});
server.listen(control);

const status = await runPane(session, { stdin: process.stdin, stdout: process.stdout });
server.close();
process.stdout.write(`pane exited with status ${status}\n`);
process.exit(status);
