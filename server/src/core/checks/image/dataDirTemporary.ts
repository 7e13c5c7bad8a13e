/**
 * data-dir-temporary: an agent's `data_dir` in a temporary directory (`/tmp`, `/var/tmp`, `/dev/shm`,
 * `C:\Windows\Temp`, a user's `AppData\Local\Temp`). The agent keeps its state there; temporary directories are
 * emptied at boot (a tmpfs `/tmp`; systemd-tmpfiles' `D /tmp` on Debian and Ubuntu) or cleaned of old files while the
 * agent runs (systemd-tmpfiles' age limits, Windows Storage Sense and Disk Cleanup).
 *
 * Sources:
 * - Consul docs, agent `-data-dir`: "The directory should be durable across reboots. This is especially critical for
 *   agents that are running in server mode as they must be able to persist cluster state." A Consul agent's node ID
 *   is random and persisted in the data directory (`disable_host_node_id`, default true), so an agent whose directory
 *   was emptied rejoins under a new ID and fails with "Failed to join <addr>: Member '<node>' has conflicting node ID
 *   '<id>' with this agent's ID" while the old registration lasts (hashicorp/consul#3070).
 * - Nomad docs, `data_dir`: "Client nodes use this directory by default to store temporary allocation data as well as
 *   cluster information. Server nodes use this directory to store cluster state, including the replicated log and
 *   snapshot data." A client without its state registers as a new node; the old one goes down and its allocations are
 *   lost and rescheduled.
 */
import type { Check } from '../check';
import { chainText, finding, label } from '../check';
import type { DeploymentModel } from '../../model/deploymentModel';
import type { Finding } from '../../types';

/** Temporary directories, on the value with `\` as `/` and lower-cased. */
const TEMPORARY = /^(\/(tmp|var\/tmp|dev\/shm)(\/|$)|[a-z]:\/windows\/temp(\/|$)|[a-z]:\/users\/[^/]+\/appdata\/local\/temp(\/|$))/;

export function isTemporaryDir(path: string): boolean {
  return TEMPORARY.test(path.trim().replace(/\\+/g, '/').toLowerCase());
}

export const dataDirTemporary: Check = {
  id: 'data-dir-temporary',
  category: 'state',
  severity: 'warning',
  title: 'An agent keeps its state (data_dir) in a temporary directory that is emptied at boot or cleaned while it runs',
  run(model: DeploymentModel): Finding[] {
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const role of model.roles) {
      for (const e of role.allEntries) {
        if (e.path !== 'data_dir' || typeof e.value !== 'string' || !isTemporaryDir(e.value)) continue;
        const key = `${e.valueSpan.file}:${e.valueSpan.start}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const server = role.kind === 'server';
        const what =
          role.product === 'consul'
            ? server
              ? 'a Consul server loses its Raft log and snapshots (the catalog, KV store and ACL tokens it holds): one server rejoins as a new, empty member; all of them at once lose the cluster'
              : "the Consul agent comes back with a new random node ID and its join fails with \"Member '<node>' has conflicting node ID '<id>' with this agent's ID\" while the old registration lasts"
            : server
              ? 'a Nomad server loses its Raft log and snapshots (jobs, allocations, ACL tokens): one server rejoins as a new, empty member; all of them at once lose the cluster'
              : 'the Nomad client registers as a new node: the old node goes down and its allocations are marked lost and rescheduled';
        out.push(
          finding({
            check: dataDirTemporary,
            span: e.valueSpan,
            severity: server ? 'error' : 'warning',
            message:
              `data_dir = ${e.display} in the ${label(role)} config is a temporary directory, emptied at boot (tmpfs, systemd-tmpfiles) or cleaned of old files while the agent runs. ` +
              `The agent keeps its state there (${role.product === 'consul' ? 'Consul: "should be durable across reboots", especially for servers' : 'Nomad: allocation data and cluster state, the replicated log on servers'}); after a reboot ${what}. ` +
              `Use a persistent directory such as ${role.product === 'consul' ? '/opt/consul/data' : '/opt/nomad/data'}${e.doc.os === 'windows' ? ` (on Windows C:/HashiCorp/${role.product === 'consul' ? 'Consul' : 'Nomad'}/data)` : ''}. Value chain: ${chainText(model, e.chain)}.`,
          }),
        );
      }
    }
    return out;
  },
};
