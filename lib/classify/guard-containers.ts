import type { Word } from '../parse/types.js';
import { scanArgs, shown } from './argv.js';
import { followLinks, type Finding, type PlacePatterns } from './guard-writes.js';
import { isInside, resolveWord, type Target } from './paths.js';

// bash-guard: containers that reach into the host. The container engine
// runs as root (or as the user with all of their files), so a bind mount of
// a host path outside the workspace, `--privileged` or a host namespace
// hands the image, which may come from the repository, the host itself.
// Read-only mounts count too: reading ~/.ssh is the attack.

const ENGINES = new Set(['docker', 'podman', 'nerdctl']);
const ENGINE_VALUED = new Set(['-H', '--host', '-c', '--context', '--config', '-l', '--log-level', '--url', '--connection', '--root', '--runroot']);
const RUN_VALUED = new Set([
  '-v', '--volume', '--mount', '-e', '--env', '--env-file', '--name', '-p', '--publish', '-w', '--workdir', '-u', '--user', '--network', '--net',
  '--pid', '--ipc', '--uts', '--userns', '--cgroupns', '--cap-add', '--cap-drop', '--device', '--security-opt', '--entrypoint', '-l', '--label',
  '-h', '--hostname', '--add-host', '--dns', '-m', '--memory', '--cpus', '--restart', '--ulimit', '--tmpfs', '--volumes-from', '--platform',
  '--pull', '--log-driver', '--log-opt', '--runtime', '--gpus', '--group-add', '--shm-size', '--stop-signal', '--health-cmd', '--hostuser',
]);
const HOST_NAMESPACES = ['--pid', '--ipc', '--uts', '--userns', '--cgroupns', '--network', '--net'];

function hostAccess(why: string): Finding {
  return { rule: 'guard.container-host-access', class: 'dangerous', why };
}

/** The host side of `-v SRC:DST[:opts]`, or null for a named volume. */
function volumeSource(w: Word): Word | null {
  const text = shown(w);
  const src = text.slice(0, text.indexOf(':') < 0 ? text.length : text.indexOf(':'));
  if (!/^[/~.$"`]/.test(src)) return null;
  return { raw: src, value: w.value === null ? null : src, substitutions: w.substitutions };
}

/** The host side of `--mount type=bind,source=SRC,…`. */
function mountSource(w: Word): Word | null {
  const text = shown(w);
  if (!/(^|,)type=bind(,|$)/.test(text) && /(^|,)type=/.test(text)) return null;
  const m = /(?:^|,)(?:source|src)=([^,]*)/.exec(text);
  return m ? { raw: m[1]!, value: w.value === null ? null : m[1]!, substitutions: w.substitutions } : null;
}

function judgeMount(src: Word, cwd: string | null, pp: PlacePatterns): Finding | null {
  const t: Target = resolveWord(src, cwd, pp.places.home);
  if (t.kind === 'dynamic') {
    return { rule: 'guard.container-dynamic-mount', class: 'unknown', why: `mounts ${t.text} into a container, a host path known only at run time` };
  }
  if (isInside(followLinks(t, 'modify', pp.real), pp.places)) return null;
  return hostAccess(`mounts the host path ${t.abs} into a container, which then reads or changes it as root`);
}

/** Findings for `docker|podman|nerdctl [container] run|create …`; empty for anything else. */
export function containerFindings(name: string, args: readonly Word[], cwd: string | null, pp: PlacePatterns): Finding[] {
  if (!ENGINES.has(name)) return [];
  const global = scanArgs(args, { valued: ENGINE_VALUED, stopAtPositional: true });
  let rest = global.positionals;
  if (rest[0]?.value === 'container') rest = rest.slice(1);
  if (rest[0]?.value !== 'run' && rest[0]?.value !== 'create') return [];
  // Options end at the image name; what follows is the container's command.
  const s = scanArgs(rest.slice(1), { valued: RUN_VALUED, stopAtPositional: true });
  const out: Finding[] = [];
  for (const o of s.options) {
    const v = o.value ? shown(o.value) : '';
    if (o.name === '--privileged') out.push(hostAccess('runs a privileged container: it has every host device and kernel capability'));
    else if (HOST_NAMESPACES.includes(o.name) && v === 'host') out.push(hostAccess(`shares the host's ${o.name.slice(2)} namespace with the container`));
    else if (o.name === '--cap-add') out.push(hostAccess(`gives the container the capability ${v}`));
    else if (o.name === '--device') out.push(hostAccess(`gives the container the host device ${v}`));
    else if (o.name === '--security-opt' && /unconfined|label[:=]disable|no-new-privileges[:=]false/.test(v)) out.push(hostAccess(`turns off container confinement (${v})`));
    else if ((o.name === '-v' || o.name === '--volume') && o.value) {
      const src = volumeSource(o.value);
      const f = src && judgeMount(src, cwd, pp);
      if (f) out.push(f);
    } else if (o.name === '--mount' && o.value) {
      const src = mountSource(o.value);
      const f = src && judgeMount(src, cwd, pp);
      if (f) out.push(f);
    }
  }
  return out;
}
