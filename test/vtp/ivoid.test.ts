import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIvoid } from '../../src/vtp/ivoid.ts';

describe('IVOID rule (Comet parse_ivoid)', () => {
  it("accepts the good identifiers of Comet's table", () => {
    assert.deepEqual(parseIvoid('ivo://authorityID/resourceKey#local_ID'), {
      authority: 'authorityID',
      resourceKey: '/resourceKey',
      localId: 'local_ID',
    });
    for (const good of [
      'ivo://authorityID#local_ID',
      'ivo://123/rsrc#local',
      'ivo://auth/user/STScI_1/1a-7z.u#x',
    ]) {
      assert.ok(parseIvoid(good), good);
    }
  });

  it('parses an identifier without # but with an empty local ID', () => {
    assert.equal(parseIvoid('ivo://authorityID/resourceKey')?.localId, '');
    assert.equal(parseIvoid('ivo://nasa.gsfc.gcn/gcn')?.localId, '');
  });

  it("rejects the bad identifiers of Comet's table", () => {
    for (const bad of [
      'ivo://au/rsrc#x',
      'ivo://_auth/rsrc#x',
      'ivo://a2',
      'ivo://DAT%41/rsrc#x',
      'ivo://auth/rsrc/#x',
      'ivo://auth/data//other#x',
      'ivo://auth/data/c/../d#x',
      'ivo://auth/rsrc#loc#al',
      'ivo://#localID',
      'ivo://',
      'ivo://#',
    ]) {
      assert.equal(parseIvoid(bad), null, bad);
    }
  });
});
