/**
 * servers-bootstrap-expect: the servers' `bootstrap_expect` is larger than the
 * number of server instances the deployment creates. Raft is bootstrapped only
 * once that many servers have joined (Nomad `server.bootstrap_expect`, Consul
 * `bootstrap_expect`); with fewer instances it never is, so there is no leader
 * and every request that needs one fails with "No cluster leader" (the
 * `structs.ErrNoLeader` text of both Nomad and Consul). Clients never register
 * and jobs stay pending. The opposite, `bootstrap_expect = 1` (Consul: or
 * `bootstrap = true`) on two or more instances, puts every server in bootstrap
 * mode: each elects itself and refuses the others as Raft peers (split brain;
 * see bootstrapModeSymptom for the sources).
 *
 * The number of instances is read from the Terraform resource whose user data
 * renders the server config: its `count` or `for_each` (as the Terraform model
 * evaluates them: `length(var.server_ips)`, `var.enabled ? 3 : 0`, the keys of a
 * map), one instance for a single VM resource, or the size of the one group
 * (`aws_autoscaling_group` `desired_capacity`, an instance group manager's
 * `target_size`, a scale set's `instances`) that uses its launch configuration /
 * template, times the instances of the module calls that instantiate its module;
 * for a config a Terraform `file` provisioner uploads, the resource the
 * provisioner is in. Anything less certain (a template shared by servers and
 * clients, a module called from several places, two groups, any count the tree
 * does not decide) reports nothing.
 */
import type { Role } from '../../agent/roles';
import type { SettingEntry } from '../../agent/settings';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { HclBlock, HclExpr } from '../../parsers/hcl/ast';
import { attr, type TemplateCall, type TfModuleCall } from '../../terraform/model';
import type { ChainStep, Finding, ResolvedValue, Span } from '../../types';
import type { Check } from '../check';
import { chainRelated, finding, label, settingLocation } from '../check';

export interface InstanceCount {
  readonly n: number;
  readonly span: Span;
  readonly what: string;
  readonly chain: readonly ChainStep[];
}

/** Single-VM resource types: one instance without `count`. */
export const SINGLE_VM =
  /(^aws_instance|_compute_instance(_v2)?|_virtual_machine|_droplet|^hcloud_server|^linode_instance|^exoscale_compute|^scaleway_instance_server|^equinix_metal_device|^vultr_instance)$/;
/** Resources that only describe instances another resource creates. */
export const TEMPLATE_ONLY = /(launch_configuration|launch_template|instance_template)$/;
/** The size attribute of a group that creates instances from a template. */
const GROUP_SIZE = ['desired_capacity', 'target_size', 'instances'];

export const bootstrapExpectCount: Check = {
  id: 'servers-bootstrap-expect',
  category: 'servers',
  severity: 'error',
  title: 'bootstrap_expect is larger than the number of server instances the deployment creates, or 1 on several servers',
  run(model) {
    const out: Finding[] = [];
    for (const product of ['nomad', 'consul'] as const) {
      const role = model.roles.find((r) => r.product === product && r.kind === 'server');
      if (!role) continue;
      const b = bootstrapOf(role);
      if (!b) continue;
      const { entry: e, expect } = b;
      const name = product === 'nomad' ? 'Nomad' : 'Consul';
      if (expect === 1) {
        // Several servers each in bootstrap mode: every one elects itself (see bootstrapModeOnSeveral).
        const count = serverInstances(model, role);
        if (!count || count.n < 2) continue;
        out.push(
          finding({
            check: this,
            span: e.keySpan,
            message: `${label(role)}: ${b.written}, but the deployment creates ${count.n} ${name} servers (${count.what}). With 1, ${bootstrapModeSymptom(product)} Set bootstrap_expect to ${count.n} (from the same variable as the count) on every server.`,
            related: [{ span: count.span, message: `${count.n} server instances here` }, ...chainRelated(count.chain)],
          }),
        );
        continue;
      }
      const count = serverInstances(model, role);
      if (!count || count.n >= expect || count.n < 1) continue;
      out.push(
        finding({
          check: this,
          span: e.keySpan,
          message: `${label(role)}: bootstrap_expect = ${expect}, but the deployment creates ${count.n} ${name} server${count.n === 1 ? '' : 's'} (${count.what}). Raft is bootstrapped only once ${expect} servers have joined, so the cluster never elects a leader: every request fails with "No cluster leader", clients never register and allocations stay pending. Set bootstrap_expect to the number of servers (from the same variable as the count), or create ${expect} servers.`,
          related: [{ span: count.span, message: `${count.n} server instance${count.n === 1 ? '' : 's'} here` }, ...chainRelated(count.chain)],
        }),
      );
    }
    return out;
  },
};

