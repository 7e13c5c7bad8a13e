/**
 * The `hashistackReview` settings as the server reads them through
 * `workspace/configuration`, per workspace folder. Raw values come from the
 * user's settings.json and are validated here, never trusted.
 */
import type { Connection } from 'vscode-languageserver/node';
import type { AnalysisSettings, RuleSeveritySetting } from '../core/api';

export const SETTINGS_SECTION = 'hashistackReview';

export interface ServerSettings {
  readonly enable: boolean;
  readonly rules: Readonly<Record<string, RuleSeveritySetting>>;
  /** Root-relative path of the review config file; undefined = the core's default. */
  readonly configPath: string | undefined;
  readonly debounceMs: number;
}

export const DEFAULT_SETTINGS: ServerSettings = { enable: true, rules: {}, configPath: undefined, debounceMs: 150 };

const SEVERITIES: ReadonlySet<string> = new Set(['error', 'warning', 'info', 'off']);

/** Validates whatever the client sent; unknown or ill-typed values fall back to defaults. */
export function parseSettings(raw: unknown): ServerSettings {
  if (typeof raw !== 'object' || raw === null) return DEFAULT_SETTINGS;
  const r = raw as Record<string, unknown>;
  const rules: Record<string, RuleSeveritySetting> = {};
  if (typeof r['rules'] === 'object' && r['rules'] !== null) {
    for (const [ruleId, severity] of Object.entries(r['rules'] as Record<string, unknown>)) {
      if (typeof severity === 'string' && SEVERITIES.has(severity)) rules[ruleId] = severity as RuleSeveritySetting;
    }
  }
  const debounce = r['debounceMs'];
  const configPath = r['configPath'];
  return {
    enable: typeof r['enable'] === 'boolean' ? r['enable'] : DEFAULT_SETTINGS.enable,
    rules,
    configPath: typeof configPath === 'string' && configPath.trim() !== '' ? configPath.trim() : undefined,
    debounceMs: typeof debounce === 'number' && Number.isFinite(debounce) ? Math.min(5000, Math.max(0, debounce)) : DEFAULT_SETTINGS.debounceMs,
  };
}

export function toAnalysisSettings(settings: ServerSettings): AnalysisSettings {
  return settings.configPath === undefined ? { ruleSeverity: settings.rules } : { ruleSeverity: settings.rules, configPath: settings.configPath };
}

/**
 * Asks the client for the settings of one folder. Clients without
 * `workspace/configuration` get the defaults (or what they pushed in
 * `didChangeConfiguration`, passed as `pushed`).
 */
export async function fetchSettings(connection: Connection, supportsConfiguration: boolean, scopeUri: string, pushed?: unknown): Promise<ServerSettings> {
  if (!supportsConfiguration) return parseSettings(pushed);
  try {
    const raw: unknown = await connection.workspace.getConfiguration({ scopeUri, section: SETTINGS_SECTION });
    return parseSettings(raw);
  } catch (error) {
    connection.console.warn(`Could not read settings for ${scopeUri}; using defaults (${String(error)})`);
    return DEFAULT_SETTINGS;
  }
}
