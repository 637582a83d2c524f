import { isDeepStrictEqual } from 'node:util';
import type { Origin, PolicyLayer, Profile, RuleAction } from './schema.js';
import type { ClassifyRule } from '../classify/rule-schema.js';
import { riskOf, riskiest, type Class } from '../classify/types.js';
import type { Layer } from './layer.js';
import { DEFAULTS, getIn, originOf, setIn, type Merged } from './merge.js';
import { nameGlobCovers } from './globs.js';
import { domainCovers, normaliseDomain, normaliseDomains } from './domains.js';
import { pathCovers, normalisePolicyPath } from './paths.js';
import { mayOverlap, describeCommands } from './rule-overlap.js';

// An untrusted repository layer: each value is applied only where it makes
// the sandbox stricter; every other attempt is recorded in `ignored` with the
// reason, and not applied.

const ACTION_RANK = { host: 0, sandbox: 1, deny: 2 } as const;
// Only a disposable VM isolates more than the local backends; every other
// switch (including to `docker`, a root daemon) is not provably stricter.
const BACKEND_RANK: Record<string, number> = { auto: 1, bwrap: 1, seatbelt: 1, podman: 1, docker: 1, ssh: 2, tart: 2 };

const HANDLED = {
  top: ['version', 'extends', 'rules', 'profiles', 'ecosystems', 'guard', 'classify'],
  classify: ['rules', 'guard'],
  profile: ['description', 'backend', 'workspace', 'mask_paths', 'environment', 'network', 'no_new_privileges', 'limits'],
};
// classify.guard lists: entries that add findings, and entries that exempt
// from them. bin_dirs is neither: adding a directory lets a repository's own
// program pass for a system one, removing one turns `/usr/bin/npm install`
// into an unrecognised command, so either change can lower a class.
const GUARD_WIDEN = ['persistence_paths', 'code_runners', 'fetchers', 'decoders', 'code_loading_env'];
const GUARD_NARROW = ['harmless_targets'];
const GUARD_WHY: Record<string, string> = {
  bin_dirs: 'which directories hold system programs decides how commands are classified, and a change either way can lower a class',
};

const TRUST_HINT = 'run `sbsh trust` to accept this file as it is';

/** An untrusted repository layer: applied only where it makes things stricter. */
export function tighten(m: Merged, layer: Layer): void {
  new Tightener(m, layer).apply(layer.data);
}

class Tightener {
  private readonly origin: Origin;

  constructor(
    private readonly m: Merged,
    private readonly layer: Layer,
  ) {
    this.origin = originOf(layer);
  }

  apply(d: PolicyLayer): void {
    if (d.extends !== undefined) this.ignore(['extends'], `an untrusted repository policy cannot choose the base policy; ${TRUST_HINT}`);
    if (d.version !== undefined) this.set(['version'], d.version);
    for (const [cls, rule] of Object.entries(d.rules ?? {})) if (rule) this.rule(cls, rule);
    for (const [name, profile] of Object.entries(d.profiles ?? {})) {
      if (this.get(['profiles', name]) === undefined) {
        this.ignore(['profiles', name], `an untrusted repository cannot add a profile (nothing to compare it with); tighten an existing profile instead, or ${TRUST_HINT}`);
      } else this.profile(['profiles', name], profile);
    }
    for (const [name, eco] of Object.entries(d.ecosystems ?? {})) {
      const at = ['ecosystems', name];
      if (this.get(at) === undefined) {
        this.ignore(at, `an untrusted repository cannot add an ecosystem (its domains would be reachable, its paths writable); ${TRUST_HINT}`);
        continue;
      }
      if (eco.domains) this.narrowDomains([...at, 'domains'], eco.domains);
      if (eco.writable_paths) this.narrow([...at, 'writable_paths'], eco.writable_paths, pathCovers, normalisePolicyPath, 'writable paths');
    }
    if (d.guard?.strict !== undefined) this.stricter(['guard', 'strict'], d.guard.strict, DEFAULTS.guard_strict, (v) => (v ? 1 : 0), 'strict: false');
    if (d.guard?.kill_after !== undefined) this.minimum(['guard', 'kill_after'], d.guard.kill_after);
    for (const rule of d.classify?.rules ?? []) this.classifyRule(rule);
    for (const [name, entries] of Object.entries(d.classify?.guard ?? {})) if (entries) this.guardList(name, entries);
    this.unhandled([], d, HANDLED.top);
    this.unhandled(['classify'], d.classify ?? {}, HANDLED.classify);
  }

  /** Keys added to the schema later are not applied from an untrusted file until this class handles them. */
  private unhandled(at: string[], obj: object, handled: readonly string[]): void {
    for (const key of Object.keys(obj)) if (!handled.includes(key)) this.ignore([...at, key], `not supported in an untrusted repository policy; ${TRUST_HINT}`);
  }

