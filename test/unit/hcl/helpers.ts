import assert from 'node:assert/strict';
import type { HclAttribute, HclBlock, HclBody, HclExpr } from '../../../server/src/core/parsers/hcl';

export function attr(body: HclBody, name: string): HclAttribute {
  const found = body.items.find((i): i is HclAttribute => i.kind === 'attribute' && i.name === name);
  assert.ok(found, `attribute ${name} not found`);
  return found;
}

export function block(body: HclBody, type: string, index = 0): HclBlock {
  const found = body.items.filter((i): i is HclBlock => i.kind === 'block' && i.type === type)[index];
  assert.ok(found, `block ${type}[${index}] not found`);
  return found;
}

export function str(e: HclExpr): HclExpr & { type: 'string' } {
  assert.equal(e.type, 'string');
  return e as HclExpr & { type: 'string' };
}

/** The source text a node covers. */
export function slice(text: string, n: { start: number; end: number }): string {
  return text.slice(n.start, n.end);
}
