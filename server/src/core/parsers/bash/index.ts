export * from './types';
export { rescanBash, scanBash } from './scanner';
export { decodeHeredocBody, decodeShWord } from './decode';
export type { ShExpander } from './decode';
export { parseSystemdUnit, parseExecStartFlags } from './systemd';
export type { ExecStartFlag } from './systemd';
