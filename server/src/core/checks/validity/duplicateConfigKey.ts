/**
 * duplicate-config-key: one role sets the same scalar twice, in one file or in
 * two files of its config directory. The agent merges the directory's files in
 * byte order of their names and the later value silently wins (Nomad appends
 * `client.servers` across files, so that list is not reported).
 */
import type { Check } from '../check';
import { finding, label, settingLocation } from '../check';
import type { SettingEntry } from '../../agent/settings';
import type { AgentConfigDoc } from '../../agent/configDoc';
import type { Finding } from '../../types';
import { provisionersRunning, templatesUploading } from '../../packer';
import { loadedByAgent } from '../image/services';

/** Lists the agent appends across files instead of replacing. */
const APPENDED = new Set(['nomad:client.servers']);

/**
 * Consul definitions: every `service`/`check` block (and every entry of
 * `services`, `checks`, `watches`) is its own definition, appended to a list
 * (hashicorp/consul agent/config/builder.go, build(): "if we have a single
 * 'check' or 'service' we need to add them to the list of checks and services
 * first since we cannot merge them generically"; Merge concatenates slices).
 * One file per service in the config directory is the documented layout, so
 * two of them both setting `service.name` is not a conflict; the same key twice
 * inside one block still is.
 */
const CONSUL_DEFINITIONS = new Set(['service', 'services', 'check', 'checks', 'watches']);

function sameDefinitionOnly(product: string, path: string): boolean {
  if (product !== 'consul') return false;
  const dot = path.indexOf('.');
  return CONSUL_DEFINITIONS.has(dot < 0 ? path : path.slice(0, dot));
}

const normalised = new WeakMap<AgentConfigDoc, string | undefined>();

function normTarget(doc: AgentConfigDoc): string | undefined {
  if (normalised.has(doc)) return normalised.get(doc);
  const t = doc.targetPath;
  const n = t === undefined ? undefined : t.replace(/\\/g, '/').replace(/\/+/g, '/').toLowerCase();
  normalised.set(doc, n);
  return n;
}

/**
 * Whether two documents really end up merged: not when the later write
 * replaces the same file, not when they are on different machines (a Linux and
 * a Windows config) or in different directories, and not when a target path is
 * still an unresolved variable (the tool cannot tell whether it is the same file).
 */
function merged(a: AgentConfigDoc, b: AgentConfigDoc, imageOf: (d: AgentConfigDoc) => readonly string[], loaded: (d: AgentConfigDoc) => boolean): boolean {
  if (a === b) return true;
  // The agent's service names single files (`-config-file=…\\client2.hcl`): a staging file beside it is never loaded.
  if (!loaded(a) || !loaded(b)) return false;
  // Two inputs of one merge the script runs (`json_merge base.json tls.json "x_${type}.json" > x.json`): the agent loads
  // the merged output; the merge applies the later input's values on purpose, and variants of one input are
  // alternatives (one per machine), never loaded together.
  if (a.mergeInput && b.mergeInput && a.mergeInput.group === b.mergeInput.group) return false;
  // Written by scripts of two different Packer builds: two images, two machines.
  const ia = imageOf(a);
  const ib = imageOf(b);
  if (ia.length > 0 && ib.length > 0 && !ia.some((t) => ib.includes(t))) return false;
  // A Linux and a Windows config of the same role kind are on different machines.
  if (a.os !== b.os) return false;
  const ta = normTarget(a);
  const tb = normTarget(b);
  if ((ta && /[$%]/.test(ta)) || (tb && /[$%]/.test(tb))) return false;
  if (ta !== undefined && ta === tb) return b.append;
  // Two tree files of the same name in different tree directories (`ci/agent.hcl`, `dev/agent.hcl`), where at least one
  // is not written to a known path: one directory cannot hold two files of one name, so they are two versions of one
  // file (the one a script copies and a leftover, or one per environment), never merged by one agent.
  if (ta === undefined || tb === undefined) {
    const sa = treeSource(a);
    const sb = treeSource(b);
    if (sa !== undefined && sb !== undefined && sa !== sb && baseOf(sa) === baseOf(sb)) return false;
  }
  // Two files in different directories: the agent loads one config directory (an image file left in C:\etc\consul.d
  // is not merged with the user-data's C:\opt\consul\config).
  if (ta !== undefined && tb !== undefined && dirOf(ta) !== dirOf(tb)) return false;
  return true;
}

