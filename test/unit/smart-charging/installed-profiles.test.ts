import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InstalledChargingProfiles } from '../../../src/domain/smart-charging/installed-profiles.ts';
import { OCPP16_STACK_LEVEL_REPLACEMENT } from '../../../src/ocpp/v16/charging-profiles.ts';
import { OCPP2_STACK_LEVEL_REPLACEMENT } from '../../../src/ocpp/v201/charging-profiles.ts';
import { on, profile } from './profile-fixtures.ts';

function ids(set: InstalledChargingProfiles): number[] {
  return set.list().map((e) => e.profile.id).sort((a, b) => a - b);
}

describe('installed profiles: install and replacement', () => {
  it('K01.FR.05 / 1.6 §5.16.3: a profile with a known id replaces it, even on another EVSE', () => {
    const set = new InstalledChargingProfiles();
    set.install(1, profile({ id: 7, stackLevel: 1 }));
    const result = set.install(2, profile({ id: 7, stackLevel: 3, periods: [[0, 8]] }));
    assert.equal(result.installed, true);
    assert.deepEqual(result.installed ? result.replaced.map((e) => [e.evseId, e.profile.stackLevel]) : [], [[1, 1]]);
    assert.deepEqual(set.list().map((e) => [e.evseId, e.profile.id, e.profile.stackLevel]), [[2, 7, 3]]);
  });

  it('1.6 §3.13.2: another id with the same stackLevel and purpose on the same EVSE replaces the installed one', () => {
    const set = new InstalledChargingProfiles([], { stackLevelReplacement: OCPP16_STACK_LEVEL_REPLACEMENT });
    set.install(1, profile({ id: 1, stackLevel: 2, extra: { validTo: '2025-02-01T00:00:00Z' } }));
    set.install(1, profile({ id: 2, stackLevel: 2, extra: { validFrom: '2025-03-01T00:00:00Z' } }));
    assert.deepEqual(ids(set), [2]);
  });

  it('K01.FR.06: on a 2.x station profiles of one stack slot with disjoint validity coexist; overlapping ones replace', () => {
    const set = new InstalledChargingProfiles([], { stackLevelReplacement: OCPP2_STACK_LEVEL_REPLACEMENT });
    set.install(1, profile({ id: 1, stackLevel: 2, extra: { validTo: '2025-02-01T00:00:00Z' } }));
    set.install(1, profile({ id: 2, stackLevel: 2, extra: { validFrom: '2025-02-01T00:00:00Z' } }));
    assert.deepEqual(ids(set), [1, 2]);
    set.install(1, profile({ id: 3, stackLevel: 2 })); // valid forever: overlaps both
    assert.deepEqual(ids(set), [3]);
  });

  it('profiles on other EVSEs, purposes or stack levels are kept side by side', () => {
    const set = new InstalledChargingProfiles([], { stackLevelReplacement: 'always' });
    set.install(0, profile({ id: 1, stackLevel: 0, purpose: 'ChargingStationMaxProfile' }));
    set.install(0, profile({ id: 2, stackLevel: 0 }));
    set.install(1, profile({ id: 3, stackLevel: 0 }));
    set.install(1, profile({ id: 4, stackLevel: 1 }));
    assert.deepEqual(ids(set), [1, 2, 3, 4]);
    assert.equal(set.size, 4);
  });

  it('1.6 §5.16.2: a TxProfile with the same stackLevel for the same transaction replaces the remote-start one', () => {
    const set = new InstalledChargingProfiles([], { stackLevelReplacement: 'always' });
    // The remote-start profile carries no transactionId ([S16E] 3.41).
    set.install(1, profile({ id: 1, stackLevel: 1, purpose: 'TxProfile', kind: 'Relative' }));
    set.install(1, profile({ id: 2, stackLevel: 1, purpose: 'TxProfile', kind: 'Relative', extra: { transactionId: '9' } }));
    assert.deepEqual(ids(set), [2]);
    set.install(1, profile({ id: 3, stackLevel: 2, purpose: 'TxProfile', kind: 'Relative', extra: { transactionId: '9' } }));
    assert.deepEqual(ids(set), [2, 3]);
  });

  it('K01.FR.05: an external constraint cannot be replaced by id', () => {
    const set = new InstalledChargingProfiles([on(0, profile({ id: 1, purpose: 'ChargingStationExternalConstraints' }))]);
    const result = set.install(0, profile({ id: 1, purpose: 'ChargingStationMaxProfile' }));
    assert.equal(result.installed, false);
    assert.match(result.installed ? '' : result.reason, /K01\.FR\.05/);
    assert.equal(set.get(1)?.profile.purpose, 'ChargingStationExternalConstraints');
  });
});

