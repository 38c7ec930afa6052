/**
 * VoEventView's param lookup (an index built once) against its definition, on every VOEvent
 * sample and on a packet with repeated names: the first top-level param of that name, else the
 * first one in the groups in document order; and, with a group, that group's own param.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { VoEventView } from '../../src/notices/voevent-view.ts';
import { parseVoEvent } from '../../src/voevent/parse.ts';
import type { ParsedVoEvent, VoEventParam } from '../../src/voevent/voevent.ts';
import { listFiles, SAMPLES_DIR, skipUnlessShared } from '../helpers/shared.ts';

function byDefinition(event: ParsedVoEvent, name: string): VoEventParam | undefined {
  return (
    event.params.find((p) => p.name === name) ??
    event.groups.flatMap((g) => g.params).find((p) => p.name === name)
  );
}

function checkEvent(event: ParsedVoEvent): void {
  const view = new VoEventView(event, '0'.repeat(64));
  const names = new Set([...event.params, ...event.groups.flatMap((g) => g.params)].map((p) => p.name));
  for (const name of [...names, 'Not_A_Param', '__proto__', 'toString']) {
    assert.equal(view.param(name), byDefinition(event, name), name);
  }
  for (const group of event.groups) {
    const label = group.name ?? group.type;
    if (label === undefined) continue;
    const chosen = event.groups.find((g) => g.name === label) ?? event.groups.find((g) => g.type === label);
    for (const p of group.params) {
      assert.equal(
        view.param(p.name, label),
        chosen?.params.find((q) => q.name === p.name),
        `${label}.${p.name}`,
      );
    }
  }
}

describe('VoEventView.param', () => {
  test('finds what its definition finds, on a packet with repeated names', () => {
    const event = parseVoEvent(
      Buffer.from(
        `<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" ivorn="ivo://a/b#c" role="test" version="2.0">
  <What>
    <Group name="g1"><Param name="a" value="1"/><Param name="b" value="2"/><Param name="b" value="3"/></Group>
    <Param name="b" value="top"/>
    <Group type="g2"><Param name="a" value="4"/><Param name="c" value="5"/></Group>
    <Param name="b" value="top again"/>
  </What>
</voe:VOEvent>`,
      ),
    );
    const view = new VoEventView(event, '0'.repeat(64));
    assert.equal(view.param('b')?.value, 'top');
    assert.equal(view.param('a')?.value, 1);
    assert.equal(view.param('c')?.value, 5);
    assert.equal(view.param('b', 'g1')?.value, 2);
    assert.equal(view.param('a', 'g2')?.value, 4);
    checkEvent(event);
  });

  test('finds what its definition finds, on every VOEvent sample', { skip: skipUnlessShared() }, () => {
    let checked = 0;
    for (const file of listFiles(join(SAMPLES_DIR, 'voevent'), ['.xml'])) {
      let event: ParsedVoEvent;
      try {
        event = parseVoEvent(readFileSync(file));
      } catch {
        continue; // refused samples have no params to look up
      }
      checkEvent(event);
      checked += 1;
    }
    assert.ok(checked > 100, `only ${checked} samples parsed`);
  });
});

describe('VoEventView.allParams', () => {
  test('keeps params named like members of Object.prototype, as own properties', () => {
    const event = parseVoEvent(
      Buffer.from(
        `<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" ivorn="ivo://a/b#c" role="test" version="2.0">
  <What>
    <Param name="toString" value="t"/>
    <Param name="__proto__" value="p"/>
    <Group name="g"><Param name="constructor" value="c"/><Param name="toString" value="later"/></Group>
  </What>
</voe:VOEvent>`,
      ),
    );
    const params = new VoEventView(event, '0'.repeat(64)).allParams();
    assert.deepEqual(Object.keys(params), [
      'toString',
      '__proto__',
      'g.constructor',
      'constructor',
      'g.toString',
    ]);
    assert.equal(Object.getPrototypeOf(params), Object.prototype);
    assert.ok(Object.hasOwn(params, '__proto__'));
    assert.deepEqual(Object.entries(params), [
      ['toString', 't'],
      ['__proto__', 'p'],
      ['g.constructor', 'c'],
      ['constructor', 'c'],
      ['g.toString', 'later'],
    ]);
    assert.equal(
      JSON.stringify(params),
      '{"toString":"t","__proto__":"p","g.constructor":"c","constructor":"c","g.toString":"later"}',
    );
  });
});