  /** More findings is stricter; fewer exemptions (harmless targets, directories of trusted programs) is stricter. */
  private guardList(name: string, entries: string[]): void {
    const path = ['classify', 'guard', name];
    if (GUARD_WIDEN.includes(name)) this.union(path, entries);
    else if (GUARD_NARROW.includes(name)) this.narrow(path, entries, nameGlobCovers, (e) => e, `classify.guard.${name} entries`);
    else if (!isDeepStrictEqual(this.get(path), entries)) this.ignore(path, `${GUARD_WHY[name] ?? 'not supported in an untrusted repository policy'}; ${TRUST_HINT}`);
  }

  private get(path: readonly string[]): unknown {
    return getIn(this.m.policy, path);
  }

  private set(path: readonly string[], value: unknown): void {
    setIn(this.m.policy, path, value);
    this.m.origins[path.join('.')] = this.origin;
  }

  private ignore(path: readonly string[], why: string): void {
    this.m.ignored.push({ file: this.layer.file, key: path.join('.'), why });
  }

  /** Apply `value` only if it ranks stricter than the current value; equal rank is not provably stricter. */
  private stricter<T>(path: readonly string[], value: T, fallback: T, rank: (v: T) => number, shown: string): void {
    const current = (this.get(path) as T | undefined) ?? fallback;
    if (value === current) return;
    if (rank(value) > rank(current)) this.set(path, value);
    else this.ignore(path, `${shown} is not stricter than ${JSON.stringify(current)}; an untrusted repository may only make it stricter`);
  }

  private minimum(path: readonly string[], value: number): void {
    const current = this.get(path) as number | undefined;
    if (current !== undefined && value > current) this.ignore(path, `${value} is above the limit below it (${current}); an untrusted repository may only lower limits`);
    else if (value !== current) this.set(path, value);
  }

  private rule(cls: string, over: RuleAction): void {
    const at = ['rules', cls];
    const base = this.get(at) as RuleAction | undefined;
    const baseAction = base?.action ?? DEFAULTS.action;
    if (ACTION_RANK[over.action] < ACTION_RANK[baseAction]) {
      this.ignore([...at, 'action'], `${over.action} would loosen ${baseAction} for ${cls} commands; an untrusted repository may only make it stricter (host < sandbox < deny)`);
      return;
    }
    if (over.action === 'sandbox' && over.profile !== undefined && over.profile !== base?.profile) {
      if (baseAction === 'sandbox') {
        this.ignore([...at, 'profile'], `switching ${cls} commands from profile "${base?.profile}" to "${over.profile}" is not provably stricter; tighten profiles.${base?.profile} instead`);
        return;
      }
      if (this.get(['profiles', over.profile]) === undefined && this.layer.data.profiles?.[over.profile]) {
        this.ignore(at, `uses profile "${over.profile}", which only this untrusted file defines; use a profile from the lower layers, or ${TRUST_HINT}`);
        return;
      }
    }
    if (over.action === baseAction) return;
    this.set([...at, 'action'], over.action);
    // A rule raised to sandbox without a profile is left for the merged-policy check to report.
    if (over.action === 'sandbox') this.set([...at, 'profile'], over.profile);
  }

  private profile(at: string[], p: Profile): void {
    this.unhandled(at, p, HANDLED.profile);
    if (p.description !== undefined) this.set([...at, 'description'], p.description);
    if (p.backend !== undefined) {
      this.stricter([...at, 'backend'], p.backend, DEFAULTS.backend, (b) => BACKEND_RANK[b] ?? 0, `backend ${p.backend}`);
    }
    const ws = p.workspace;
    if (ws?.writable_paths) this.narrow([...at, 'workspace', 'writable_paths'], ws.writable_paths, pathCovers, normalisePolicyPath, 'writable paths');
    if (ws?.exclude_paths) this.union([...at, 'workspace', 'exclude_paths'], ws.exclude_paths);
    if (ws?.ecosystem_paths !== undefined) {
      this.stricter([...at, 'workspace', 'ecosystem_paths'], ws.ecosystem_paths, DEFAULTS.ecosystem_paths, (v) => (v ? 0 : 1), `ecosystem_paths: ${ws.ecosystem_paths}`);
    }
    if (p.mask_paths) this.union([...at, 'mask_paths'], p.mask_paths);
    const env = p.environment;
    if (env?.pass_through) this.narrow([...at, 'environment', 'pass_through'], env.pass_through, nameGlobCovers, (n) => n, 'pass-through names');
    for (const [name, value] of Object.entries(env?.set ?? {})) {
      const path = [...at, 'environment', 'set', name];
      if (this.get(path) !== value) this.ignore(path, `setting ${name} inside the sandbox can change what runs there (NODE_OPTIONS, LD_PRELOAD and the like load code); ${TRUST_HINT}`);
    }
    if (env?.deny) this.union([...at, 'environment', 'deny'], env.deny);
    const net = p.network;
    if (net?.mode !== undefined) this.stricter([...at, 'network', 'mode'], net.mode, DEFAULTS.network_mode, (v) => (v === 'off' ? 1 : 0), `mode ${net.mode}`);
    if (net?.domains) this.narrowDomains([...at, 'network', 'domains'], net.domains);
    if (net?.ecosystem_domains !== undefined) {
      this.stricter([...at, 'network', 'ecosystem_domains'], net.ecosystem_domains, DEFAULTS.ecosystem_domains, (v) => (v ? 0 : 1), `ecosystem_domains: ${net.ecosystem_domains}`);
    }
    if (p.no_new_privileges !== undefined) {
      this.stricter([...at, 'no_new_privileges'], p.no_new_privileges, DEFAULTS.no_new_privileges, (v) => (v ? 1 : 0), `no_new_privileges: ${p.no_new_privileges}`);
    }
    for (const [k, v] of Object.entries(p.limits ?? {})) if (v !== undefined) this.minimum([...at, 'limits', k], v);
  }