/**
 * What each server in bootstrap mode does, as the agents log it. Both products turn `bootstrap_expect = 1` into
 * bootstrap mode: Consul `agent/config/builder.go` (`rt.Bootstrap = true`, warning "BootstrapExpect is set to 1; this
 * is the same as Bootstrap mode."; Consul's `bootstrap = true` is the same mode), Nomad `command/agent/agent.go`
 * (`if agentConfig.Server.BootstrapExpect == 1 { conf.Bootstrap = true }`). A server in bootstrap mode elects itself
 * at once; when two of them meet, neither adds the other as a Raft peer: Consul `agent/consul/leader.go`
 * `joinConsulServer` logs "Two nodes are in bootstrap mode. Only one node should be in bootstrap mode, not adding Raft
 * peer.", Nomad `nomad/leader.go` `addRaftPeer` "skipping adding Raft peer because an existing peer is in bootstrap
 * mode and only one server should be in bootstrap mode". Each server stays a one-server cluster with its own leader
 * and its own state.
 */
function bootstrapModeSymptom(product: 'nomad' | 'consul'): string {
  const log =
    product === 'consul'
      ? `Consul logs "BootstrapExpect is set to 1; this is the same as Bootstrap mode." and, when two servers meet, "Two nodes are in bootstrap mode. Only one node should be in bootstrap mode, not adding Raft peer."`
      : `Nomad logs "skipping adding Raft peer because an existing peer is in bootstrap mode and only one server should be in bootstrap mode"`;
  return `every server bootstraps itself as a one-server cluster and elects itself leader: ${log}. The servers never form one Raft cluster (several leaders, split brain): each keeps its own ${product === 'consul' ? 'catalog and KV' : 'jobs and nodes'}, and what a client sees depends on which server it reaches.`;
}

/** The servers' expected count: `bootstrap_expect`, or 1 for Consul `bootstrap = true` (the same mode). */
export function bootstrapOf(role: Role): { entry: SettingEntry; expect: number; written: string } | undefined {
  const e = role.settings.get(role.product === 'nomad' ? 'server.bootstrap_expect' : 'bootstrap_expect');
  if (e && !e.unknownReason) {
    const expect = Number(e.value);
    if (Number.isInteger(expect) && expect >= 1)
      return {
        entry: e,
        expect,
        // A launch-line flag (`consul agent -server -bootstrap-expect=1`) is named as such: no config file holds it.
        written: `${role.product === 'nomad' ? 'server.' : ''}bootstrap_expect = ${expect}${e.launch ? ` (-bootstrap-expect=${expect} on its launch line in ${e.keySpan.file})` : ''}`,
      };
  }
  if (role.product === 'consul') {
    const b = role.settings.get('bootstrap');
    if (b && !b.unknownReason && (b.value === true || b.value === 'true')) return { entry: b, expect: 1, written: 'bootstrap = true' };
  }
  return undefined;
}

/**
 * servers-bootstrap-expect-colocated: Nomad and Consul servers on the same machines, one in bootstrap mode
 * (`bootstrap_expect = 1`, Consul `bootstrap = true`) and the other expecting several servers. The machines run as
 * many servers of one product as of the other, so one of the two values is wrong whatever their number: with several
 * machines the bootstrap-mode product splits into one-server clusters (bootstrapModeSymptom); with one, the other
 * never elects a leader ("No cluster leader"). Same machines: the configs of both server roles are written by one
 * script (and the same `case` arms of it), or carried by the user data / `file` provisioner of one Terraform
 * resource. When the tree decides the number of instances, servers-bootstrap-expect says which value is wrong and
 * this rule stays silent. Two values of 2 or more that differ are not reported: both work once the machines are at
 * least the larger.
 */
