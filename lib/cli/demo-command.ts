import type { ParsedArgs } from './main.js';
import { runExfilDemo } from '../demo/exfil-demo.js';

export async function demoCommand(_args: ParsedArgs): Promise<number> {
  return runExfilDemo();
}
