import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { monitorSignals } from '../../lib/net/monitor.js';

// The monitor's stderr is shared by the script, ip, tcpdump and the bridge,
// and their writes interleave. The third case is what a bench run recorded
// on this machine: the bridge's start-up line landed between tcpdump's
// "tcpdump: " and the rest of its line, and readiness went unseen for 10 s.

const TCPDUMP = 'listening on lo, link-type EN10MB (Ethernet), snapshot length 512 bytes\n';
const cases: [string, string, ReturnType<typeof monitorSignals>][] = [
  ['nothing yet', '', { routes: false, capturing: false, bridge: null, unbridged: false }],
  ['routes only', 'sbsh-monitor: routes ready\n', { routes: true, capturing: false, bridge: null, unbridged: false }],
  ['tcpdump interleaved with the bridge', `sbsh-monitor: routes ready\ntcpdump: Listening on 127.0.0.1:31086 as 3.\n${TCPDUMP}sbsh-monitor: bridge ready\n`, { routes: true, capturing: true, bridge: { failed: null }, unbridged: false }],
  ['tcpdump in one piece', `sbsh-monitor: routes ready\ntcpdump: ${TCPDUMP}`, { routes: true, capturing: true, bridge: null, unbridged: false }],
  ['the bridge listening is not the capture', 'sbsh-monitor: routes ready\nListening on 127.0.0.1:31086 as 3.\nsbsh-monitor: bridge ready\n', { routes: true, capturing: false, bridge: { failed: null }, unbridged: false }],
  ['tcpdump failing', 'sbsh-monitor: routes ready\ntcpdump: lo: That device is not up\n', { routes: true, capturing: false, bridge: null, unbridged: false }],
  ['the bridge failing', `tcpdump: ${TCPDUMP}sbsh-monitor: bridge failed: /usr/bin/systemd-socket-activate exited before listening on 127.0.0.1:20001\n`, { routes: false, capturing: true, bridge: { failed: '/usr/bin/systemd-socket-activate exited before listening on 127.0.0.1:20001' }, unbridged: false }],
  ['a bridge started, then stopped', `tcpdump: ${TCPDUMP}Listening on 127.0.0.1:31086 as 3.\nsbsh-monitor: bridge ready\nsbsh-monitor: bridge stopped\n`, { routes: false, capturing: true, bridge: { failed: null }, unbridged: true }],
  ['no bridge to stop', `sbsh-monitor: routes ready\ntcpdump: ${TCPDUMP}sbsh-monitor: bridge stopped\n`, { routes: true, capturing: true, bridge: null, unbridged: true }],
];

for (const [what, tail, want] of cases) {
  test(`monitor stderr: ${what}`, () => {
    assert.equal(monitorSignals(tail), want);
  });
}

test.run();