export const bootstrapExpectColocated: Check = {
  id: 'servers-bootstrap-expect-colocated',
  category: 'servers',
  severity: 'error',
  title: 'Nomad and Consul servers on the same machines: one expects a single server (bootstrap mode), the other several',
  run(model) {
    const nomad = model.roles.find((r) => r.product === 'nomad' && r.kind === 'server');
    const consul = model.roles.find((r) => r.product === 'consul' && r.kind === 'server');
    if (!nomad || !consul) return [];
    const a = bootstrapOf(nomad);
    const b = bootstrapOf(consul);
    if (!a || !b || (a.expect === 1) === (b.expect === 1)) return [];
    const where = colocated(model, nomad, consul);
    if (!where) return [];
    if (serverInstances(model, nomad) || serverInstances(model, consul)) return [];
    const [one, many] =
      a.expect === 1
        ? [
            { role: nomad, b: a },
            { role: consul, b },
          ]
        : [
            { role: consul, b },
            { role: nomad, b: a },
          ];
    const p1 = one.role.product === 'nomad' ? 'Nomad' : 'Consul';
    const p2 = many.role.product === 'nomad' ? 'Nomad' : 'Consul';
    return [
      finding({
        check: this,
        span: one.b.entry.keySpan,
        message: `${label(one.role)}: ${one.b.written}, but the ${p2} servers on the same machines (${where}) expect ${many.b.expect} servers (${many.b.written} at ${settingLocation(model, many.b.entry)}). The machines run as many ${p1} servers as ${p2} servers, so one value is wrong. If there are several, ${bootstrapModeSymptom(one.role.product)} If there is one, ${p2} waits for ${many.b.expect} servers and never elects a leader: "No cluster leader". Set both to the number of servers, from one variable.`,
        related: [{ span: many.b.entry.keySpan, message: `${p2}: ${many.b.written}` }],
      }),
    ];
  },
};

/** How the tree shows that both server roles run on the same machines, or undefined. */
function colocated(model: DeploymentModel, a: Role, b: Role): string | undefined {
  const ra = serverResource(model, a);
  const rb = serverResource(model, b);
  if (ra && rb && ra.dir === rb.dir && ra.address === rb.address) return `both configured by ${ra.address}`;
  const hosts = new Set([...a.configs, ...b.configs].map((c) => c.doc.hostFile));
  if (hosts.size !== 1) return undefined;
  const host = [...hosts][0]!;
  // A .tf file holds many resources (its inline user data is placed by serverResource); a config file is one document.
  if (/\.(tf|hcl|json)$/i.test(host)) return undefined;
  const arms = (r: Role) => r.configs.map((c) => (c.doc.branches ? [...c.doc.branches].sort().join('|') : '*'));
  const all = new Set([...arms(a), ...arms(b)]);
  if (all.size !== 1) return undefined;
  return `both written by ${host}`;
}

/** The instances of the one resource whose user data carries the role's configs, or undefined when not certain. */
export function serverInstances(model: DeploymentModel, role: Role): InstanceCount | undefined {
  const one = serverResource(model, role);
  if (!one) return undefined;
  const { dir, address } = one;
  const chains = model.terraform.instancesOf(dir);
  if (chains.length > 1) return undefined;
  const instance = chains[0] ?? [];
  const own = instanceCount(model, dir, address, instance);
  return own && timesModules(model, own, instance);
}

/**
 * How many instances a resource makes in every module instance of its directory together (`count`, `for_each`, one VM,
 * the size of the one group using its launch template), or undefined when any of them is not known.
 */
export function resourceInstances(model: DeploymentModel, dir: string, address: string): InstanceCount | undefined {
  const chains = model.terraform.instancesOf(dir);
  let out: InstanceCount | undefined;
  for (const instance of chains.length ? chains : [[]]) {
    const own = instanceCount(model, dir, address, instance);
    const k = own && timesModules(model, own, instance);
    if (!k) return undefined;
    out = out ? { n: out.n + k.n, span: out.span, what: `${out.what}, plus ${k.what}`, chain: [...out.chain, ...k.chain] } : k;
  }
  return out;
}

