import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { skipUnlessShared } from '../helpers/shared.ts';
import { assertCircle, parseSample, summary } from './sample-notice.ts';

describe('Fermi LAT VOEvents', { skip: skipUnlessShared() }, () => {
  it('takes the time from ISOTime, not from the garbage ivorn date, and namespaces the LAT trigger', () => {
    const n = parseSample('voevent/grb/fermi_lat_pos_ini_0.xml');
    assert.deepEqual(summary(n), {
      observatory: 'Fermi',
      instrument: 'LAT',
      noticeType: 'FERMI_LAT_POS_INI',
      triggerId: 'Fermi-LAT:793795104',
      alertType: 'initial',
      triggerTime: '2026-02-26T10:38:00.000Z',
      role: 'observation',
    });
    assertCircle(n.region, {
      raDeg: 42.2333,
      decDeg: 8,
      radiusDeg: 0.5,
      containment: 0.9,
      systematicIncluded: false,
    });
  });

  it('reads the Updated_Pos as an update of the same trigger', () => {
    const n = parseSample('voevent/grb/fermi_lat_pos_upd_0.xml');
    assert.equal(n.triggerId, 'Fermi-LAT:793795104');
    assert.equal(n.alertType, 'update');
    assertCircle(n.region, {
      raDeg: 42.2166,
      decDeg: 8.0333,
      radiusDeg: 0.5,
      containment: 0.9,
      systematicIncluded: false,
    });
  });

  it('reads the Offline_Pos with its own TrigID and time', () => {
    const n = parseSample('voevent/grb/fermi_lat_offline_29.xml');
    assert.equal(n.triggerId, 'Fermi-LAT:793795080');
    assert.equal(n.triggerTime, '2026-02-26T10:38:18.840Z');
    assertCircle(n.region, {
      raDeg: 41.9209,
      decDeg: 7.7199,
      radiusDeg: 0.1059,
      containment: 0.9,
      systematicIncluded: false,
    });
  });
});
