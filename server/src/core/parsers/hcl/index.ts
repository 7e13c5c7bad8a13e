export * from './ast';
export { parseHcl } from './parser';