  /** Keep the entries of `over` that something below already allows: the intersection. */
  private narrow(path: string[], over: string[], covers: (outer: string, inner: string) => boolean, norm: (e: string) => string, what: string): void {
    const base = (this.get(path) as string[] | undefined) ?? [];
    const kept: string[] = [];
    for (const entry of over) {
      if (base.some((b) => covers(b, entry))) {
        if (!kept.includes(norm(entry))) kept.push(norm(entry));
      } else this.ignore(path, `${JSON.stringify(entry)} is not among the ${what} below it; an untrusted repository may only remove entries`);
    }
    if (kept.length !== base.length || kept.some((e, i) => e !== base[i])) this.set(path, kept);
  }

  private narrowDomains(path: string[], over: string[]): void {
    const base = normaliseDomains((this.get(path) as string[] | undefined) ?? []);
    const kept = new Set<string>();
    for (const entry of over) {
      const forms = normaliseDomain(entry) ?? [];
      const refused = forms.filter((f) => !base.some((b) => domainCovers(b, f)));
      forms.filter((f) => !refused.includes(f)).forEach((f) => kept.add(f));
      if (refused.length) this.ignore(path, `${refused.join(', ')} (from ${JSON.stringify(entry)}) is not allowed below it; an untrusted repository may only remove domains`);
    }
    const result = [...kept].sort();
    if (result.join() !== base.join()) this.set(path, result);
  }

  private union(path: string[], over: string[]): void {
    const base = (this.get(path) as string[] | undefined) ?? [];
    const added = over.filter((e) => !base.includes(e));
    if (added.length) this.set(path, [...base, ...new Set(added)]);
  }

  private classifyRule(rule: ClassifyRule): void {
    const at = ['classify', 'rules', rule.id];
    const trusted = (this.get(['classify', 'rules']) as ClassifyRule[] | undefined) ?? [];
    const same = trusted.find((r) => r.id === rule.id);
    if (same) {
      if (!isDeepStrictEqual(same, rule)) {
        this.ignore(at, `an untrusted repository cannot redefine rule "${rule.id}" (it could stop matching the commands it classifies); add a rule with a new id`);
      }
      return;
    }
    // Dangerous rules are findings checked on every command whatever else matches, so nothing can lower them.
    const overlapping = trusted.filter((r) => r.class !== 'dangerous' && mayOverlap(r, rule));
    const floor = overlapping.reduce<Class>((c, r) => riskiest(c, r.class), 'unknown');
    if (riskOf(rule.class) < riskOf(floor)) {
      this.ignore(at, `would classify ${describeCommands(rule)} as ${rule.class}, below ${floor}; an untrusted repository may only raise a command's class`);
      return;
    }
    // Raising to install also swaps in the install profile, which reaches the network: a loosening in disguise.
    if (rule.class === 'install') {
      this.ignore(at, `would move ${describeCommands(rule)} to the install profile, which reaches package registries; an untrusted repository may raise a command only to build or dangerous; ${TRUST_HINT}`);
      return;
    }
    const { ecosystem, ...rest } = rule;
    if (ecosystem !== undefined) this.ignore([...at, 'ecosystem'], `ecosystem "${ecosystem}" would open that ecosystem's network domains; ${TRUST_HINT}`);
    this.m.raiseOnlyRules.push(rest);
    this.m.origins[at.join('.')] = this.origin;
  }
}
