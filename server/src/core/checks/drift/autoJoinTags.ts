/**
 * Cloud auto-join that matches no instance of the tree. A go-discover string in `retry_join` (Consul) or
 * `server_join { retry_join }` (Nomad) asks the cloud for instances carrying a tag: AWS `tag_key`/`tag_value`
 * (an EC2 `DescribeInstances` filter `tag:<key>` = value, exact), GCE `tag_value` (a network tag of the instance),
 * Azure `tag_name`/`tag_value` (a tag of a network interface: the virtual machine's own tags are not read),
 * DigitalOcean `tag_name` (a droplet tag, in the `region=` asked for when one is given).
 * When the tree holds the instances of that cloud and none carries the tag, every join finds nobody: Consul logs
 * `Join cluster failed, will retry ... error="No servers to join"` forever. Judged only when the join string's tag,
 * every instance's tags and the set of instance resources are fully known (a tree split into several deployment
 * units, or a module not in the tree, is silent); a tag value's unresolved `${x}` piece is judged by its literal rest.
 */
import type { Role } from '../../agent/roles';
import type { SettingEntry } from '../../agent/settings';
import type { HclBlock, HclExpr } from '../../parsers/hcl/ast';
import type { DeploymentModel } from '../../model/deploymentModel';
import { attr } from '../../terraform/model';
import { parseDiscover } from '../../agent/discover';
import type { Finding, ResolvedValue, Span } from '../../types';
import type { Check } from '../check';
import { chainRelated, chainText, finding, label } from '../check';

type Cloud = 'aws' | 'gce' | 'azure' | 'digitalocean';

interface Wanted {
  readonly cloud: Cloud;
  readonly key?: string;
  readonly value: string;
  /** DigitalOcean: the region the droplets must be in (`region=`), lower case. */
  readonly region?: string;
}

/** One instance-making resource and the tags its instances carry (AWS: key=value; GCE: network tags as value). */
interface Carrier {
  readonly address: string;
  readonly span: Span;
  readonly tags: ReadonlyArray<{ readonly key?: string; readonly value: string }>;
  /** DigitalOcean: the droplet's region slug, lower case; undefined when not known. */
  readonly region?: string;
}

const AWS_CARRIERS = new Set(['aws_instance', 'aws_spot_instance_request', 'aws_launch_template', 'aws_autoscaling_group']);
const AWS_OPAQUE =
  /^aws_(ec2_tag|autoscaling_group_tag|spot_fleet_request|ec2_fleet|cloudformation_stack|eks_node_group|elastic_beanstalk_environment|opsworks_.*instance|emr_.*|batch_compute_environment)$/;
const GCE_CARRIERS = new Set([
  'google_compute_instance',
  'google_compute_instance_template',
  'google_compute_region_instance_template',
  'google_compute_instance_from_template',
  'google_compute_instance_from_machine_image',
]);
/**
 * DigitalOcean: go-discover lists the droplets carrying the tag (`Droplets.ListByTag`) and keeps those whose region
 * slug equals `region=` when one is given (provider/digitalocean/digitalocean_discover.go). Kubernetes node pools and
 * droplet autoscale pools make droplets the tree does not show.
 */
const DO_CARRIERS = new Set(['digitalocean_droplet']);
const DO_OPAQUE = /^digitalocean_(kubernetes_.*|droplet_autoscale|custom_image|database_.*)$/;
const GCE_OPAQUE = /^google_(container_cluster|container_node_pool|dataproc_cluster|notebooks_instance|workbench_instance)$/;
/**
 * Azure: go-discover's tag method lists the subscription's network interfaces (`Interfaces.ListAll`) and keeps those
 * whose own tags hold tag_name = tag_value (provider/azure/azure_discover.go `fetchAddrsWithTags`): the tags of the
 * virtual machine do not count. Scale sets (their interfaces are listed per scale set), AKS, ARM template deployments,
 * tag-inheriting policies and the generic azapi resources make or tag interfaces the tree does not show.
 */
const AZURE_CARRIERS = new Set(['azurerm_network_interface']);
const AZURE_VMS = new Set(['azurerm_linux_virtual_machine', 'azurerm_windows_virtual_machine', 'azurerm_virtual_machine']);
const AZURE_OPAQUE =
  /^(azurerm_(.*virtual_machine_scale_set.*|kubernetes_cluster.*|.*policy_assignment|policy_definition|policy_set_definition|.*template_deployment|batch_pool|databricks_workspace)|azapi_.*)$/;

