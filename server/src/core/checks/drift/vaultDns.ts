/**
 * `vault { address = "https://vault.service.consul:8200" }` needs Consul DNS
 * forwarding on the host. Linux provisioning sets it up (dnsmasq or
 * systemd-resolved forwarding `.consul` to 127.0.0.1:8600); Windows hosts
 * usually do not, and the Windows agent fails with "no such host".
 */
import type { Role } from '../../agent/roles';
import type { SettingEntry } from '../../agent/settings';
import type { Finding } from '../../types';
import type { Check } from '../check';
import { finding, label, rolesOf } from '../check';

function escapeRe(t: string): string {
  return t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Consul DNS names under the Consul `domain` of the deployment (default `consul`; `domain = "global"` makes
 * `vault.service.dc1.global`), with an optional datacenter label, and the ways a script forwards that domain.
 */
function consulDnsPatterns(domains: readonly string[]): { name: RegExp; forwarding: RegExp } {
  const d = domains.map(escapeRe).join('|');
  return {
    name: new RegExp(`\\.(service|node|query)(\\.[A-Za-z0-9-]+)?\\.(${d})\\b`, 'i'),
    forwarding: new RegExp(
      // dnsmasq / systemd-resolved on Linux; NRPT or a DNS-server forwarder zone on Windows; a local forwarder
      // (BIND `zone "consul"`, Unbound `forward-zone`, CoreDNS) that sends the domain to Consul's DNS port.
      `dnsmasq|server=/(${d})/|systemd-resolved|resolved\\.conf|Domains=~(${d})|DNS=127\\.0\\.0\\.1:8600|Add-DnsServerConditionalForwarderZone|NRPT|Add-DnsClientNrptRule|-Namespace\\s+["']?\\.?(${d})|zone\\s+\\\\?["']?(${d})\\.?\\\\?["']?\\s+(?:IN\\s+)?\\{|forward-zone:|127\\.0\\.0\\.1(?:\\s+port\\s+|[:#@])8600`,
      'i',
    ),
  };
}

export const vaultConsulDns: Check = {
  id: 'vault-address-consul-dns',
  category: 'os-setting',
  severity: 'warning',
  title: 'A *.service.consul address on Windows without Consul DNS forwarding',
  run(model) {
    const out: Finding[] = [];
    const domains = new Set(['consul']);
    for (const role of rolesOf(model, 'consul')) {
      const d = role.settings.get('domain')?.value;
      if (typeof d === 'string' && /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(d.replace(/\.$/, ''))) domains.add(d.replace(/\.$/, '').toLowerCase());
    }
    const { name: CONSUL_NAME, forwarding: FORWARDING } = consulDnsPatterns([...domains]);
    // The Consul DNS names first: the scripts are searched for forwarding only when one is used (rare).
    const uses: Array<{
      role: Role;
      path: string;
      e: SettingEntry;
      domain: string;
      value: string;
    }> = [];
    for (const role of rolesOf(model, 'nomad').filter((r) => r.kind === 'windows-client')) {
      for (const path of ['vault.address', 'consul.address']) {
        const e = role.settings.get(path);
        const m = e && typeof e.value === 'string' ? CONSUL_NAME.exec(e.value) : null;
        if (e && typeof e.value === 'string' && m) uses.push({ role, path, e, domain: m[3]!.toLowerCase(), value: e.value });
      }
    }
    if (uses.length === 0) return out;
    const windowsForwards = model.scripts.some((s) => s.os === 'windows' && FORWARDING.test(s.text.text));
    if (windowsForwards) return out;
    const linuxForwards = model.scripts.some((s) => s.os === 'linux' && FORWARDING.test(s.text.text));
    for (const { role, path, e, domain, value } of uses) {
      out.push(
        finding({
          check: this,
          span: e.valueSpan,
          message: `${label(role)}: ${path} = ${e.display} is a Consul DNS name, but no Windows provisioning script sets up forwarding of .${domain} to Consul's DNS (127.0.0.1:8600)${linuxForwards ? ', while the Linux scripts do (dnsmasq / systemd-resolved)' : ''}. On Windows the name does not resolve: "dial tcp: lookup ${/\/\/([^/:]+)/.exec(value)?.[1] ?? 'vault.service.consul'}: no such host". Add an NRPT rule (Add-DnsClientNrptRule -Namespace ".${domain}" -NameServers 127.0.0.1) with Consul listening on port 53, or a local forwarder of .${domain} to 127.0.0.1:8600, or use an address that resolves without Consul.`,
        }),
      );
    }
    return out;
  },
};