/** The one Terraform resource whose instances run the role's configs, or undefined when not exactly one. */
function serverResource(model: DeploymentModel, role: Role): { dir: string; address: string } | undefined {
  const templates = new Set(role.configs.map((c) => c.doc.hostFile));
  // A template that also writes another role's config (an `is_server` switch) cannot tell which instances are servers.
  for (const other of model.roles) {
    if (other.kind === 'server' || other.product !== role.product) continue;
    if (other.configs.some((c) => templates.has(c.doc.hostFile))) return undefined;
  }
  const resources = new Map<string, { dir: string; address: string }>();
  // User data written inline in a resource (`user_data = <<-EOF … EOF`): the resource around the write.
  for (const c of role.configs) {
    if (!/\.tf$/.test(c.doc.hostFile)) continue;
    const at = c.doc.text.toHost(0, 0);
    for (const r of model.terraform.resources.values())
      if (r.file === at.file && r.block.start <= at.start && at.start < r.block.end) resources.set(`${r.dir}\0${r.address}`, r);
  }
  // A config a Terraform `file` provisioner uploads: the resource the provisioner is in.
  for (const c of role.configs) {
    const w = c.doc.writeSpan;
    if (c.doc.via !== 'Terraform file provisioner' || !/\.tf$/.test(w.file)) continue;
    for (const r of model.terraform.resources.values())
      if (r.file === w.file && r.block.start <= w.start && w.start < r.block.end) resources.set(`${r.dir}\0${r.address}`, r);
  }
  for (const call of model.terraform.templateCalls) {
    if (!call.templatePath || !templates.has(call.templatePath)) continue;
    for (const r of resourcesOf(model, call, 0)) resources.set(`${r.dir}\0${r.address}`, r);
  }
  if (resources.size !== 1) return undefined;
  return [...resources.values()][0]!;
}

/**
 * `count` times the instances of every module call that instantiates the resource's module (`module "servers" {
 * count = 3 }` around one VM makes three); each call's count or for_each is evaluated in its caller.
 */
function timesModules(model: DeploymentModel, count: InstanceCount, instance: readonly TfModuleCall[]): InstanceCount | undefined {
  let out = count;
  for (let i = 0; i < instance.length; i++) {
    const m = instance[i]!;
    const made = model.terraform.blockInstances(m.block, m.file, m.callerDir, instance.slice(0, i));
    if (!made) continue;
    const k = sizedValue(model, m.file, made.expr, made.value, `${made.meta} of module.${m.name}`);
    if (!k) return undefined;
    out = { n: out.n * k.n, span: out.span, what: `${out.what}, times ${k.what}`, chain: [...out.chain, ...k.chain] };
  }
  return out;
}

/** The resources whose arguments carry a template call's render: directly, or through a local another call embeds. */
export function resourcesOf(model: DeploymentModel, call: TemplateCall, depth: number): Array<{ dir: string; address: string }> {
  const direct = /^resource\.([\w-]+\.[\w-]+)\./.exec(call.usedAs);
  if (direct) return [{ dir: call.dir, address: direct[1]! }];
  const local = /^locals?\.([\w-]+)$/.exec(call.usedAs);
  if (!local) {
    // A call in a nested block of a resource (`preserved_state { metadata = { startup-script = templatefile(…) } }`).
    for (const r of model.terraform.resources.values())
      if (r.file === call.file && r.block.start <= call.span.start && call.span.end <= r.block.end) return [{ dir: r.dir, address: r.address }];
    return [];
  }
  if (depth > 2) return [];
  const ref = new RegExp(`\\blocal\\.${local[1]!}\\b`);
  const out: Array<{ dir: string; address: string }> = [];
  for (const c of model.terraform.templateCalls) {
    if (c === call || c.dir !== call.dir) continue;
    if (ref.test(model.terraform.sourceOf(c.file).slice(c.span.start, c.span.end))) out.push(...resourcesOf(model, c, depth + 1));
  }
  // The local used directly as a resource argument (`user_data = local.server_user_data`).
  for (const r of model.terraform.resources.values()) {
    if (r.dir === call.dir && ref.test(model.terraform.sourceOf(r.file).slice(r.block.start, r.block.end))) out.push({ dir: r.dir, address: r.address });
  }
  return out;
}

