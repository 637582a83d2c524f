import { riskOf, riskiest, type Class, type Classification, type Reason } from './types.js';

// From the findings of every simple command to the line's classification:
// the riskiest class wins, and the reasons explain it. A host-safe line needs
// one reason, not one per `echo`; any other line lists each finding that is
// not host-safe, riskiest first, without repeats.

export function summarise(findings: readonly Reason[], lineText: string): Classification {
  const first = findings[0];
  if (!first) return { class: 'host-safe', reasons: [{ rule: 'empty-line', class: 'host-safe', command: lineText, why: 'the line runs no command' }] };
  const cls = findings.reduce<Class>((c, f) => riskiest(c, f.class), 'host-safe');
  if (cls === 'host-safe') return { class: cls, reasons: [first] };
  const seen = new Set<string>();
  const reasons = findings.filter((f) => {
    const key = `${f.rule}\0${f.command}\0${f.why}`;
    if (f.class === 'host-safe' || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // Array.prototype.sort is stable: equal classes keep their order in the line.
  reasons.sort((a, b) => riskOf(b.class) - riskOf(a.class));
  return { class: cls, reasons };
}