describe('installed profiles: clear ([S16E] 3.25, K10)', () => {
  function station(): InstalledChargingProfiles {
    return new InstalledChargingProfiles([
      on(0, profile({ id: 1, purpose: 'ChargingStationMaxProfile' })),
      on(0, profile({ id: 2, stackLevel: 0 })),
      on(1, profile({ id: 3, stackLevel: 1 })),
      on(2, profile({ id: 4, stackLevel: 1 })),
      on(2, profile({ id: 5, stackLevel: 2 })),
      on(0, profile({ id: 6, purpose: 'ChargingStationExternalConstraints' })),
    ]);
  }

  it('K10.FR.03: by id', () => {
    const set = station();
    assert.deepEqual(set.clear({ id: 3 }).map((e) => e.profile.id), [3]);
    assert.deepEqual(ids(set), [1, 2, 4, 5, 6]);
  });

  it('by purpose', () => {
    const set = station();
    assert.deepEqual(set.clear({ purpose: 'TxDefaultProfile' }).map((e) => e.profile.id).sort(), [2, 3, 4, 5]);
    assert.deepEqual(ids(set), [1, 6]);
  });

  it('by stackLevel and EVSE together (logical AND, [S16E] 3.25 / K10.FR.04)', () => {
    const set = station();
    assert.deepEqual(set.clear({ evseId: 2, stackLevel: 1 }).map((e) => e.profile.id), [4]);
    assert.deepEqual(ids(set), [1, 2, 3, 5, 6]);
  });

  it('by EVSE', () => {
    const set = station();
    assert.deepEqual(set.clear({ evseId: 0 }).map((e) => e.profile.id).sort(), [1, 2]);
  });

  it('[S16E] 3.25: no fields clears all; K10.FR.04/08: never an external constraint', () => {
    const set = station();
    assert.equal(set.clear().length, 5);
    assert.deepEqual(ids(set), [6]);
    assert.deepEqual(set.clear({ id: 6 }), []);
  });
});

describe('installed profiles: transaction end and listing', () => {
  it('1.6 §3.13.1 / [S16E] 3.67: a transaction\'s TxProfiles go when it ends; others stay', () => {
    const set = new InstalledChargingProfiles([
      on(1, profile({ id: 1, purpose: 'TxProfile', kind: 'Relative', extra: { transactionId: '9' } })),
      on(1, profile({ id: 2, stackLevel: 1, purpose: 'TxProfile', kind: 'Relative', extra: { transactionId: '9' } })),
      on(2, profile({ id: 3, purpose: 'TxProfile', kind: 'Relative', extra: { transactionId: '10' } })),
      on(1, profile({ id: 4 })),
    ]);
    assert.deepEqual(set.endTransaction('9').map((e) => e.profile.id).sort(), [1, 2]);
    assert.deepEqual(ids(set), [3, 4]);
  });

  it('a 1.6 TxProfile without transactionId goes with the transaction on its EVSE', () => {
    const set = new InstalledChargingProfiles([
      on(1, profile({ id: 1, purpose: 'TxProfile', kind: 'Relative' })),
      on(2, profile({ id: 2, purpose: 'TxProfile', kind: 'Relative' })),
    ]);
    assert.deepEqual(set.endTransaction('9', 1).map((e) => e.profile.id), [1]);
    assert.deepEqual(ids(set), [2]);
  });

  it('what is installed: listed by EVSE, purpose, stackLevel and id, filterable', () => {
    const set = new InstalledChargingProfiles([
      on(1, profile({ id: 9, stackLevel: 1 })),
      on(0, profile({ id: 8, stackLevel: 0 })),
      on(1, profile({ id: 5, stackLevel: 0 })),
      on(0, profile({ id: 7, purpose: 'ChargingStationMaxProfile' })),
    ]);
    assert.deepEqual(set.list().map((e) => e.profile.id), [7, 8, 5, 9]);
    assert.deepEqual(set.list({ evseId: 1 }).map((e) => e.profile.id), [5, 9]);
    assert.deepEqual(set.list({ purpose: 'ChargingStationMaxProfile' }).map((e) => e.profile.id), [7]);
    assert.equal(set.get(9)?.evseId, 1);
    assert.equal(set.get(99), undefined);
  });
});
