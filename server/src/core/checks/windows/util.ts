/** Small helpers shared by the Windows-pitfall checks. */
import type { DeploymentModel } from '../../model/deploymentModel';
import type { ParsedAgentConfig } from '../../agent/configDoc';
import type { ScriptFacts, PsScriptFacts } from '../../scripts/scriptModel';
import type { Span } from '../../types';

/** `file:line` (1-based) of a span, for messages. */
export function where(model: DeploymentModel, span: Span): string {
  const src = model.files.get(span.file);
  const line = src ? src.positionAt(span.start).line + 1 : 0;
  return `${span.file}:${line}`;
}

/** Host text of a span, or undefined when the file is unknown. */
export function hostText(model: DeploymentModel, span: Span): string | undefined {
  return model.files.get(span.file)?.text.slice(span.start, span.end);
}

export function scriptOf(model: DeploymentModel, file: string): ScriptFacts | undefined {
  return model.scripts.find((s) => s.file === file);
}

export function psScripts(model: DeploymentModel): PsScriptFacts[] {
  return model.scripts.filter((s): s is PsScriptFacts => s.language === 'powershell');
}

export function overlaps(a: Span, b: Span): boolean {
  return a.file === b.file && a.start < b.end && b.start < a.end;
}

/** How the text of an agent config reached HCL, outermost layer first (for messages). */
export function layerChain(model: DeploymentModel, cfg: ParsedAgentConfig, hostOffset: number): string {
  const doc = cfg.doc;
  const layers: string[] = [];
  const script = scriptOf(model, doc.hostFile);
  if (script?.templated) layers.push('Terraform template (templatefile)');
  if (script && script.language === 'powershell') {
    const lit = script.scan.strings.find((s) => {
      const h = script.text.toHost(s.contentStart, s.contentEnd);
      return h.file === doc.hostFile && h.start <= hostOffset && hostOffset < h.end;
    });
    if (lit) {
      const kind =
        lit.quote === 'expandable'
          ? lit.hereString
            ? 'expandable here-string @"…"@'
            : 'double-quoted string "…"'
          : lit.hereString
            ? "literal here-string @'…'@"
            : "single-quoted string '…'";
      layers.push(`PowerShell ${kind} (keeps \\ as is)`);
    } else layers.push('PowerShell script');
  } else if (script && script.language === 'bash') {
    layers.push('bash heredoc/string');
  } else if (doc.templateFile || doc.via !== 'config file') {
    layers.push(doc.via);
  }
  layers.push(
    `${doc.format === 'json' ? 'JSON' : 'HCL v1'} string in ${cfg.product === 'nomad' ? 'Nomad' : 'Consul'}'s config${doc.targetPath ? ` (${doc.targetPath})` : ''}`,
  );
  return layers.join(' → ');
}

export function isPowerShellHost(file: string): boolean {
  return /\.ps1$/i.test(file);
}
