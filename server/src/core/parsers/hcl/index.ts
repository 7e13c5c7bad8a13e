export * from './ast';
export { parseExpressionText, parseHcl } from './parser';
export { parseJsonConfig } from './json';
export { parseTemplate, parseTemplateWithDiagnostics, type TemplateParseResult } from './template';
export { officialHclErrors, type OfficialHclError } from './officialParser';
