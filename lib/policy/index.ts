// lib/policy: reading, checking and merging policy files, and the
// `sbsh policy …` / `sbsh trust` commands.
export { PolicyError } from './errors.js';
export { BUILTIN_POLICIES, builtinPolicyDir, isBuiltinName, type BuiltinName } from './builtin.js';
export { parseLayer, readLayerFile, type Layer, type LayerKind } from './layer.js';
export { loadPolicy, loadPolicyFresh, repoPolicyPath, REPO_POLICY_FILE, type LoadOptions, type LoadedPolicy, type LoadedLayer } from './load.js';
export { DEFAULTS } from './merge.js';
export { configDir, userPolicyPath, trustStorePath, contentHash } from './trust.js';
export { policyCheck, policyShow, policySchema, policyInit, trust, type PolicyContext } from './commands.js';
export { matchName, matchesAnyName, compilePathGlob, matchPathGlob, type PathGlob } from './globs.js';
export { normaliseDomains } from './domains.js';
export { resolvePolicyPath } from './paths.js';
