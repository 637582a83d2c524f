// Which host user the sandbox runs as.
//
// bwrap started by real root maps the sandbox's uid to host uid 0: with every
// capability dropped, owner checks still pass, so root-owned 0600/0640 files
// (/etc/shadow, ssh host keys, /var/lib/...) stay readable. Mapping tricks do
// not help (the process's kernel uid is what owner checks compare), so when
// sbsh runs as root, bwrap itself is started under an unprivileged uid with
// `setpriv`: the workspace's owner when that is a normal user (the files it
// needs to write are already its own), otherwise a dedicated uid that owns
// nothing on the host. Writable paths owned by someone else are handed to
// that uid for the run and handed back afterwards (ownership.ts).

export interface Ids {
  uid: number;
  gid: number;
}

export interface SandboxUser extends Ids {
  why: 'caller' | 'workspace-owner' | 'dedicated';
}

/**
 * Outside the range useradd hands out (UID_MAX 60000) and below nobody
 * (65534), so it owns no host file and runs no host process.
 */
export const DEDICATED: Ids = { uid: 65533, gid: 65533 };

export function chooseSandboxUser(caller: Ids, workspaceOwner: Ids): SandboxUser {
  if (caller.uid !== 0) return { ...caller, why: 'caller' };
  if (workspaceOwner.uid !== 0) return { ...workspaceOwner, why: 'workspace-owner' };
  return { ...DEDICATED, why: 'dedicated' };
}

/** setpriv's flags that make a process `user`; none when sbsh already is that user. */
export function becomeUserFlags(caller: Ids, user: SandboxUser): string[] {
  if (user.why === 'caller') return [];
  if (caller.uid !== 0) throw new Error(`becomeUserFlags: only root changes uid (caller is ${caller.uid})`);
  return [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups'];
}

/** argv prefix that starts the rest as `user`; empty when sbsh already is that user. */
export function dropPrivilegesArgv(setpriv: string, caller: Ids, user: SandboxUser): string[] {
  const flags = becomeUserFlags(caller, user);
  return flags.length === 0 ? [] : [setpriv, ...flags, '--'];
}

interface Perm {
  mode: number;
  uid: number;
  gid: number;
}

/** Whether `who` (no supplementary groups) gets `want` (bits of 0o7: r=4 w=2 x=1) on a file with this owner and mode. */
export function permits(st: Perm, who: Ids, want: number): boolean {
  const bits = st.uid === who.uid ? (st.mode >> 6) & 7 : st.gid === who.gid ? (st.mode >> 3) & 7 : st.mode & 7;
  return (bits & want) === want;
}