function instanceCount(model: DeploymentModel, dir: string, address: string, instance: readonly TfModuleCall[]): InstanceCount | undefined {
  const res = model.terraform.resources.get(`${dir}\0${address}`);
  if (!res) return undefined;
  const type = address.slice(0, address.indexOf('.'));
  const sized = (file: string, expr: HclExpr, what: string) => sizedValue(model, file, expr, model.terraform.evaluateFull(expr, dir, file, instance), what);
  const made = model.terraform.blockInstances(res.block, res.file, dir, instance);
  // The `count` of a launch / instance template is a number of templates: its instances are its groups'.
  if (made && !TEMPLATE_ONLY.test(type)) return sizedValue(model, res.file, made.expr, made.value, `${made.meta} of ${address}`);
  if (/scale_set$/.test(type)) {
    const inst = attr(res.block.body, 'instances');
    return inst ? sized(res.file, inst.value, `instances of ${address}`) : undefined;
  }
  // One VM of a managed instance group per `google_compute_(region_)per_instance_config` (its count is above).
  if (/per_instance_config$/.test(type)) return { n: 1, span: headerSpan(res.file, res.block), what: `one ${address} without count`, chain: [] };
  if (SINGLE_VM.test(type) && !TEMPLATE_ONLY.test(type)) {
    return { n: 1, span: headerSpan(res.file, res.block), what: `one ${address} without count`, chain: [] };
  }
  if (!TEMPLATE_ONLY.test(type)) return undefined;
  // The group that creates instances from this template.
  const ref = new RegExp(`\\b${address.replace('.', '\\.')}(\\.|\\[)`);
  const groups = [...model.terraform.resources.values()].filter(
    (g) => g.dir === dir && g.address !== address && ref.test(model.terraform.sourceOf(g.file).slice(g.block.start, g.block.end)),
  );
  if (groups.length !== 1) return undefined;
  const g = groups[0]!;
  // Groups made with count or for_each: each is one more group of the same size.
  const copies = model.terraform.blockInstances(g.block, g.file, dir, instance);
  const times = copies ? sizedValue(model, g.file, copies.expr, copies.value, `${copies.meta} of ${g.address}`) : undefined;
  if (copies && !times) return undefined;
  const each = groupSize(g, sized);
  if (!each || !times) return each;
  return { n: each.n * times.n, span: each.span, what: `${each.what}, times ${times.what}`, chain: [...each.chain, ...times.chain] };
}

/** The size of one group: its size attribute, or `min_size = max_size`. */
function groupSize(
  g: { readonly file: string; readonly address: string; readonly block: HclBlock },
  sized: (file: string, expr: HclExpr, what: string) => InstanceCount | undefined,
): InstanceCount | undefined {
  for (const name of GROUP_SIZE) {
    const a = attr(g.block.body, name);
    if (a) return sized(g.file, a.value, `${name} of ${g.address}`);
  }
  // `min_size = max_size`: the group keeps exactly that many.
  const min = attr(g.block.body, 'min_size');
  const max = attr(g.block.body, 'max_size');
  if (min && max) {
    const a = sized(g.file, min.value, `min_size of ${g.address}`);
    const b = sized(g.file, max.value, `max_size of ${g.address}`);
    if (a && b && a.n === b.n) return a;
  }
  return undefined;
}

/** A known whole number as an InstanceCount (`count of aws_instance.server = length(var.ips) = 3`). */
function sizedValue(model: DeploymentModel, file: string, expr: HclExpr, v: ResolvedValue, what: string): InstanceCount | undefined {
  if (v.kind !== 'known') return undefined;
  const n = Number(v.text.trim());
  if (!Number.isInteger(n) || n < 0) return undefined;
  const span: Span = { file, start: expr.start, end: expr.end };
  const written = model.terraform.sourceOf(file).slice(expr.start, expr.end).trim();
  return { n, span, what: written === String(n) ? `${what} = ${n}` : `${what} = ${written} = ${n}`, chain: v.chain };
}

function headerSpan(file: string, block: HclBlock): Span {
  return { file, start: block.typeStart, end: block.typeEnd };
}