const NOT_DATA = /[$`]|%\{|\{\{|^__.*__$|^@.*@$|^<.*>$|PLACEHOLDER|REPLACE_?ME|CHANGE_?ME/i;
/** A substitution the render could not resolve (`${environment_name}`), kept as written. */
const UNRESOLVED = /\$\{[A-Za-z_][\w.-]*\}/g;

/**
 * What a go-discover string asks for. A tag value may hold unresolved `${name}` pieces (any text at run time): its
 * literal rest must then rule out every tag by itself. Everything else must be known.
 */
function wantedOf(s: string): Wanted | undefined {
  const args = parseDiscover(s);
  if (!args) return undefined;
  const provider = args.get('provider');
  const cloud: Cloud | undefined =
    provider === 'aws' ? 'aws' : provider === 'gce' ? 'gce' : provider === 'azure' ? 'azure' : provider === 'digitalocean' ? 'digitalocean' : undefined;
  if (!cloud) return undefined;
  if (cloud === 'digitalocean') {
    const tag = args.get('tag_name');
    const region = args.get('region');
    if (tag === undefined || tag.replace(UNRESOLVED, '') === '' || NOT_DATA.test(tag.replace(UNRESOLVED, ''))) return undefined;
    if (region !== undefined && (region === '' || NOT_DATA.test(region))) return undefined;
    return { cloud, value: tag, ...(region ? { region: region.toLowerCase() } : {}) };
  }
  const keyName = cloud === 'azure' ? 'tag_name' : 'tag_key';
  // Only the tag decides which instances match; region, project, zone and credentials say where to look.
  for (const k of [keyName, 'tag_value']) {
    const v = args.get(k);
    if (v !== undefined && (v === '' || NOT_DATA.test(k === 'tag_value' ? v.replace(UNRESOLVED, '') : v))) return undefined;
  }
  const value = args.get('tag_value');
  if (value === undefined || value.replace(UNRESOLVED, '') === '') return undefined;
  if (cloud === 'gce') return { cloud, value };
  if (cloud === 'azure') {
    // The tag method only when no scale-set argument is given (go-discover refuses a mix: "unclear configuration").
    const key = args.get('tag_name');
    if (key === undefined || args.has('resource_group') || args.has('vm_scale_set')) return undefined;
    return { cloud, key, value };
  }
  const key = args.get('tag_key');
  // ECS discovery matches task tags, not instances; an unknown service falls back to ec2 (go-discover).
  if (args.get('service') === 'ecs' || key === undefined) return undefined;
  return { cloud, key, value };
}

function valuePattern(v: string, flags = ''): RegExp {
  const parts = v.split(UNRESOLVED).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, `s${flags}`);
}

function knownText(v: ResolvedValue): string | undefined {
  return v.kind === 'known' && (!v.shape || v.shape.type === 'string' || v.shape.type === 'number' || v.shape.type === 'bool') ? v.text : undefined;
}

/** A `tags = { … }` map: its known pairs, or undefined when a key or value is not known. */
function mapPairs(v: ResolvedValue): Array<{ key: string; value: string }> | undefined {
  if (v.kind !== 'known' || !v.shape || v.shape.type !== 'map') return undefined;
  const out: Array<{ key: string; value: string }> = [];
  for (let i = 0; i < v.shape.keys.length; i++) {
    const value = knownText(v.shape.items[i]!);
    if (value === undefined) return undefined;
    out.push({ key: v.shape.keys[i]!, value });
  }
  return out;
}

function listItems(v: ResolvedValue): string[] | undefined {
  if (v.kind !== 'known' || !v.shape || (v.shape.type !== 'list' && v.shape.type !== 'set')) return undefined;
  const out: string[] = [];
  for (const i of v.shape.items) {
    const t = knownText(i);
    if (t === undefined) return undefined;
    out.push(t);
  }
  return out;
}

function blocks(b: HclBlock, type: string): HclBlock[] {
  return b.body.items.filter((i): i is HclBlock => i.kind === 'block' && i.type === type);
}

/**
 * The instance resources of a cloud and their tags; undefined when the tree cannot be judged (a tag not known, a
 * resource that tags or makes instances another way, a module whose resources are not in the tree, AWS default_tags
 * not known).
 */
function carriersOf(model: DeploymentModel, cloud: Cloud): Carrier[] | undefined {
  // Another deployment unit of the tree may hold the instances the join string looks for.
  if (model.partOfTree) return undefined;
  const tf = model.terraform;
  const seenDirs = new Set(model.terraformFiles.map((f) => dirOf(f.file)));
  if (tf.moduleCalls.some((m) => m.sourceDir === undefined || !seenDirs.has(m.sourceDir))) return undefined;
  const out: Carrier[] = [];
  const defaults: Array<{ key: string; value: string }> = [];
  if (cloud === 'aws') {
    for (const f of model.terraformFiles) {
      for (const p of f.parse.body.items) {
        if (p.kind !== 'block' || p.type !== 'provider' || p.labels[0]?.value !== 'aws') continue;
        for (const d of blocks(p, 'default_tags')) {
          const t = attr(d.body, 'tags');
          if (!t) continue;
          const pairs = evalAll(model, t.value, dirOf(f.file), f.file, mapPairs);
          if (!pairs) return undefined;
          defaults.push(...pairs);
        }
      }
    }
  }
  for (const r of tf.resources.values()) {
    const type = r.address.slice(0, r.address.indexOf('.'));
    const head = r.block.labels[r.block.labels.length - 1];
    const tagsAt = attr(r.block.body, 'tags') ?? blocks(r.block, 'tag')[0] ?? blocks(r.block, 'tag_specifications')[0];
    const span: Span = tagsAt
      ? { file: r.file, start: tagsAt.start, end: tagsAt.end }
      : { file: r.file, start: r.block.start, end: head ? head.end : r.block.start };
    if (cloud === 'aws') {
      if (AWS_OPAQUE.test(type)) return undefined;
      if (!AWS_CARRIERS.has(type)) continue;
      if (r.block.body.items.some((i) => i.kind === 'block' && i.type === 'dynamic')) return undefined;
      const tags: Array<{ key: string; value: string }> = [...defaults];
      const exprs: HclExpr[] = [];
      const t = attr(r.block.body, 'tags');
      if (t) exprs.push(t.value);
      for (const s of blocks(r.block, 'tag_specifications')) {
        const st = attr(s.body, 'tags');
        if (st) exprs.push(st.value);
      }
      if (type === 'aws_autoscaling_group') {
        if (t) return undefined; // the legacy `tags = [{ key, value, … }]` list: not read
        for (const b of blocks(r.block, 'tag')) {
          const k = attr(b.body, 'key');
          const v = attr(b.body, 'value');
          const key = k && evalAll(model, k.value, r.dir, r.file, knownText);
          const value = v && evalAll(model, v.value, r.dir, r.file, knownText);
          if (key === undefined || value === undefined) return undefined;
          tags.push({ key, value });
        }
      } else {
        for (const e of exprs) {
          const pairs = evalAll(model, e, r.dir, r.file, mapPairs);
          if (!pairs) return undefined;
          tags.push(...pairs);
        }
      }
      out.push({ address: r.address, span, tags });
    } else if (cloud === 'azure') {
      if (AZURE_OPAQUE.test(type)) return undefined;
      if (!AZURE_CARRIERS.has(type)) continue;
      if (r.block.body.items.some((i) => i.kind === 'block' && i.type === 'dynamic')) return undefined;
      const t = attr(r.block.body, 'tags');
      const pairs = t ? evalAll(model, t.value, r.dir, r.file, mapPairs) : [];
      if (!pairs) return undefined;
      out.push({ address: r.address, span, tags: pairs });
    } else if (cloud === 'digitalocean') {
      if (DO_OPAQUE.test(type)) return undefined;
      if (!DO_CARRIERS.has(type)) continue;
      const t = attr(r.block.body, 'tags');
      const items = t ? (evalAll(model, t.value, r.dir, r.file, listItems) ?? doTagItems(model, t.value, r.dir, r.file)) : [];
      if (!items) return undefined;
      const reg = attr(r.block.body, 'region');
      const region = reg ? evalAll(model, reg.value, r.dir, r.file, knownText) : undefined;
      out.push({ address: r.address, span, tags: items.map((value) => ({ value })), ...(region ? { region: region.toLowerCase() } : {}) });
    } else {
      if (GCE_OPAQUE.test(type)) return undefined;
      if (!GCE_CARRIERS.has(type)) continue;
      const t = attr(r.block.body, 'tags');
      const items = t ? evalAll(model, t.value, r.dir, r.file, listItems) : [];
      if (!items) return undefined;
      out.push({ address: r.address, span, tags: items.map((value) => ({ value })) });
    }
  }
  return out;
}

/**
 * A droplet's `tags = [digitalocean_tag.x.id, "nomad"]`: each item known, a reference to a `digitalocean_tag` resource or
 * data source of the module (`.id` or `.name`) read as that tag's `name` (the provider sets a tag's ID to its name:
 * resourceDigitalOceanTagCreate, `d.SetId(tag.Name)`). Undefined when any item is not known.
 */
function doTagItems(model: DeploymentModel, e: HclExpr, dir: string, file: string): string[] | undefined {
  if (e.type !== 'list') return undefined;
  const out: string[] = [];
  for (const item of e.items) {
    const ref = doTagRef(item);
    const value = ref ? doTagName(model, ref, dir) : evalAll(model, item, dir, file, knownText);
    if (value === undefined) return undefined;
    out.push(value);
  }
  return out;
}

/** `digitalocean_tag.x.id` / `.name`, `data.digitalocean_tag.x.id` / `.name` (also as the only part of a `"${…}"`). */
function doTagRef(e: HclExpr): { data: boolean; name: string } | undefined {
  const tr =
    e.type === 'traversal'
      ? e
      : e.type === 'string' && e.parts.length === 1 && e.parts[0]!.kind === 'interpolation' && e.parts[0]!.expr.type === 'traversal'
        ? e.parts[0]!.expr
        : undefined;
  if (tr?.type !== 'traversal' || !tr.path.every((p) => typeof p === 'string')) return undefined;
  const path = tr.path as readonly string[];
  const data = path[0] === 'data';
  const [type, name, field] = data ? path.slice(1) : path;
  if (path.length !== (data ? 4 : 3) || type !== 'digitalocean_tag' || !name || (field !== 'id' && field !== 'name')) return undefined;
  return { data, name };
}

/** The `name` of the module's `digitalocean_tag` resource (one instance: no count / for_each) or data source. */
function doTagName(model: DeploymentModel, ref: { data: boolean; name: string }, dir: string): string | undefined {
  for (const f of model.terraformFiles) {
    if (dirOf(f.file) !== dir) continue;
    for (const item of f.parse.body.items) {
      if (item.kind !== 'block' || item.type !== (ref.data ? 'data' : 'resource')) continue;
      if (item.labels[0]?.value !== 'digitalocean_tag' || item.labels[1]?.value !== ref.name) continue;
      if (attr(item.body, 'count') || attr(item.body, 'for_each')) return undefined;
      const n = attr(item.body, 'name');
      return n ? evalAll(model, n.value, dir, f.file, knownText) : undefined;
    }
  }
  return undefined;
}

/** The expression read in every module instance of its directory; undefined when any instance is not known. */
function evalAll<T>(model: DeploymentModel, e: HclExpr, dir: string, file: string, read: (v: ResolvedValue) => T[] | undefined): T[] | undefined;
function evalAll<T>(model: DeploymentModel, e: HclExpr, dir: string, file: string, read: (v: ResolvedValue) => T | undefined): T | undefined;
function evalAll<T>(model: DeploymentModel, e: HclExpr, dir: string, file: string, read: (v: ResolvedValue) => T | undefined): T | undefined {
  const tf = model.terraform;
  let acc: T | undefined;
  for (const inst of tf.instancesOf(dir)) {
    const got = read(tf.evaluateFull(e, dir, file, inst));
    if (got === undefined) return undefined;
    if (acc === undefined) acc = got;
    else if (Array.isArray(acc) && Array.isArray(got)) acc = [...acc, ...got] as T;
    else if (acc !== got) return undefined;
  }
  return acc;
}

function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i);
}

/** Azure virtual machines that carry the wanted tag themselves (go-discover does not read VM tags). */
function taggedVms(model: DeploymentModel, w: Wanted): Carrier[] {
  const out: Carrier[] = [];
  for (const r of model.terraform.resources.values()) {
    const type = r.address.slice(0, r.address.indexOf('.'));
    if (!AZURE_VMS.has(type)) continue;
    const t = attr(r.block.body, 'tags');
    const pairs = t ? evalAll(model, t.value, r.dir, r.file, mapPairs) : undefined;
    if (pairs?.some((p) => matches(w, p))) out.push({ address: r.address, span: { file: r.file, start: t!.start, end: t!.end }, tags: pairs });
  }
  return out;
}

const CLOUD_NAME: Record<Cloud, string> = { aws: 'AWS', gce: 'GCE', azure: 'Azure', digitalocean: 'DigitalOcean' };

/** Whether go-discover would find the carrier's instances: a matching tag, and (DigitalOcean) the region asked for. */
function carrierMatches(w: Wanted, c: Carrier): boolean {
  if (!c.tags.some((t) => matches(w, t))) return false;
  return w.region === undefined || c.region === undefined || c.region === w.region;
}

function matches(w: Wanted, t: { key?: string; value: string }): boolean {
  if (w.cloud === 'digitalocean') return valuePattern(w.value, 'i').test(t.value);
  return (w.cloud === 'gce' || t.key === w.key) && valuePattern(w.value).test(t.value);
}

function showTags(w: Wanted, c: Carrier): string {
  if (w.cloud === 'gce') return `tags = [${c.tags.map((t) => JSON.stringify(t.value)).join(', ')}]`;
  if (w.cloud === 'digitalocean')
    return `tags = [${c.tags.map((t) => JSON.stringify(t.value)).join(', ')}]${c.region ? `, region = ${JSON.stringify(c.region)}` : ''}`;
  const sameKey = c.tags.filter((t) => t.key === w.key);
  const shown = sameKey.length > 0 ? sameKey : c.tags;
  if (shown.length === 0) return 'no tags';
  return shown.map((t) => `${t.key} = ${JSON.stringify(t.value)}`).join(', ');
}

/** The carrier whose tags come closest to the wanted one (same key first, then the most similar value). */
function closest(w: Wanted, cs: readonly Carrier[]): Carrier {
  const score = (c: Carrier): number =>
    Math.max(0, ...c.tags.map((t) => (w.cloud !== 'gce' && t.key === w.key ? 100 : 0) + (matches(w, t) ? 200 : 0) + common(t.value, w.value)));
  return [...cs].sort((a, b) => score(b) - score(a))[0]!;
}

function common(a: string, b: string): number {
  let n = 0;
  const words = new Set(a.toLowerCase().split(/[^a-z0-9]+/));
  for (const x of b.toLowerCase().split(/[^a-z0-9]+/)) if (x && words.has(x)) n++;
  return n;
}

function line(model: DeploymentModel, s: Span): string {
  const src = model.files.get(s.file);
  return `${s.file}:${src ? src.positionAt(s.start).line + 1 : 0}`;
}

/** The host span of the list item holding `s`, else the whole value. */
function itemSpan(e: SettingEntry, s: string): Span {
  const items = e.expr.type === 'list' ? e.expr.items : [e.expr];
  const item = items.find((i) => i.type === 'string' && i.value === s);
  if (!item) return e.valueSpan;
  const host = e.doc.text.toHost(item.start, item.end);
  return host.end > host.start ? host : e.valueSpan;
}

function leaderless(role: Role): boolean {
  if (role.kind !== 'server') return false;
  const b = role.settings.get(role.product === 'nomad' ? 'server.bootstrap_expect' : 'bootstrap_expect');
  return b !== undefined && Number(b.value) > 1;
}

export const autoJoinNoInstance: Check = {
  id: 'servers-auto-join-no-instance',
  category: 'servers',
  severity: 'error',
  title: 'Cloud auto-join asks for a tag no instance of the tree carries',
  run(model) {
    const out: Finding[] = [];
    const carriers = new Map<Cloud, Carrier[] | undefined>();
    const seen = new Set<string>();
    for (const role of model.roles) {
      for (const e of role.allEntries) {
        if (!e.path.endsWith('retry_join') || !/(^|\.)retry_join$/.test(e.path)) continue;
        // The written strings: a list with an unresolved piece has no value, but its literal items are still read.
        const values = (e.expr.type === 'list' ? e.expr.items : [e.expr]).map((i) =>
          i.type === 'string' && i.parts.every((p) => p.kind !== 'directive') ? i.value : undefined,
        );
        for (const v of values) {
          if (typeof v !== 'string' || !v.includes('provider=')) continue;
          const w = wantedOf(v);
          // Servers of the product not deployed by this tree live elsewhere, on instances the tree does not hold.
          if (!w || !model.roles.some((r) => r.kind === 'server' && r.product === role.product)) continue;
          if (!carriers.has(w.cloud)) carriers.set(w.cloud, carriersOf(model, w.cloud));
          const cs = carriers.get(w.cloud);
          if (!cs || cs.length === 0 || cs.some((c) => carrierMatches(w, c))) continue;
          const span = itemSpan(e, v);
          const id = `${span.file}\0${span.start}\0${span.end}`;
          if (seen.has(id)) continue;
          seen.add(id);
          const near = closest(w, cs);
          const asked =
            w.cloud === 'aws'
              ? `EC2 instances tagged ${w.key} = ${JSON.stringify(w.value)}`
              : w.cloud === 'azure'
                ? `network interfaces tagged ${w.key} = ${JSON.stringify(w.value)}`
                : w.cloud === 'digitalocean'
                  ? `droplets tagged ${JSON.stringify(w.value)}${w.region ? ` in region ${w.region}` : ''}`
                  : `GCE instances with the network tag ${JSON.stringify(w.value)}`;
          // DigitalOcean: droplets that carry the tag, in another region than the one the join string filters on.
          const elsewhere = w.region ? cs.filter((c) => c.tags.some((t) => matches(w, t))) : [];
          const vms = w.cloud === 'azure' ? taggedVms(model, w) : [];
          const onVm =
            vms.length > 0
              ? ` ${vms.map((v) => `${v.address} (${line(model, v.span)})`).join(', ')} carr${vms.length > 1 ? 'y' : 'ies'} the tag, but go-discover's Azure tag method lists network interfaces and reads their own tags, never the virtual machine's: put the tag on the azurerm_network_interface.`
              : '';
          const what = w.cloud === 'azure' ? 'network interface' : w.cloud === 'digitalocean' ? 'droplet' : 'instance';
          const others = cs.length > 1 && elsewhere.length === 0 ? ` (${cs.length} ${what} resources in the tree, none carries it)` : '';
          const verdict =
            elsewhere.length > 0
              ? `but every ${what} of the tree that carries the tag is in another region: ${elsewhere.map((c) => `${c.address} (${line(model, c.span)}) in ${c.region}`).join(', ')}`
              : `but no ${CLOUD_NAME[w.cloud]} ${what} resource of the tree carries it: ${near.address} (${line(model, near.span)}) has ${showTags(w, near)}${others}`;
          const fix =
            elsewhere.length > 0
              ? `Ask for the region the ${what}s are in (or leave region out), or deploy them where the join string looks.`
              : `Tag the ${what}s with what the join string asks, or ask for the tag they carry.`;
          const open = w.value.match(UNRESOLVED);
          const chain =
            (e.chain.length > 0 ? ` The join string comes from ${chainText(model, e.chain)}.` : '') +
            (open ? ` ${open.join(', ')} is not known here, but whatever it holds, no tag has the form ${JSON.stringify(w.value)}.` : '');
          const discover =
            w.cloud === 'aws'
              ? `go-discover logs "discover-aws: Filter instances with ${w.key}=${w.value}" then "discover-aws: Found 0 reservations"`
              : w.cloud === 'azure'
                ? `go-discover logs "discover-azure: using tag method. tag_name: ${w.key}, tag_value: ${w.value}" then "discover-azure: Found ip addresses: []"`
                : w.cloud === 'digitalocean'
                  ? `go-discover logs "discover-digitalocean: Using region=${w.region ?? ''} tag_name=${w.value}" then "discover-digitalocean: Found ip addresses: []"`
                  : `go-discover logs "discover-gce: Zone "<zone>" has []" for every zone`;
          const symptom =
            role.product === 'consul'
              ? `${discover}, and Consul "[WARN] agent: Join cluster failed, will retry: cluster=LAN retry_interval=30s error="No servers to join""`
              : `${discover}, and Nomad retries the join forever without joining any server`;
          const leader = leaderless(role) ? ` With bootstrap_expect > 1 the servers never elect a leader ("No cluster leader").` : '';
          out.push(
            finding({
              check: this,
              span,
              message: `${label(role)}: ${e.path} "${v}" asks go-discover (provider=${w.cloud}) for ${asked}, ${verdict}.${onVm}${chain} Every join finds nobody: ${symptom}.${leader} ${fix}`,
              related: [
                ...cs.map((c) => ({ span: c.span, message: `${c.address}: ${showTags(w, c)}` })),
                ...vms.map((c) => ({ span: c.span, message: `${c.address}: the virtual machine carries the tag; go-discover reads the network interface's` })),
                ...chainRelated(e.chain, span),
              ],
            }),
          );
        }
      }
    }
    return out;
  },
};
