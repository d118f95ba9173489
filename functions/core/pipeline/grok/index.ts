export { compileGrok, fieldPath, type GrokOptions } from './compile.ts';
export { GrokError } from './errors.ts';
export { GROK_PATTERNS } from './patterns.ts';