/** The tree file a document is: the config file itself, or the tree file a script copied. */
function treeSource(d: AgentConfigDoc): string | undefined {
  return d.templateFile ?? (d.targetPath === undefined ? d.hostFile : undefined);
}

function baseOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1).toLowerCase();
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

function sameValue(a: SettingEntry, b: SettingEntry): boolean | undefined {
  if (a.unknownReason || b.unknownReason) return undefined;
  return JSON.stringify(a.value) === JSON.stringify(b.value);
}

export const duplicateConfigKey: Check = {
  id: 'duplicate-config-key',
  category: 'schema',
  severity: 'warning',
  title: 'Agent setting defined twice for one role: the later definition silently wins',
  run(model) {
    const out: Finding[] = [];
    const images = new Map<string, readonly string[]>();
    const imageOf = (d: AgentConfigDoc): readonly string[] => {
      let list = images.get(d.hostFile);
      if (list === undefined) {
        // The builds that run the script writing it, or (a config file of the tree) that upload it.
        const running = provisionersRunning(model, d.hostFile).map((p) => p.file);
        list = [...new Set(running.length > 0 ? running : d.via === 'config file' ? templatesUploading(model, d.hostFile) : [])];
        images.set(d.hostFile, list);
      }
      return list;
    };
    for (const role of model.roles) {
      const loadedMemo = new Map<AgentConfigDoc, boolean>();
      const loaded = (d: AgentConfigDoc): boolean => {
        let v = loadedMemo.get(d);
        if (v === undefined) loadedMemo.set(d, (v = loadedByAgent(model, d, role.product)));
        return v;
      };
      // Most paths are set once: a list is made only for a path set again (a role holds every setting of its files).
      const first = new Map<string, SettingEntry>();
      const byPath = new Map<string, SettingEntry[]>();
      for (const e of role.allEntries) {
        const once = first.get(e.path);
        if (once === undefined) {
          first.set(e.path, e);
          continue;
        }
        const list = byPath.get(e.path);
        if (list) list.push(e);
        else byPath.set(e.path, [once, e]);
      }
      for (const [p, entries] of byPath) {
        if (APPENDED.has(`${role.product}:${p}`)) continue;
        for (let i = 1; i < entries.length; i++) {
          const later = entries[i]!;
          // The nearest earlier definition that ends up in the same effective config (no copies: roles may hold hundreds).
          let earlier: SettingEntry | undefined;
          const definition = sameDefinitionOnly(role.product, p);
          for (let j = i - 1; j >= 0 && earlier === undefined; j--) {
            const e = entries[j]!;
            if (definition ? e.doc === later.doc && e.top === later.top : merged(e.doc, later.doc, imageOf, loaded)) earlier = e;
          }
          if (!earlier) continue;
          const same = sameValue(earlier, later);
          const where = earlier.doc === later.doc ? 'in the same file' : `in two files of the ${label(role)}'s config directory`;
          const message =
            same === true
              ? `\`${p}\` is set twice ${where} to the same value (${later.display}); also at ${settingLocation(model, earlier)}. Keep one definition so that a later edit cannot make them disagree.`
              : `\`${p}\` is set twice ${where}: ${earlier.display} at ${settingLocation(model, earlier)} and ${later.display} here. The agent loads files in name order and the later value silently wins.`;
          out.push(
            finding({
              check: duplicateConfigKey,
              span: later.keySpan,
              message,
              related: [{ span: earlier.keySpan, message: `\`${p}\` first set here (${earlier.display})` }],
              ...(same === false ? {} : { severity: 'info' as const }),
            }),
          );
        }
      }
    }
    return out;
  },
};
